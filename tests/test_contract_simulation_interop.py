"""Contract and acceptance audit of jiceng.simulation, jiceng.interop and jiceng.testing.

Each test names the DESIGN.md clause (§8, §9) it checks; the regression tests at the end cover
bugs a researcher would hit (calendars with zero-length services, DST, naive trace times …).
"""

from __future__ import annotations

import inspect
import pickle
import random
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng import testing as testing_module
from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.dispatch import CategoryPolicy, Decision, DispatchContext, TaskView
from jiceng.errors import Open311Error, ValidationError
from jiceng.interop import open311 as open311_module
from jiceng.interop.open311 import from_open311, to_open311
from jiceng.interop.records import FieldMap, ImportResult, RecordError, from_records
from jiceng.metrics import Metrics, TimeSummary, summarize
from jiceng.models import Actor, ActorRole, EventKind, Task, TaskStatus
from jiceng.simulation import (
    DepartmentModel,
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    PoissonArrivals,
    ProfileArrivals,
    SatisfactionModel,
    Scenario,
    SimulationResult,
    TraceArrivals,
    replicate,
    simulate,
    sweep,
)
from jiceng.testing import (
    check_policy,
    departments,
    grids,
    open311_payloads,
    responsibility_lists,
    scenarios,
    tasks,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
START = datetime(2024, 5, 6, 8, tzinfo=SH)  # a Monday
HOUR = timedelta(hours=1)


def _scenario(**changes: Any) -> Scenario:
    values: dict[str, Any] = {
        "departments": [
            DepartmentModel("城管局", handlers=2, service=Exponential(mean=HOUR)),
            DepartmentModel("水务局", handlers=1, service=Exponential(mean=HOUR)),
        ],
        "arrivals": PoissonArrivals(per_hour=2.5, mix={"环境卫生": 2, "井盖": 1}),
        "policy": CategoryPolicy({"环境卫生": "城管局", "井盖": "水务局"}),
        "start": START,
        "duration": timedelta(days=3),
    }
    values.update(changes)
    return Scenario(**values)


def _replay(task: Task) -> Task:
    return Task.from_history(
        task.history,
        id=task.id,
        category=task.category,
        description=task.description,
        location=task.location,
        grid=task.grid,
        channel=task.channel,
        priority=task.priority,
        reporter=task.reporter,
    )


def _check_kept(result: SimulationResult) -> None:
    """Every kept task replays, and the kept tasks give exactly the streamed metrics."""
    for task in result.tasks:
        assert _replay(task).history == task.history
    _same_metrics(summarize(result.tasks, now=result.end), result.metrics)


def _same_metrics(a: Metrics, b: Metrics) -> None:
    """Equal counts and rates; times equal up to the microsecond rounding of each instant."""
    tolerance = timedelta(microseconds=2)
    for field in attrs.fields(Metrics):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if not isinstance(x, TimeSummary):
            assert x == y, field.name
            continue
        assert x.count == y.count, field.name
        for part in ("mean", "median", "p90", "max"):
            u, v = getattr(x, part), getattr(y, part)
            assert (u is None) == (v is None), (field.name, part)
            if u is not None:
                assert abs(u - v) <= tolerance, (field.name, part, u, v)


# -- §8 distributions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "params", "kwargs"),
    [
        (Exponential, ["mean"], {"mean": HOUR}),
        (Deterministic, ["value"], {"value": HOUR}),
        (LogNormal, ["mean", "sigma"], {"mean": HOUR, "sigma": 1.0}),
        (Gamma, ["mean", "shape"], {"mean": HOUR, "shape": 2.0}),
        (Empirical, ["values"], {"values": [HOUR, 2 * HOUR]}),
    ],
)
def test_distributions_are_keyword_only_and_sample_timedeltas(
    cls: type[Any], params: list[str], kwargs: dict[str, Any]
) -> None:
    signature = inspect.signature(cls)
    assert list(signature.parameters) == params
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in signature.parameters.values())
    dist = cls(**kwargs)
    rng = random.Random(3)
    draws = [dist.sample(rng) for _ in range(50)]
    assert all(isinstance(d, timedelta) and d >= timedelta(0) for d in draws)
    assert [cls(**kwargs).sample(random.Random(3)) for _ in range(1)] == draws[:1]
    with pytest.raises(TypeError):
        cls(*kwargs.values())


# -- §8 Scenario --------------------------------------------------------------------------------


def test_scenario_fields_defaults_frozen_picklable() -> None:
    fields = {f.name: f for f in attrs.fields(Scenario)}
    assert list(fields) == [
        "departments",
        "arrivals",
        "policy",
        "start",
        "duration",
        "warmup",
        "calendar",
        "deadlines",
        "return_probability",
        "rework_probability",
        "satisfaction",
    ]
    assert all(f.kw_only for f in fields.values())
    assert fields["warmup"].default == timedelta(0)
    for name in ("calendar", "deadlines", "satisfaction"):
        assert fields[name].default is None
    assert fields["return_probability"].default == 0.0
    assert fields["rework_probability"].default == 0.0
    scenario = _scenario()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        scenario.duration = HOUR  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(scenario))
    assert simulate(copy, seed=4).metrics == simulate(scenario, seed=4).metrics


def test_department_model_and_trace_signatures() -> None:
    dm = inspect.signature(DepartmentModel).parameters
    assert dm["name"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert dm["handlers"].kind is inspect.Parameter.KEYWORD_ONLY
    assert dm["service"].kind is inspect.Parameter.KEYWORD_ONLY
    for cls in (PoissonArrivals, ProfileArrivals):
        kinds = {p.kind for p in inspect.signature(cls).parameters.values()}
        assert kinds == {inspect.Parameter.KEYWORD_ONLY}
    at = START
    # DESIGN writes TraceArrivals(tasks_or_records): positional-or-keyword under that name.
    positional = TraceArrivals([(at, "环境卫生")])
    assert TraceArrivals(tasks_or_records=[(at, "环境卫生")]) == positional
    assert positional.records[0][0] == at


def test_scenario_reports_every_problem_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        Scenario(
            departments=[DepartmentModel("城管局", handlers=-1, service=Exponential(mean=HOUR))],
            arrivals=PoissonArrivals(per_hour=-2, mix={"环境卫生": 0}),
            policy=CategoryPolicy({"环境卫生": "水务局"}),
            start=datetime(2024, 5, 6),
            duration=timedelta(days=1),
        )
    text = "\n".join(caught.value.problems)
    assert len(caught.value.problems) >= 5
    for needle in ("handlers", "per_hour", "sum to a positive", "naive", "水务局"):
        assert needle in text


# -- §8 simulate semantics ----------------------------------------------------------------------


def test_simulate_signature() -> None:
    params = inspect.signature(simulate).parameters
    assert list(params) == ["scenario", "seed", "keep_tasks", "progress"]
    assert params["scenario"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert params["seed"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["seed"].default is inspect.Parameter.empty
    assert params["keep_tasks"].default is False
    assert params["progress"].default is None


def test_acceptance_is_handler_start_then_resolved_and_closed_by_system() -> None:
    # One handler, 1 h deterministic service, reports every 30 min: the queue grows by 30 min a task.
    at = [START + timedelta(minutes=30 * i) for i in range(4)]
    scenario = _scenario(
        departments=[DepartmentModel("城管局", handlers=1, service=Deterministic(value=HOUR))],
        arrivals=TraceArrivals([(t, "环境卫生") for t in at]),
        policy=CategoryPolicy({"环境卫生": "城管局"}),
        duration=timedelta(hours=10),
    )
    result = simulate(scenario, seed=1, keep_tasks=True)
    waits = [t.response_time for t in result.tasks]
    assert waits == [timedelta(minutes=30 * i) for i in range(4)]
    for task in result.tasks:
        kinds = [e.kind for e in task.history]
        assert kinds == [
            EventKind.REPORTED,
            EventKind.REGISTERED,
            EventKind.DISPATCHED,
            EventKind.ACCEPTED,
            EventKind.RESOLVED,
            EventKind.CLOSED,
        ]
        assert task.history[-1].actor == Actor.system()
        assert task.history[-2].actor == Actor.department("城管局")
        assert task.handling_time == task.response_time + HOUR  # type: ignore[operator]
        assert task.callback is None
    _check_kept(result)


def test_callbacks_only_with_a_satisfaction_model() -> None:
    sat = SatisfactionModel(
        contact_rate=1.0, resolved_rate=0.9, satisfied=0.8, basically_satisfied=0.1
    )
    with_model = simulate(_scenario(satisfaction=sat), seed=2, keep_tasks=True)
    closed = [t for t in with_model.tasks if t.status is TaskStatus.CLOSED]
    assert closed
    assert all(t.callback is not None for t in closed)
    assert with_model.metrics.satisfaction_rate is not None
    _check_kept(with_model)
    without = simulate(_scenario(), seed=2, keep_tasks=True)
    assert all(t.callback is None for t in without.tasks)
    assert without.metrics.satisfaction_rate is None


class _OnlyCity:
    """Routes 环境卫生 to 城管局; cannot route anything else."""

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        if task.category != "环境卫生":
            return None
        return Decision(department="城管局", policy="only-city", reason="城管", reason_en="city")


def test_unroutable_tasks_stay_registered_and_count_open() -> None:
    scenario = _scenario(policy=_OnlyCity())
    kept = simulate(scenario, seed=3, keep_tasks=True)
    stuck = [t for t in kept.tasks if t.category == "井盖"]
    assert stuck
    assert all(t.status is TaskStatus.REGISTERED for t in stuck)
    assert kept.by_department[None].open == len(stuck)
    assert kept.metrics.open >= len(stuck)
    _check_kept(kept)
    streamed = simulate(scenario, seed=3)
    assert streamed.metrics == kept.metrics
    assert streamed.counts.unrouted >= len(stuck)


@pytest.mark.parametrize("warm_hours", [0, 7, 36])
def test_metrics_cover_tasks_after_warmup(warm_hours: int) -> None:
    warmup = timedelta(hours=warm_hours)
    result = simulate(_scenario(warmup=warmup), seed=5, keep_tasks=True)
    assert all(t.reported_at >= START + warmup for t in result.tasks)
    assert result.metrics.arrived == len(result.tasks) == result.counts.counted
    assert result.counts.arrivals == result.counts.closed + result.counts.open
    _check_kept(result)


def test_warmup_must_be_shorter_than_the_run() -> None:
    with pytest.raises(ValidationError, match="warmup"):
        _scenario(warmup=timedelta(days=3))


def test_same_seed_same_result_and_keep_tasks_changes_no_metric() -> None:
    scenario = _scenario(
        return_probability=0.1,
        rework_probability=0.1,
        deadlines={"环境卫生": (TimeLimit.hours(1), TimeLimit.hours(4))},
    )
    one = simulate(scenario, seed=9)
    assert simulate(scenario, seed=9) == one
    kept = simulate(scenario, seed=9, keep_tasks=True)
    assert kept.metrics == one.metrics
    _check_kept(kept)
    assert simulate(scenario, seed=10).metrics != one.metrics


def test_replicate_and_sweep_do_not_depend_on_the_executor() -> None:
    scenario = _scenario(duration=timedelta(days=1))
    seeds = range(4)
    alone = replicate(scenario, seeds)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pooled = replicate(scenario, seeds, executor=pool)
        swept = sweep(scenario, {"departments.城管局.handlers": [2, 3]}, seeds, executor=pool)
    assert pooled == alone
    assert sweep(scenario, {"departments.城管局.handlers": [2, 3]}, seeds) == swept
    estimate = alone.estimate("response_time.mean")
    assert alone.confidence == 0.95
    assert estimate.confidence == 0.95
    assert estimate.n == 4
    assert estimate.low is not None
    assert estimate.high is not None
    assert estimate.mean is not None
    assert estimate.low <= estimate.mean <= estimate.high


# -- §9 Open311 ---------------------------------------------------------------------------------

_PAYLOAD: dict[str, object] = {
    "service_request_id": 638344,
    "service_code": 6,
    "service_name": "Pothole",
    "status": "open",
    "requested_datetime": "2010-04-14T06:37:38-08:00",
    "description": "Big hole",
    "address": "8TH AVE and JUDAH ST",
    "lat": "37.76524",
    "long": "-122.4195",
}


def _payload(**changes: object) -> dict[str, object]:
    out = {**_PAYLOAD, **changes}
    return {k: v for k, v in out.items() if v is not None}


def test_open311_reexports_the_error() -> None:
    assert open311_module.Open311Error is Open311Error
    assert issubclass(Open311Error, ValidationError)


def test_open311_numbers_become_strings_and_string_coordinates_are_read() -> None:
    task = from_open311(_payload())
    assert task.id == "638344"
    out = to_open311(task)
    assert out["service_request_id"] == "638344"
    assert isinstance(out["service_code"], str)
    assert out["lat"] == pytest.approx(37.76524)
    assert out["long"] == pytest.approx(-122.4195)
    assert out["status"] == "open"
    assert isinstance(out["status_notes"], str)
    assert out["status_notes"]


@pytest.mark.parametrize(
    "changes",
    [
        {"service_request_id": None},
        {"requested_datetime": None},
        {"service_code": None, "service_name": None},
        {"requested_datetime": "2010-04-14T06:37:38"},
        {"description": "x" * 4001},
        {"status": "pending"},
        {"lat": "north", "long": "1"},
        {"service_request_id": 1.5},
    ],
)
def test_open311_problems_raise_open311_error_400(changes: dict[str, object]) -> None:
    with pytest.raises(Open311Error) as caught:
        from_open311(_payload(**changes))
    assert caught.value.code == 400
    assert caught.value.description
    assert caught.value.to_payload() == {
        "code": 400,
        "description": caught.value.description,
    }


def test_open311_status_collapses_with_detail_in_notes() -> None:
    task = from_open311(_payload(agency_responsible="DPW"))
    assert task.status is TaskStatus.ACCEPTED
    out = to_open311(task)
    assert out["status"] == "open"
    assert "已签收" in str(out["status_notes"])


def test_open311_closed_with_agency_is_closed() -> None:
    task = from_open311(
        _payload(
            status="closed",
            agency_responsible="DPW",
            updated_datetime="2010-04-15T06:37:38-08:00",
        )
    )
    assert task.status is TaskStatus.CLOSED
    assert task.department == "DPW"
    assert task.closed_at == datetime(2010, 4, 15, 14, 37, 38, tzinfo=timezone.utc)
    out = to_open311(task)
    assert out["status"] == "closed"
    assert out["agency_responsible"] == "DPW"
    assert out["updated_datetime"] == "2010-04-15T06:37:38-08:00"


def test_open311_closed_without_agency_is_cancelled_with_the_notes() -> None:
    task = from_open311(
        _payload(
            status="closed",
            updated_datetime="2010-04-15T06:37:38-08:00",
            status_notes="Duplicate of 638000",
        )
    )
    assert task.status is TaskStatus.CANCELLED
    assert task.history[-1].kind is EventKind.CANCELLED
    assert task.history[-1].note == "Duplicate of 638000"


def test_open311_export_truncates_long_descriptions() -> None:
    at = datetime(2024, 1, 1, tzinfo=timezone.utc)
    task = Task.report(category="c", description="长" * 5000, at=at, id="x1")
    out = to_open311(task)
    assert isinstance(out["description"], str)
    assert len(out["description"]) == 4000
    assert out["requested_datetime"] == "2024-01-01T00:00:00+00:00"


# -- §9 records ---------------------------------------------------------------------------------


def _nyc_row(key: str, created: str, closed: str = "", **extra: str) -> dict[str, str]:
    row = {
        "Unique Key": key,
        "Created Date": created,
        "Closed Date": closed,
        "Due Date": "",
        "Agency": "NYPD",
        "Complaint Type": "Noise - Residential",
        "Descriptor": "Loud Music/Party",
        "Status": "Open",
        "Borough": "BROOKLYN",
        "Latitude": "",
        "Longitude": "",
    }
    row.update(extra)
    return row


def test_records_signatures() -> None:
    params = inspect.signature(from_records).parameters
    assert list(params) == ["rows", "field_map"]
    assert RecordError(3, "why").row == 3
    assert RecordError(3, "why").reason == "why"
    assert isinstance(FieldMap.nyc_311(), FieldMap)
    assert isinstance(FieldMap.beijing_12345(), FieldMap)


def test_records_every_row_in_exactly_one_place() -> None:
    rows = [
        _nyc_row("1", "01/02/2024 10:00:00 AM", "01/02/2024 11:30:00 AM", Status="Open"),
        _nyc_row("2", "01/02/2024 10:00:00 AM", "", Status="Closed"),
        _nyc_row("3", "not a date"),
        _nyc_row("4", "01/02/2024 10:00:00 AM", "01/02/2024 09:00:00 AM"),
        _nyc_row("1", "01/03/2024 10:00:00 AM"),
        _nyc_row("6", "01/02/2024 10:00:00 AM", **{"Due Date": "01/05/2024 10:00:00 AM"}),
    ]
    result = from_records(iter(rows), FieldMap.nyc_311())
    assert isinstance(result, ImportResult)
    assert [e.row for e in result.errors] == [3, 4, 5]
    assert all(e.reason for e in result.errors)
    assert all(type(e) is RecordError for e in result.errors)
    placed = sorted([n for ns in result.sources.values() for n in ns] + [3, 4, 5])
    assert placed == list(range(1, len(rows) + 1))
    by_id = {t.id: t for t in result.tasks}
    # Closed iff the close time is non-empty, whatever the status text says.
    closed = by_id["1"]
    assert closed.status is TaskStatus.CLOSED
    assert closed.handling_time == timedelta(minutes=90)
    assert by_id["2"].status is TaskStatus.ACCEPTED
    assert by_id["6"].resolve_due == datetime(2024, 1, 5, 10, tzinfo=NY)
    # Replay: registered, dispatched by the system; accepted and resolved by the agency.
    steps = [(e.kind, e.actor) for e in closed.history[1:]]
    system, nypd = Actor.system(), Actor.department("NYPD")
    assert steps == [
        (EventKind.REGISTERED, system),
        (EventKind.DISPATCHED, system),
        (EventKind.ACCEPTED, nypd),
        (EventKind.RESOLVED, nypd),
        (EventKind.CLOSED, system),
    ]
    assert closed.history[2].at == closed.history[3].at == closed.reported_at


def test_records_dst_gap_moves_forward_and_ambiguous_takes_first() -> None:
    rows = [
        _nyc_row("gap", "03/10/2024 02:30:00 AM", "03/10/2024 04:00:00 AM"),
        _nyc_row("fold", "11/03/2024 01:30:00 AM", "11/03/2024 01:45:00 AM"),
    ]
    result = from_records(rows, FieldMap.nyc_311())
    assert not result.errors
    gap, fold = result.tasks
    assert gap.reported_at.isoformat() == "2024-03-10T03:30:00-04:00"
    assert gap.handling_time == timedelta(minutes=30)
    assert fold.reported_at.utcoffset() == timedelta(hours=-4)
    assert fold.handling_time == timedelta(minutes=15)


# -- §9 testing ---------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    task=tasks(),
    dept=departments(),
    grid=grids(),
    rl=responsibility_lists(),
    payload=open311_payloads(),
)
def test_strategies_generate_valid_objects(
    task: Task, dept: Any, grid: Any, rl: Any, payload: dict[str, object]
) -> None:
    assert _replay(task).history == task.history
    assert dept.name
    assert grid.id
    assert isinstance(rl.duties, tuple)
    assert from_open311(payload).id == str(payload["service_request_id"])


@settings(max_examples=3, deadline=None)
@given(scenario=scenarios())
def test_scenarios_strategy_runs(scenario: Scenario) -> None:
    assert isinstance(scenario, Scenario)
    result = simulate(scenario, seed=0)
    assert result.counts.arrivals == result.counts.closed + result.counts.open


class _Fickle:
    """A broken policy: it answers differently every time it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        self.calls += 1
        names = sorted(context.departments)
        name = names[self.calls % len(names)]
        return Decision(department=name, policy="fickle", reason="随机", reason_en="random")

    def cache_key(self, task: TaskView, /) -> Hashable | None:
        return None


def test_check_policy_passes_a_good_one_and_catches_a_broken_one() -> None:
    check_policy(CategoryPolicy({"环境卫生": "城管局"}), max_examples=10)
    with pytest.raises(AssertionError):
        check_policy(_Fickle(), max_examples=10)


# -- regressions a researcher would hit -----------------------------------------------------------


@pytest.mark.parametrize(
    "service",
    [
        Deterministic(value=timedelta(0)),
        Empirical(values=[timedelta(0), timedelta(minutes=20), HOUR]),
    ],
)
def test_calendar_with_zero_length_services(service: Any) -> None:
    """Regression: a zero-length service starting at a period's first instant ended at the end of
    the previous period (time ran backwards; negative handling times; keep_tasks crashed)."""
    scenario = _scenario(
        departments=[DepartmentModel("城管局", handlers=1, service=service)],
        arrivals=PoissonArrivals(per_hour=1.5, mix={"环境卫生": 1}),
        policy=CategoryPolicy({"环境卫生": "城管局"}),
        start=datetime(2024, 5, 6, tzinfo=SH),
        duration=timedelta(days=5),
        calendar=WorkCalendar(tz=SH),
    )
    streamed = simulate(scenario, seed=1)
    kept = simulate(scenario, seed=1, keep_tasks=True)
    assert kept.metrics == streamed.metrics
    handling = streamed.metrics.handling_time
    assert handling.count
    assert all(t.handling_time is None or t.handling_time >= timedelta(0) for t in kept.tasks)
    _check_kept(kept)


def test_calendar_scenario_with_working_deadlines_keeps_valid_tasks() -> None:
    scenario = _scenario(
        start=datetime(2024, 5, 3, 16, tzinfo=SH),  # a Friday afternoon, before the weekend
        calendar=WorkCalendar(tz=SH),
        deadlines={
            "环境卫生": (TimeLimit.working_hours(1), TimeLimit.working_hours(4)),
            "井盖": (None, TimeLimit.working_days(1)),
        },
        arrivals=PoissonArrivals(per_hour=1, mix={"环境卫生": 2, "井盖": 1}),
        duration=timedelta(days=6),
        warmup=timedelta(hours=5),
        return_probability=0.05,
    )
    result = simulate(scenario, seed=7, keep_tasks=True)
    assert result.metrics.on_time_rate is not None
    assert simulate(scenario, seed=7).metrics == result.metrics
    _check_kept(result)
    for task in result.tasks:
        if task.accepted_at is not None:
            assert WorkCalendar(tz=SH).is_working_time(task.accepted_at)


@pytest.mark.parametrize(
    "start", [datetime(2024, 3, 9, tzinfo=NY), datetime(2024, 11, 2, tzinfo=NY)]
)
def test_profile_arrivals_across_dst(start: datetime) -> None:
    night = tuple(0.0 if 2 <= h < 3 else 1.0 for h in range(24))
    scenario = _scenario(
        arrivals=ProfileArrivals(per_hour=6, mix={"环境卫生": 1}, hourly=night),
        start=start,
        duration=timedelta(days=2),
        departments=[DepartmentModel("城管局", handlers=9, service=Exponential(mean=HOUR))],
        policy=CategoryPolicy({"环境卫生": "城管局"}),
    )
    result = simulate(scenario, seed=11, keep_tasks=True)
    local_hours = {t.reported_at.astimezone(NY).hour for t in result.tasks}
    assert 2 not in local_hours
    # The DST day has 23 or 25 hours; the profile still gives per_hour in every other hour.
    assert len(result.tasks) > 6 * 40
    _check_kept(result)


def test_trace_arrivals_reject_naive_times_listing_every_one() -> None:
    naive = datetime(2024, 5, 6, 9)
    with pytest.raises(ValidationError) as caught:
        TraceArrivals([(naive, "环境卫生"), (START, "井盖"), (naive, "")])
    assert len(caught.value.problems) == 3


def test_trace_arrivals_replay_imported_tasks() -> None:
    rows = [
        _nyc_row(str(i), f"01/02/2024 {h:02d}:{m:02d}:00 AM")
        for i, (h, m) in enumerate([(9, 0), (9, 20), (10, 5), (11, 45)], start=1)
    ]
    imported = from_records(rows, FieldMap.nyc_311()).tasks
    scenario = _scenario(
        departments=[DepartmentModel("NYPD", handlers=1, service=Deterministic(value=HOUR))],
        arrivals=TraceArrivals(imported),
        policy=CategoryPolicy({"Noise - Residential": "NYPD"}),
        start=datetime(2024, 1, 2, 9, tzinfo=NY),
        duration=timedelta(hours=12),
    )
    result = simulate(scenario, seed=0, keep_tasks=True)
    assert [t.reported_at for t in result.tasks] == [t.reported_at for t in imported]
    assert [t.description for t in result.tasks] == [t.description for t in imported]
    assert result.tasks[1].response_time == timedelta(minutes=40)
    _check_kept(result)


def test_open311_blank_coordinates_and_round_trip_of_numeric_payload() -> None:
    task = from_open311(_payload(lat="", long=""))
    assert "lat" not in to_open311(task) or to_open311(task)["lat"] is None
    again = from_open311(to_open311(from_open311(_payload(agency_responsible="DPW"))))
    assert again.status is TaskStatus.ACCEPTED
    assert again.department == "DPW"
    assert again.history[-1].actor.role is ActorRole.DEPARTMENT


@given(st.integers(min_value=0, max_value=10**12))
@settings(max_examples=20)
def test_open311_numeric_ids_convert(number: int) -> None:
    assert from_open311(_payload(service_request_id=number)).id == str(number)


def test_tasks_strategy_steps_forward_from_the_second_fold() -> None:
    """Regression: tasks() added steps on the wall clock, so from the second 01:00 of a fall-back
    night (fold=1) a zero step went an hour back and generation crashed with a ValidationError."""
    second = datetime(2016, 11, 6, 1, tzinfo=NY, fold=1)
    stepped = testing_module._later(second, timedelta(0))
    assert stepped.astimezone(timezone.utc) == second.astimezone(timezone.utc)
    task = Task.report(category="c", description="d", at=second, id="F1")
    task.register(at=testing_module._later(second, timedelta(0)), by=Actor.system())
    assert task.status is TaskStatus.REGISTERED
