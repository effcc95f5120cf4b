"""Properties of jiceng.metrics: the streaming accumulator equals a computation over the full list."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from jiceng.metrics import MetricsAccumulator, Row, TimeSummary, summarize, task_values
from jiceng.models import Satisfaction, Task, TaskStatus
from jiceng.testing import tasks

NOW = datetime(2036, 1, 1, tzinfo=timezone.utc)  # after every drawn task
task_lists = st.lists(tasks(max_steps=10), max_size=12)
instants = st.datetimes(
    min_value=datetime(2015, 1, 1), max_value=datetime(2036, 1, 1), timezones=st.just(timezone.utc)
)


def interpolated(values: Sequence[timedelta], q: float) -> timedelta:
    """The linear-interpolation quantile (numpy's default; statistics.median at q = 0.5)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = int(position)
    if lower + 1 >= len(ordered):
        return ordered[lower]
    return ordered[lower] + (ordered[lower + 1] - ordered[lower]) * (position - lower)


def rate(numerator: float, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def reference(items: Sequence[Task], now: datetime) -> dict[str, object]:
    """Every exact figure, computed from the whole list with the Task API alone."""
    open_ = [t for t in items if not t.status.is_terminal]
    calls = [t.callback for t in items if t.callback is not None]
    on_time = [
        t.resolved_at <= t.resolve_due
        for t in items
        if t.resolve_due is not None and t.resolved_at is not None
    ] + [
        False
        for t in open_
        if t.resolve_due is not None and t.resolved_at is None and now > t.resolve_due
    ]
    sat = sum(c.satisfaction is Satisfaction.SATISFIED for c in calls)
    basic = sum(c.satisfaction is Satisfaction.BASICALLY_SATISFIED for c in calls)
    dispatched = sum(t.ever_dispatched for t in items)
    returned = sum(t.ever_dispatched and t.ever_returned for t in items)
    resolved = sum(t.ever_resolved for t in items)
    reworked = sum(t.ever_resolved and t.ever_reworked for t in items)
    return {
        "arrived": len(items),
        "closed": sum(t.status is TaskStatus.CLOSED for t in items),
        "cancelled": sum(t.status is TaskStatus.CANCELLED for t in items),
        "open": len(open_),
        "overdue": sum(t.is_overdue(now) for t in open_),
        "valid_callbacks": len(calls),
        "contacted": sum(c.contacted for c in calls),
        "resolved_callbacks": sum(c.resolved is True for c in calls),
        "satisfied": sat,
        "basically_satisfied": basic,
        "response_rate": rate(sum(c.contacted for c in calls), len(calls)),
        "resolution_rate": rate(sum(c.resolved is True for c in calls), len(calls)),
        "satisfaction_rate": rate(sat + 0.9 * basic, len(calls)),
        "on_time": sum(on_time),
        "on_time_denominator": len(on_time),
        "dispatched": dispatched,
        "returned": returned,
        "return_rate": rate(returned, dispatched),
        "resolved": resolved,
        "reworked": reworked,
        "rework_rate": rate(reworked, resolved),
    }


def check_durations(summary: TimeSummary, values: Sequence[timedelta]) -> None:
    assert summary.count == len(values)
    if not values:
        assert summary == TimeSummary(0, None, None, None, None)
        return
    assert summary.mean == sum(values, timedelta()) / len(values)
    assert summary.max == max(values)
    for got, q in ((summary.median, 0.5), (summary.p90, 0.9)):
        exact = interpolated(values, q)
        assert got is not None
        assert abs(got - exact) <= exact * 0.01 + timedelta(microseconds=1)


@given(task_lists)
def test_streaming_equals_the_full_list(items: list[Task]) -> None:
    m = summarize(iter(items), now=NOW)
    for name, expected in reference(items, NOW).items():
        got = getattr(m, name)
        if isinstance(expected, float):
            assert math.isclose(got, expected), name
        else:
            assert got == expected, name
    check_durations(
        m.response_time, [t.response_time for t in items if t.response_time is not None]
    )
    check_durations(
        m.handling_time, [t.handling_time for t in items if t.handling_time is not None]
    )


@given(task_lists, instants)
def test_every_rate_is_in_unit_interval_and_counts_add_up(items: list[Task], now: datetime) -> None:
    m = summarize(items, now=now)
    for value in (
        m.response_rate,
        m.resolution_rate,
        m.satisfaction_rate,
        m.on_time_rate,
        m.return_rate,
        m.rework_rate,
    ):
        assert value is None or 0.0 <= value <= 1.0
    assert m.closed + m.cancelled + m.open == m.arrived
    assert m.satisfied + m.basically_satisfied + m.dissatisfied <= m.valid_callbacks
    assert m.overdue <= m.open


@given(task_lists, st.integers(min_value=1, max_value=4))
def test_merging_any_split_equals_one_pass(items: list[Task], parts: int) -> None:
    whole = MetricsAccumulator(now=NOW)
    chunks = [MetricsAccumulator(now=NOW) for _ in range(parts)]
    for i, task in enumerate(items):
        whole.add(task)
        chunks[i % parts].add(task)
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged.merge(chunk)
    assert merged.result() == whole.result()


@given(task_lists)
def test_fast_path_equals_task_path(items: list[Task]) -> None:
    full = MetricsAccumulator(now=NOW)
    fast = MetricsAccumulator(now=NOW)
    for task in items:
        full.add(task)
        fast.add_values(*task_values(task, NOW))
    assert fast.result() == full.result()


@given(task_lists)
def test_groups_partition_the_whole(items: list[Task]) -> None:
    whole = summarize(items, now=NOW)
    for by in ("department", "grid", "category"):
        groups = summarize(items, now=NOW, by=by)
        assert sum(g.arrived for g in groups.values()) == whole.arrived
        assert sum(g.valid_callbacks for g in groups.values()) == whole.valid_callbacks
        for key, metrics in groups.items():
            members = [t for t in items if getattr(t, by) == key]
            assert metrics == summarize(members, now=NOW)


durations = st.one_of(st.none(), st.floats(min_value=0, max_value=1e8, allow_nan=False))
maybe = st.sampled_from([None, True, False])
rows = st.tuples(
    st.sampled_from([0, 1, 2]),
    durations,
    durations,
    maybe,
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    maybe,
    maybe,
    st.sampled_from([None, *Satisfaction]),
)


@given(st.lists(rows, max_size=40))
def test_batched_rows_equal_one_call_each(batch: list[Row]) -> None:
    one = MetricsAccumulator(now=NOW)
    many = MetricsAccumulator(now=NOW)
    for row in batch:
        one.add_values(*row)
    many.add_rows(batch)
    assert many.result() == one.result()
