"""Unit tests for jiceng.metrics: the streaming accumulator, its fast path and summarize."""

from __future__ import annotations

import math
import os
import pickle
import random
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone

import pytest
from attrs import define, field

from jiceng.errors import ValidationError
from jiceng.metrics import (
    CANCELLED,
    CLOSED,
    GROUP_KEYS,
    OPEN,
    GroupedAccumulator,
    Metrics,
    MetricsAccumulator,
    TimeSummary,
    summarize,
    task_values,
)
from jiceng.models import EventKind, Satisfaction, TaskStatus

UTC = timezone.utc
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
S = Satisfaction.SATISFIED
B = Satisfaction.BASICALLY_SATISFIED
D = Satisfaction.DISSATISFIED


@define(frozen=True)
class Ev:
    kind: EventKind


@define(frozen=True)
class Cb:
    contacted: bool
    resolved: bool | None
    satisfaction: Satisfaction | None


@define
class LightTask:
    """A duck-typed task with only what the accumulator reads."""

    status: TaskStatus = TaskStatus.CLOSED
    kinds: Sequence[EventKind] = (
        EventKind.REPORTED,
        EventKind.REGISTERED,
        EventKind.DISPATCHED,
        EventKind.ACCEPTED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    )
    response_time: timedelta | None = H
    handling_time: timedelta | None = 3 * H
    resolved_at: datetime | None = T0 + 3 * H
    resolve_due: datetime | None = T0 + 4 * H
    response_due: datetime | None = None
    callback: Cb | None = None
    department: str | None = "城管局"
    grid: str | None = "G1"
    category: str = "暴露垃圾"
    history: tuple[Ev, ...] = field(init=False)

    def __attrs_post_init__(self) -> None:
        self.history = tuple(Ev(k) for k in self.kinds)

    def is_overdue(self, now: datetime, /) -> bool:
        if self.status in (TaskStatus.CLOSED, TaskStatus.CANCELLED, TaskStatus.RESOLVED):
            return False
        if self.resolve_due is not None and now > self.resolve_due:
            return True
        return (
            self.status is TaskStatus.DISPATCHED
            and self.response_due is not None
            and now > self.response_due
        )


def open_task(**kw: object) -> LightTask:
    base: dict[str, object] = {
        "status": TaskStatus.ACCEPTED,
        "kinds": (EventKind.REPORTED, EventKind.DISPATCHED, EventKind.ACCEPTED),
        "handling_time": None,
        "resolved_at": None,
    }
    base.update(kw)
    return LightTask(**base)  # type: ignore[arg-type]


def interpolated(values: Sequence[timedelta], q: float) -> timedelta:
    """The linear-interpolation quantile (numpy's default; statistics.median at q = 0.5)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = int(position)
    if lower + 1 >= len(ordered):
        return ordered[lower]
    return ordered[lower] + (ordered[lower + 1] - ordered[lower]) * (position - lower)


# --- basics -----------------------------------------------------------------------------------


def test_empty_accumulator_has_none_rates_and_empty_summaries() -> None:
    m = MetricsAccumulator(now=NOW).result()
    assert m.arrived == 0
    assert m.response_rate is None
    assert m.resolution_rate is None
    assert m.satisfaction_rate is None
    assert m.on_time_rate is None
    assert m.return_rate is None
    assert m.rework_rate is None
    assert m.response_time == TimeSummary(0, None, None, None, None)
    assert m.handling_time == TimeSummary(0, None, None, None, None)
    assert m.late == 0


def test_three_rates_count_basically_satisfied_at_the_factor() -> None:
    tasks = [
        LightTask(callback=Cb(True, True, S)),
        LightTask(callback=Cb(True, True, B)),
        LightTask(callback=Cb(True, False, D)),
        LightTask(callback=Cb(False, None, None)),
        LightTask(callback=None),
    ]
    m = summarize(tasks, now=NOW)
    assert (m.valid_callbacks, m.contacted, m.resolved_callbacks) == (4, 3, 2)
    assert (m.satisfied, m.basically_satisfied, m.dissatisfied) == (1, 1, 1)
    assert m.response_rate == 3 / 4
    assert m.resolution_rate == 2 / 4
    assert m.satisfaction_rate == pytest.approx((1 + 0.9) / 4)
    m2 = summarize(tasks, now=NOW, basically_satisfied=0.5)
    assert m2.satisfaction_rate == pytest.approx(1.5 / 4)
    assert m2.basically_satisfied_factor == 0.5


def test_counts_outcomes_overdue_and_ever_flags() -> None:
    tasks = [
        LightTask(),  # closed, on time
        LightTask(
            status=TaskStatus.CANCELLED,
            kinds=(EventKind.REPORTED, EventKind.CANCELLED),
            response_time=None,
            handling_time=None,
            resolved_at=None,
        ),
        open_task(resolve_due=NOW - H),  # open, overdue, past due
        open_task(resolve_due=NOW + H),  # open, not yet due
        LightTask(
            kinds=(
                EventKind.REPORTED,
                EventKind.DISPATCHED,
                EventKind.RETURNED,
                EventKind.DISPATCHED,
                EventKind.ACCEPTED,
                EventKind.RESOLVED,
                EventKind.REWORKED,
                EventKind.RESOLVED,
                EventKind.CLOSED,
            ),
            resolved_at=T0 + 5 * H,  # late
        ),
    ]
    m = summarize(tasks, now=NOW)
    assert (m.arrived, m.closed, m.cancelled, m.open, m.overdue) == (5, 2, 1, 2, 1)
    assert (m.dispatched, m.returned, m.return_rate) == (4, 1, 0.25)
    assert (m.resolved, m.reworked, m.rework_rate) == (2, 1, 0.5)
    assert (m.on_time, m.on_time_denominator, m.late) == (1, 3, 2)
    assert m.on_time_rate == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (LightTask(resolved_at=T0 + 4 * H), True),  # exactly at the due time counts as on time
        (LightTask(resolved_at=T0 + 5 * H), False),
        (LightTask(resolve_due=None), None),
        (open_task(resolve_due=NOW - H), False),
        (open_task(resolve_due=NOW), None),  # not yet past due (due == now)
        (open_task(resolve_due=None), None),
        (
            LightTask(status=TaskStatus.CANCELLED, resolved_at=None, resolve_due=NOW - H, kinds=()),
            None,
        ),
    ],
)
def test_on_time_rules(task: LightTask, expected: bool | None) -> None:
    assert task_values(task, NOW)[3] is expected


def test_overdue_counts_only_open_tasks() -> None:
    values = task_values(open_task(status=TaskStatus.DISPATCHED, response_due=NOW - H), NOW)
    assert values[0] == OPEN
    assert values[4] is True
    assert task_values(LightTask(resolve_due=NOW - 9 * H), NOW)[4] is False


def test_task_values_reads_durations_and_callback() -> None:
    t = LightTask(callback=Cb(True, None, B))
    assert task_values(t, NOW) == (
        CLOSED,
        3600.0,
        10800.0,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        None,
        B,
    )


def test_add_and_add_values_agree() -> None:
    rng = random.Random(7)
    tasks = [random_task(rng) for _ in range(400)]
    full = MetricsAccumulator(now=NOW)
    fast = MetricsAccumulator(now=NOW)
    for t in tasks:
        full.add(t)
        fast.add_values(*task_values(t, NOW))
    assert full.result() == fast.result()


# --- durations ----------------------------------------------------------------------------------


def test_time_summary_exact_fields_and_percentiles_within_one_percent() -> None:
    rng = random.Random(3)
    values = [timedelta(seconds=rng.lognormvariate(8, 1.5)) for _ in range(5001)]
    values.append(timedelta(0))
    acc = MetricsAccumulator(now=NOW)
    for v in values:
        acc.add(LightTask(response_time=v))
    s = acc.result().response_time
    assert s.count == len(values)
    assert s.mean == sum(values, timedelta()) / len(values)
    assert s.max == max(values)
    for got, q in ((s.median, 0.5), (s.p90, 0.9)):
        assert got is not None
        exact = interpolated(values, q)
        assert abs(got - exact) <= exact * 0.01 + timedelta(microseconds=1)


def test_small_durations_are_exact() -> None:
    values = [timedelta(microseconds=us) for us in (0, 1, 2, 3, 200, 255)]
    s = summarize([LightTask(response_time=v) for v in values], now=NOW).response_time
    assert s.median == timedelta(microseconds=2)  # (2 + 3) / 2, rounded half to even
    assert s.p90 == timedelta(microseconds=228)  # 200 + 0.5 × (255 − 200), rounded
    assert s.max == timedelta(microseconds=255)


def test_single_duration_is_reported_exactly() -> None:
    s = summarize([LightTask(response_time=timedelta(hours=4.2))], now=NOW).response_time
    assert s == TimeSummary(1, *[timedelta(hours=4.2)] * 4)


def test_mean_rounds_half_to_even_like_timedelta() -> None:
    values = [timedelta(microseconds=1), timedelta(microseconds=2)]
    s = summarize([LightTask(response_time=v) for v in values], now=NOW).response_time
    assert s.mean == sum(values, timedelta()) / 2 == timedelta(microseconds=2)
    values = [timedelta(microseconds=0), timedelta(microseconds=1)]
    s = summarize([LightTask(response_time=v) for v in values], now=NOW).response_time
    assert s.mean == timedelta(0)


def test_fast_path_rounds_seconds_to_the_microsecond() -> None:
    acc = MetricsAccumulator(now=NOW)
    acc.add_values(CLOSED, 1.0000004, 2.0000006, None, False, False, False, False, False, None,
                   None, None)  # fmt: skip
    m = acc.result()
    assert m.response_time.max == timedelta(seconds=1)
    assert m.handling_time.max == timedelta(seconds=2, microseconds=1)


def test_huge_sums_stay_exact() -> None:
    acc = MetricsAccumulator(now=NOW)
    values = [4.0e9, 4.0e9, 3.999999e9, 1.5]  # seconds; the sum passes 2**52 microseconds
    for v in values:
        acc.add_values(CLOSED, v, None, None, False, False, False, False, False, None, None, None)
    s = acc.result().response_time
    total_us = sum(round(v * 1e6) for v in values)
    assert s.mean == timedelta(microseconds=total_us) / len(values)
    assert s.max == timedelta(seconds=4.0e9)


# --- validation ---------------------------------------------------------------------------------


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValidationError, match="now") as info:
        MetricsAccumulator(now=datetime(2024, 1, 1))
    assert info.value.field == "now"
    with pytest.raises(ValidationError, match="now"):
        summarize([], now="2024-01-01")  # type: ignore[call-overload]
    with pytest.raises(ValidationError, match="now"):
        GroupedAccumulator(now=datetime(2024, 1, 1))


@pytest.mark.parametrize("factor", [-0.1, 1.5, True, "0.9", math.nan])
def test_bad_factor_is_rejected(factor: object) -> None:
    with pytest.raises(ValidationError, match="basically_satisfied"):
        MetricsAccumulator(now=NOW, basically_satisfied=factor)  # type: ignore[arg-type]


def test_factor_may_be_an_int() -> None:
    assert MetricsAccumulator(now=NOW, basically_satisfied=1).basically_satisfied == 1.0


@pytest.mark.parametrize(
    ("outcome", "response", "handling", "field"),
    [
        (3, None, None, "outcome"),
        (-1, None, None, "outcome"),
        (CLOSED, -1.0, None, "response_s"),
        (CLOSED, math.nan, None, "response_s"),
        (CLOSED, None, -0.5, "handling_s"),
        (CLOSED, None, 5e9, "handling_s"),
        (OPEN, 1.0, math.inf, "handling_s"),
    ],
)
def test_bad_fast_path_values_count_nothing(
    outcome: int, response: float | None, handling: float | None, field: str
) -> None:
    acc = MetricsAccumulator(now=NOW)
    before = acc.result()
    with pytest.raises(ValidationError) as info:
        acc.add_values(outcome, response, handling, True, True, True, True, True, True, True,
                       True, S)  # fmt: skip
    assert info.value.field == field
    assert acc.result() == before


@pytest.mark.parametrize("by", ["dept", "", "Department", 3, None])
def test_summarize_rejects_unknown_by(by: object) -> None:
    if by is None:
        assert isinstance(summarize([], now=NOW, by=None), Metrics)
        return
    with pytest.raises(ValidationError, match=repr(by)) as info:
        summarize([], now=NOW, by=by)  # type: ignore[call-overload]
    assert info.value.field == "by"
    assert info.value.value == by


# --- grouping, merging, pickling ------------------------------------------------------------------


def test_summarize_by_every_key() -> None:
    tasks = [
        LightTask(department="住建局", grid="G2", category="违章建筑"),
        LightTask(department=None, grid=None, category="噪音"),
        LightTask(department="城管局", grid="G1", category="暴露垃圾"),
        LightTask(department="城管局", grid="G2", category="暴露垃圾"),
    ]
    by_dept = summarize(tasks, now=NOW, by="department")
    assert list(by_dept) == ["住建局", "城管局", None]
    assert by_dept["城管局"].arrived == 2
    assert by_dept[None].arrived == 1
    by_grid = summarize(tasks, now=NOW, by="grid")
    assert list(by_grid) == ["G1", "G2", None]
    assert by_grid["G2"].arrived == 2
    by_category = summarize(tasks, now=NOW, by="category")
    assert sorted(by_category, key=str) == ["噪音", "暴露垃圾", "违章建筑"]
    assert set(GROUP_KEYS) == {"department", "grid", "category"}


def test_summarize_reads_a_generator_once() -> None:
    def gen() -> Iterator[LightTask]:
        yield from (LightTask() for _ in range(10))

    assert summarize(gen(), now=NOW).arrived == 10
    assert summarize(gen(), now=NOW, by="grid")["G1"].arrived == 10


def test_grouped_accumulator_fast_path_and_helpers() -> None:
    g: GroupedAccumulator[tuple[str, str]] = GroupedAccumulator(now=NOW)
    g.add_values(("城管局", "G1"), CLOSED, 60.0, 120.0, True, False, True, False, True, False,
                 True, True, S)  # fmt: skip
    g.add_values(("城管局", "G1"), OPEN, None, None, None, False, True, True, False, False,
                 None, None, None)  # fmt: skip
    g.accumulator(("住建局", "G2")).add(LightTask())
    assert len(g) == 2
    assert list(g) == [("住建局", "G2"), ("城管局", "G1")]
    res = g.result()
    assert res[("城管局", "G1")].arrived == 2
    assert res[("城管局", "G1")].returned == 1
    with pytest.raises(ValidationError, match="key_of"):
        g.add(LightTask())
    other: GroupedAccumulator[tuple[str, str]] = GroupedAccumulator(now=NOW)
    other.add_values(("环保局", "G3"), CANCELLED, None, None, None, False, False, False, False,
                     False, None, None, None)  # fmt: skip
    other.add_values(("城管局", "G1"), CANCELLED, None, None, None, False, False, False, False,
                     False, None, None, None)  # fmt: skip
    assert g.merge(other) is g
    assert g.result()[("城管局", "G1")].cancelled == 1
    assert len(g) == 3
    g2 = pickle.loads(pickle.dumps(g))
    assert g2.result() == g.result()


def test_grouped_add_uses_key_of() -> None:
    g: GroupedAccumulator[str | None] = GroupedAccumulator(
        now=NOW, key_of=lambda t: getattr(t, "category", None)
    )
    g.add(LightTask(category="噪音"))
    assert g.result()["噪音"].arrived == 1


def test_merge_equals_one_pass_and_checks_the_factor() -> None:
    rng = random.Random(11)
    tasks = [random_task(rng) for _ in range(300)]
    whole = MetricsAccumulator(now=NOW)
    parts = [MetricsAccumulator(now=NOW) for _ in range(3)]
    for i, t in enumerate(tasks):
        whole.add(t)
        parts[i % 3].add(t)
    merged = MetricsAccumulator(now=NOW)
    for p in parts:
        assert merged.merge(p) is merged
    merged.merge(MetricsAccumulator(now=NOW))  # an empty one changes nothing
    assert merged.result() == whole.result()
    with pytest.raises(ValidationError, match="basically_satisfied"):
        merged.merge(MetricsAccumulator(now=NOW, basically_satisfied=0.8))


def test_accumulator_pickles_and_keeps_counting() -> None:
    acc = MetricsAccumulator(now=NOW)
    acc.add(LightTask(callback=Cb(True, True, S)))
    copy = pickle.loads(pickle.dumps(acc))
    assert copy.result() == acc.result()
    copy.add(LightTask())
    assert copy.arrived == 2
    assert acc.arrived == 1
    assert repr(acc) == f"MetricsAccumulator(arrived=1, now={NOW.isoformat()})"


def test_result_can_be_read_while_counting() -> None:
    acc = MetricsAccumulator(now=NOW)
    acc.add(LightTask())
    assert acc.result().arrived == 1
    acc.add(LightTask())
    assert acc.result().arrived == 2


def test_explain_shows_each_formula_with_numbers() -> None:
    m = summarize([LightTask(callback=Cb(True, True, B)), LightTask()], now=NOW)
    zh = m.explain()
    assert zh[2] == "满意率 = (满意 0 + 0.9 × 基本满意 1) / 有效回访 1 = 0.9000"
    assert zh[4] == "退回率 = 回退 0 / 派遣 2 = 0.0000"
    en = m.explain("en")
    assert en[0] == "response rate = contacted 1 / valid callbacks 1 = 1.0000"
    assert len(en) == len(zh) == 6
    assert MetricsAccumulator(now=NOW).result().explain("en")[3].endswith("= n/a")


# --- memory -------------------------------------------------------------------------------------

# The memory check runs in a fresh interpreter: coverage's line tracer (in CI) would otherwise make
# a million calls crawl, and tracemalloc's own overhead stays out of the other tests.
_MEMORY_SCRIPT = """
import itertools, pickle, time, tracemalloc
from datetime import datetime, timedelta, timezone
from jiceng.metrics import GroupedAccumulator, MetricsAccumulator, task_values
from jiceng.models import Actor, Satisfaction, Task

t0 = datetime(2024, 3, 1, 8, tzinfo=timezone.utc)
now = t0 + timedelta(days=30)
platform = Actor.platform()
sat = list(Satisfaction)

def build(i):
    at = t0 + timedelta(minutes=i)
    dept = ("城管局", "住建局", "环保局")[i % 3]
    task = Task.report(category="c%d" % (i % 7), description="d", at=at, grid="G%d" % (i % 5),
                       id="T%d" % i)
    task.register(at=at, by=platform)
    task.dispatch(to=dept, at=at, by=platform, resolve_due=at + timedelta(hours=4 + i % 5))
    if i % 4:
        task.accept(at=at + timedelta(seconds=(37 * i) % 3000 + 1), by=Actor.department(dept))
        task.resolve(at=at + timedelta(hours=1 + i % 7, seconds=i), by=Actor.department(dept))
        task.close(at=at + timedelta(hours=8), by=platform)
        task.record_callback(contacted=True, resolved=i % 3 > 0, satisfaction=sat[i % 3],
                             at=at + timedelta(hours=9), by=platform)
    return task

pool = [build(i) for i in range(1000)]          # real Tasks, cycled: the pool's memory is
rows = [task_values(t, now) for t in pool]      # fixed, so the peak is the accumulators' own

def tasks(n):
    return itertools.islice(itertools.cycle(pool), n)

def values(n):
    return itertools.islice(itertools.cycle(rows), n)

# Warm up before tracing: every bucket and counter the pool touches then exists. tracemalloc
# re-stamps each recycled float whose block was allocated while it traced, which would make the
# traced run about three times slower without changing its peak. The warmed state is small, and
# is measured (pickled) below.
acc = MetricsAccumulator(now=now)
add = acc.add_values
for row in rows:
    add(*row)
def department(task):
    return task.department

grouped = GroupedAccumulator(now=now, key_of=department)
for task in pool:
    grouped.add(task)
footprint = len(pickle.dumps((acc, grouped)))

tracemalloc.start()
started = time.perf_counter()
for row in values(1_000_000 - len(rows)):
    add(*row)
fast = time.perf_counter() - started
for task in tasks(100_000 - len(pool)):
    grouped.add(task)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
assert acc.arrived == 1_000_000
assert sum(m.arrived for m in grouped.result().values()) == 100_000
assert footprint < 1_000_000, footprint
print(peak, fast, time.perf_counter() - started, footprint)
"""


@pytest.mark.slow
def test_a_million_tasks_in_bounded_memory() -> None:
    """O(1) memory: a generator of 1,000,000 tasks (fast path) and 100,000 real ``Task`` objects.

    Peak tracemalloc stays under 50 MB: it is about 10 KB, plus about 22 KB of warmed-up
    accumulator state, because the accumulators keep counters and bounded histograms only. The
    run takes about 7 s of CPU, most of it tracemalloc's own overhead.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_")}
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    peak, _, _, _ = (float(x) for x in done.stdout.split())
    assert peak < 50 * 2**20, f"peak {peak / 2**20:.1f} MB"


# --- random data ----------------------------------------------------------------------------------

_DEPARTMENTS = ("城管局", "住建局", "环保局", None)


def random_task(rng: random.Random) -> LightTask:
    status = rng.choice(list(TaskStatus))
    kinds = [EventKind.REPORTED]
    more = (EventKind.DISPATCHED, EventKind.RETURNED, EventKind.RESOLVED, EventKind.REWORKED)
    kinds.extend(kind for kind in more if rng.random() < 0.5)
    resolved = status in (TaskStatus.RESOLVED, TaskStatus.CLOSED)
    due = NOW + timedelta(hours=rng.uniform(-48, 48)) if rng.random() < 0.8 else None
    callback = None
    if rng.random() < 0.6:
        contacted = rng.random() < 0.8
        callback = Cb(
            contacted,
            rng.choice([True, False, None]) if contacted else None,
            rng.choice([S, B, D, None]) if contacted else None,
        )
    return LightTask(
        status=status,
        kinds=kinds,
        response_time=timedelta(seconds=rng.expovariate(1 / 3600)) if rng.random() < 0.8 else None,
        handling_time=timedelta(seconds=rng.expovariate(1 / 86400)) if resolved else None,
        resolved_at=NOW - timedelta(hours=rng.uniform(0, 96)) if resolved else None,
        resolve_due=due,
        response_due=due,
        callback=callback,
        department=rng.choice(_DEPARTMENTS),
        grid=rng.choice(["G1", "G2", None]),
    )


def random_values(rng: random.Random) -> tuple[object, ...]:
    return task_values(random_task(rng), NOW)


def test_a_bad_row_in_a_batch_counts_nothing() -> None:

    acc = MetricsAccumulator(now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    good = (0, 60.0, 120.0, True, False, True, False, True, False, None, None, None)
    for bad, name in (
        ((7, *good[1:]), "rows[1].outcome"),
        ((0, -1.0, *good[2:]), "rows[1].response_s"),
        ((0, 1.0, float("nan"), *good[3:]), "rows[1].handling_s"),
    ):
        with pytest.raises(ValidationError) as info:
            acc.add_rows([good, bad])
        assert info.value.field == name
        assert acc.arrived == 0
    acc.add_rows([good, good])
    assert acc.arrived == 2
    assert acc.result().handling_time.mean == timedelta(minutes=2)


def test_median_matches_statistics_median_on_small_even_samples() -> None:
    import statistics

    values = [timedelta(hours=1), timedelta(hours=3)]
    s = summarize([LightTask(response_time=v) for v in values], now=NOW).response_time
    assert s.median is not None
    exact = timedelta(seconds=statistics.median(v.total_seconds() for v in values))
    assert exact == timedelta(hours=2)
    assert abs(s.median - exact) <= exact * 0.01
