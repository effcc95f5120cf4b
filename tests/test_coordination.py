"""Unit tests for jiceng.coordination: lead resolution, the whistle, and the evaluation."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.coordination import (
    DEFAULT_CLOCKS,
    Attendance,
    EvaluationWeights,
    LeadResolver,
    LeadRule,
    Punctuality,
    Resolution,
    Scorecard,
    ThirdPartyResult,
    Whistle,
    WhistleClock,
    WhistleLevel,
    evaluate,
    scorecards,
)
from jiceng.errors import (
    InvalidTransitionError,
    PermissionDeniedError,
    UnresolvedLeadError,
    ValidationError,
)
from jiceng.metrics import summarize
from jiceng.models import (
    Actor,
    Department,
    Duty,
    Level,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
)

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=SH)  # a Monday
H = timedelta(hours=1)

RENOVATION = ResponsibilityList(
    [
        Duty("老旧小区改造", "住建局"),
        Duty("老旧小区改造", "城管局", role=Role.SUPPORT),
        Duty("老旧小区改造", "街道办", role=Role.SUPPORT),
        Duty("占道经营", "城管局"),
        Duty("占道经营", "市场监管局"),
        Duty("违建", "城管局", grids={"G1"}),
        Duty("违建", "规自委"),
        Duty("违建", "住建局", role=Role.SUPPORT),
    ]
)
DIRECTORY = (
    Department("住建局"),
    Department("城管局", jurisdiction={"G1", "G2"}),
    Department("市场监管局"),
    Department("规自委"),
    Department("街道办", level=Level.STREET, jurisdiction={"G1", "G2"}),
    Department("和平街道", level=Level.STREET, jurisdiction={"G3"}),
    Department("环保局"),
    Department("区城管委"),
)


# --- lead resolution --------------------------------------------------------------------------


def test_issue_example_one_listed_lead() -> None:
    r = LeadResolver(RENOVATION).resolve("老旧小区改造", ["城管局", "住建局", "街道办"])
    assert r.lead == "住建局"
    assert r.cooperating == ("城管局", "街道办")
    assert r.rule is LeadRule.RESPONSIBILITY_LIST
    assert not r.contested
    assert len(r.rationale) == len(r.rationale_en) == 1
    assert "住建局" in r.rationale[0]
    assert r.category == "老旧小区改造"


def test_supporters_not_given_still_cooperate() -> None:
    r = LeadResolver(RENOVATION).resolve("老旧小区改造", ["住建局"])
    assert r.cooperating == ("城管局", "街道办")


def test_overlap_goes_to_territory_then_coordinator() -> None:
    resolver = LeadResolver(RENOVATION, directory=DIRECTORY, coordinator="区城管委")
    r = resolver.resolve("占道经营", ["市场监管局", "城管局"], grid="G1")
    assert (r.lead, r.rule, r.contested) == ("城管局", LeadRule.TERRITORY, True)
    assert r.cooperating == ("市场监管局",)
    assert "多头" in r.rationale[0]
    r = resolver.resolve("占道经营", ["市场监管局", "城管局"], grid="G9")
    assert (r.lead, r.rule, r.contested) == ("区城管委", LeadRule.COORDINATOR, True)
    assert r.cooperating == ("城管局", "市场监管局")
    assert len(r.rationale) == 3
    r = resolver.resolve("占道经营", ["市场监管局", "城管局"])
    assert r.rule is LeadRule.COORDINATOR
    assert "未给出网格" in r.rationale[1]


def test_territory_from_a_grid_specific_duty() -> None:
    # 违建: 城管局 leads in G1 only, 规自委 everywhere; no directory needed.
    r = LeadResolver(RENOVATION).resolve("违建", ["规自委", "城管局"], grid="G1")
    assert (r.lead, r.rule) == ("城管局", LeadRule.TERRITORY)
    assert r.cooperating == ("住建局", "规自委")
    r = LeadResolver(RENOVATION).resolve("违建", ["规自委", "城管局"], grid="G2")
    assert (r.lead, r.rule, r.contested) == ("规自委", LeadRule.RESPONSIBILITY_LIST, False)


def test_several_territory_holders_go_to_the_coordinator() -> None:
    both = (
        Department("城管局", jurisdiction={"G1"}),
        Department("市场监管局", jurisdiction={"G1"}),
    )
    resolver = LeadResolver(RENOVATION, directory=both, coordinator=None)
    with pytest.raises(UnresolvedLeadError) as info:
        resolver.resolve("占道经营", ["城管局", "市场监管局"], grid="G1")
    assert "同时" in info.value.rationale[1]
    assert info.value.rationale[-1] == "协调：未设协调部门"
    assert getattr(info.value, "rationale_en")[-1] == "coordinator: none set"  # noqa: B009
    assert isinstance(info.value, ValidationError)


def test_vacuum_first_receiver_then_street_then_coordinator() -> None:
    resolver = LeadResolver(RENOVATION, directory=DIRECTORY, coordinator="区城管委")
    r = resolver.resolve("噪音扰民", ["环保局", "街道办"], first_receiver="环保局")
    assert (r.lead, r.rule, r.contested) == ("环保局", LeadRule.FIRST_RECEIVER, False)
    assert r.cooperating == ("街道办",)
    r = resolver.resolve("噪音扰民", ["环保局", "街道办"])
    assert (r.lead, r.rule) == ("街道办", LeadRule.STREET)
    assert "真空" in r.rationale[0]
    r = resolver.resolve("噪音扰民", ["环保局", "规自委"])
    assert (r.lead, r.rule) == ("区城管委", LeadRule.COORDINATOR)
    assert r.cooperating == ("环保局", "规自委")


def test_several_streets_are_narrowed_by_the_grid() -> None:
    resolver = LeadResolver(RENOVATION, directory=DIRECTORY)
    r = resolver.resolve("噪音扰民", ["街道办", "和平街道"], grid="G3")
    assert (r.lead, r.rule) == ("和平街道", LeadRule.STREET)
    with pytest.raises(UnresolvedLeadError) as info:
        resolver.resolve("噪音扰民", ["街道办", "和平街道"])
    assert "多个街道" in info.value.rationale[2]


def test_no_street_without_levels_is_unresolved() -> None:
    with pytest.raises(UnresolvedLeadError, match="no rule") as info:
        LeadResolver(RENOVATION).resolve("噪音扰民", ["环保局", "街道办"])
    assert "没有已知的街道" in info.value.rationale[2]


def test_departments_given_as_objects_tell_their_level() -> None:
    r = LeadResolver(RENOVATION).resolve(
        "噪音扰民", [Department("街道办", level=Level.STREET), "环保局"]
    )
    assert (r.lead, r.rule) == ("街道办", LeadRule.STREET)


def test_a_task_as_matter_gives_category_and_grid() -> None:
    task = Task.report(category="占道经营", description="早市占道", at=T0, grid="G1", id="T1")
    resolver = LeadResolver(RENOVATION, directory=DIRECTORY)
    r = resolver.resolve(task, ["市场监管局", "城管局"])
    assert (r.lead, r.grid, r.category) == ("城管局", "G1", "占道经营")
    r = resolver.resolve(task, ["住建局", "城管局"], category="老旧小区改造", grid="G9")
    assert (r.lead, r.grid, r.category) == ("住建局", "G9", "老旧小区改造")


def test_order_of_departments_does_not_matter() -> None:
    resolver = LeadResolver(RENOVATION, directory=DIRECTORY, coordinator="区城管委")
    a = resolver.resolve("占道经营", ["城管局", "市场监管局", "环保局"], grid="G1")
    b = resolver.resolve("占道经营", ("环保局", "市场监管局", "城管局"), grid="G1")
    assert a == b


@pytest.mark.parametrize(
    ("departments", "match"),
    [
        ([], "at least one"),
        (["城管局", "城管局"], "duplicate"),
        (["城管局", ""], "non-empty"),
        ("城管局", "list of department"),
        (Department("城管局"), "list of department"),
        (42, "list of department"),
    ],
)
def test_bad_departments(departments: object, match: str) -> None:
    with pytest.raises(ValidationError, match=match) as info:
        LeadResolver(RENOVATION).resolve("老旧小区改造", departments)  # type: ignore[arg-type]
    assert info.value.field == "departments"


def test_several_department_problems_are_reported_together() -> None:
    with pytest.raises(ValidationError) as info:
        LeadResolver(RENOVATION).resolve("老旧小区改造", ["A", "A", 3])  # type: ignore[list-item]
    assert len(info.value.problems) == 2


def test_unknown_names_against_a_directory() -> None:
    resolver = LeadResolver(RENOVATION, directory=DIRECTORY, coordinator="不存在的委员会")
    with pytest.raises(ValidationError) as info:
        resolver.resolve("老旧小区改造", ["住建局", "神秘局"], first_receiver="无名办")
    assert len(info.value.problems) == 3
    assert any("神秘局" in p for p in info.value.problems)
    with pytest.raises(ValidationError, match="神秘局"):
        LeadResolver(RENOVATION, directory=DIRECTORY).resolve("老旧小区改造", ["神秘局"])


def test_bad_resolver_configuration() -> None:
    with pytest.raises(ValidationError, match="responsibilities"):
        LeadResolver({"a": "b"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="directory"):
        LeadResolver(RENOVATION, directory=[Department("A"), Department("A"), "B"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="directory"):
        LeadResolver(RENOVATION, directory=Department("A"))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="category"):
        LeadResolver(RENOVATION).resolve("", ["A"])
    assert LeadResolver(RENOVATION, coordinator=Department("区城管委")).coordinator == "区城管委"
    resolver = LeadResolver(RENOVATION, directory=DIRECTORY)
    assert resolver.department("城管局") == DIRECTORY[1]
    assert resolver.department("无") is None


def test_resolution_describe() -> None:
    resolver = LeadResolver(RENOVATION, coordinator="区城管委")
    r = resolver.resolve("占道经营", ["市场监管局", "城管局"])
    zh = r.describe()
    assert (
        zh.splitlines()[0] == "牵头：区城管委（协调指定）；配合：城管局、市场监管局；存在多头争议"
    )
    en = r.describe("en")
    assert en.splitlines()[0].startswith("lead: 区城管委 (coordinator)")
    assert en.endswith("coordinator: 区城管委 settles it and leads")
    single = Resolution(
        lead="A", cooperating=(), rule=LeadRule.STREET, rationale=("x",), contested=False
    )
    assert "配合：无" in single.describe()
    assert "cooperating: none" in single.describe("en")
    with pytest.raises(ValidationError, match="lang"):
        r.describe("fr")
    assert LeadRule.TERRITORY.label == "属地管辖"


# --- the whistle --------------------------------------------------------------------------------


def whistle(level: WhistleLevel = WhistleLevel.ROUTINE, /, **kw: object) -> Whistle:
    args: dict[str, object] = {
        "matter": "背街小巷堆物",
        "street": "和平街道",
        "departments": ["城管局", "环卫中心", "住建局"],
        "level": level,
        "blown_by": Actor.department("和平街道"),
        "at": T0,
    }
    args.update(kw)
    return Whistle(**args)  # type: ignore[arg-type]


def test_default_clocks_follow_nanjing_gulou() -> None:
    routine = whistle()
    assert routine.sign_due == T0 + H
    assert routine.report_due == datetime(2024, 5, 8, 17, 30, tzinfo=SH)  # 3 working days
    hard = whistle(WhistleLevel.HARD, blown_by=Actor.supervisor("街道书记"))
    assert hard.report_due == datetime(2024, 5, 10, 17, 30, tzinfo=SH)  # 5 working days
    emergency = whistle(WhistleLevel.EMERGENCY)
    assert emergency.sign_due == T0 + timedelta(minutes=30)
    assert emergency.report_due == T0 + 24 * H
    assert DEFAULT_CLOCKS[WhistleLevel.HARD].report == TimeLimit.working_days(5)
    assert [lv.label for lv in WhistleLevel] == ["工作推进哨", "攻坚克难哨", "应急哨"]


def test_clocks_and_calendar_can_be_replaced() -> None:
    fast = WhistleClock(sign=TimeLimit.minutes(10), report=TimeLimit.hours(2))
    w = whistle(WhistleLevel.EMERGENCY, clocks={WhistleLevel.EMERGENCY: fast})
    assert (w.sign_due, w.report_due) == (T0 + timedelta(minutes=10), T0 + 2 * H)
    assert w.clocks[WhistleLevel.ROUTINE] == DEFAULT_CLOCKS[WhistleLevel.ROUTINE]
    holiday = WorkCalendar(holidays=[datetime(2024, 5, 7).date()])
    w = whistle(calendar=holiday)
    assert w.report_due == datetime(2024, 5, 9, 17, 30, tzinfo=SH)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"clocks": {WhistleLevel.ROUTINE: "1h"}}, None),
        ({"clocks": {"routine": DEFAULT_CLOCKS[WhistleLevel.ROUTINE]}}, None),
        ({"clocks": [1]}, "clocks"),
        ({"calendar": "weekdays"}, "calendar"),
        ({"at": datetime(2024, 5, 6, 9)}, "at"),
        ({"at": "2024-05-06T09:00+08:00"}, "at"),
        ({"level": "routine"}, "level"),
        ({"blown_by": "和平街道"}, "blown_by"),
        ({"departments": []}, "departments"),
        ({"departments": ["和平街道", "城管局"]}, "departments"),
        ({"matter": " "}, "matter"),
        ({"street": ""}, "street"),
    ],
)
def test_bad_whistles(kw: dict[str, object], field: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        whistle(**kw)
    assert info.value.field == field


def test_bad_clock() -> None:
    with pytest.raises(ValidationError, match="sign"):
        WhistleClock(sign="1h", report=TimeLimit.hours(1))  # type: ignore[arg-type]


def test_who_may_blow() -> None:
    whistle(WhistleLevel.EMERGENCY)
    whistle(street=Department("和平街道", level=Level.STREET))
    for level in WhistleLevel:
        whistle(level, blown_by=Actor.supervisor("街道主任"))
    with pytest.raises(PermissionDeniedError, match="leader") as info:
        whistle(WhistleLevel.HARD)
    assert info.value.task == "背街小巷堆物"
    for actor in (
        Actor.department("城管局"),
        Actor.platform(),
        Actor.grid_worker("W1", grid="G1"),
        Actor.resident("R1"),
    ):
        with pytest.raises(PermissionDeniedError, match="street office"):
            whistle(blown_by=actor)


def test_sign_report_and_outcome_with_one_late_department() -> None:
    w = whistle()
    w.sign("城管局", at=T0 + timedelta(minutes=20))
    w.report("城管局", at=T0 + 3 * H, note="已到场")
    w.sign(Department("环卫中心"), at=T0 + timedelta(minutes=90))  # 30 min late
    w.report("环卫中心", at=T0 + 5 * H)
    w.sign("住建局", at=T0 + timedelta(minutes=50))
    assert w.attendance("住建局") is Attendance.SIGNED
    assert w.attendance("城管局") is Attendance.REPORTED
    mid = w.outcome(T0 + 6 * H)
    assert (mid.on_time, mid.late, mid.missing, mid.pending) == (
        ("城管局",),
        ("环卫中心",),
        (),
        ("住建局",),
    )
    assert mid.reporting_rate == pytest.approx(2 / 3)
    assert mid.on_time_rate == pytest.approx(1 / 3)
    late = next(d for d in mid.details if d.department == "环卫中心")
    assert late.result is Punctuality.LATE
    assert "超时 30 分钟" in late.reason
    assert "30 min late" in late.reason_en
    end = w.outcome(T0 + 10 * 24 * H)
    assert end.missing == ("住建局",)
    assert "未报到" in end.describe()
    assert "reporting rate 67%" in end.describe("en")
    with pytest.raises(ValidationError, match="lang"):
        end.describe("de")
    kinds = [e.kind for e in w.history]
    assert kinds == ["blown", "signed", "reported", "signed", "reported", "signed"]
    assert w.history[2].note == "已到场"


def test_outcome_ignores_steps_after_now_and_flags_unsigned() -> None:
    w = whistle()
    w.sign("城管局", at=T0 + 2 * H)
    early = w.outcome(T0 + timedelta(minutes=30))
    assert early.pending == ("住建局", "城管局", "环卫中心")
    assert early.reporting_rate == 0.0
    later = w.outcome(T0 + 3 * H)
    assert later.late == ("住建局", "城管局", "环卫中心")  # unsigned past 1 h, or signed late
    unsigned = next(d for d in later.details if d.department == "住建局")
    assert "未签收" in unsigned.reason
    assert "not signed" in unsigned.reason_en
    w.report("城管局", at=T0 + 4 * H)
    assert w.outcome(T0 + 5 * H).details[1].result is Punctuality.LATE


def test_report_after_the_clock_is_late() -> None:
    w = whistle(WhistleLevel.EMERGENCY)
    w.sign("城管局", at=T0 + timedelta(minutes=5))
    w.report("城管局", at=T0 + 30 * H)
    detail = w.outcome(T0 + 31 * H).details[1]
    assert detail.result is Punctuality.LATE
    assert "超时 6.0 小时" in detail.reason


def test_step_errors_change_nothing() -> None:
    w = whistle()
    with pytest.raises(ValidationError, match="not summoned"):
        w.sign("公安局", at=T0)
    with pytest.raises(ValidationError, match="at"):
        w.sign("城管局", at=datetime(2024, 5, 6, 10))
    with pytest.raises(ValidationError, match="earlier"):
        w.sign("城管局", at=T0 - H)
    with pytest.raises(InvalidTransitionError, match="report"):
        w.report("城管局", at=T0 + H)
    w.sign("城管局", at=T0 + H)
    with pytest.raises(InvalidTransitionError, match="sign"):
        w.sign("城管局", at=T0 + 2 * H)
    with pytest.raises(ValidationError, match="earlier"):
        w.report("城管局", at=T0)
    with pytest.raises(ValidationError, match="note"):
        w.report("城管局", at=T0 + 2 * H, note=None)  # type: ignore[arg-type]
    w.report("城管局", at=T0 + 2 * H)
    with pytest.raises(InvalidTransitionError):
        w.report("城管局", at=T0 + 3 * H)
    with pytest.raises(ValidationError, match="now"):
        w.outcome(datetime(2024, 5, 6, 10))
    with pytest.raises(ValidationError, match="earlier"):
        w.outcome(T0 - H)
    assert len(w.history) == 3


def test_two_way_rating() -> None:
    w = whistle()
    assert w.street_score is None
    w.rate_street("城管局", score=80, at=T0 + 4 * H)
    w.rate_street("住建局", score=90.5, at=T0 + 4 * H)
    w.rate_street("城管局", score=70, at=T0 + 5 * H)  # replaces the earlier score
    assert dict(w.ratings) == {"住建局": 90.5, "城管局": 70.0}
    assert w.street_score == pytest.approx(80.25)
    assert [e.score for e in w.history if e.kind == "rated"] == [80.0, 90.5, 70.0]
    for bad in (-1, 101, math.nan, True, "90"):
        with pytest.raises(ValidationError, match="score"):
            w.rate_street("城管局", score=bad, at=T0 + 6 * H)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="earlier"):
        w.rate_street("城管局", score=50, at=T0 - H)
    with pytest.raises(ValidationError, match="not summoned"):
        w.rate_street("和平街道", score=50, at=T0 + H)
    assert Attendance.PENDING.label == "待签收"
    assert Punctuality.MISSING.label == "未报到"


# --- evaluation ---------------------------------------------------------------------------------


def closed_task(
    department: str,
    *,
    contacted: bool = True,
    resolved: bool | None = True,
    satisfaction: Satisfaction | None = Satisfaction.SATISFIED,
    callback: bool = True,
    grid: str | None = "G1",
    n: list[int] = [0],  # noqa: B006 -- a counter for unique ids
) -> Task:
    n[0] += 1
    task = Task.report(category="环境卫生", description="垃圾", at=T0, grid=grid, id=f"E{n[0]}")
    system = Actor.system()
    task.register(at=T0, by=system)
    task.dispatch(to=department, at=T0, by=system)
    task.accept(at=T0 + H, by=Actor.department(department))
    task.resolve(at=T0 + 2 * H, by=Actor.department(department))
    task.close(at=T0 + 3 * H, by=system)
    if callback:
        task.record_callback(
            contacted=contacted,
            resolved=resolved if contacted else None,
            satisfaction=satisfaction if contacted else None,
            at=T0 + 4 * H,
            by=system,
        )
    return task


def test_evaluate_ranks_by_composite_and_explains() -> None:
    tasks = [
        closed_task("城管局"),
        closed_task("城管局", satisfaction=Satisfaction.BASICALLY_SATISFIED),
        closed_task("住建局", resolved=False, satisfaction=Satisfaction.DISSATISFIED),
        closed_task("住建局", contacted=False),
        closed_task("环保局", callback=False),
    ]
    cards = evaluate(tasks)
    assert [c.key for c in cards] == ["城管局", "住建局", "环保局"]
    assert [c.rank for c in cards] == [1, 2, None]
    top = cards[0]
    assert (top.valid_callbacks, top.contacted, top.resolved) == (2, 2, 2)
    assert (top.satisfied, top.basically_satisfied, top.dissatisfied) == (1, 1, 0)
    assert top.satisfaction_rate == pytest.approx(0.95)
    assert top.composite == pytest.approx(0.1 + 0.5 + 0.4 * 0.95)
    assert "满意率 = (1 + 0.9×1)/2 = 0.9500" in top.reason
    assert "综合 = 0.1×1.0000 + 0.5×1.0000 + 0.4×0.9500 = 0.9800" in top.reason
    assert "composite = 0.1×1.0000" in top.reason_en
    second = cards[1]
    assert second.response_rate == 0.5
    assert second.resolution_rate == 0.0
    assert second.composite == pytest.approx(0.05)
    last = cards[2]
    assert last.composite is None
    assert last.response_rate is None
    assert "无有效回访" in last.reason


def test_ties_go_by_key_and_none_last() -> None:
    tasks = [closed_task(d) for d in ("乙局", "甲局", "丙局")]
    assert [c.key for c in evaluate(tasks)] == sorted(["乙局", "甲局", "丙局"])
    by_grid = evaluate([closed_task("甲局", grid=None), closed_task("甲局", grid="G2")], by="grid")
    assert [c.key for c in by_grid] == ["G2", None]
    assert [c.key for c in evaluate(tasks, by="category")] == ["环境卫生"]


def test_custom_weights_change_the_composite() -> None:
    tasks = [closed_task("甲局", resolved=False)]
    weights = EvaluationWeights(
        response=0.5, resolution=0.0, satisfaction=0.5, basically_satisfied=1
    )
    assert evaluate(tasks, weights=weights)[0].composite == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kw", "count"),
    [
        ({"response": 0.5}, 1),
        ({"response": -0.1, "resolution": 0.6}, 1),
        ({"response": "0.1"}, 1),
        ({"response": math.nan}, 1),
        ({"basically_satisfied": 1.2}, 1),
        ({"response": True, "basically_satisfied": -1}, 2),
    ],
)
def test_bad_weights(kw: dict[str, object], count: int) -> None:
    with pytest.raises(ValidationError) as info:
        EvaluationWeights(**kw)  # type: ignore[arg-type]
    assert len(info.value.problems) == count


def test_weights_sum_tolerance() -> None:
    EvaluationWeights(response=0.1 + 1e-10, resolution=0.5, satisfaction=0.4)
    assert EvaluationWeights().composite(1.0, 1.0, 1.0) == pytest.approx(1.0)


def test_third_party_replaces_or_blends() -> None:
    tasks = [closed_task("甲局"), closed_task("乙局")]
    survey = ThirdPartyResult(
        response_rate=0.8, resolution_rate=0.6, satisfaction_rate=0.5, sample=200
    )
    blended = ThirdPartyResult(
        response_rate=0.8,
        resolution_rate=0.6,
        satisfaction_rate=0.5,
        weight=0.5,
        source="某调查公司",
    )
    cards = {c.key: c for c in evaluate(tasks, third_party={"甲局": survey, "丙局": blended})}
    assert cards["甲局"].composite == pytest.approx(0.1 * 0.8 + 0.5 * 0.6 + 0.4 * 0.5)
    assert "替代回访" in cards["甲局"].reason
    assert "样本 200" in cards["甲局"].reason
    assert cards["甲局"].third_party == survey
    # a group only the third party knows takes its rates whole
    assert cards["丙局"].composite == pytest.approx(0.1 * 0.8 + 0.5 * 0.6 + 0.4 * 0.5)
    assert cards["丙局"].valid_callbacks == 0
    half = evaluate(tasks, third_party={"乙局": blended})
    b = next(c for c in half if c.key == "乙局")
    assert b.response_rate == pytest.approx(0.9)
    assert b.satisfaction_rate == pytest.approx(0.75)
    assert "某调查公司（权重 0.5）" in b.reason
    assert "response = 0.5×1.0000 + 0.5×0.8000 = 0.9000" in b.reason_en


@pytest.mark.parametrize(
    "kw",
    [
        {"response_rate": 1.2},
        {"weight": -0.5},
        {"sample": -3},
        {"sample": 2.5},
        {"source": 7},
    ],
)
def test_bad_third_party(kw: dict[str, object]) -> None:
    args: dict[str, object] = {"response_rate": 1, "resolution_rate": 1, "satisfaction_rate": 1}
    args.update(kw)
    with pytest.raises(ValidationError):
        ThirdPartyResult(**args)  # type: ignore[arg-type]


def test_evaluate_validates_its_arguments() -> None:
    with pytest.raises(ValidationError, match="by") as info:
        evaluate([], by="street")
    assert info.value.value == "street"
    with pytest.raises(ValidationError, match="weights"):
        evaluate([], weights={"response": 1})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="third_party"):
        evaluate([], third_party=[1])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="third_party"):
        evaluate([], third_party={"甲局": 0.9})  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="metrics"):
        scorecards([])  # type: ignore[arg-type]


def test_scorecards_from_summarize_recompute_satisfaction() -> None:
    tasks = [closed_task("甲局", satisfaction=Satisfaction.BASICALLY_SATISFIED)]
    groups = summarize(tasks, now=T0 + 9 * H, by="department", basically_satisfied=0.5)
    (card,) = scorecards(groups)
    assert isinstance(card, Scorecard)
    assert card.satisfaction_rate == pytest.approx(0.9)
    assert scorecards({}, third_party=None) == []
    assert evaluate(iter(tasks))[0].key == "甲局"
    assert evaluate(tasks, by="department")[0].weights == EvaluationWeights()


def test_utc_and_local_times_compare_as_instants() -> None:
    w = whistle()
    w.sign("城管局", at=(T0 + timedelta(minutes=59)).astimezone(timezone.utc))
    assert "按时签收" in w.outcome(T0 + 2 * H).details[1].reason
