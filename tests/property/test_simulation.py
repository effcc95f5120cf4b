"""Property tests for jiceng.simulation: conservation, valid histories, reproducibility."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.dispatch import CategoryPolicy, Chain, DispatchPolicy, LeastLoadedPolicy
from jiceng.metrics import summarize
from jiceng.models import Task, TaskStatus
from jiceng.simulation import (
    Arrivals,
    DepartmentModel,
    Deterministic,
    Distribution,
    Exponential,
    LogNormal,
    PoissonArrivals,
    ProfileArrivals,
    SatisfactionModel,
    Scenario,
    simulate,
)

SH = ZoneInfo("Asia/Shanghai")
NAMES = ("城管局", "街道办", "水务局")
CATEGORIES = ("环境卫生", "噪声", "供水", "其他")


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Small scenarios (a day or two, a few reports an hour) with every feature in play."""
    count = draw(st.integers(1, 3))
    service_choices: list[Distribution] = [
        Exponential(mean=timedelta(hours=1)),
        LogNormal(mean=timedelta(minutes=90), sigma=0.7),
        Deterministic(value=timedelta(minutes=40)),
    ]
    services = st.sampled_from(service_choices)
    departments = [
        DepartmentModel(NAMES[i], handlers=draw(st.integers(1, 3)), service=draw(services))
        for i in range(count)
    ]
    table = {c: NAMES[i % count] for i, c in enumerate(CATEGORIES[:3])}
    weights = draw(st.lists(st.floats(0.1, 3), min_size=4, max_size=4))
    mix: dict[str | tuple[str, str | None], float] = dict(zip(CATEGORIES, weights, strict=True))
    per_hour = draw(st.floats(0.5, 6))
    arrival_choices: list[Arrivals] = [
        PoissonArrivals(per_hour=per_hour, mix=mix),
        ProfileArrivals(per_hour=per_hour, mix=mix, hourly=tuple(0.3 + h / 12 for h in range(24))),
    ]
    arrivals = draw(st.sampled_from(arrival_choices))
    policy_choices: list[DispatchPolicy] = [
        CategoryPolicy(table),
        CategoryPolicy(table, fallback=NAMES[0]),
        Chain(CategoryPolicy(table), LeastLoadedPolicy({"其他": list(NAMES[:count])})),
    ]
    policy = draw(st.sampled_from(policy_choices))
    calendar = draw(st.sampled_from([None, WorkCalendar(periods=[(time(8), time(18))])]))
    limit = TimeLimit.working_hours(3) if calendar else TimeLimit.hours(3)
    start = datetime(2024, 11, 14, draw(st.integers(0, 23)), tzinfo=SH)
    return Scenario(
        departments=departments,
        arrivals=arrivals,
        policy=policy,
        start=start,
        duration=timedelta(hours=draw(st.integers(6, 48))),
        warmup=timedelta(hours=draw(st.integers(0, 5))),
        calendar=calendar,
        deadlines={"环境卫生": (TimeLimit.minutes(30), limit)},
        return_probability=draw(st.sampled_from([0.0, 0.2, 1.0])),
        rework_probability=draw(st.sampled_from([0.0, 0.3])),
        satisfaction=draw(
            st.sampled_from(
                [
                    None,
                    SatisfactionModel(
                        contact_rate=0.8, resolved_rate=0.9, satisfied=0.6, basically_satisfied=0.3
                    ),
                ]
            )
        ),
    )


@settings(max_examples=40)
@given(scenario=scenarios(), seed=st.integers(0, 2**32))
def test_conservation_and_reproducibility(scenario: Scenario, seed: int) -> None:
    result = simulate(scenario, seed=seed)
    m = result.metrics
    assert m.arrived == m.closed + m.cancelled + m.open
    assert result.counts.arrivals == result.counts.closed + result.counts.open
    assert m.arrived == result.counts.counted <= result.counts.arrivals
    assert sum(x.arrived for x in result.by_department.values()) == m.arrived
    assert simulate(scenario, seed=seed) == result


@settings(max_examples=40)
@given(scenario=scenarios(), seed=st.integers(0, 2**32))
def test_kept_tasks_have_valid_histories(scenario: Scenario, seed: int) -> None:
    fast = simulate(scenario, seed=seed)
    kept = simulate(scenario, seed=seed, keep_tasks=True)
    assert kept.metrics == fast.metrics
    assert len(kept.tasks) == kept.metrics.arrived
    again = summarize(kept.tasks, now=kept.end)
    assert (again.arrived, again.closed, again.open, again.overdue) == (
        fast.metrics.arrived,
        fast.metrics.closed,
        fast.metrics.open,
        fast.metrics.overdue,
    )
    assert (again.on_time, again.returned, again.reworked, again.valid_callbacks) == (
        fast.metrics.on_time,
        fast.metrics.returned,
        fast.metrics.reworked,
        fast.metrics.valid_callbacks,
    )
    for task in kept.tasks:
        history = task.history
        assert all(a.at <= b.at for a, b in itertools.pairwise(history))
        assert history[-1].status is task.status
        assert task.reported_at <= kept.end
        assert all(event.at <= kept.end for event in history)
        rebuilt = Task.from_history(
            history, id=task.id, category=task.category, description=task.description
        )
        assert rebuilt.status is task.status
        if task.status is TaskStatus.CLOSED:
            assert task.response_time is not None
            assert task.handling_time is not None
            assert task.response_time <= task.handling_time
        if scenario.calendar is not None and task.accepted_at is not None:
            assert scenario.calendar.is_working_time(task.accepted_at)
