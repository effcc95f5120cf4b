"""The DESIGN.md contract for jiceng.errors, jiceng.models, jiceng.calendar and jiceng.serialization.

Names marked (contract) are used by tests outside this repository: their module, signature (which
parameters are positional-or-keyword and which keyword-only), and meaning are checked here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import jiceng
from jiceng import calendar, errors, models, serialization
from jiceng.errors import (
    InvalidDecisionError,
    InvalidTransitionError,
    JicengError,
    Open311Error,
    PermissionDeniedError,
    UnknownPolicyError,
    UnresolvedLeadError,
    ValidationError,
)
from jiceng.models import (
    Actor,
    Channel,
    CommitmentKind,
    Department,
    Duty,
    EventKind,
    Grid,
    GridCode,
    GridStandard,
    Level,
    PartnerKind,
    Priority,
    Reporter,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
    TaskStatus,
    UrgeLevel,
)
from jiceng.serialization import from_dict, to_dict

T0 = datetime(2026, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))
M = timedelta(minutes=1)
PLATFORM = Actor.platform()
SYSTEM = Actor.system()
BOSS = Actor.supervisor("S1")
LEAD = Actor.department("城管局")
OTHER = Actor.department("住建局")
WORKER = Actor.grid_worker("W1", grid="G1")
STRANGER = Actor.grid_worker("W9", grid="G9")
RESIDENT = Actor.resident("R1")
ALL_ACTORS = (PLATFORM, SYSTEM, BOSS, LEAD, OTHER, WORKER, STRANGER, RESIDENT)

POK = inspect.Parameter.POSITIONAL_OR_KEYWORD
KW = inspect.Parameter.KEYWORD_ONLY
VAR = inspect.Parameter.VAR_POSITIONAL
EMPTY = inspect.Parameter.empty

# --------------------------------------------------------------------------------------------
# Names and modules

MODEL_CONTRACT = (
    "TaskStatus",
    "EventKind",
    "UrgeLevel",
    "Task",
    "TaskEvent",
    "Actor",
    "Reporter",
    "Channel",
    "Priority",
    "Satisfaction",
    "Department",
    "Level",
    "Duty",
    "ResponsibilityList",
    "Role",
    "Grid",
    "GridStandard",
    "GridCode",
    "Partner",
    "PartnerKind",
    "Commitment",
    "CommitmentKind",
)
ERROR_CONTRACT = (
    "JicengError",
    "ValidationError",
    "InvalidTransitionError",
    "PermissionDeniedError",
    "UnknownPolicyError",
    "InvalidDecisionError",
    "UnresolvedLeadError",
    "Open311Error",
)


@pytest.mark.parametrize("name", MODEL_CONTRACT)
def test_model_names_live_in_models_and_the_top_level(name: str) -> None:
    assert name in models.__all__
    assert name in jiceng.__all__
    assert getattr(jiceng, name) is getattr(models, name)


@pytest.mark.parametrize("name", ERROR_CONTRACT)
def test_error_names_live_in_errors_and_the_top_level(name: str) -> None:
    assert name in errors.__all__
    assert getattr(jiceng, name) is getattr(errors, name)
    assert getattr(errors, name).__module__ == "jiceng.errors"


def test_calendar_and_serialization_names() -> None:
    assert {"WorkCalendar", "TimeLimit"} <= set(calendar.__all__)
    assert jiceng.WorkCalendar is calendar.WorkCalendar and jiceng.TimeLimit is calendar.TimeLimit
    assert {"to_dict", "from_dict"} <= set(serialization.__all__)


@pytest.mark.parametrize("module", [jiceng, models, errors, serialization, calendar])
def test_all_resolves(module: Any) -> None:
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), name


# --------------------------------------------------------------------------------------------
# Signatures


def _shape(func: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(func).parameters.values()]


SIGNATURES: list[tuple[str, Callable[..., Any], list[tuple[str, Any, Any]]]] = [
    (
        "Department",
        Department,
        [
            ("name", POK, EMPTY),
            ("level", KW, Level.DISTRICT),
            ("handlers", KW, 1),
            ("jurisdiction", KW, None),
        ],
    ),
    (
        "Duty",
        Duty,
        [
            ("category", POK, EMPTY),
            ("department", POK, EMPTY),
            ("role", KW, Role.LEAD),
            ("grids", KW, None),
        ],
    ),
    (
        "Grid",
        Grid,
        [
            ("id", POK, EMPTY),
            ("households", KW, 0),
            ("population", KW, 0),
            ("workers", KW, ()),
            ("community", KW, None),
            ("street", KW, None),
            ("district", KW, None),
        ],
    ),
    ("ResponsibilityList", ResponsibilityList, [("duties", POK, EMPTY)]),
    (
        "GridStandard",
        GridStandard,
        [("households", KW, (300, 500)), ("population", KW, (1000, 1500)), ("min_workers", KW, 1)],
    ),
    (
        "Reporter",
        Reporter,
        [("name", KW, ""), ("phone", KW, ""), ("id_number", KW, ""), ("resident", KW, None)],
    ),
    # DESIGN §3 writes Partner(name, *, kind, commitments=()) with ``name`` positional.
    (
        "Partner",
        models.Partner,
        [("name", POK, EMPTY), ("kind", KW, EMPTY), ("commitments", KW, ())],
    ),
    (
        "Commitment",
        models.Commitment,
        [("kind", KW, EMPTY), ("amount", KW, EMPTY), ("per", KW, None), ("note", KW, "")],
    ),
    ("Task.register", Task.register, [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY)]),
    (
        "Task.cancel",
        Task.cancel,
        [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY), ("reason", KW, EMPTY)],
    ),
    (
        "Task.dispatch",
        Task.dispatch,
        [
            ("self", POK, EMPTY),
            ("to", KW, EMPTY),
            ("at", KW, EMPTY),
            ("by", KW, EMPTY),
            ("cooperating", KW, ()),
            ("reason", KW, ""),
            ("response_due", KW, None),
            ("resolve_due", KW, None),
        ],
    ),
    ("Task.accept", Task.accept, [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY)]),
    (
        "Task.send_back",
        Task.send_back,
        [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY), ("reason", KW, EMPTY)],
    ),
    (
        "Task.park",
        Task.park,
        [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY), ("reason", KW, EMPTY)],
    ),
    ("Task.resume", Task.resume, [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY)]),
    (
        "Task.resolve",
        Task.resolve,
        [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY), ("note", KW, "")],
    ),
    (
        "Task.rework",
        Task.rework,
        [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY), ("reason", KW, EMPTY)],
    ),
    (
        "Task.close",
        Task.close,
        [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY), ("note", KW, "")],
    ),
    (
        "Task.extend",
        Task.extend,
        [
            ("self", POK, EMPTY),
            ("until", KW, EMPTY),
            ("at", KW, EMPTY),
            ("by", KW, EMPTY),
            ("reason", KW, EMPTY),
        ],
    ),
    (
        "Task.urge",
        Task.urge,
        [("self", POK, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY), ("level", KW, EMPTY)],
    ),
    (
        "Task.add_cooperating",
        Task.add_cooperating,
        [
            ("self", POK, EMPTY),
            ("departments", VAR, EMPTY),
            ("at", KW, EMPTY),
            ("by", KW, EMPTY),
            ("reason", KW, ""),
        ],
    ),
    (
        "Task.record_callback",
        Task.record_callback,
        [
            ("self", POK, EMPTY),
            ("contacted", KW, EMPTY),
            ("resolved", KW, EMPTY),
            ("satisfaction", KW, EMPTY),
            ("at", KW, EMPTY),
            ("by", KW, EMPTY),
        ],
    ),
    (
        "Task.mark_duplicate",
        Task.mark_duplicate,
        [("self", POK, EMPTY), ("of", KW, EMPTY), ("at", KW, EMPTY), ("by", KW, EMPTY)],
    ),
    ("Task.is_overdue", Task.is_overdue, [("self", POK, EMPTY), ("now", POK, EMPTY)]),
    (
        "ResponsibilityList.leads_for",
        ResponsibilityList.leads_for,
        [("self", POK, EMPTY), ("category", POK, EMPTY), ("grid", POK, None)],
    ),
    (
        "ResponsibilityList.supporters_for",
        ResponsibilityList.supporters_for,
        [("self", POK, EMPTY), ("category", POK, EMPTY), ("grid", POK, None)],
    ),
    (
        "to_dict",
        to_dict,
        [("obj", POK, EMPTY), ("reveal_pii", KW, False)],
    ),
    ("from_dict", from_dict, [("cls", POK, EMPTY), ("data", POK, EMPTY)]),
]


@pytest.mark.parametrize(("what", "func", "expected"), SIGNATURES, ids=[s[0] for s in SIGNATURES])
def test_signature(what: str, func: Callable[..., Any], expected: list[Any]) -> None:
    assert _shape(func) == expected, what


def test_task_report_signature() -> None:
    expected = [
        ("category", KW, EMPTY),
        ("description", KW, EMPTY),
        ("at", KW, EMPTY),
        ("location", KW, ""),
        ("grid", KW, None),
        ("channel", KW, Channel.HOTLINE),
        ("priority", KW, Priority.NORMAL),
        ("reporter", KW, None),
        ("id", KW, None),
    ]
    shape = _shape(Task.report)
    assert shape[: len(expected)] == expected
    # Anything beyond the contract is an optional keyword (today: ``by``), so callers are unaffected.
    assert all(kind is KW and default is not EMPTY for _, kind, default in shape[len(expected) :])
    assert isinstance(inspect.getattr_static(Task, "report"), classmethod)


def test_actor_constructors() -> None:
    assert _shape(Actor.platform) == [] and _shape(Actor.system) == []
    assert _shape(Actor.supervisor) == [("id", POK, EMPTY)]
    assert _shape(Actor.department) == [("name", POK, EMPTY)]
    assert _shape(Actor.resident) == [("id", POK, EMPTY)]
    assert _shape(Actor.grid_worker) == [("id", POK, EMPTY), ("grid", KW, EMPTY)]
    assert str(Actor.department("城管局")) == "department:城管局"
    assert Actor.grid_worker("W1", grid="G1").grid == "G1"


def test_positional_leading_parameters_work() -> None:
    assert Department("城管局").name == "城管局"
    assert Duty("环境卫生", "城管局").department == "城管局"
    assert Duty("环境卫生", Department("城管局")).department == "城管局"  # stored by name
    assert Grid("G1").id == "G1"
    assert ResponsibilityList([Duty("a", "b")]).duties == (Duty("a", "b"),)
    with pytest.raises(TypeError):
        Department("城管局", Level.STREET)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Grid("G1", 300)  # type: ignore[call-arg]


# --------------------------------------------------------------------------------------------
# Enums


def test_task_status_members_labels_and_terminals() -> None:
    labels = {
        "REPORTED": "已上报",
        "REGISTERED": "已立案",
        "DISPATCHED": "已派遣",
        "ACCEPTED": "已签收",
        "PARKED": "已挂账",
        "RESOLVED": "已办结",
        "CLOSED": "已结案",
        "CANCELLED": "已注销",
    }
    assert {s.name: s.label for s in TaskStatus} == labels
    assert {s for s in TaskStatus if s.is_terminal} == {TaskStatus.CLOSED, TaskStatus.CANCELLED}


def test_event_kinds() -> None:
    assert {k.name for k in EventKind} == {
        "REPORTED",
        "REGISTERED",
        "CANCELLED",
        "DISPATCHED",
        "ACCEPTED",
        "RETURNED",
        "PARKED",
        "RESUMED",
        "RESOLVED",
        "REWORKED",
        "CLOSED",
        "EXTENDED",
        "URGED",
        "COOPERATING_ADDED",
        "CALLBACK",
        "DUPLICATE",
    }


def test_ordered_enums() -> None:
    assert UrgeLevel.URGE < UrgeLevel.SUPERVISE < UrgeLevel.NOTIFY
    assert [u.label for u in sorted(UrgeLevel)] == ["催办", "督办", "通报"]
    assert Priority.LOW < Priority.NORMAL < Priority.URGENT < Priority.EMERGENCY
    assert max(Priority) is Priority.EMERGENCY and [p.name for p in sorted(Priority)] == [
        "LOW",
        "NORMAL",
        "URGENT",
        "EMERGENCY",
    ]


def test_labelled_enums() -> None:
    assert {s.name: s.label for s in Satisfaction} == {
        "SATISFIED": "满意",
        "BASICALLY_SATISFIED": "基本满意",
        "DISSATISFIED": "不满意",
    }
    assert {lv.name: lv.label for lv in Level} == {
        "DISTRICT": "区级部门",
        "STREET": "街道/乡镇",
        "COMMUNITY": "社区",
    }
    assert {r.name: r.label for r in Role} == {"LEAD": "牵头/主办", "SUPPORT": "配合/协办"}
    assert {k.name: k.label for k in PartnerKind} == {
        "ENTERPRISE": "企业",
        "SOCIAL_ORGANIZATION": "社会组织",
        "RESIDENT_GROUP": "居民自组织",
        "SAGE": "乡贤",
    }
    assert [c.name for c in Channel] == [
        "HOTLINE",
        "APP",
        "MINI_PROGRAM",
        "GRID_PATROL",
        "VIDEO",
        "WALK_IN",
        "REFERRAL",
    ]
    assert Channel.REFERRAL.label == "上级交办"
    assert {k.name for k in CommitmentKind} == {
        "MEETINGS",
        "JOBS",
        "PROFIT_SHARE",
        "SPACE_HOURS",
        "SERVICE_HOURS",
        "DONATION",
    }


# --------------------------------------------------------------------------------------------
# The lifecycle table


def _task(grid: str | None = "G1", reporter: Reporter | None = None) -> Task:
    return Task.report(
        category="环境卫生", description="垃圾", at=T0, id="T1", grid=grid, reporter=reporter
    )


def _at(status: TaskStatus) -> Task:
    """A task brought to ``status`` along the main path (times one minute apart)."""
    task = _task(reporter=Reporter(name="张三", resident="R1"))
    steps: list[Callable[[datetime], None]] = [
        lambda at: task.register(at=at, by=PLATFORM),
        lambda at: task.dispatch(to="城管局", at=at, by=PLATFORM),
        lambda at: task.accept(at=at, by=LEAD),
        lambda at: task.resolve(at=at, by=LEAD),
        lambda at: task.close(at=at, by=PLATFORM),
    ]
    order = [TaskStatus.REPORTED, TaskStatus.REGISTERED, TaskStatus.DISPATCHED]
    order += [TaskStatus.ACCEPTED, TaskStatus.RESOLVED, TaskStatus.CLOSED]
    target = TaskStatus.ACCEPTED if status is TaskStatus.PARKED else status
    if target is TaskStatus.CANCELLED:
        task.cancel(at=T0 + M, by=PLATFORM, reason="重复")
        return task
    for i, step in enumerate(steps[: order.index(target)], start=1):
        step(T0 + i * M)
    if status is TaskStatus.PARKED:
        task.park(at=T0 + 10 * M, by=LEAD, reason="等资金")
    assert task.status is status
    return task


LATER = T0 + timedelta(hours=1)
STEPS: dict[str, Callable[[Task, Actor], None]] = {
    "register": lambda t, by: t.register(at=LATER, by=by),
    "cancel": lambda t, by: t.cancel(at=LATER, by=by, reason="重复件"),
    "dispatch": lambda t, by: t.dispatch(to="城管局", at=LATER, by=by),
    "accept": lambda t, by: t.accept(at=LATER, by=by),
    "send_back": lambda t, by: t.send_back(at=LATER, by=by, reason="非本部门"),
    "park": lambda t, by: t.park(at=LATER, by=by, reason="等资金"),
    "resume": lambda t, by: t.resume(at=LATER, by=by),
    "resolve": lambda t, by: t.resolve(at=LATER, by=by),
    "rework": lambda t, by: t.rework(at=LATER, by=by, reason="未清理干净"),
    "close": lambda t, by: t.close(at=LATER, by=by),
}
S = TaskStatus
ADMINS = {PLATFORM, SYSTEM, BOSS}
CHECKERS = ADMINS | {WORKER}
# step → (allowed from → to, who may)
TABLE: dict[str, tuple[dict[TaskStatus, TaskStatus], set[Actor]]] = {
    "register": ({S.REPORTED: S.REGISTERED}, ADMINS),
    "cancel": ({S.REPORTED: S.CANCELLED, S.REGISTERED: S.CANCELLED}, ADMINS),
    "dispatch": ({S.REGISTERED: S.DISPATCHED}, ADMINS),
    "accept": ({S.DISPATCHED: S.ACCEPTED}, {LEAD}),
    "send_back": ({S.DISPATCHED: S.REGISTERED, S.ACCEPTED: S.REGISTERED}, {LEAD}),
    "park": ({S.ACCEPTED: S.PARKED}, {LEAD}),
    "resume": ({S.PARKED: S.ACCEPTED}, {LEAD}),
    "resolve": ({S.ACCEPTED: S.RESOLVED}, {LEAD}),
    "rework": ({S.RESOLVED: S.ACCEPTED}, CHECKERS),
    "close": ({S.RESOLVED: S.CLOSED}, CHECKERS),
}


@pytest.mark.parametrize("step", sorted(TABLE))
def test_lifecycle_table(step: str) -> None:
    moves, who = TABLE[step]
    for start in TaskStatus:
        for actor in ALL_ACTORS:
            task = _at(start)
            before = task.history
            if start not in moves:
                with pytest.raises(InvalidTransitionError):
                    STEPS[step](task, actor)
            elif actor not in who:
                with pytest.raises(PermissionDeniedError):
                    STEPS[step](task, actor)
            else:
                STEPS[step](task, actor)
                assert task.status is moves[start], (step, start, actor)
                assert task.history[-1].actor == actor
                continue
            assert task.history == before and task.status is start


@pytest.mark.parametrize(
    ("step", "statuses"),
    [
        ("extend", {S.DISPATCHED, S.ACCEPTED, S.PARKED}),
        ("urge", {S.DISPATCHED, S.ACCEPTED, S.PARKED}),
        ("add_cooperating", {S.DISPATCHED, S.ACCEPTED, S.PARKED}),
        ("record_callback", {S.RESOLVED, S.CLOSED}),
    ],
)
def test_events_that_change_no_status(step: str, statuses: set[TaskStatus]) -> None:
    calls: dict[str, Callable[[Task, Actor], None]] = {
        "extend": lambda t, by: t.extend(until=LATER + M, at=LATER, by=by, reason="需协调"),
        "urge": lambda t, by: t.urge(at=LATER, by=by, level=UrgeLevel.URGE),
        "add_cooperating": lambda t, by: t.add_cooperating("街道办", at=LATER, by=by),
        "record_callback": lambda t, by: t.record_callback(
            contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED, at=LATER, by=by
        ),
    }
    who = {PLATFORM, SYSTEM, RESIDENT} if step == "record_callback" else ADMINS
    for start in statuses:
        for actor in ALL_ACTORS:
            task = _at(start)
            if actor in who:
                calls[step](task, actor)
                assert task.status is start
            else:
                with pytest.raises(PermissionDeniedError):
                    calls[step](task, actor)


def test_rework_by_grid_worker_needs_the_tasks_grid() -> None:
    task = _at(S.RESOLVED)
    with pytest.raises(PermissionDeniedError):
        task.rework(at=LATER, by=STRANGER, reason="未完成")
    task.rework(at=LATER, by=WORKER, reason="未完成")
    assert task.status is S.ACCEPTED


def test_callback_rules() -> None:
    task = _at(S.RESOLVED)
    with pytest.raises(ValidationError):
        task.record_callback(
            contacted=False,
            resolved=None,
            satisfaction=Satisfaction.SATISFIED,
            at=LATER,
            by=PLATFORM,
        )
    task.record_callback(
        contacted=True,
        resolved=False,
        satisfaction=Satisfaction.DISSATISFIED,
        at=LATER,
        by=PLATFORM,
    )
    task.record_callback(
        contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED, at=LATER + M, by=SYSTEM
    )
    assert task.callback is not None and task.callback.satisfaction is Satisfaction.SATISFIED
    assert [e.kind for e in task.history].count(EventKind.CALLBACK) == 2


def test_extend_moves_the_deadline_and_duplicate_links() -> None:
    task = _at(S.ACCEPTED)
    task.extend(until=LATER + M, at=LATER, by=BOSS, reason="需协调")
    assert task.resolve_due == LATER + M
    dup = Task.report(category="x", description="", at=T0, id="T2")
    dup.mark_duplicate(of="T1", at=T0, by=PLATFORM)
    assert dup.status is S.CANCELLED and dup.history[-1].duplicate_of == "T1"


def test_dispatch_accepts_a_department_and_stores_names() -> None:
    task = _at(S.REGISTERED)
    task.dispatch(
        to=Department("城管局"), at=LATER, by=PLATFORM, cooperating=[Department("街道办")]
    )
    assert task.department == "城管局" and task.cooperating == ("街道办",)


def test_ids_default_to_uuid4_hex() -> None:
    task = Task.report(category="x", description="", at=T0)
    assert len(task.id) == 32 and int(task.id, 16) >= 0
    assert Task.report(category="x", description="", at=T0).id != task.id


# --------------------------------------------------------------------------------------------
# Error order: arguments → transition → permission → time


NAIVE = datetime(2026, 5, 6, 10, 0)
EARLY = T0 - timedelta(days=1)


def test_error_order_arguments_first() -> None:
    closed = _at(S.CLOSED)  # every step is illegal here, by everyone
    with pytest.raises(ValidationError):
        closed.cancel(at=NAIVE, by=OTHER, reason="x")
    with pytest.raises(ValidationError):
        closed.cancel(at=LATER, by=OTHER, reason="")
    with pytest.raises(ValidationError):
        closed.send_back(at=LATER, by=OTHER, reason="  ")
    with pytest.raises(ValidationError):
        closed.urge(at=LATER, by=OTHER, level=2)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        closed.extend(until=NAIVE, at=LATER, by=OTHER, reason="x")


def test_error_order_transition_before_permission_before_time() -> None:
    closed = _at(S.CLOSED)
    with pytest.raises(InvalidTransitionError):
        closed.accept(at=EARLY, by=RESIDENT)
    accepted = _at(S.ACCEPTED)
    with pytest.raises(PermissionDeniedError):
        accepted.resolve(at=EARLY, by=OTHER)
    with pytest.raises(ValidationError) as caught:
        accepted.resolve(at=EARLY, by=LEAD)
    assert not isinstance(caught.value, (InvalidTransitionError, PermissionDeniedError))
    assert caught.value.field == "at"


def test_add_cooperating_naming_the_lead_is_an_argument_error() -> None:
    # Fixed: it used to be reported after the transition and permission checks.
    resolved = _at(S.RESOLVED)
    before = resolved.history
    with pytest.raises(ValidationError) as caught:
        resolved.add_cooperating("城管局", at=LATER, by=PLATFORM)
    assert caught.value.field == "departments"
    dispatched = _at(S.DISPATCHED)
    with pytest.raises(ValidationError):
        dispatched.add_cooperating("城管局", at=LATER, by=OTHER)
    assert resolved.history == before and len(dispatched.history) == 3


# --------------------------------------------------------------------------------------------
# Milestones and overdue


def test_milestones_after_return_and_rework() -> None:
    task = _at(S.REGISTERED)
    task.dispatch(to="住建局", at=T0 + 10 * M, by=PLATFORM)
    task.accept(at=T0 + 11 * M, by=OTHER)
    task.send_back(at=T0 + 12 * M, by=OTHER, reason="非本部门")
    assert task.accepted_at == T0 + 11 * M  # kept until the next dispatch
    task.dispatch(to="城管局", at=T0 + 20 * M, by=PLATFORM)
    assert task.dispatched_at == T0 + 20 * M
    assert task.accepted_at is None and task.resolved_at is None
    assert task.response_time is None and task.handling_time is None
    task.accept(at=T0 + 25 * M, by=LEAD)
    task.resolve(at=T0 + 40 * M, by=LEAD)
    assert task.response_time == 5 * M and task.handling_time == 20 * M
    task.rework(at=T0 + 50 * M, by=WORKER, reason="不合格")
    assert task.resolved_at is None and task.handling_time is None
    assert task.accepted_at == T0 + 25 * M
    task.resolve(at=T0 + 60 * M, by=LEAD)
    task.close(at=T0 + 70 * M, by=PLATFORM)
    assert task.handling_time == 40 * M and task.closed_at == T0 + 70 * M
    assert task.reported_at == T0
    assert [e.kind for e in task.history].count(EventKind.DISPATCHED) == 2


def test_is_overdue() -> None:
    task = _at(S.REGISTERED)
    task.dispatch(
        to="城管局", at=T0 + 5 * M, by=PLATFORM, response_due=T0 + 30 * M, resolve_due=T0 + 120 * M
    )
    assert not task.is_overdue(T0 + 30 * M)  # strictly after the deadline
    assert task.is_overdue(T0 + 31 * M)  # DISPATCHED past response_due
    task.accept(at=T0 + 40 * M, by=LEAD)
    assert not task.is_overdue(T0 + 60 * M)  # response_due only counts while DISPATCHED
    assert task.is_overdue(T0 + 121 * M)  # open, unresolved, past resolve_due
    task.park(at=T0 + 50 * M, by=LEAD, reason="等资金")
    assert task.is_overdue(T0 + 121 * M)  # parked still counts
    task.resume(at=T0 + 51 * M, by=LEAD)
    task.resolve(at=T0 + 100 * M, by=LEAD)
    assert not task.is_overdue(T0 + 500 * M)  # RESOLVED: not overdue
    task.close(at=T0 + 130 * M, by=PLATFORM)
    assert not task.is_overdue(T0 + 500 * M)  # closed
    utc_now = (T0 + 31 * M).astimezone(timezone.utc)
    fresh = _at(S.REGISTERED)
    fresh.dispatch(to="城管局", at=T0 + 5 * M, by=PLATFORM, response_due=T0 + 30 * M)
    assert fresh.is_overdue(utc_now)  # instants, whatever the zone
    with pytest.raises(ValidationError):
        fresh.is_overdue(NAIVE)


# --------------------------------------------------------------------------------------------
# Reporter privacy


def test_reporter_is_masked_in_repr_str_and_exports() -> None:
    reporter = Reporter(name="张三", phone="13812345678", id_number="110105199001011234")
    for text in (repr(reporter), str(reporter)):
        assert "13812345678" not in text and "110105199001011234" not in text
    assert "138****5678" in repr(reporter)
    data = to_dict(reporter)
    assert data["phone"] == "138****5678"
    assert "110105199001011234" not in str(data)
    task = _task(reporter=reporter)
    assert "13812345678" not in str(to_dict(task)) and "13812345678" not in repr(task)
    assert to_dict(reporter, reveal_pii=True)["phone"] == "13812345678"
    assert from_dict(Reporter, to_dict(reporter, reveal_pii=True)) == reporter


# --------------------------------------------------------------------------------------------
# Grids, grid codes, responsibility lists


@pytest.mark.parametrize(
    ("households", "population", "workers", "ok"),
    [
        (300, 0, 1, True),  # lower household bound, inclusive
        (500, 0, 1, True),  # upper household bound, inclusive
        (299, 0, 1, False),
        (501, 0, 1, False),
        (0, 1000, 1, True),  # population alone is enough
        (900, 1500, 1, True),  # households out, population in: OR
        (900, 1501, 1, False),
        (400, 1200, 0, False),  # too few workers
    ],
)
def test_grid_standard(households: int, population: int, workers: int, ok: bool) -> None:
    grid = Grid(
        "G1",
        households=households,
        population=population,
        workers=tuple(f"W{i}" for i in range(workers)),
    )
    result = GridStandard().check(grid)
    assert result.ok is ok
    assert result.reasons and all(isinstance(r, str) for r in result.reasons)


def test_grid_standard_is_configurable() -> None:
    standard = GridStandard(households=(100, 200), population=(10, 20), min_workers=2)
    assert standard.check(Grid("G", households=150, workers=("a", "b"))).ok
    assert not standard.check(Grid("G", households=150, workers=("a",))).ok


def test_grid_code() -> None:
    code = GridCode.parse("110105001002003")
    assert (code.district, code.street, code.community, code.serial) == (
        "110105",
        "001",
        "002",
        "003",
    )
    for bad in ("11010500100200", "1101050010020034", "11010500100200x", "", 110105001002003):
        with pytest.raises(ValidationError):
            GridCode.parse(bad)


def test_responsibility_list_queries_and_check() -> None:
    rl = ResponsibilityList(
        [
            Duty("占道经营", "市场监管局", grids={"G2"}),
            Duty("占道经营", "城管局"),
            Duty("占道经营", "街道办", role=Role.SUPPORT),
            Duty("占道经营", "公安局", role=Role.SUPPORT, grids={"G1"}),
            Duty("噪音", "环保局", role=Role.SUPPORT),
        ]
    )
    assert rl.leads_for("占道经营") == ("城管局", "市场监管局")
    assert rl.leads_for("占道经营", "G1") == ("城管局",)
    assert rl.leads_for("占道经营", grid="G2") == ("城管局", "市场监管局")
    assert rl.supporters_for("占道经营", "G1") == ("公安局", "街道办")
    assert rl.supporters_for("占道经营", "G3") == ("街道办",)
    assert rl.leads_for("未知") == () and isinstance(rl.leads_for("未知"), tuple)
    findings = {(f.kind, f.category) for f in rl.check()}
    assert findings == {("overlap", "占道经营"), ("vacuum", "噪音")}
    assert all(f.reason for f in rl.check())
    assert ResponsibilityList.from_mapping({"环境卫生": "城管局"}).leads_for("环境卫生") == (
        "城管局",
    )
    disjoint = ResponsibilityList([Duty("a", "x", grids={"G1"}), Duty("a", "y", grids={"G2"})])
    assert disjoint.check() == ()


def test_department_serves() -> None:
    anywhere = Department("城管局")
    local = Department("街道办", level=Level.STREET, jurisdiction={"G1"})
    assert anywhere.serves("G9") and anywhere.serves(None)
    assert local.serves("G1") and local.serves(None) and not local.serves("G2")
    assert local.jurisdiction == frozenset({"G1"})


# --------------------------------------------------------------------------------------------
# Errors (§10)


def test_error_hierarchy() -> None:
    assert issubclass(JicengError, Exception)
    assert issubclass(ValidationError, JicengError) and issubclass(ValidationError, ValueError)
    assert issubclass(InvalidTransitionError, JicengError)
    assert issubclass(InvalidTransitionError, ValueError)
    assert issubclass(PermissionDeniedError, JicengError)
    assert issubclass(PermissionDeniedError, PermissionError)
    assert issubclass(UnknownPolicyError, JicengError) and issubclass(
        UnknownPolicyError, LookupError
    )
    for cls in (InvalidDecisionError, UnresolvedLeadError, Open311Error):
        assert issubclass(cls, ValidationError)


def test_errors_carry_field_value_and_problems() -> None:
    one = ValidationError.for_field("category", "", "must not be empty")
    assert one.field == "category" and one.value == "" and one.problems == (str(one),)
    many = ValidationError.collect(["a bad", "b bad"], what="config")
    assert many.problems == ("a bad", "b bad")
    err = Open311Error("bad", code=400)
    assert err.code == 400 and err.description == "bad"
    with pytest.raises(ValidationError) as caught:
        Task.report(category="", description="", at=T0)
    assert caught.value.field == "category"
