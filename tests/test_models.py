"""Unit tests for the domain model: every transition, every permission rule, every error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from jiceng.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from jiceng.models import (
    Actor,
    ActorRole,
    Channel,
    Commitment,
    CommitmentKind,
    Department,
    Duty,
    EventKind,
    Grid,
    GridCode,
    GridStandard,
    Level,
    Partner,
    PartnerKind,
    Priority,
    Reporter,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
    TaskEvent,
    TaskStatus,
    UrgeLevel,
    mask_id_number,
    mask_phone,
)
from jiceng.serialization import to_dict

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 5, 6, 9, 0, tzinfo=CST)
PLATFORM = Actor.platform()
LEAD = Actor.department("城管局")
S = TaskStatus
K = EventKind


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def new_task(**kwargs: object) -> Task:
    params: dict[str, object] = {
        "category": "环境卫生",
        "description": "小区垃圾堆积未清理",
        "location": "幸福小区3号楼",
        "at": T0,
        "id": "T1",
        "grid": "G1",
        "reporter": Reporter(name="张三", phone="13812345678", resident="R1"),
    }
    params.update(kwargs)
    return Task.report(**params)  # type: ignore[arg-type]


def task_in(status: TaskStatus) -> Task:
    """A task brought to ``status`` through the lifecycle, with events one minute apart."""
    task = new_task()
    if status is S.REPORTED:
        return task
    if status is S.CANCELLED:
        task.cancel(at=at(1), by=PLATFORM, reason="重复")
        return task
    task.register(at=at(1), by=PLATFORM)
    if status is S.REGISTERED:
        return task
    task.dispatch(to="城管局", at=at(2), by=PLATFORM, resolve_due=at(600))
    if status is S.DISPATCHED:
        return task
    task.accept(at=at(3), by=LEAD)
    if status is S.ACCEPTED:
        return task
    if status is S.PARKED:
        task.park(at=at(4), by=LEAD, reason="等待材料")
        return task
    task.resolve(at=at(5), by=LEAD, note="已清运")
    if status is S.RESOLVED:
        return task
    task.close(at=at(6), by=PLATFORM)
    return task


def step(kind: EventKind) -> Callable[[Task, Actor, datetime], None]:
    """A call of the lifecycle method for ``kind`` with valid arguments."""
    calls: dict[EventKind, Callable[[Task, Actor, datetime], None]] = {
        K.REGISTERED: lambda t, by, when: t.register(at=when, by=by),
        K.CANCELLED: lambda t, by, when: t.cancel(at=when, by=by, reason="超出受理范围"),
        K.DUPLICATE: lambda t, by, when: t.mark_duplicate(of="T0", at=when, by=by),
        K.DISPATCHED: lambda t, by, when: t.dispatch(to="城管局", at=when, by=by),
        K.ACCEPTED: lambda t, by, when: t.accept(at=when, by=by),
        K.RETURNED: lambda t, by, when: t.send_back(at=when, by=by, reason="非本部门职责"),
        K.PARKED: lambda t, by, when: t.park(at=when, by=by, reason="需要资金"),
        K.RESUMED: lambda t, by, when: t.resume(at=when, by=by),
        K.RESOLVED: lambda t, by, when: t.resolve(at=when, by=by),
        K.REWORKED: lambda t, by, when: t.rework(at=when, by=by, reason="未清理干净"),
        K.CLOSED: lambda t, by, when: t.close(at=when, by=by),
        K.EXTENDED: lambda t, by, when: t.extend(
            until=at(10_000), at=when, by=by, reason="施工周期长"
        ),
        K.URGED: lambda t, by, when: t.urge(at=when, by=by, level=UrgeLevel.URGE),
        K.COOPERATING_ADDED: lambda t, by, when: t.add_cooperating("街道办", at=when, by=by),
        K.CALLBACK: lambda t, by, when: t.record_callback(
            contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED, at=when, by=by
        ),
    }
    return calls[kind]


# Who may take each step, written out independently of the implementation's table.
ADMINS = ("platform", "supervisor", "system")
MAY: dict[EventKind, tuple[str, ...]] = {
    K.REGISTERED: ADMINS,
    K.CANCELLED: ADMINS,
    K.DUPLICATE: ADMINS,
    K.DISPATCHED: ADMINS,
    K.ACCEPTED: ("lead",),
    K.RETURNED: ("lead",),
    K.PARKED: ("lead",),
    K.RESUMED: ("lead",),
    K.RESOLVED: ("lead",),
    K.REWORKED: (*ADMINS, "worker_here"),
    K.CLOSED: (*ADMINS, "worker_here"),
    K.EXTENDED: ADMINS,
    K.URGED: ADMINS,
    K.COOPERATING_ADDED: ADMINS,
    K.CALLBACK: ("platform", "system", "reporter"),
}
ACTORS = {
    "platform": Actor.platform(),
    "supervisor": Actor.supervisor("S1"),
    "system": Actor.system(),
    "lead": LEAD,
    "other_department": Actor.department("司法所"),
    "worker_here": Actor.grid_worker("W1", grid="G1"),
    "worker_elsewhere": Actor.grid_worker("W2", grid="G2"),
    "reporter": Actor.resident("R1"),
    "other_resident": Actor.resident("R2"),
}
# The statuses each step may start from, again written out independently.
FROM: dict[EventKind, set[TaskStatus]] = {
    K.REGISTERED: {S.REPORTED},
    K.CANCELLED: {S.REPORTED, S.REGISTERED},
    K.DUPLICATE: {S.REPORTED, S.REGISTERED},
    K.DISPATCHED: {S.REGISTERED},
    K.ACCEPTED: {S.DISPATCHED},
    K.RETURNED: {S.DISPATCHED, S.ACCEPTED},
    K.PARKED: {S.ACCEPTED},
    K.RESUMED: {S.PARKED},
    K.RESOLVED: {S.ACCEPTED},
    K.REWORKED: {S.RESOLVED},
    K.CLOSED: {S.RESOLVED},
    K.EXTENDED: {S.DISPATCHED, S.ACCEPTED, S.PARKED},
    K.URGED: {S.DISPATCHED, S.ACCEPTED, S.PARKED},
    K.COOPERATING_ADDED: {S.DISPATCHED, S.ACCEPTED, S.PARKED},
    K.CALLBACK: {S.RESOLVED, S.CLOSED},
}
AFTER: dict[EventKind, TaskStatus | None] = {
    K.REGISTERED: S.REGISTERED,
    K.CANCELLED: S.CANCELLED,
    K.DUPLICATE: S.CANCELLED,
    K.DISPATCHED: S.DISPATCHED,
    K.ACCEPTED: S.ACCEPTED,
    K.RETURNED: S.REGISTERED,
    K.PARKED: S.PARKED,
    K.RESUMED: S.ACCEPTED,
    K.RESOLVED: S.RESOLVED,
    K.REWORKED: S.ACCEPTED,
    K.CLOSED: S.CLOSED,
}


def allowed_actor(kind: EventKind) -> Actor:
    return ACTORS[MAY[kind][0]]


@pytest.mark.parametrize("status", list(TaskStatus))
@pytest.mark.parametrize("kind", list(FROM))
def test_every_step_from_every_status(kind: EventKind, status: TaskStatus) -> None:
    task = task_in(status)
    before = to_dict(task, reveal_pii=True)
    if status in FROM[kind]:
        step(kind)(task, allowed_actor(kind), at(100))
        assert task.history[-1].kind is kind
        assert task.status is (AFTER.get(kind) or status)
        assert len(task.history) == len(before["history"]) + 1
    else:
        with pytest.raises(InvalidTransitionError) as info:
            step(kind)(task, allowed_actor(kind), at(100))
        assert info.value.task == "T1"
        assert info.value.current is status
        assert status.label in str(info.value)
        assert to_dict(task, reveal_pii=True) == before


def status_for(kind: EventKind) -> TaskStatus:
    return sorted(FROM[kind], key=list(TaskStatus).index)[0]


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("kind", list(MAY))
def test_every_permission_rule(kind: EventKind, who: str) -> None:
    task = task_in(status_for(kind))
    before = to_dict(task, reveal_pii=True)
    if who in MAY[kind]:
        step(kind)(task, ACTORS[who], at(100))
        assert task.history[-1].actor == ACTORS[who]
    else:
        with pytest.raises(PermissionDeniedError) as info:
            step(kind)(task, ACTORS[who], at(100))
        assert str(ACTORS[who]) in str(info.value)
        assert info.value.task == "T1"
        assert to_dict(task, reveal_pii=True) == before


def test_grid_worker_cannot_check_a_task_without_grid() -> None:
    task = new_task(grid=None)
    task.register(at=at(1), by=PLATFORM)
    task.dispatch(to="城管局", at=at(2), by=PLATFORM)
    task.accept(at=at(3), by=LEAD)
    task.resolve(at=at(4), by=LEAD)
    with pytest.raises(PermissionDeniedError):
        task.close(at=at(5), by=Actor.grid_worker("W1", grid="G1"))


def test_anonymous_report_callback_only_by_platform() -> None:
    task = new_task(reporter=None)
    task.register(at=at(1), by=PLATFORM)
    task.dispatch(to="城管局", at=at(2), by=PLATFORM)
    task.accept(at=at(3), by=LEAD)
    task.resolve(at=at(4), by=LEAD)
    with pytest.raises(PermissionDeniedError):
        step(K.CALLBACK)(task, Actor.resident("R1"), at(5))
    assert task.history[0].actor == PLATFORM


def test_error_order_arguments_before_transition_before_permission() -> None:
    task = task_in(S.CLOSED)
    # a bad argument wins over the illegal step
    with pytest.raises(ValidationError, match="reason"):
        task.send_back(at=at(100), by=ACTORS["other_department"], reason="  ")
    # the illegal step wins over the wrong actor
    with pytest.raises(InvalidTransitionError):
        task.accept(at=at(100), by=ACTORS["other_department"])
    # the wrong actor wins over the time going backwards
    task = task_in(S.DISPATCHED)
    with pytest.raises(PermissionDeniedError):
        task.accept(at=at(-100), by=ACTORS["other_department"])
    with pytest.raises(ValidationError, match="earlier than the last event"):
        task.accept(at=at(-100), by=LEAD)


def test_the_lifecycle_end_to_end_records_milestones() -> None:
    task = new_task()
    task.register(at=at(1), by=PLATFORM)
    task.dispatch(
        to=Department("城管局"), at=at(2), by=PLATFORM, cooperating=["街道办"], reason="权责清单"
    )
    assert (task.department, task.cooperating, task.dispatched_at) == ("城管局", ("街道办",), at(2))
    task.accept(at=at(12), by=LEAD)
    task.resolve(at=at(62), by=LEAD)
    assert task.response_time == timedelta(minutes=10)
    assert task.handling_time == timedelta(minutes=60)
    task.rework(at=at(70), by=Actor.grid_worker("W1", grid="G1"), reason="仍有垃圾")
    assert task.resolved_at is None
    assert task.handling_time is None
    task.resolve(at=at(80), by=LEAD)
    task.close(at=at(90), by=PLATFORM)
    assert task.closed_at == at(90)
    assert task.ever_reworked and task.ever_resolved and task.ever_dispatched
    assert not task.ever_returned
    task.record_callback(
        contacted=True,
        resolved=False,
        satisfaction=Satisfaction.DISSATISFIED,
        at=at(100),
        by=PLATFORM,
    )
    task.record_callback(
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
        at=at(110),
        by=Actor.resident("R1"),
    )
    assert task.callback is not None
    assert task.callback.satisfaction is Satisfaction.SATISFIED
    assert [e.kind for e in task.history].count(K.CALLBACK) == 2
    assert task.status is S.CLOSED and not task.is_open


def test_return_and_redispatch_clears_the_assignment() -> None:
    task = task_in(S.ACCEPTED)
    task.send_back(at=at(10), by=LEAD, reason="应由司法所办理")
    assert task.status is S.REGISTERED
    assert task.department is None and task.cooperating == ()
    assert task.resolve_due is None
    assert task.returned_by == frozenset({"城管局"})
    task.dispatch(to="司法所", at=at(11), by=PLATFORM)
    assert task.dispatched_at == at(11)
    assert task.accepted_at is None
    assert task.response_time is None
    assert task.ever_returned


def test_overdue_rules() -> None:
    task = new_task()
    task.register(at=at(1), by=PLATFORM)
    task.dispatch(to="城管局", at=at(2), by=PLATFORM, response_due=at(30), resolve_due=at(240))
    assert not task.is_overdue(at(30))
    assert task.is_overdue(at(31))  # not signed for in time
    task.accept(at=at(40), by=LEAD)
    assert not task.is_overdue(at(200))
    assert task.is_overdue(at(241))
    task.extend(until=at(480), at=at(100), by=PLATFORM, reason="需协调物业")
    assert task.resolve_due == at(480)
    assert not task.is_overdue(at(241))
    task.resolve(at=at(500), by=LEAD)
    assert not task.is_overdue(at(600))  # resolved tasks are not overdue
    task.close(at=at(510), by=PLATFORM)
    assert not task.is_overdue(at(600))
    with pytest.raises(ValidationError, match="now"):
        task.is_overdue(datetime(2026, 5, 6))


def test_urge_levels_and_cooperating() -> None:
    task = task_in(S.ACCEPTED)
    assert task.urge_level is None
    task.urge(at=at(10), by=PLATFORM, level=UrgeLevel.URGE)
    task.urge(at=at(11), by=Actor.supervisor("S1"), level=UrgeLevel.NOTIFY)
    task.urge(at=at(12), by=PLATFORM, level=UrgeLevel.SUPERVISE)
    assert task.urge_level is UrgeLevel.NOTIFY
    task.add_cooperating("街道办", Department("住建局"), at=at(13), by=PLATFORM, reason="需要配合")
    task.add_cooperating("街道办", at=at(14), by=PLATFORM)
    assert task.cooperating == ("住建局", "街道办")
    with pytest.raises(ValidationError, match="lead"):
        task.add_cooperating("城管局", at=at(15), by=PLATFORM)
    with pytest.raises(ValidationError, match="at least one"):
        task.add_cooperating(at=at(15), by=PLATFORM)


def test_mark_duplicate_links_and_cancels() -> None:
    original = new_task(id="T0")
    task = new_task(id="T9")
    task.mark_duplicate(of=original, at=at(1), by=PLATFORM)
    assert task.status is S.CANCELLED
    assert task.history[-1].duplicate_of == "T0"
    with pytest.raises(ValidationError, match="itself"):
        new_task(id="T5").mark_duplicate(of="T5", at=at(1), by=PLATFORM)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda t: t.register(at=datetime(2026, 5, 6), by=PLATFORM), "at"),
        (lambda t: t.register(at="2026-05-06", by=PLATFORM), "at"),
        (lambda t: t.register(at=at(1), by="platform"), "by"),
        (lambda t: t.cancel(at=at(1), by=PLATFORM, reason=""), "reason"),
        (lambda t: t.mark_duplicate(of="", at=at(1), by=PLATFORM), "of"),
    ],
)
def test_bad_arguments_name_the_field(call: Callable[[Task], None], field: str) -> None:
    task = new_task()
    before = to_dict(task)
    with pytest.raises(ValidationError) as info:
        call(task)
    assert info.value.field == field
    assert field in str(info.value)
    assert to_dict(task) == before


def test_bad_dispatch_arguments() -> None:
    task = task_in(S.REGISTERED)
    with pytest.raises(ValidationError, match="to="):
        task.dispatch(to="", at=at(5), by=PLATFORM)
    with pytest.raises(ValidationError, match="lead"):
        task.dispatch(to="城管局", at=at(5), by=PLATFORM, cooperating=["城管局"])
    with pytest.raises(ValidationError, match="not a string"):
        task.dispatch(to="城管局", at=at(5), by=PLATFORM, cooperating="街道办")
    with pytest.raises(ValidationError, match="reason"):
        task.dispatch(to="城管局", at=at(5), by=PLATFORM, reason=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="resolve_due"):
        task.dispatch(to="城管局", at=at(5), by=PLATFORM, resolve_due=datetime(2026, 6, 1))
    assert task.status is S.REGISTERED and len(task.history) == 2


def test_bad_step_arguments() -> None:
    task = task_in(S.ACCEPTED)
    with pytest.raises(ValidationError, match="note"):
        task.resolve(at=at(5), by=LEAD, note=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="level"):
        task.urge(at=at(5), by=PLATFORM, level=2)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="later than the current deadline"):
        task.extend(until=at(100), at=at(5), by=PLATFORM, reason="x")
    with pytest.raises(ValidationError, match="until"):
        task.extend(until=datetime(2027, 1, 1), at=at(5), by=PLATFORM, reason="x")
    with pytest.raises(ValidationError, match="reason"):
        task.add_cooperating("街道办", at=at(5), by=PLATFORM, reason=3)  # type: ignore[arg-type]
    task.resolve(at=at(5), by=LEAD)
    with pytest.raises(ValidationError, match="note"):
        task.close(at=at(6), by=PLATFORM, note=1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="contacted"):
        task.record_callback(contacted=1, resolved=None, satisfaction=None, at=at(7), by=PLATFORM)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="resolved"):
        task.record_callback(
            contacted=True,
            resolved="yes",  # type: ignore[arg-type]
            satisfaction=None,
            at=at(7),
            by=PLATFORM,
        )
    with pytest.raises(ValidationError, match="satisfaction"):
        task.record_callback(
            contacted=True,
            resolved=True,
            satisfaction="满意",  # type: ignore[arg-type]
            at=at(7),
            by=PLATFORM,
        )
    with pytest.raises(ValidationError, match="not contacted"):
        task.record_callback(
            contacted=False,
            resolved=None,
            satisfaction=Satisfaction.SATISFIED,
            at=at(7),
            by=PLATFORM,
        )
    with pytest.raises(ValidationError, match="not contacted"):
        task.record_callback(
            contacted=False, resolved=True, satisfaction=None, at=at(7), by=PLATFORM
        )
    task.record_callback(contacted=False, resolved=None, satisfaction=None, at=at(7), by=PLATFORM)
    assert task.callback is not None and not task.callback.contacted
    task.record_callback(contacted=False, resolved=False, satisfaction=None, at=at(8), by=PLATFORM)
    assert task.callback.resolved is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": None}, "category"),
        ({"description": 5}, "description"),
        ({"location": None}, "location"),
        ({"grid": ""}, "grid"),
        ({"channel": "hotline"}, "channel"),
        ({"priority": 1}, "priority"),
        ({"reporter": "张三"}, "reporter"),
        ({"at": datetime(2026, 5, 6)}, "at"),
        ({"id": ""}, "id"),
        ({"by": "me"}, "by"),
    ],
)
def test_bad_reports_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        new_task(**kwargs)
    assert info.value.field == field


def test_report_defaults() -> None:
    task = Task.report(category="安全隐患", description="井盖缺失", at=T0)
    assert len(task.id) == 32
    assert task.channel is Channel.HOTLINE and task.priority is Priority.NORMAL
    assert task.history[0].actor == PLATFORM
    assert task.status is S.REPORTED and task.reported_at == T0
    resident_task = new_task()
    assert resident_task.history[0].actor == Actor.resident("R1")
    assert "T1" in repr(resident_task) and "REPORTED" in repr(resident_task)
    assert task != resident_task and task != "x"
    assert hash(resident_task) == hash("T1")


def test_time_is_compared_as_instants_across_zones() -> None:
    task = new_task()
    # 01:30 UTC is 09:30 in Beijing: later than T0 (09:00 +08:00) although the clock reads earlier
    task.register(at=datetime(2026, 5, 6, 1, 30, tzinfo=timezone.utc), by=PLATFORM)
    with pytest.raises(ValidationError):
        task.dispatch(to="城管局", at=datetime(2026, 5, 6, 1, 29, tzinfo=timezone.utc), by=PLATFORM)


def test_durations_are_elapsed_time_across_dst() -> None:
    ny = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 8, 1, 0, tzinfo=ny)  # DST starts at 02:00
    task = Task.report(category="Noise", description="loud", at=start, id="N1")
    task.register(at=start, by=PLATFORM)
    task.dispatch(to="NYPD", at=start, by=PLATFORM)
    task.accept(at=datetime(2026, 3, 8, 3, 0, tzinfo=ny), by=Actor.department("NYPD"))
    assert task.response_time == timedelta(hours=1)


def test_timeline_and_describe() -> None:
    task = task_in(S.CLOSED)
    task.record_callback(
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASICALLY_SATISFIED,
        at=at(50),
        by=PLATFORM,
    )
    zh = task.timeline()
    en = task.timeline("en")
    assert len(zh.splitlines()) == len(task.history)
    assert "派遣 → 城管局" in zh and "基本满意" in zh
    assert "dispatched → 城管局" in en and "basically_satisfied" in en
    extended = task_in(S.DISPATCHED)
    extended.extend(until=at(900), at=at(5), by=PLATFORM, reason="延期")
    extended.urge(at=at(6), by=PLATFORM, level=UrgeLevel.SUPERVISE)
    extended.add_cooperating("街道办", at=at(7), by=PLATFORM)
    text = extended.timeline()
    assert "延至" in text and "督办" in text and "配合" in text
    en = extended.timeline("en")
    assert "until" in en and "supervise" in en and "cooperating" in en
    dup = new_task(id="T2")
    dup.mark_duplicate(of="T1", at=at(1), by=PLATFORM)
    assert "重复于 T1" in dup.timeline() and "duplicate of T1" in dup.timeline("en")


def test_from_history_replays_and_checks() -> None:
    task = task_in(S.RESOLVED)
    task.close(at=at(20), by=PLATFORM)
    fields: dict[str, Any] = {
        "id": task.id,
        "category": task.category,
        "description": task.description,
        "grid": "G1",
    }
    rebuilt = Task.from_history(
        task.history, location=task.location, reporter=task.reporter, **fields
    )
    assert rebuilt == task
    with pytest.raises(ValidationError, match="REPORTED"):
        Task.from_history((), **fields)
    with pytest.raises(ValidationError, match="REPORTED"):
        Task.from_history(task.history[1:], **fields)
    forged = list(task.history)
    forged[2] = TaskEvent(
        at=forged[2].at, kind=K.DISPATCHED, status=S.ACCEPTED, actor=PLATFORM, department="城管局"
    )
    with pytest.raises(ValidationError, match=r"events\[2\]"):
        Task.from_history(forged, **fields)
    bogus = [
        *task.history[:1],
        TaskEvent(at=at(1), kind=K.REPORTED, status=S.REPORTED, actor=PLATFORM),
    ]
    with pytest.raises(InvalidTransitionError):
        Task.from_history(bogus, **fields)


# Actors and reporters ------------------------------------------------------------------------


def test_actors() -> None:
    assert str(Actor.platform()) == "platform:platform"
    assert str(Actor.grid_worker("W1", grid="G1")) == "grid_worker:W1@G1"
    assert Actor.system().is_admin and not Actor.resident("R").is_admin
    assert Actor.supervisor("S").role is ActorRole.SUPERVISOR
    with pytest.raises(ValidationError, match="grid"):
        Actor(role=ActorRole.RESIDENT, id="R", grid="G1")
    with pytest.raises(ValidationError, match="id"):
        Actor.department("")
    with pytest.raises(ValidationError, match="role"):
        Actor(role="platform", id="p")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="grid"):
        Actor.grid_worker("W", grid="")


def test_reporter_masks_pii() -> None:
    reporter = Reporter(
        name="张三", phone="13812345678", id_number="110105199001011234", resident="R1"
    )
    assert "13812345678" not in repr(reporter) and "138****5678" in repr(reporter)
    assert "110105199001011234" not in repr(reporter)
    assert str(reporter) == "张三 (138****5678)"
    assert str(Reporter()) == "匿名"
    masked = reporter.masked()
    assert masked.phone == "138****5678" and masked.id_number == "1****************4"
    assert mask_phone("123") == "***" and mask_id_number("12") == "**"
    with pytest.raises(ValidationError, match="phone"):
        Reporter(phone=13812345678)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="resident"):
        Reporter(resident="")


# Departments, responsibility list, grids, partners -------------------------------------------


def test_departments() -> None:
    d = Department("街道办", level=Level.STREET, handlers=3, jurisdiction=["G1"])
    assert d.jurisdiction == frozenset({"G1"})
    assert d.serves("G1") and not d.serves("G2") and d.serves(None)
    assert Department("城管局").serves("G9")
    assert Level.STREET.label == "街道/乡镇"
    for bad in (
        {"handlers": 0},
        {"handlers": 1.5},
        {"handlers": True},
        {"level": "street"},
        {"jurisdiction": "G1"},
    ):
        with pytest.raises(ValidationError):
            Department("x", **bad)
    with pytest.raises(ValidationError, match="name"):
        Department("")
    with pytest.raises(ValidationError, match="grid"):
        Department("x", jurisdiction=[""])


def test_responsibility_list_queries() -> None:
    rl = ResponsibilityList(
        [
            Duty("老旧小区改造", Department("住建局")),
            Duty("老旧小区改造", "城管局", role=Role.SUPPORT),
            Duty("占道经营", "城管局", grids={"G1"}),
            Duty("占道经营", "街道办", grids={"G2"}),
        ]
    )
    assert rl.categories == ("占道经营", "老旧小区改造")
    assert rl.leads_for("占道经营") == ("城管局", "街道办")
    assert rl.leads_for("占道经营", "G1") == ("城管局",)
    assert rl.leads_for("占道经营", "G3") == ()
    assert rl.supporters_for("老旧小区改造") == ("城管局",)
    assert rl.leads_for("未知") == ()
    assert rl.check() == ()
    assert Role.LEAD.label == "牵头/主办"
    with pytest.raises(ValidationError, match="duties"):
        ResponsibilityList(["环境卫生"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="category"):
        Duty("", "城管局")


def test_responsibility_list_check_finds_vacuum_and_overlap() -> None:
    rl = ResponsibilityList(
        [
            Duty("群租房", "住建局", role=Role.SUPPORT),
            Duty("占道经营", "城管局"),
            Duty("占道经营", "市场监管局", grids={"G1", "G2"}),
            Duty("占道经营", "城管局", grids={"G1"}),
            Duty("噪音", "环保局", grids={"G1"}),
            Duty("噪音", "公安局", grids={"G2"}),
            Duty("渣土", "城管局", grids={"G1", "G2"}),
            Duty("渣土", "住建局", grids={"G2", "G3"}),
        ]
    )
    findings = {(f.kind, f.category): f for f in rl.check()}
    assert set(findings) == {("vacuum", "群租房"), ("overlap", "占道经营"), ("overlap", "渣土")}
    assert findings[("vacuum", "群租房")].departments == ("住建局",)
    assert "责任真空" in findings[("vacuum", "群租房")].reason
    overlap = findings[("overlap", "占道经营")]
    assert overlap.departments == ("城管局", "市场监管局")
    assert overlap.grids == frozenset({"G1", "G2"})
    assert "多头" in overlap.reason and "overlap" in overlap.reason_en
    assert findings[("overlap", "渣土")].grids == frozenset({"G2"})
    everywhere = ResponsibilityList([Duty("x", "a"), Duty("x", "b")]).check()
    assert everywhere[0].grids is None and "全域" in everywhere[0].reason
    assert "all grids" in everywhere[0].reason_en


def test_from_mapping() -> None:
    rl = ResponsibilityList.from_mapping({"环境卫生": "城管局", "邻里纠纷": Department("司法所")})
    assert rl.leads_for("邻里纠纷") == ("司法所",)


def test_grid_standard() -> None:
    std = GridStandard()
    assert std.check(Grid("G1", households=300, workers=("W",))).ok  # inclusive bound
    assert std.check(
        Grid("G1", households=900, population=1500, workers=("W",))
    ).ok  # population in range
    assert std.check(Grid("G1", households=500, population=1500, workers=("W",))).ok
    result = std.check(Grid("G2", households=900, population=3000, workers=("W",)))
    assert not result.ok and "超出" in result.reasons[0] and "out of range" in result.reasons_en[0]
    lonely = std.check(Grid("G3", households=400))
    assert not lonely.ok and "少于" in lonely.reasons[1] and "only 0" in lonely.reasons_en[1]
    custom = GridStandard(households=(100, 200), population=(10, 20), min_workers=2)
    assert custom.check(Grid("G4", households=150, workers=("a", "b"))).ok
    for bad in (
        {"households": (500, 300)},
        {"population": (-1, 5)},
        {"households": (1, 2, 3)},
        {"min_workers": -1},
    ):
        with pytest.raises(ValidationError):
            GridStandard(**bad)
    with pytest.raises(ValidationError, match="workers"):
        Grid("G", workers="W1")
    with pytest.raises(ValidationError, match="households"):
        Grid("G", households=-1)


def test_grid_code() -> None:
    code = GridCode.parse("110105001002003")
    assert (code.district, code.street, code.community, code.serial) == (
        "110105",
        "001",
        "002",
        "003",
    )
    assert code.street_code == "110105001" and code.community_code == "110105001002"
    assert str(code) == "110105001002003"
    for bad in (
        "11010500100200",
        "1101050010020031",
        "11010500100200x",
        "１１０１０５００１００２００３",
        110105001002003,
    ):
        with pytest.raises(ValidationError, match="code"):
            GridCode.parse(bad)


def test_partners_and_commitments() -> None:
    monthly = relativedelta(months=1)
    cafe = Partner(
        "街角咖啡",
        kind=PartnerKind.ENTERPRISE,
        commitments=[
            Commitment(kind=CommitmentKind.MEETINGS, amount=2, per=monthly),
            Commitment(kind=CommitmentKind.PROFIT_SHARE, amount=0.1, per=monthly),
        ],
    )
    assert len(cafe.commitments) == 2 and cafe.kind.label == "企业"
    assert CommitmentKind.PROFIT_SHARE.label == "利润分成"
    with pytest.raises(ValidationError, match="amount"):
        Commitment(kind=CommitmentKind.PROFIT_SHARE, amount=1.5)
    with pytest.raises(ValidationError, match="amount"):
        Commitment(kind=CommitmentKind.JOBS, amount=-3)
    with pytest.raises(ValidationError, match="per"):
        Commitment(kind=CommitmentKind.JOBS, amount=3, per=relativedelta())
    with pytest.raises(ValidationError, match="per"):
        Commitment(kind=CommitmentKind.JOBS, amount=3, per=timedelta(days=30))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="kind"):
        Partner("x", kind="enterprise")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="commitments"):
        Partner("x", kind=PartnerKind.SAGE, commitments=["2 meetings"])  # type: ignore[list-item]


def test_enum_labels_cover_every_member() -> None:
    for enum_type in (
        TaskStatus,
        EventKind,
        UrgeLevel,
        Channel,
        Priority,
        Satisfaction,
        Level,
        Role,
        ActorRole,
        PartnerKind,
        CommitmentKind,
    ):
        for member in enum_type:
            assert member.label
    assert [s for s in TaskStatus if s.is_terminal] == [S.CLOSED, S.CANCELLED]
    assert Priority.LOW < Priority.NORMAL < Priority.URGENT < Priority.EMERGENCY


def test_grid_survey_reports_worker_coverage() -> None:
    from jiceng.models import GridSurvey

    survey = GridStandard(min_workers=1).survey(
        [
            Grid("G1", households=420, population=1200, workers=("W1",)),
            Grid("G2", households=380, workers=("W1", "W2")),
            Grid("G3", households=900, population=2600),
        ]
    )
    assert isinstance(survey, GridSurvey)
    assert (survey.grids, survey.conforming, survey.workers) == (3, 2, 2)
    assert survey.conforming_rate == pytest.approx(2 / 3)
    assert (survey.households, survey.population) == (1700, 3800)
    assert survey.households_per_worker == 850.0
    assert survey.unstaffed == ("G3",) and survey.shared_workers == ("W1",)
    assert [f.grid for f in survey.failures] == ["G3"]
    assert "G3" in survey.reason and "grids with no worker: G3" in survey.reason_en
    empty = GridStandard().survey([])
    assert (
        empty.grids == 0 and empty.conforming_rate is None and empty.households_per_worker is None
    )
    assert "—" in empty.reason
    with pytest.raises(ValidationError, match="twice"):
        GridStandard().survey([Grid("G1"), Grid("G1")])
    with pytest.raises(ValidationError, match="Grid objects"):
        GridStandard().survey(["G1"])  # type: ignore[list-item]
