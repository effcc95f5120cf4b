"""Property tests for the task lifecycle: histories stay ordered and consistent, failed calls change
nothing, and every task survives a serialization round trip."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from jiceng.errors import JicengError
from jiceng.models import Actor, EventKind, Reporter, Satisfaction, Task, TaskStatus, UrgeLevel
from jiceng.serialization import from_dict, to_dict

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=timezone(timedelta(hours=8)))
DEPARTMENTS = ("城管局", "司法所", "街道办")
ACTORS = [
    Actor.platform(),
    Actor.system(),
    Actor.supervisor("S1"),
    *(Actor.department(d) for d in DEPARTMENTS),
    Actor.grid_worker("W1", grid="G1"),
    Actor.grid_worker("W2", grid="G2"),
    Actor.resident("R1"),
    Actor.resident("R2"),
]

Call = Callable[[Task, Actor, datetime], None]


def _calls(draw: st.DrawFn) -> Call:
    """One lifecycle call with drawn arguments (some of them bad on purpose)."""
    department = draw(st.sampled_from(DEPARTMENTS))
    reason = draw(st.sampled_from(["", "原因", "非本部门职责"]))
    level = draw(st.sampled_from(list(UrgeLevel)))
    contacted = draw(st.booleans())
    satisfaction = draw(st.sampled_from([None, *Satisfaction])) if contacted else None
    resolved = draw(st.sampled_from([None, True, False])) if contacted else None
    hours = draw(st.integers(-2, 48))
    options: list[Call] = [
        lambda t, by, at: t.register(at=at, by=by),
        lambda t, by, at: t.cancel(at=at, by=by, reason=reason),
        lambda t, by, at: t.mark_duplicate(of="T0", at=at, by=by),
        lambda t, by, at: t.dispatch(
            to=department,
            at=at,
            by=by,
            cooperating=[d for d in DEPARTMENTS if d != department][:1],
            response_due=at + timedelta(hours=1),
            resolve_due=at + timedelta(hours=hours),
        ),
        lambda t, by, at: t.accept(at=at, by=by),
        lambda t, by, at: t.send_back(at=at, by=by, reason=reason),
        lambda t, by, at: t.park(at=at, by=by, reason=reason),
        lambda t, by, at: t.resume(at=at, by=by),
        lambda t, by, at: t.resolve(at=at, by=by, note=reason),
        lambda t, by, at: t.rework(at=at, by=by, reason=reason),
        lambda t, by, at: t.close(at=at, by=by, note=reason),
        lambda t, by, at: t.extend(until=at + timedelta(hours=hours), at=at, by=by, reason=reason),
        lambda t, by, at: t.urge(at=at, by=by, level=level),
        lambda t, by, at: t.add_cooperating(department, at=at, by=by, reason=reason),
        lambda t, by, at: t.record_callback(
            contacted=contacted, resolved=resolved, satisfaction=satisfaction, at=at, by=by
        ),
    ]
    return draw(st.sampled_from(options))


@st.composite
def scripts(draw: st.DrawFn) -> list[tuple[Call, Actor, int]]:
    """A sequence of (call, actor, minutes offset) steps; offsets may go backwards."""
    length = draw(st.integers(1, 40))
    return [
        (_calls(draw), draw(st.sampled_from(ACTORS)), draw(st.integers(-30, 600)))
        for _ in range(length)
    ]


def run(script: list[tuple[Call, Actor, int]]) -> Task:
    task = Task.report(
        category="环境卫生",
        description="垃圾",
        at=T0,
        id="T1",
        grid="G1",
        reporter=Reporter(name="张三", phone="13812345678", resident="R1"),
    )
    clock = T0
    for call, actor, minutes in script:
        when = clock + timedelta(minutes=minutes)
        before = to_dict(task, reveal_pii=True)
        try:
            call(task, actor, when)
        except JicengError:
            # every rejected call leaves the task unchanged
            assert to_dict(task, reveal_pii=True) == before
        else:
            assert len(task.history) == len(before["history"]) + 1
            clock = max(clock, when)
    return task


@given(scripts())
def test_history_is_ordered_and_consistent(script: list[tuple[Call, Actor, int]]) -> None:
    task = run(script)
    history = task.history
    assert history[0].kind is EventKind.REPORTED
    instants = [e.at.astimezone(timezone.utc) for e in history]
    assert instants == sorted(instants)
    assert task.status is history[-1].status
    # the status only changes through status-changing events, and each event's status follows
    for previous, event in itertools.pairwise(history):
        if event.kind in {
            EventKind.EXTENDED,
            EventKind.URGED,
            EventKind.COOPERATING_ADDED,
            EventKind.CALLBACK,
        }:
            assert event.status is previous.status
    assert task.department is None or task.status is not TaskStatus.REGISTERED
    assert task.department not in task.cooperating
    if task.status is TaskStatus.CLOSED:
        assert task.closed_at == next(e.at for e in reversed(history) if e.kind is EventKind.CLOSED)
    if task.handling_time is not None:
        assert task.handling_time >= timedelta(0)
    if task.response_time is not None:
        assert task.response_time >= timedelta(0)


@given(scripts())
def test_serialization_round_trips(script: list[tuple[Call, Actor, int]]) -> None:
    task = run(script)
    assert from_dict(Task, to_dict(task, reveal_pii=True)) == task
    masked = from_dict(Task, to_dict(task))
    assert masked.history == task.history
    assert masked.reporter is not None and masked.reporter.phone == "138****5678"
