"""Tests for jiceng.simulation: distributions, arrivals, validation, the engine, replications."""

from __future__ import annotations

import itertools
import math
import pickle
import random
from collections.abc import Hashable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest

from jiceng.calendar import TimeLimit, WorkCalendar, date_span
from jiceng.dispatch import (
    CategoryPolicy,
    Decision,
    DispatchContext,
    KeywordPolicy,
    LeastLoadedPolicy,
    RoundRobinPolicy,
    TaskView,
    TerritoryPolicy,
)
from jiceng.errors import InvalidDecisionError, ValidationError
from jiceng.metrics import Metrics, TimeSummary, summarize
from jiceng.models import Channel, EventKind, Priority, Satisfaction, Task, TaskStatus
from jiceng.simulation import (
    FIGURES,
    DepartmentModel,
    Deterministic,
    Empirical,
    Estimate,
    Exponential,
    Gamma,
    LogNormal,
    PoissonArrivals,
    ProfileArrivals,
    SatisfactionModel,
    Scenario,
    TraceArrivals,
    erlang_c,
    erlang_c_wait,
    figure,
    format_metrics,
    format_result,
    mmc_scenario,
    replicate,
    simulate,
    sweep,
    t_quantile,
    vary,
)
from jiceng.simulation._clock import WorkClock
from jiceng.simulation._distributions import sampler_for
from jiceng.simulation._scenario import _EveryName
from jiceng.simulation._stats import estimate

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 11, 15, 8, tzinfo=SH)
HOUR = timedelta(hours=1)


def same_metrics(a: Metrics, b: Metrics) -> bool:
    """Equal counts and rates; durations equal to the microsecond (float vs datetime rounding)."""
    for f in attrs.fields(Metrics):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, TimeSummary):
            assert x.count == y.count, f.name
            for part in ("mean", "median", "p90", "max"):
                u, v = getattr(x, part), getattr(y, part)
                assert (u is None) == (v is None), (f.name, part)
                if u is not None:
                    assert abs(u - v) <= timedelta(microseconds=2), (f.name, part, u, v)
        else:
            assert x == y, (f.name, x, y)
    return True


def exp(hours: float = 1.0) -> Exponential:
    return Exponential(mean=timedelta(hours=hours))


def three_departments(**changes: object) -> Scenario:
    """A small scenario with every feature switched on (override with keywords)."""
    fields: dict[str, object] = {
        "departments": [
            DepartmentModel("城管局", handlers=3, service=exp(1)),
            DepartmentModel(
                "街道办", handlers=2, service=LogNormal(mean=timedelta(hours=2), sigma=0.8)
            ),
            DepartmentModel("水务局", handlers=1, service=Gamma(mean=HOUR, shape=2)),
        ],
        "arrivals": ProfileArrivals(
            per_hour=3, mix={"环境卫生": 3, "噪声": 1, "供水": 1, "其他": 0.3}
        ),
        "policy": CategoryPolicy(
            {"环境卫生": "城管局", "噪声": "街道办", "供水": "水务局"}, fallback="街道办"
        ),
        "start": T0,
        "duration": timedelta(days=4),
        "warmup": timedelta(hours=12),
        "deadlines": {
            "环境卫生": (TimeLimit.hours(1), TimeLimit.hours(8)),
            ("噪声", Priority.NORMAL): (None, TimeLimit.days(1)),
        },
        "return_probability": 0.1,
        "rework_probability": 0.1,
        "satisfaction": SatisfactionModel(
            contact_rate=0.9,
            resolved_rate=0.8,
            satisfied=0.7,
            basically_satisfied=0.2,
            late_penalty=0.5,
        ),
    }
    fields.update(changes)
    return Scenario(**fields)  # type: ignore[arg-type]


# --- distributions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dist",
    [
        Exponential(mean=HOUR),
        Deterministic(value=timedelta(minutes=30)),
        LogNormal(mean=timedelta(hours=2), sigma=0.5),
        Gamma(mean=HOUR, shape=3),
        Empirical(values=[timedelta(minutes=m) for m in (5, 10, 60)]),
        Empirical(values=[timedelta(minutes=7)]),
    ],
)
def test_sampler_draws_what_sample_draws(dist: Exponential) -> None:
    a, b = random.Random(7), random.Random(7)
    fast = sampler_for(dist, a)
    for _ in range(50):
        assert timedelta(seconds=fast()) == pytest.approx(dist.sample(b), abs=timedelta(0, 0, 1))
    assert dist.mean > timedelta(0)


def test_distribution_means_are_right() -> None:
    rng = random.Random(1)
    for dist in (LogNormal(mean=timedelta(hours=2), sigma=0.5), Gamma(mean=HOUR, shape=3)):
        draw = sampler_for(dist, rng)
        mean = sum(draw() for _ in range(40_000)) / 40_000
        assert mean == pytest.approx(dist.mean.total_seconds(), rel=0.03)


def test_custom_distribution_is_wrapped() -> None:
    class Fixed:
        def sample(self, rng: random.Random, /) -> timedelta:
            return timedelta(seconds=rng.choice([1, 2]))

    draw = sampler_for(Fixed(), random.Random(3))
    assert {draw() for _ in range(20)} == {1.0, 2.0}


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: Exponential(mean=3600), "must be a timedelta"),  # type: ignore[arg-type]
        (lambda: Exponential(mean=timedelta(0)), "must be positive"),
        (lambda: Deterministic(value=-HOUR), "must not be negative"),
        (lambda: Deterministic(value=1.0), "must be a timedelta"),  # type: ignore[arg-type]
        (lambda: LogNormal(mean=-HOUR, sigma=0), "2 problems"),
        (lambda: Gamma(mean=HOUR, shape=True), "finite number"),
        (lambda: Empirical(values=[]), "must not be empty"),
        (lambda: Empirical(values=[HOUR, -HOUR]), "not non-negative"),
        (lambda: Empirical(values=HOUR), "collection of timedeltas"),  # type: ignore[arg-type]
    ],
)
def test_bad_distributions(build: object, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        build()  # type: ignore[operator]


# --- arrivals ---------------------------------------------------------------------------------


def test_poisson_stream_rate_and_mix() -> None:
    arrivals = PoissonArrivals(per_hour=30, mix={"a": 3, ("b", "G1"): 1, "zero": 0})
    shapes = arrivals._shapes()
    assert [(s.category, s.grid) for s in shapes] == [("a", None), ("b", "G1"), ("zero", None)]
    items = list(arrivals._stream(T0, 1000 * 3600.0, random.Random(1)))
    assert len(items) == pytest.approx(30_000, rel=0.03)
    share = sum(1 for _, k in items if k == 0) / len(items)
    assert share == pytest.approx(0.75, abs=0.02)
    assert not any(k == 2 for _, k in items)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(items))
    assert list(PoissonArrivals(per_hour=0, mix={"a": 1})._stream(T0, 1e6, random.Random(1))) == []


def test_profile_follows_hours_and_weekdays() -> None:
    hourly = tuple(0.0 if h < 8 else 2.0 for h in range(24))
    weekly = (1, 1, 1, 1, 1, 0, 0)
    arrivals = ProfileArrivals(per_hour=10, mix={"a": 1, "b": 1}, hourly=hourly, weekly=weekly)
    start = datetime(2024, 11, 11, 0, 30, tzinfo=SH)  # a Monday
    items = list(arrivals._stream(start, 14 * 86_400.0, random.Random(2)))
    for t, _ in items:
        local = (start + timedelta(seconds=t)).astimezone(SH)
        assert local.hour >= 8
        assert local.weekday() < 5
    # 10 working days x 16 hours x 20 per hour, minus the first half hour (before 08:00 anyway).
    assert len(items) == pytest.approx(10 * 16 * 20, rel=0.05)


def test_profile_across_daylight_saving() -> None:
    ny = ZoneInfo("America/New_York")
    arrivals = ProfileArrivals(per_hour=5, mix={"Noise": 1})
    items = list(arrivals._stream(datetime(2024, 3, 9, tzinfo=ny), 3 * 86_400.0, random.Random(3)))
    assert len(items) == pytest.approx(5 * 72, rel=0.2)


def test_trace_from_records_and_tasks() -> None:
    task = Task.report(
        category="Illegal Parking",
        description="blocked hydrant",
        at=T0 + 2 * HOUR,
        grid="MN01",
        priority=Priority.URGENT,
        channel=Channel.APP,
    )
    trace = TraceArrivals([(T0 + 3 * HOUR, "Noise"), task, (T0 - HOUR, "Noise", "MN02")])
    assert [r[1].category for r in trace.records] == ["Noise", "Illegal Parking", "Noise"]
    assert trace.records[1][1].priority is Priority.URGENT
    stream = list(trace._stream(T0, 2.5 * 3600, random.Random(0)))
    assert stream == [(7200.0, 1)]  # the early one is skipped, the late one cut off
    assert trace._problems("arrivals") == []


def test_trace_reports_every_bad_record() -> None:
    bad: list[object] = [(datetime(2024, 1, 1), "x"), (T0, ""), (T0,), (T0, "x", "")]
    bad += [(datetime(2024, 1, 1), "y")] * 20
    with pytest.raises(ValidationError) as info:
        TraceArrivals(bad)
    problems = info.value.problems
    assert len(problems) == 21
    assert "more problems" in problems[-1]
    with pytest.raises(ValidationError, match="iterable"):
        TraceArrivals(42)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as few:
        TraceArrivals([(T0, 5)])
    assert len(few.value.problems) == 1


# --- scenario validation ------------------------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Scenario(
            departments=[
                DepartmentModel("城管局", handlers=-2, service=exp()),
                DepartmentModel("街道办", handlers=1, service=exp()),
            ],
            arrivals=PoissonArrivals(per_hour=-1, mix={"环境卫生": -1, "噪声": 0}),
            policy=CategoryPolicy({"噪声": "水务局"}),
            start=datetime(2024, 1, 1),  # naive
            duration=timedelta(days=1),
            warmup=timedelta(days=2),
            return_probability=1.5,
            rework_probability=1.0,
        )
    text = "\n".join(info.value.problems)
    for fragment in (
        "handlers=-2",
        "per_hour=-1",
        "mix['环境卫生']=-1",
        "naive",
        "warmup",
        "return_probability=1.5",
        "rework_probability=1.0",
        "department '水务局', which the scenario does not have",
    ):
        assert fragment in text
    assert len(info.value.problems) >= 7


def test_policy_naming_an_unknown_department_is_caught() -> None:
    with pytest.raises(ValidationError) as info:
        Scenario(
            departments=[DepartmentModel("城管局", handlers=1, service=exp())],
            arrivals=PoissonArrivals(per_hour=1, mix={"环境卫生": 1, "噪声": 1, ("供水", "G9"): 1}),
            policy=CategoryPolicy({"环境卫生": "城管局", "噪声": "水务局", "供水": "水务局"}),
            start=T0,
            duration=timedelta(days=1),
            return_probability=-0.1,
        )
    problems = info.value.problems
    assert any("'噪声' to department '水务局'" in p for p in problems)
    assert any("'供水 @ G9'" in p for p in problems)
    assert any("return_probability" in p for p in problems)


class _Odd:
    """A policy with configurable misbehaviour (picklable at module level)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.calls = 0

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        self.calls += 1
        if self.mode == "raise":
            raise RuntimeError("boom")
        if self.mode == "junk":
            return "城管局"  # type: ignore[return-value]
        if self.mode == "unknown":
            return Decision(department="不存在", reason="r", policy="odd")
        if self.mode == "view":
            seen = (task.id, task.category, task.description, task.location, task.grid)
            assert all(isinstance(x, str) for x in seen)
            assert isinstance(task.priority, Priority)
            assert isinstance(task.channel, Channel)
            loads = context.loads
            assert len(loads) == len(list(loads))
            if len(loads):  # the live loads of a run (the validation probe passes {})
                assert loads["城管局"] >= 0
        if self.mode == "grid":
            return Decision(department="街道办", reason="r", policy="odd")
        if self.mode == "later" and self.calls > 1:
            return Decision(department="不存在", reason="r", policy="odd")
        if self.mode == "later-grid" and self.calls > 1:
            return Decision(department="街道办", reason="r", policy="odd")
        if self.mode == "later-junk" and self.calls > 1:
            return 1  # type: ignore[return-value]
        if self.mode == "excluded" and context.excluded:
            return Decision(department=sorted(context.excluded)[0], reason="r", policy="odd")
        return Decision(department="城管局", reason="r", policy="odd")


class _NoCopy(_Odd):
    def __deepcopy__(self, memo: object) -> _NoCopy:
        raise TypeError("holds a lock")


def _one_department(policy: object, **changes: object) -> Scenario:
    fields: dict[str, object] = {
        "departments": [
            DepartmentModel("城管局", handlers=2, service=exp()),
            DepartmentModel("街道办", handlers=1, service=exp(), jurisdiction={"G1"}),
        ],
        "arrivals": PoissonArrivals(per_hour=2, mix={("环境卫生", "G2"): 1}),
        "policy": policy,
        "start": T0,
        "duration": timedelta(days=2),
    }
    fields.update(changes)
    return Scenario(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [
        (_Odd("raise"), "RuntimeError: boom"),
        (_Odd("junk"), "not a Decision"),
        (_Odd("grid"), "does not serve grid 'G2'"),
        (_Odd("unknown"), "chose department '不存在': not in the scenario"),
        (_NoCopy("ok"), "deep-copyable"),
        (object(), "must have decide"),
    ],
)
def test_bad_policies(policy: object, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        _one_department(policy)


def test_more_validation_problems() -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"departments": []}, "non-empty sequence"),
        ({"departments": "城管局"}, "non-empty sequence"),
        ({"departments": ["x"]}, "must be a DepartmentModel"),
        (
            {
                "departments": [
                    DepartmentModel("城管局", handlers=1, service=exp()),
                    DepartmentModel("城管局", handlers=1, service=exp()),
                ]
            },
            "duplicate",
        ),
        (
            {"departments": [DepartmentModel(" ", handlers=True, service="x", level="区")]},  # type: ignore[arg-type]
            "4 problems",
        ),
        (
            {"departments": [DepartmentModel("a", handlers=1, service=exp(), jurisdiction="G1")]},
            "set of grids",
        ),
        ({"arrivals": "poisson"}, "must be PoissonArrivals"),
        ({"arrivals": PoissonArrivals(per_hour=1, mix={})}, "non-empty mapping"),
        ({"arrivals": PoissonArrivals(per_hour=1, mix=["a"])}, "non-empty mapping"),  # type: ignore[arg-type]
        ({"arrivals": PoissonArrivals(per_hour=1, mix={"": 1, ("a", ""): 1, 3: 1})}, "grid must"),  # type: ignore[dict-item]
        ({"arrivals": PoissonArrivals(per_hour=1, mix={"a": 0})}, "sum to a positive"),
        ({"arrivals": PoissonArrivals(per_hour=math.inf, mix={"a": 1})}, "finite number"),
        ({"arrivals": ProfileArrivals(per_hour=1, mix={"a": 1}, hourly=(1,) * 23)}, "exactly 24"),
        ({"arrivals": ProfileArrivals(per_hour=1, mix={"a": 1}, weekly=(-1,) * 7)}, "≥ 0"),
        ({"arrivals": ProfileArrivals(per_hour=1, mix={"a": 1}, weekly=7)}, "exactly 7"),  # type: ignore[arg-type]
        ({"start": "2024-01-01"}, "timezone-aware datetime"),
        ({"duration": timedelta(0)}, "positive timedelta"),
        ({"warmup": -HOUR}, "≥ 0"),
        ({"calendar": "工作日"}, "WorkCalendar"),
        ({"deadlines": ["x"]}, "must map a category"),
        ({"deadlines": {("a", "high"): (None, None)}}, "(category, Priority)"),
        ({"deadlines": {"a": (TimeLimit.hours(1),)}}, "(response, resolution) pair"),
        ({"deadlines": {"a": [None, "1h"]}}, "TimeLimit or None"),
        ({"deadlines": {"a": (None, TimeLimit.working_days(1))}}, "needs a calendar"),
        ({"satisfaction": "happy"}, "SatisfactionModel"),
        (
            {
                "satisfaction": SatisfactionModel(
                    contact_rate=1, resolved_rate=1, satisfied=0.8, basically_satisfied=0.3
                )
            },
            "must not exceed 1",
        ),
        (
            {
                "satisfaction": SatisfactionModel(
                    contact_rate=2, resolved_rate=1, satisfied=0, basically_satisfied=0
                )
            },
            "contact_rate",
        ),
    ]
    for changes, fragment in cases:
        fields: dict[str, object] = {
            "departments": [DepartmentModel("a", handlers=1, service=exp())],
            "arrivals": PoissonArrivals(per_hour=1, mix={"a": 1}),
            "policy": CategoryPolicy({"a": "a"}),
            "start": T0,
            "duration": timedelta(days=1),
        }
        fields.update(changes)
        with pytest.raises(ValidationError) as info:
            Scenario(**fields)  # type: ignore[arg-type]
        assert fragment in str(info.value), (changes, str(info.value))
    # A bad policy is still reported when the departments are broken too.
    with pytest.raises(ValidationError, match="must have decide"):
        Scenario(
            departments=[],
            arrivals=PoissonArrivals(per_hour=1, mix={"a": 1}),
            policy=object(),  # type: ignore[arg-type]
            start=T0,
            duration=HOUR,
        )


def test_scenario_is_frozen_and_picklable() -> None:
    scenario = three_departments()
    assert pickle.loads(pickle.dumps(scenario)) == scenario
    assert scenario.end == T0 + timedelta(days=4)
    assert set(scenario.directory()) == {"城管局", "街道办", "水务局"}


# --- the engine ---------------------------------------------------------------------------------


def test_mmc_queueing_delay_matches_erlang_c() -> None:
    """λ = 9/h, mean service 1 h, c = 10: W_q = 0.6687 h (the full check is in benchmarks/)."""
    scenario = mmc_scenario(per_hour=9, handlers=10, days=50, warmup=timedelta(days=2))
    result = replicate(scenario, seeds=range(8))
    est = result.estimate("response_time.mean")
    theory = erlang_c_wait(9, 1, 10) * 3600
    # Eight shorter runs give a wide but honest 95% interval; the benchmark's is much tighter.
    assert est.contains(theory), (est, theory)
    assert est.half_width is not None
    assert est.half_width < 0.25 * theory


def test_conservation_and_same_seed_same_result() -> None:
    scenario = three_departments()
    a = simulate(scenario, seed=11)
    b = simulate(scenario, seed=11)
    c = simulate(scenario, seed=12)
    assert a == b
    assert a.metrics != c.metrics
    m = a.metrics
    assert m.arrived == m.closed + m.cancelled + m.open
    assert a.counts.arrivals == a.counts.closed + a.counts.open
    assert a.counts.counted == m.arrived
    assert sum(x.arrived for x in a.by_department.values()) == m.arrived
    assert a.counts.returns > 0
    assert a.counts.reworks > 0
    assert m.valid_callbacks > 0


def test_keep_tasks_matches_fast_path_and_summarize() -> None:
    for calendar in (None, WorkCalendar()):
        deadlines = {
            "环境卫生": (
                TimeLimit.hours(1),
                TimeLimit.working_hours(4) if calendar else TimeLimit.hours(8),
            ),
            "噪声": (TimeLimit.minutes(30), TimeLimit.working_days(1) if calendar else None),
        }
        scenario = three_departments(calendar=calendar, deadlines=deadlines)
        fast = simulate(scenario, seed=5)
        full = simulate(scenario, seed=5, keep_tasks=True)
        assert fast.metrics == full.metrics
        assert fast.by_department == full.by_department
        assert fast.tasks == ()
        assert len(full.tasks) == full.metrics.arrived
        assert same_metrics(summarize(full.tasks, now=full.end), full.metrics)
        by_dept = summarize(full.tasks, now=full.end, by="department")
        assert set(by_dept) == {k for k, v in full.by_department.items() if v.arrived}
        for key, metrics in by_dept.items():
            assert same_metrics(metrics, full.by_department[key])
        for task in full.tasks:
            rebuilt = Task.from_history(
                task.history,
                id=task.id,
                category=task.category,
                description=task.description,
                grid=task.grid,
            )
            assert rebuilt.status is task.status
            assert task.reported_at >= T0 + scenario.warmup


def test_calendar_handlers_work_only_in_working_time() -> None:
    calendar = WorkCalendar()
    scenario = three_departments(calendar=calendar, return_probability=0.0)
    result = simulate(scenario, seed=2, keep_tasks=True)
    accepted = [t.accepted_at for t in result.tasks if t.accepted_at is not None]
    assert accepted
    assert all(calendar.is_working_time(a) for a in accepted)
    for task in result.tasks:
        for event in task.history:
            if event.kind is EventKind.RESOLVED:
                period_end = any(event.at.astimezone(SH).time() == e for _, e in calendar.periods)
                assert calendar.is_working_time(event.at) or period_end


def test_open_tasks_at_a_night_end_are_not_accepted_late() -> None:
    # Ends on Saturday night: tasks waiting for Monday stay DISPATCHED.
    calendar = WorkCalendar(periods=[(time(9), time(17))])
    scenario = _one_department(
        CategoryPolicy({"环境卫生": "城管局"}),
        arrivals=PoissonArrivals(per_hour=0.5, mix={"环境卫生": 1}),
        calendar=calendar,
        duration=timedelta(hours=40),
        deadlines={"环境卫生": (TimeLimit.minutes(5), TimeLimit.working_hours(2))},
    )
    result = simulate(scenario, seed=1, keep_tasks=True)
    assert same_metrics(summarize(result.tasks, now=result.end), result.metrics)
    waiting = [t for t in result.tasks if t.status is TaskStatus.DISPATCHED]
    assert waiting
    assert all(t.accepted_at is None for t in waiting)
    assert result.metrics.overdue > 0


def test_unroutable_tasks_stay_registered() -> None:
    scenario = _one_department(
        CategoryPolicy({"环境卫生": "城管局"}),
        arrivals=PoissonArrivals(per_hour=3, mix={"环境卫生": 1, "未知": 1}),
    )
    result = simulate(scenario, seed=4, keep_tasks=True)
    fast = simulate(scenario, seed=4)
    assert fast.metrics == result.metrics
    assert fast.counts == result.counts
    assert result.counts.unrouted > 0
    unrouted = result.by_department[None]
    assert unrouted.open == unrouted.arrived
    assert unrouted.dispatched == 0
    assert {t.status for t in result.tasks if t.department is None} == {TaskStatus.REGISTERED}


def test_returns_exhaust_departments() -> None:
    # Two departments that always send back: every task ends REGISTERED after two returns.
    scenario = Scenario(
        departments=[
            DepartmentModel("甲", handlers=1, service=exp()),
            DepartmentModel("乙", handlers=1, service=exp()),
        ],
        arrivals=PoissonArrivals(per_hour=1, mix={"a": 1}),
        policy=LeastLoadedPolicy({"a": ["甲", "乙"]}),
        start=T0,
        duration=timedelta(days=1),
        return_probability=1.0,
    )
    result = simulate(scenario, seed=3, keep_tasks=True)
    assert result.counts.returns == 2 * result.counts.arrivals
    assert result.metrics.return_rate == 1.0
    for task in result.tasks:
        assert task.status is TaskStatus.REGISTERED
        assert task.returned_by == frozenset({"甲", "乙"})


def test_stateful_policy_is_copied_per_run() -> None:
    policy = RoundRobinPolicy({"a": ["甲", "乙"]})
    scenario = Scenario(
        departments=[
            DepartmentModel("甲", handlers=1, service=exp()),
            DepartmentModel("乙", handlers=1, service=exp()),
        ],
        arrivals=PoissonArrivals(per_hour=1, mix={"a": 1}),
        policy=policy,
        start=T0,
        duration=timedelta(days=2),
    )
    first = simulate(scenario, seed=1)
    assert simulate(scenario, seed=1) == first
    assert policy._next == {}
    assert first.by_department["甲"].arrived == pytest.approx(
        first.by_department["乙"].arrived, abs=1
    )


class _Keyed(_Odd):
    def cache_key(self, task: TaskView, /) -> Hashable | None:
        return None if self.mode == "view" else "same for every shape"


def test_cache_keys_memoise_and_none_does_not() -> None:
    uncached = _Keyed("view")
    result = simulate(_one_department(uncached), seed=1)
    assert result.metrics.arrived > 0
    assert uncached.calls == 0  # the run used a deep copy
    shared = _one_department(
        _Keyed("ok"), arrivals=PoissonArrivals(per_hour=2, mix={("a", "G2"): 1, ("b", "G3"): 1})
    )
    assert simulate(shared, seed=1).by_department["城管局"].arrived > 0
    everyone = _EveryName({})
    assert "任何部门" in everyone
    assert "" not in everyone
    assert len(everyone) == 0
    assert list(everyone) == []


def test_invalid_runtime_decisions_raise() -> None:
    with pytest.raises(InvalidDecisionError, match="不存在"):
        simulate(_one_department(_Odd("later")), seed=1)
    with pytest.raises(InvalidDecisionError, match="does not serve grid"):
        simulate(_one_department(_Odd("later-grid")), seed=1)
    with pytest.raises(InvalidDecisionError, match="must return a Decision"):
        simulate(_one_department(_Odd("later-junk")), seed=1)
    with pytest.raises(InvalidDecisionError, match="already sent this task back"):
        simulate(_one_department(_Odd("excluded"), return_probability=1.0), seed=1)


def test_territory_policy_and_trace_replay() -> None:
    records = [
        (T0 + timedelta(minutes=7 * i), "井盖" if i % 3 else "垃圾", f"G{i % 2}")
        for i in range(200)
    ]
    scenario = Scenario(
        departments=[
            DepartmentModel(
                "水务局", handlers=2, service=Deterministic(value=timedelta(minutes=20))
            ),
            DepartmentModel(
                "东街道",
                handlers=1,
                service=Empirical(values=[timedelta(minutes=m) for m in (5, 15)]),
            ),
            DepartmentModel(
                "西街道", handlers=1, service=Empirical(values=[timedelta(minutes=10)])
            ),
        ],
        arrivals=TraceArrivals(records),
        policy=TerritoryPolicy(
            owners={"井盖": "水务局"},
            territory={"G0": "东街道", "G1": "西街道"},
            components={"井盖"},
        ),
        start=T0,
        duration=timedelta(days=1),
    )
    result = simulate(scenario, seed=0, keep_tasks=True)
    assert result.counts.arrivals == 200
    assert result.metrics.closed == 200
    assert {t.department for t in result.tasks} == {"水务局", "东街道", "西街道"}
    assert same_metrics(summarize(result.tasks, now=result.end), result.metrics)


def test_progress_and_argument_checks() -> None:
    seen: list[float] = []
    simulate(mmc_scenario(per_hour=9, handlers=10, days=60), seed=1, progress=seen.append)
    assert seen[-1] == 1.0
    assert len(seen) >= 3
    assert seen == sorted(seen)
    scenario = mmc_scenario(per_hour=1, handlers=1, days=1)
    with pytest.raises(ValidationError, match="seed"):
        simulate(scenario, seed=True)
    with pytest.raises(ValidationError, match="seed"):
        simulate(scenario, seed="1")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Scenario"):
        simulate("scenario", seed=1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="progress"):
        simulate(scenario, seed=1, progress=1)  # type: ignore[arg-type]


def test_simple_and_general_paths_agree() -> None:
    """keep_tasks=True takes the general path; without returns or a calendar the other is fast."""
    scenario = vary(
        mmc_scenario(per_hour=9, handlers=10, days=3),
        {
            "rework_probability": 0.3,
            "deadlines": {"市容环境": (TimeLimit.minutes(20), TimeLimit.hours(2))},
            "satisfaction": SatisfactionModel(
                contact_rate=0.9, resolved_rate=0.9, satisfied=0.6, basically_satisfied=0.3
            ),
        },
    )
    fast = simulate(scenario, seed=9)
    full = simulate(scenario, seed=9, keep_tasks=True)
    assert fast.metrics == full.metrics
    assert fast.counts == full.counts
    assert fast.counts.reworks > 0
    assert same_metrics(summarize(full.tasks, now=full.end), full.metrics)


def test_keyword_policy_sees_the_text() -> None:
    record = Task.report(category="其他", description="燃气泄漏", at=T0 + HOUR)
    scenario = Scenario(
        departments=[DepartmentModel("应急管理局", handlers=1, service=exp())],
        arrivals=TraceArrivals([record]),
        policy=KeywordPolicy([("燃气", "应急管理局")]),
        start=T0,
        duration=timedelta(days=1),
    )
    assert simulate(scenario, seed=0).by_department["应急管理局"].closed == 1


def test_no_arrivals() -> None:
    scenario = mmc_scenario(per_hour=0, handlers=1, days=1)
    result = simulate(scenario, seed=1)
    assert result.metrics.arrived == 0
    assert result.by_department["城管局"].arrived == 0
    assert simulate(scenario, seed=1, keep_tasks=True).tasks == ()
    late = vary(scenario, {"arrivals": TraceArrivals([(T0 + timedelta(days=400), "市容环境")])})
    assert simulate(late, seed=1).counts.arrivals == 0


def test_progress_on_the_general_path() -> None:
    seen: list[float] = []
    scenario = vary(mmc_scenario(per_hour=9, handlers=10, days=30), {"return_probability": 0.01})
    simulate(scenario, seed=1, progress=seen.append)
    assert len(seen) > 1
    assert seen[-1] == 1.0


# --- the working clock --------------------------------------------------------------------------


def test_work_clock_agrees_with_the_calendar() -> None:
    calendar = WorkCalendar(
        holidays={date(2024, 10, 1), date(2024, 10, 2)}, extra_workdays={date(2024, 10, 12)}
    )
    start = datetime(2024, 9, 28, 10, 17, tzinfo=SH)
    clock = WorkClock(calendar, start, 20 * 86_400.0)
    rng = random.Random(5)
    for _ in range(200):
        t = rng.uniform(0, 20 * 86_400)
        when = start + timedelta(seconds=t)
        expected = calendar.working_time_between(start, when).total_seconds()
        assert clock.work(t) == pytest.approx(expected, abs=1e-3)
        tau = clock.work(t)
        ends = (start + timedelta(seconds=clock.end_wall(tau))).astimezone(SH)
        assert ends == calendar.add_working_time(start, timedelta(seconds=tau)) or tau == 0
        begins = start + timedelta(seconds=clock.start_wall(tau))
        assert calendar.is_working_time(begins)
    assert clock.work(-5.0) == 0.0
    assert clock.end_wall(1e12) == math.inf
    assert clock.start_wall(1e12) == math.inf


def test_work_clock_without_working_time() -> None:
    golden_week = WorkCalendar(holidays=date_span(date(2024, 10, 1), date(2024, 10, 7)))
    start = datetime(2024, 10, 1, tzinfo=SH)
    clock = WorkClock(golden_week, start, 86_400.0)
    assert clock.horizon_work == 0.0
    assert start + timedelta(seconds=clock.start_wall(0.0)) == datetime(2024, 10, 8, 9, tzinfo=SH)
    never = WorkCalendar(holidays=date_span(date(2024, 1, 1), date(2036, 1, 1)))
    clock = WorkClock(never, start, 86_400.0)
    assert clock.start_wall(0.0) == math.inf


def test_round_the_clock_calendar() -> None:
    calendar = WorkCalendar(workdays=range(7), periods=[(time(0), time(0))])
    clock = WorkClock(calendar, T0, 3 * 86_400.0)
    assert clock.work(86_400.0) == pytest.approx(86_400.0)


# --- replications and sweeps --------------------------------------------------------------------


def test_replicate_is_the_same_on_every_executor() -> None:
    scenario = three_departments(duration=timedelta(days=2))
    seen: list[float] = []
    plain = replicate(scenario, range(4), progress=seen.append)
    assert seen == [0.25, 0.5, 0.75, 1.0]
    with ThreadPoolExecutor(2) as pool:
        threaded = replicate(scenario, range(4), executor=pool, progress=seen.append)
    with ProcessPoolExecutor(2) as pool:
        processed = replicate(scenario, range(4), executor=pool)
    assert plain == threaded == processed
    est = plain.estimate("response_time.mean", department="城管局")
    assert est.n == 4
    assert est.low is not None
    assert est.high is not None
    assert est.low <= est.mean <= est.high  # type: ignore[operator]
    assert set(plain.summary()) == set(FIGURES)
    assert plain.metrics[0] == plain.runs[0].metrics
    with pytest.raises(ValidationError, match="department"):
        plain.estimate("arrived", department="不存在")
    with pytest.raises(ValidationError, match="figure"):
        plain.estimate("speed")


def test_replicate_on_dask() -> None:
    distributed = pytest.importorskip("distributed")
    scenario = mmc_scenario(per_hour=9, handlers=10, days=3)
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = replicate(scenario, range(3), executor=client.get_executor())
    assert on_dask == replicate(scenario, range(3))


def test_replicate_checks_its_arguments() -> None:
    scenario = mmc_scenario(per_hour=1, handlers=1, days=1)
    for kwargs, fragment in [
        ({"seeds": []}, "non-empty"),
        ({"seeds": [True]}, "non-empty"),
        ({"seeds": "12"}, "sequence of ints"),
        ({"seeds": [1], "executor": object()}, "Executor"),
        ({"seeds": [1], "progress": 3}, "progress"),
        ({"seeds": [1], "confidence": 1.0}, "confidence"),
    ]:
        with pytest.raises(ValidationError, match=fragment):
            replicate(scenario, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Scenario"):
        replicate("s", [1])  # type: ignore[arg-type]


def test_sweep_grid_and_variants() -> None:
    base = mmc_scenario(per_hour=9, handlers=10, days=5)
    changes: dict[str, list[object]] = {
        "departments.城管局.handlers": [10, 12],
        "arrivals.mix.市容环境": [1.0],
    }
    grid = sweep(
        base,
        changes,
        seeds=range(2),
    )
    assert len(grid.points) == 2
    (_, ten), (_, twelve) = grid.table("response_time.mean")
    assert ten.mean is not None
    assert twelve.mean is not None
    assert twelve.mean < ten.mean
    variants = sweep(base, [{"return_probability": 0.0}, {"arrivals.per_hour": 5}], seeds=[1])
    assert variants.points[1].scenario.arrivals.per_hour == 5  # type: ignore[union-attr]
    with ThreadPoolExecutor(2) as pool:
        again = sweep(
            base, [{"return_probability": 0.0}, {"arrivals.per_hour": 5}], [1], executor=pool
        )
    assert again == variants


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"departments.水务局.handlers": [1]}, "no department '水务局'"),
        ({"arrivals.mix.未知.x": [1]}, "no key '未知'"),
        ({"arrivals.speed": [1]}, "has no field 'speed'"),
        ({"arrivals.per_hour.x": [1]}, "cannot follow"),
        ({"departments.城管局.handlers": [0, -1]}, "2 problems"),
        ({"warmup": 5}, "sequence of values"),
        (42, "a grid"),
        ([1, 2], "a grid"),
        ([{"": 1}], "non-empty string"),
    ],
)
def test_sweep_rejects_bad_changes(changes: object, fragment: str) -> None:
    base = mmc_scenario(per_hour=9, handlers=10, days=1)
    with pytest.raises(ValidationError, match=fragment):
        sweep(base, changes, seeds=[1])  # type: ignore[arg-type]


def test_vary_policy_and_calendar() -> None:
    base = mmc_scenario(per_hour=9, handlers=10, days=1)
    changed = vary(base, {"calendar": WorkCalendar(), "warmup": timedelta(0)})
    assert changed.calendar == WorkCalendar()
    assert changed.warmup == timedelta(0)


# --- statistics ---------------------------------------------------------------------------------


def test_erlang_c() -> None:
    assert erlang_c(9, 1, 10) == pytest.approx(0.6687, abs=1e-4)
    assert erlang_c_wait(9, 1, 10) == pytest.approx(0.6687, abs=1e-4)
    assert erlang_c_wait(1, 2, 1) == pytest.approx(0.5 / (2 - 1))  # M/M/1: ρ/(μ − λ)
    assert erlang_c(10, 1, 10) == 1.0
    assert erlang_c_wait(10, 1, 10) == math.inf
    for args, fragment in [
        ((0, 1, 1), "arrival_rate"),
        ((1, math.nan, 1), "service_rate"),
        ((1, 1, 0), "servers"),
        ((1, 1, True), "servers"),
    ]:
        with pytest.raises(ValidationError, match=fragment):
            erlang_c_wait(*args)


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.7062),
        (0.975, 2, 4.3027),
        (0.975, 5, 2.5706),
        (0.975, 19, 2.0930),
        (0.975, 30, 2.0423),
        (0.995, 7, 3.4995),
        (0.95, 60, 1.6706),
        (0.025, 10, -2.2281),
        (0.5, 3, 0.0),
    ],
)
def test_t_quantile(p: float, df: int, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, abs=1e-3)


def test_t_quantile_and_estimate_checks() -> None:
    with pytest.raises(ValidationError, match="df"):
        t_quantile(0.9, 0)
    with pytest.raises(ValidationError, match="probability"):
        t_quantile(1.0, 3)
    with pytest.raises(ValidationError, match="confidence"):
        estimate([1.0], confidence=0)
    empty = estimate([None])
    assert empty == Estimate(mean=None, low=None, high=None, n=0, stdev=None)
    assert str(empty) == "n/a (n=0)"
    single = estimate([2.0])
    assert single.half_width is None
    assert not single.contains(2.0)
    assert str(single) == "2 (n=1)"
    assert str(estimate([1.0, 3.0])).startswith("2 ± ")
    assert estimate([1.0, 3.0]).contains(2.0)


# --- reporting ----------------------------------------------------------------------------------


def test_formatting() -> None:
    result = simulate(three_departments(duration=timedelta(days=1)), seed=1)
    zh = format_result(result)
    assert "== 全部 ==" in zh
    assert "== 城管局 ==" in zh
    assert "满意率" in zh
    en = format_result(result, lang="en")
    assert "satisfaction" in en
    single = simulate(mmc_scenario(per_hour=2, handlers=1, days=1), seed=1)
    assert format_result(single).count("==") == 2
    with pytest.raises(ValidationError, match="lang"):
        format_metrics(result.metrics, lang="fr")
    assert figure(result.metrics, "response_time.count") == result.metrics.response_time.count
    empty = simulate(mmc_scenario(per_hour=0, handlers=1, days=1), seed=1).metrics
    assert figure(empty, "handling_time.p90") is None
    assert figure(empty, "on_time_rate") is None
    with pytest.raises(ValidationError, match="days"):
        mmc_scenario(per_hour=1, handlers=1, days=0)
    assert format_metrics(result) == format_result(result)
    slow = mmc_scenario(per_hour=1, handlers=1, days=1, service_mean_hours=0.5)
    assert slow.departments[0].service == Exponential(mean=timedelta(minutes=30))
    with pytest.raises(ValidationError, match="service_mean_hours"):
        mmc_scenario(per_hour=1, handlers=1, days=1, service_mean_hours=0)


def test_satisfaction_responds_to_lateness() -> None:
    happy = SatisfactionModel(contact_rate=1, resolved_rate=1, satisfied=1, basically_satisfied=0)
    grumpy = SatisfactionModel(
        contact_rate=1, resolved_rate=1, satisfied=1, basically_satisfied=0, late_penalty=1
    )
    base = mmc_scenario(per_hour=9, handlers=10, days=10)
    tight = {"市容环境": (None, TimeLimit.minutes(90))}
    on_time = simulate(vary(base, {"satisfaction": happy, "deadlines": tight}), seed=1).metrics
    late = simulate(vary(base, {"satisfaction": grumpy, "deadlines": tight}), seed=1).metrics
    assert on_time.satisfaction_rate == 1.0
    assert late.dissatisfied == late.late - late.overdue  # open and past due count as late too
    assert late.satisfied + late.dissatisfied == late.valid_callbacks
    assert Satisfaction.SATISFIED.label == "满意"
