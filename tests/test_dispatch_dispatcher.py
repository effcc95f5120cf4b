"""Tests for jiceng.dispatch.Dispatcher: the seed call, validation, returns, deadlines, supervision."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.dispatch import (
    DEFAULT_ESCALATION,
    EXAMPLE_DEADLINES,
    SEED_FALLBACK,
    SEED_TABLE,
    CategoryPolicy,
    Decision,
    DispatchContext,
    Dispatcher,
    KeywordPolicy,
    TaskView,
)
from jiceng.errors import (
    InvalidDecisionError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from jiceng.models import Actor, Department, EventKind, Priority, Task, TaskStatus, UrgeLevel

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=CST)  # a Monday
MINUTE = timedelta(minutes=1)


def seed_desk(**options: object) -> Dispatcher:
    return Dispatcher.from_table(SEED_TABLE, fallback=SEED_FALLBACK, **options)


class Fixed:
    """A policy that always answers the same thing (for validation tests)."""

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        return self.answer  # type: ignore[return-value]


# -- the seed's call ------------------------------------------------------------------------------------


def test_seed_example_dispatches_to_chengguan_with_the_rule() -> None:
    desk = seed_desk()
    task = desk.receive_report("环境卫生", "小区垃圾堆积未清理", "幸福小区3号楼", at=T0)
    assert task.id == "T000001"
    assert task.status is TaskStatus.DISPATCHED
    assert task.department == "城管局"
    assert task.history[-1].note == "按权责清单：环境卫生 → 城管局"
    assert [e.kind for e in task.history] == [
        EventKind.REPORTED,
        EventKind.REGISTERED,
        EventKind.DISPATCHED,
    ]
    assert desk.loads["城管局"] == 1
    assert desk.tasks == (task,)


def test_unknown_category_goes_to_general_coordination() -> None:
    desk = seed_desk()
    task = desk.receive_report("噪音扰民", "夜间施工", "幸福小区5号楼", at=T0)
    assert task.department == "综合协调"
    assert task.id == "T000001"
    assert desk.receive_report("证件办理", "补办身份证", "便民大厅", at=T0).id == "T000002"


def test_bad_report_uses_no_id() -> None:
    desk = seed_desk()
    with pytest.raises(ValidationError):
        desk.receive_report("", "x", "y", at=T0)
    with pytest.raises(ValidationError):
        desk.receive_report("环境卫生", "x", "y", at=datetime(2024, 5, 6, 9))
    assert desk.receive_report("环境卫生", "x", "y", at=T0).id == "T000001"
    assert desk.tasks[0].id == "T000001"


def test_id_prefix() -> None:
    desk = seed_desk(id_prefix="BJ")
    assert desk.receive_report("环境卫生", "x", "y", at=T0).id == "BJ000001"


# -- construction --------------------------------------------------------------------------------------


def test_configuration_problems_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Dispatcher(
            [Department("甲"), Department("甲"), "乙"],  # type: ignore[list-item]
            object(),  # type: ignore[arg-type]
            coordinator="丙",
            deadlines={"环境卫生": (TimeLimit.working_hours(1), TimeLimit.hours(4)), 3: "x"},  # type: ignore[dict-item]
            id_prefix=3,  # type: ignore[arg-type]
            escalation=(timedelta(hours=2), timedelta(hours=1)),
            actor="me",  # type: ignore[arg-type]
            calendar="cal",  # type: ignore[arg-type]
        )
    problems = "\n".join(info.value.problems)
    for needle in (
        "appears twice",
        "is not a Department",
        "no decide",
        "coordinator",
        "WorkCalendar",
        "category or (category, Priority)",
        "(response, resolution)",
        "id_prefix",
        "must not decrease",
        "actor",
    ):
        assert needle in problems


def test_configuration_edge_cases() -> None:
    policy = CategoryPolicy(SEED_TABLE)
    departments: object
    for departments in ("城管局", 3, []):
        with pytest.raises(ValidationError, match="departments"):
            Dispatcher(departments, policy)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="deadlines"):
        Dispatcher([Department("甲")], policy, deadlines=[])  # type: ignore[arg-type]
    for escalation in ((), (timedelta(-1),), [timedelta(0)] * 4, "x"):
        with pytest.raises(ValidationError, match="escalation"):
            Dispatcher([Department("甲")], policy, escalation=escalation)  # type: ignore[arg-type]
    desk = Dispatcher({"甲": Department("甲")}, policy, escalation=[timedelta(0)])  # type: ignore[arg-type]
    assert desk.escalation == (timedelta(0),)
    assert desk.context.departments["甲"].name == "甲"


# -- validating decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        (Decision(department="不存在", reason="r", policy="fixed"), "unknown department"),
        (Decision(department="东街道", reason="r", policy="fixed"), "does not serve grid"),
        (
            Decision(department="城管局", cooperating=("无",), reason="r", policy="fixed"),
            "cooperating",
        ),
        ("城管局", "must return a Decision"),
    ],
)
def test_invalid_decisions_change_nothing(answer: object, needle: str) -> None:
    desk = Dispatcher(
        [Department("城管局"), Department("东街道", jurisdiction={"G1"})], Fixed(answer)
    )
    with pytest.raises(InvalidDecisionError, match=needle) as info:
        desk.receive_report("环境卫生", "x", "y", at=T0, grid="G2")
    assert isinstance(info.value, ValidationError)
    assert info.value.policy in {"fixed", "Fixed"}
    assert desk.tasks == () and desk.triage == ()
    assert dict(desk.loads) == {"城管局": 0, "东街道": 0}
    task = Task.report(category="环境卫生", description="x", at=T0, grid="G2")
    with pytest.raises(InvalidDecisionError):
        desk.submit(task, at=T0)
    assert task.status is TaskStatus.REPORTED
    assert len(task.history) == 1


def test_excluded_decision_is_rejected() -> None:
    desk = Dispatcher([Department("甲"), Department("乙")], Fixed(None), coordinator="乙")
    task = desk.receive_report("x", "y", "z", at=T0)
    assert task.department == "乙"
    desk.policy = Fixed(Decision(department="乙", reason="r", policy="fixed"))
    with pytest.raises(InvalidDecisionError, match="sent this task back"):
        desk.send_back(task, at=T0 + MINUTE, by=Actor.department("乙"), reason="不归我管")
    assert task.status is TaskStatus.DISPATCHED and task.department == "乙"
    assert desk.loads["乙"] == 1


# -- submit, triage, assign ----------------------------------------------------------------------------


def test_submit_registered_and_reported_tasks() -> None:
    desk = seed_desk()
    reported = Task.report(category="邻里纠纷", description="吵架", at=T0, id="X1")
    decision = desk.submit(reported, at=T0 + MINUTE)
    assert decision is not None and decision.department == "司法所"
    assert reported.status is TaskStatus.DISPATCHED
    registered = Task.report(category="安全隐患", description="电线裸露", at=T0, id="X2")
    registered.register(at=T0, by=Actor.supervisor("s1"))
    assert desk.submit(registered, at=T0).department == "应急管理局"  # type: ignore[union-attr]
    with pytest.raises(InvalidTransitionError):
        desk.submit(registered, at=T0 + MINUTE)
    with pytest.raises(ValidationError, match="earlier"):
        desk.submit(Task.report(category="a", description="b", at=T0), at=T0 - MINUTE)
    twin = Task.report(category="邻里纠纷", description="吵架", at=T0, id="X1")
    with pytest.raises(ValidationError, match="already tracked"):
        desk.submit(twin, at=T0)
    with pytest.raises(ValidationError, match="must be a Task"):
        desk.submit("X1", at=T0)  # type: ignore[arg-type]


def test_no_decision_without_coordinator_goes_to_triage_then_assign() -> None:
    desk = Dispatcher([Department("甲"), Department("乙")], CategoryPolicy({"a": "甲"}))
    task = desk.receive_report("未知", "x", "y", at=T0)
    assert task.status is TaskStatus.REGISTERED
    assert desk.triage == (task,)
    assert desk.submit(task, at=T0) is None
    with pytest.raises(InvalidDecisionError, match="unknown"):
        desk.assign(task, "丙", at=T0, reason="人工判断")
    decision = desk.assign(task, "乙", at=T0 + MINUTE, reason="人工判断归乙")
    assert decision.policy == "manual" and decision.reason == "人工派遣：人工判断归乙"
    assert task.department == "乙"
    assert not desk.triage
    assert desk.loads["乙"] == 1
    with pytest.raises(InvalidTransitionError):
        desk.assign(task, "甲", at=T0 + MINUTE, reason="再派")


def test_no_decision_goes_to_the_coordinator() -> None:
    desk = Dispatcher(
        [Department("甲"), Department("协调", jurisdiction={"G1"})],
        CategoryPolicy({"a": "甲"}),
        coordinator="协调",
    )
    task = desk.receive_report("未知", "x", "y", at=T0, grid="G1")
    assert task.department == "协调"
    assert "转协调部门" in task.history[-1].note
    outside = desk.receive_report("未知", "x", "y", at=T0, grid="G2")
    assert outside.status is TaskStatus.REGISTERED  # the coordinator does not serve G2
    assert desk.triage == (outside,)


# -- returns and re-dispatch ---------------------------------------------------------------------------


def test_send_back_redispatches_and_never_returns_to_a_returner() -> None:
    policy = KeywordPolicy([("垃圾", "城管局"), ("垃圾", "环卫所")])
    desk = Dispatcher(
        [Department("城管局"), Department("环卫所"), Department("综合协调")],
        policy,
        coordinator="综合协调",
    )
    task = desk.receive_report("环境卫生", "垃圾", "x", at=T0)
    assert task.department == "城管局"
    first = desk.send_back(task, at=T0 + MINUTE, by=Actor.department("城管局"), reason="属环卫")
    assert first is not None and first.department == "环卫所"
    assert dict(desk.loads) == {"城管局": 0, "环卫所": 1, "综合协调": 0}
    task.accept(at=T0 + 2 * MINUTE, by=Actor.department("环卫所"))
    second = desk.send_back(task, at=T0 + 3 * MINUTE, by=Actor.department("环卫所"), reason="非我")
    assert second is not None and second.department == "综合协调"  # none left: coordinator
    assert second.policy == "coordinator"
    third = desk.send_back(task, at=T0 + 4 * MINUTE, by=Actor.department("综合协调"), reason="无")
    assert third is None and task.status is TaskStatus.REGISTERED
    assert desk.triage == (task,)
    assert sum(desk.loads.values()) == 0
    assert task.returned_by == {"城管局", "环卫所", "综合协调"}


def test_send_back_errors_change_nothing() -> None:
    desk = seed_desk()
    task = desk.receive_report("环境卫生", "x", "y", at=T0)
    with pytest.raises(PermissionDeniedError):
        desk.send_back(task, at=T0 + MINUTE, by=Actor.department("司法所"), reason="r")
    with pytest.raises(ValidationError, match="reason"):
        desk.send_back(task, at=T0 + MINUTE, by=Actor.department("城管局"), reason=" ")
    with pytest.raises(ValidationError, match="earlier"):
        desk.send_back(task, at=T0 - MINUTE, by=Actor.department("城管局"), reason="r")
    assert task.department == "城管局" and desk.loads["城管局"] == 1
    triaged = Dispatcher([Department("甲")], CategoryPolicy({})).receive_report(
        "a", "b", "c", at=T0
    )
    with pytest.raises(InvalidTransitionError):
        seed_desk().send_back(triaged, at=T0, by=Actor.department("甲"), reason="r")


def test_submit_after_a_direct_send_back() -> None:
    desk = seed_desk()
    task = desk.receive_report("环境卫生", "x", "y", at=T0)
    task.send_back(at=T0 + MINUTE, by=Actor.department("城管局"), reason="不归我")
    decision = desk.submit(task, at=T0 + 2 * MINUTE)
    assert decision is not None and decision.department == "综合协调"
    assert desk.loads["城管局"] == 0 and desk.loads["综合协调"] == 1


# -- loads -----------------------------------------------------------------------------------------------


def test_release_and_refresh_follow_the_task() -> None:
    desk = seed_desk()
    a = desk.receive_report("环境卫生", "x", "y", at=T0)
    b = desk.receive_report("环境卫生", "x", "y", at=T0)
    c = desk.receive_report("邻里纠纷", "x", "y", at=T0)
    assert desk.loads["城管局"] == 2
    city = Actor.department("城管局")
    a.accept(at=T0 + MINUTE, by=city)
    a.resolve(at=T0 + 2 * MINUTE, by=city)
    assert desk.release(a) is True
    assert desk.loads["城管局"] == 1
    assert desk.release(a) is False
    a.rework(at=T0 + 3 * MINUTE, by=Actor.platform(), reason="未清理干净")
    assert desk.release(a) is True and desk.loads["城管局"] == 2
    a.resolve(at=T0 + 4 * MINUTE, by=city)
    a.close(at=T0 + 5 * MINUTE, by=Actor.platform())
    b.accept(at=T0 + MINUTE, by=city)
    c.accept(at=T0 + MINUTE, by=Actor.department("司法所"))
    assert desk.refresh() == 1
    assert desk.loads["城管局"] == 1
    assert a not in desk.tasks and len(desk.tasks) == 2
    foreign = Task.report(category="x", description="y", at=T0, id="F")
    foreign.register(at=T0, by=Actor.platform())
    foreign.dispatch(to="外部", at=T0, by=Actor.platform())
    assert desk.release(foreign) is False


# -- deadlines -------------------------------------------------------------------------------------------


def test_example_deadlines_fill_due_times() -> None:
    desk = seed_desk(deadlines=EXAMPLE_DEADLINES, calendar=WorkCalendar())
    rubbish = desk.receive_report("暴露垃圾", "路边垃圾成堆", "x", at=T0)
    assert rubbish.resolve_due is not None and rubbish.response_due is not None
    assert WorkCalendar().working_time_between(T0, rubbish.resolve_due) == timedelta(hours=4)
    ordinary = desk.receive_report("噪音扰民", "x", "y", at=T0)
    assert ordinary.resolve_due == T0 + timedelta(days=7)
    assert ordinary.response_due == T0 + timedelta(hours=24)
    urgent = desk.receive_report("噪音扰民", "x", "y", at=T0, priority=Priority.EMERGENCY)
    assert urgent.resolve_due == T0 + timedelta(hours=2)
    utilities = desk.receive_report("水电气热", "停水", "y", at=T0)
    assert utilities.resolve_due == T0 + timedelta(hours=24)
    green = desk.receive_report("绿地养护", "树木枯死", "y", at=T0)
    assert green.resolve_due is not None
    assert WorkCalendar().working_time_between(T0, green.resolve_due) == 5 * (
        WorkCalendar().working_time_per_day
    )


def test_category_priority_key_wins_and_missing_key_means_no_due() -> None:
    deadlines = {
        "环境卫生": (TimeLimit.hours(1), TimeLimit.hours(8)),
        ("环境卫生", Priority.URGENT): (TimeLimit.minutes(10), TimeLimit.hours(2)),
    }
    desk = seed_desk(deadlines=deadlines)
    urgent = desk.receive_report("环境卫生", "x", "y", at=T0, priority=Priority.URGENT)
    assert urgent.resolve_due == T0 + timedelta(hours=2)
    normal = desk.receive_report("环境卫生", "x", "y", at=T0)
    assert normal.resolve_due == T0 + timedelta(hours=8)
    other = desk.receive_report("邻里纠纷", "x", "y", at=T0)
    assert other.resolve_due is None and other.response_due is None


# -- supervision ----------------------------------------------------------------------------------------


def test_supervise_raises_one_level_per_call_at_thresholds() -> None:
    deadlines = {"*": (TimeLimit.hours(1), TimeLimit.hours(10))}
    desk = seed_desk(deadlines=deadlines)
    task = desk.receive_report("环境卫生", "x", "y", at=T0)
    assert desk.overdue(T0 + timedelta(minutes=30)) == ()
    assert desk.overdue(T0 + timedelta(hours=2)) == (task,)  # not signed for in an hour
    first = desk.supervise(T0 + timedelta(hours=2))
    assert [(e.task, e.level) for e in first] == [("T000001", UrgeLevel.URGE)]
    assert first[0].reason.startswith("催办：工单T000001（城管局）超期1小时")
    assert "overdue" in first[0].reason_en
    assert desk.supervise(T0 + timedelta(hours=3)) == ()  # not 24 h late yet
    task.accept(at=T0 + timedelta(hours=3), by=Actor.department("城管局"))
    assert desk.overdue(T0 + timedelta(hours=4)) == ()
    late = T0 + timedelta(hours=10 + 80)
    assert [e.level for e in desk.supervise(late)] == [UrgeLevel.SUPERVISE]
    assert [e.level for e in desk.supervise(late)] == [UrgeLevel.NOTIFY]
    assert desk.supervise(late) == ()
    assert task.urge_level is UrgeLevel.NOTIFY
    urges = [e for e in task.history if e.kind is EventKind.URGED]
    assert [e.actor for e in urges] == [Actor.system()] * 3
    assert (timedelta(0), timedelta(hours=24), timedelta(hours=72)) == DEFAULT_ESCALATION


def test_supervise_skips_tasks_with_later_events_and_resolved_ones() -> None:
    desk = seed_desk(deadlines={"*": (TimeLimit.hours(1), TimeLimit.hours(2))})
    task = desk.receive_report("环境卫生", "x", "y", at=T0)
    task.accept(at=T0 + timedelta(hours=5), by=Actor.department("城管局"))
    assert desk.supervise(T0 + timedelta(hours=4)) == ()
    task.resolve(at=T0 + timedelta(hours=6), by=Actor.department("城管局"))
    assert desk.overdue(T0 + timedelta(hours=9)) == ()
    with pytest.raises(ValidationError):
        desk.overdue(datetime(2024, 5, 6))


# -- threads ---------------------------------------------------------------------------------------------


def test_thread_hammer_loses_nothing_and_dispatches_once() -> None:
    desk = Dispatcher.from_table(
        {"环境卫生": "城管局", "邻里纠纷": "司法所"},
        fallback="综合协调",
    )
    threads, per_thread = 8, 200
    made: list[list[Task]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(slot: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                category = ("环境卫生", "邻里纠纷", "其他")[i % 3]
                task = desk.receive_report(category, f"{slot}-{i}", "x", at=T0)
                made[slot].append(task)
                if i % 4 == 0 and task.department != "综合协调":
                    desk.send_back(
                        task,
                        at=T0 + MINUTE,
                        by=Actor.department(task.department or ""),
                        reason="改派",
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    tasks = [t for group in made for t in group]
    assert len(tasks) == threads * per_thread
    ids = [t.id for t in tasks]
    assert len(set(ids)) == len(ids)
    assert sorted(ids) == [f"T{n:06d}" for n in range(1, len(ids) + 1)]
    assert len(desk.tasks) == len(tasks)
    for task in tasks:
        assert task.status is TaskStatus.DISPATCHED
        dispatches = [e for e in task.history if e.kind is EventKind.DISPATCHED]
        returns = [e for e in task.history if e.kind is EventKind.RETURNED]
        assert len(dispatches) == len(returns) + 1
        assert task.department not in task.returned_by
    expected: dict[str, int] = {}
    for task in tasks:
        expected[task.department or ""] = expected.get(task.department or "", 0) + 1
    assert {k: v for k, v in desk.loads.items() if v} == expected
