"""Contract and acceptance audit of jiceng.dispatch, jiceng.metrics and jiceng.coordination.

Each test pins one DESIGN.md §4–§6 contract point (name, module, signature, meaning) or one
acceptance line of issues 3 and 4, plus regressions for the bugs the audit found.
"""

from __future__ import annotations

import inspect
import itertools
import re
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from attrs import frozen

from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.coordination import (
    DEFAULT_CLOCKS,
    EvaluationWeights,
    LeadResolver,
    LeadRule,
    Resolution,
    Scorecard,
    Whistle,
    WhistleClock,
    WhistleLevel,
    WhistleOutcome,
    evaluate,
)
from jiceng.dispatch import (
    EXAMPLE_DEADLINES,
    SEED_FALLBACK,
    SEED_TABLE,
    CategoryPolicy,
    Chain,
    DeadlineTable,
    Decision,
    DispatchContext,
    Dispatcher,
    DispatchPolicy,
    KeywordPolicy,
    LeastLoadedPolicy,
    RoundRobinPolicy,
    TaskView,
    TerritoryPolicy,
    TextClassifierPolicy,
    create_policy,
    load_entry_point_policies,
    policy_names,
    register_policy,
)
from jiceng.errors import (
    InvalidDecisionError,
    InvalidTransitionError,
    PermissionDeniedError,
    UnknownPolicyError,
    UnresolvedLeadError,
    ValidationError,
)
from jiceng.metrics import Metrics, TimeSummary, summarize
from jiceng.models import (
    Actor,
    Channel,
    Department,
    Duty,
    Level,
    Priority,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
    TaskStatus,
    UrgeLevel,
)

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=CST)  # a Monday
HOUR = timedelta(hours=1)
P = inspect.Parameter


# -- helpers ---------------------------------------------------------------------------------------


def params(obj: Callable[..., object]) -> list[tuple[str, object, object]]:
    """(name, kind, default) for each parameter of ``obj``'s signature."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(obj).parameters.values()]


def context(
    *departments: Department,
    loads: Mapping[str, int] | None = None,
    excluded: frozenset[str] = frozenset(),
) -> DispatchContext:
    return DispatchContext(
        departments={d.name: d for d in departments},
        loads=dict(loads or {}),
        now=T0,
        excluded=excluded,
    )


def depts(*names: str) -> tuple[Department, ...]:
    return tuple(Department(n) for n in names)


def report(category: str, description: str = "", grid: str | None = None) -> Task:
    return Task.report(category=category, description=description, at=T0, grid=grid)


class Fixed:
    """A policy that always gives the same answer."""

    def __init__(self, answer: Decision | None) -> None:
        self.answer = answer

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        return self.answer


@frozen
class View:
    """A light task record, as the simulation passes to policies."""

    id: str
    category: str
    description: str
    location: str
    grid: str | None
    priority: Priority
    channel: Channel


# -- §4 signatures and protocols --------------------------------------------------------------------


def test_dispatch_context_signature_is_keyword_only() -> None:
    got = params(DispatchContext)
    empty = P.empty
    assert got == [
        ("departments", P.KEYWORD_ONLY, empty),
        ("loads", P.KEYWORD_ONLY, empty),
        ("responsibilities", P.KEYWORD_ONLY, None),
        ("grids", P.KEYWORD_ONLY, None),
        ("now", P.KEYWORD_ONLY, empty),
        ("excluded", P.KEYWORD_ONLY, frozenset()),
    ]


def test_decision_fields_and_defaults() -> None:
    d = Decision(department="城管局", reason="r", policy="p")
    assert (d.department, d.cooperating, d.reason, d.policy, d.confidence) == (
        "城管局",
        (),
        "r",
        "p",
        None,
    )
    names = {name for name, _, _ in params(Decision)}
    assert {"department", "cooperating", "reason", "policy", "confidence"} <= names
    assert all(kind is P.KEYWORD_ONLY for _, kind, _ in params(Decision))
    with pytest.raises(AttributeError):
        d.department = "x"  # type: ignore[misc]  # frozen


def test_builtin_signatures_take_their_table_positionally() -> None:
    empty = P.empty
    assert params(CategoryPolicy) == [
        ("table", P.POSITIONAL_OR_KEYWORD, empty),
        ("fallback", P.KEYWORD_ONLY, None),
    ]
    assert params(KeywordPolicy) == [
        ("rules", P.POSITIONAL_OR_KEYWORD, empty),
        ("fallback", P.KEYWORD_ONLY, None),
    ]
    assert params(TerritoryPolicy) == [
        ("owners", P.KEYWORD_ONLY, empty),
        ("territory", P.KEYWORD_ONLY, empty),
        ("components", P.KEYWORD_ONLY, frozenset()),
    ]
    assert params(LeastLoadedPolicy) == [("candidates", P.POSITIONAL_OR_KEYWORD, empty)]
    assert params(RoundRobinPolicy) == [("candidates", P.POSITIONAL_OR_KEYWORD, empty)]
    assert params(TextClassifierPolicy) == [
        ("ngram", P.KEYWORD_ONLY, (1, 3)),
        ("alpha", P.KEYWORD_ONLY, 0.5),
        ("threshold", P.KEYWORD_ONLY, 0.0),
    ]
    assert [kind for _, kind, _ in params(Chain)] == [P.VAR_POSITIONAL]


def test_dispatcher_and_coordination_signatures() -> None:
    got = params(Dispatcher)
    assert got[:2] == [
        ("departments", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("policy", P.POSITIONAL_OR_KEYWORD, P.empty),
    ]
    rest = {name: (kind, default) for name, kind, default in got[2:]}
    assert all(kind is P.KEYWORD_ONLY for kind, _ in rest.values())
    for name, default in (
        ("deadlines", None),
        ("calendar", None),
        ("coordinator", None),
        ("id_prefix", "T"),
    ):
        assert rest[name] == (P.KEYWORD_ONLY, default)
    assert params(LeadResolver) == [
        ("responsibilities", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("directory", P.KEYWORD_ONLY, ()),
        ("coordinator", P.KEYWORD_ONLY, None),
    ]
    assert params(LeadResolver.resolve)[1:] == [
        ("matter", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("departments", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("category", P.KEYWORD_ONLY, None),
        ("grid", P.KEYWORD_ONLY, None),
        ("first_receiver", P.KEYWORD_ONLY, None),
    ]
    whistle = {name: (kind, default) for name, kind, default in params(Whistle)}
    assert set(whistle) == {
        "matter",
        "street",
        "departments",
        "level",
        "blown_by",
        "at",
        "calendar",
        "clocks",
    }
    assert all(kind is P.KEYWORD_ONLY for kind, _ in whistle.values())
    assert whistle["calendar"][1] is None
    assert whistle["clocks"][1] is None
    ev = params(evaluate)
    assert ev[0][:2] == ("tasks", P.POSITIONAL_OR_KEYWORD)
    assert [(n, k) for n, k, _ in ev[1:]] == [
        ("by", P.KEYWORD_ONLY),
        ("weights", P.KEYWORD_ONLY),
        ("third_party", P.KEYWORD_ONLY),
    ]
    assert ev[1][2] == "department"
    assert ev[2][2] == EvaluationWeights()
    assert ev[3][2] is None
    assert params(EvaluationWeights) == [
        ("response", P.KEYWORD_ONLY, 0.1),
        ("resolution", P.KEYWORD_ONLY, 0.5),
        ("satisfaction", P.KEYWORD_ONLY, 0.4),
        ("basically_satisfied", P.KEYWORD_ONLY, 0.9),
    ]
    sm = params(summarize)
    assert sm[0][:2] == ("tasks", P.POSITIONAL_OR_KEYWORD)
    assert ("now", P.KEYWORD_ONLY, P.empty) in sm
    assert ("by", P.KEYWORD_ONLY, None) in sm
    assert [n for n, _, _ in params(TimeSummary)] == ["count", "mean", "median", "p90", "max"]


def test_task_view_and_policy_protocols() -> None:
    task = report("环境卫生", "垃圾")
    view = View("v1", "环境卫生", "垃圾", "", None, Priority.NORMAL, Channel.APP)
    assert isinstance(task, TaskView)
    assert isinstance(view, TaskView)
    policies: list[object] = [
        CategoryPolicy({"环境卫生": "城管局"}),
        KeywordPolicy([("垃圾", "城管局")]),
        TerritoryPolicy(owners={}, territory={}),
        LeastLoadedPolicy({"环境卫生": ["城管局"]}),
        RoundRobinPolicy({"环境卫生": ["城管局"]}),
        TextClassifierPolicy(),
        Chain(CategoryPolicy({})),
        Fixed(None),
    ]
    assert all(isinstance(p, DispatchPolicy) for p in policies)
    # A policy decides on the light view exactly as on the task.
    ctx = context(*depts("城管局"))
    policy = CategoryPolicy({"环境卫生": "城管局"})
    assert policy.decide(view, ctx) == policy.decide(task, ctx)
    assert policy.cache_key(task) == ("环境卫生", None)


# -- §4 built-in policies ----------------------------------------------------------------------


def test_category_policy_seed_table_verbatim() -> None:
    assert dict(SEED_TABLE) == {
        "环境卫生": "城管局",
        "邻里纠纷": "司法所",
        "安全隐患": "应急管理局",
        "证件办理": "便民服务中心",
    }
    assert SEED_FALLBACK == "综合协调"
    ctx = context(*depts(*SEED_TABLE.values(), SEED_FALLBACK))
    policy = CategoryPolicy(SEED_TABLE, fallback=SEED_FALLBACK)
    for category, department in SEED_TABLE.items():
        decision = policy.decide(report(category), ctx)
        assert decision is not None
        assert decision.department == department
        assert decision.policy == "category"
        assert category in decision.reason
    other = policy.decide(report("噪音投诉"), ctx)
    assert other is not None
    assert other.department == "综合协调"


def test_category_policy_unknown_or_excluded_goes_to_fallback_else_none() -> None:
    ctx = context(*depts("城管局", "综合协调"))
    with_fallback = CategoryPolicy({"环境卫生": "城管局"}, fallback="综合协调")
    without = CategoryPolicy({"环境卫生": "城管局"})
    excluded = ctx.with_excluded({"城管局"})
    for policy, expected in ((with_fallback, "综合协调"), (without, None)):
        for task, ctx_ in ((report("其他"), ctx), (report("环境卫生"), excluded)):
            decision = policy.decide(task, ctx_)
            assert (decision.department if decision else None) == expected
    # The fallback itself is never chosen when excluded.
    assert with_fallback.decide(report("其他"), ctx.with_excluded({"综合协调"})) is None


def test_category_policy_with_responsibility_list_supporters_cooperate() -> None:
    rl = ResponsibilityList(
        [
            Duty("老旧小区改造", "住建局"),
            Duty("老旧小区改造", "城管局", role=Role.SUPPORT),
            Duty("老旧小区改造", "街道办", role=Role.SUPPORT),
        ]
    )
    ctx = context(*depts("住建局", "城管局", "街道办", "综合协调"))
    policy = CategoryPolicy(rl, fallback="综合协调")
    decision = policy.decide(report("老旧小区改造"), ctx)
    assert decision is not None
    assert decision.department == "住建局"
    assert decision.cooperating == ("城管局", "街道办")
    fallback = policy.decide(report("老旧小区改造"), ctx.with_excluded({"住建局"}))
    assert fallback is not None
    assert fallback.department == "综合协调"
    unknown = policy.decide(report("别的"), ctx)
    assert unknown is not None
    assert unknown.department == "综合协调"
    assert CategoryPolicy(rl).decide(report("别的"), ctx) is None


def test_category_policy_never_picks_a_lead_that_does_not_serve_the_grid() -> None:
    ctx = context(Department("城管局", jurisdiction={"G1"}), Department("综合协调"))
    policy = CategoryPolicy({"环境卫生": "城管局"}, fallback="综合协调")
    for _ in range(3):  # warm any memo first
        in_grid = policy.decide(report("环境卫生", grid="G1"), ctx)
        assert in_grid is not None
        assert in_grid.department == "城管局"
        outside = policy.decide(report("环境卫生", grid="G2"), ctx)
        assert outside is not None
        assert outside.department == "综合协调"


def test_keyword_policy_ordered_rules_over_category_and_description() -> None:
    ctx = context(*depts("城管局", "物业", "司法所", "综合协调"))
    policy = KeywordPolicy(
        [("垃圾", "城管局"), ("小区", "物业"), (re.compile(r"纠纷 吵"), "司法所")],
        fallback="综合协调",
    )
    # The first rule in order wins, not the first keyword in the text.
    first = policy.decide(report("其他", "小区垃圾"), ctx)
    assert first is not None
    assert first.department == "城管局"
    assert first.policy == "keyword"
    # The category is part of the text, joined to the description by one space.
    joined = policy.decide(report("邻里纠纷", "吵架"), ctx)
    assert joined is not None
    assert joined.department == "司法所"
    in_category = policy.decide(report("小区环境", "无"), ctx)
    assert in_category is not None
    assert in_category.department == "物业"
    # An excluded rule's department is skipped for the next matching rule.
    skipped = policy.decide(report("其他", "小区垃圾"), ctx.with_excluded({"城管局"}))
    assert skipped is not None
    assert skipped.department == "物业"
    nothing = policy.decide(report("其他", "无关"), ctx)
    assert nothing is not None
    assert nothing.department == "综合协调"
    assert KeywordPolicy([("垃圾", "城管局")]).decide(report("其他", "无关"), ctx) is None


def test_territory_policy_components_events_and_territorial_fallback() -> None:
    ctx = context(*depts("水务局", "东街道", "城管局"))
    policy = TerritoryPolicy(
        owners={"井盖": "水务局", "占道经营": "城管局"},
        territory={"G1": "东街道"},
        components={"井盖"},
    )

    def who(category: str, grid: str | None, c: DispatchContext = ctx) -> str | None:
        decision = policy.decide(report(category, grid=grid), c)
        assert decision is None or decision.policy == "territory"
        return decision.department if decision else None

    assert who("井盖", "G1") == "水务局"  # 部件: the owner first
    assert who("占道经营", "G1") == "东街道"  # 事件: the territory first
    assert who("占道经营", "G9") == "城管局"  # 事件 with no territory: the owner
    assert who("无主事件", "G1") == "东街道"  # no owner: 属地兜底
    assert who("井盖", "G1", ctx.with_excluded({"水务局"})) == "东街道"  # owner out: 属地兜底
    assert who("无主事件", None) is None


def test_least_loaded_policy_uses_load_per_handler_and_ties_by_name() -> None:
    ctx = context(
        Department("甲队", handlers=4),
        Department("乙队", handlers=1),
        Department("丙队", handlers=2),
        loads={"甲队": 4, "乙队": 2, "丙队": 2},
    )
    policy = LeastLoadedPolicy({"环境卫生": ["乙队", "甲队", "丙队"]})
    decision = policy.decide(report("环境卫生"), ctx)
    assert decision is not None
    assert decision.department == "丙队"  # 1.0 per handler ties 甲队; "丙" < "甲" by name
    assert decision.policy == "least_loaded"
    assert min("丙队", "甲队") == "丙队"
    tie = context(*depts("B", "A", "C"))
    for order in itertools.permutations(["B", "A", "C"]):
        picked = LeastLoadedPolicy({"x": list(order)}).decide(report("x"), tie)
        assert picked is not None
        assert picked.department == "A"
    excluded = LeastLoadedPolicy({"x": ["A", "B"]}).decide(report("x"), tie.with_excluded({"A"}))
    assert excluded is not None
    assert excluded.department == "B"
    assert LeastLoadedPolicy({"x": ["A"]}).decide(report("y"), tie) is None
    rl = ResponsibilityList([Duty("x", "B"), Duty("x", "C")])
    from_list = LeastLoadedPolicy(rl).decide(report("x"), tie)
    assert from_list is not None
    assert from_list.department == "B"


def test_round_robin_cycles_per_category() -> None:
    ctx = context(*depts("A", "B", "C"))
    policy = RoundRobinPolicy({"x": ["A", "B", "C"], "y": ["A", "B"]})
    got = []
    for category in ("x", "y", "x", "x", "y", "x", "y"):
        decision = policy.decide(report(category), ctx)
        assert decision is not None
        assert decision.policy == "round_robin"
        got.append(decision.department)
    assert got == ["A", "A", "B", "C", "B", "A", "A"]


CLASSIFIER_EXAMPLES = [
    ("环境卫生 小区垃圾堆积", "城管局"),
    ("环境卫生 道路垃圾未清扫", "城管局"),
    ("邻里纠纷 楼上噪音扰民", "司法所"),
    ("邻里纠纷 宠物扰邻吵架", "司法所"),
    ("Noise - Residential Loud Music/Party", "NYPD"),
    ("Street Condition Pothole", "DOT"),
]


def test_text_classifier_probabilities_and_unknown_ngrams() -> None:
    clf = TextClassifierPolicy()
    assert clf.fit(CLASSIFIER_EXAMPLES) is clf
    for text in ("垃圾没人清", "loud music", "", "完全无关的文字"):
        proba = clf.predict_proba(text)
        assert set(proba) == {"城管局", "司法所", "NYPD", "DOT"}
        assert sum(proba.values()) == pytest.approx(1.0, abs=1e-12)
        assert all(0.0 <= p <= 1.0 for p in proba.values())
    assert max(clf.predict_proba("垃圾没人清").items(), key=lambda kv: kv[1])[0] == "城管局"
    assert max(clf.predict_proba("LOUD   music party").items(), key=lambda kv: kv[1])[0] == "NYPD"
    # N-grams never seen in training are ignored altogether.
    plain = clf.predict_proba("垃圾")
    noisy = clf.predict_proba("垃圾жжж")
    assert noisy == pytest.approx(plain, abs=1e-12)
    with pytest.raises(ValidationError):
        TextClassifierPolicy().predict_proba("x")


def test_text_classifier_decide_threshold_and_eligibility() -> None:
    clf = TextClassifierPolicy().fit(CLASSIFIER_EXAMPLES)
    ctx = context(*depts("城管局", "司法所", "NYPD", "DOT"))
    task = report("环境卫生", "小区垃圾")
    decision = clf.decide(task, ctx)
    assert decision is not None
    assert decision.department == "城管局"
    assert decision.policy == "text_classifier"
    # decide classifies f"{category} {description}".
    expected = clf.predict_proba("环境卫生 小区垃圾")["城管局"]
    assert decision.confidence == pytest.approx(expected, rel=1e-9)
    # Only eligible departments compete.
    other = clf.decide(task, ctx.with_excluded({"城管局"}))
    assert other is not None
    assert other.department != "城管局"
    # Below the threshold it returns None, for human triage.
    strict = TextClassifierPolicy(threshold=0.999).fit(CLASSIFIER_EXAMPLES)
    assert strict.decide(report("其他", "完全无关"), ctx) is None


def test_text_classifier_threshold_change_is_not_hidden_by_the_memo() -> None:
    """Regression: a memoised decision must not outlive a change of ``threshold``."""
    clf = TextClassifierPolicy().fit(CLASSIFIER_EXAMPLES)
    ctx = context(*depts("城管局", "司法所", "NYPD", "DOT"))
    task = report("其他", "完全无关")
    assert clf.decide(task, ctx) is not None
    clf.threshold = 0.999
    assert clf.decide(task, ctx) is None
    clf.threshold = 0.0
    assert clf.decide(task, ctx) is not None


def test_chain_first_non_none_wins_unchanged() -> None:
    ctx = context(*depts("城管局", "应急管理局"))
    first = Decision(department="应急管理局", reason="r1", policy="one")
    chain = Chain(
        Fixed(None), Fixed(first), Fixed(Decision(department="城管局", reason="r2", policy="two"))
    )
    assert chain.decide(report("x"), ctx) is first
    assert Chain(Fixed(None), Fixed(None)).decide(report("x"), ctx) is None


# -- §4 the registry -----------------------------------------------------------------------------


def test_registry_builtins_duplicates_and_unknown_names() -> None:
    builtins = {"category", "keyword", "territory", "least_loaded", "round_robin"}
    builtins |= {"text_classifier", "chain"}
    assert builtins <= set(policy_names())
    assert isinstance(create_policy("category", table={"环境卫生": "城管局"}), CategoryPolicy)
    assert isinstance(create_policy("text_classifier", threshold=0.5), TextClassifierPolicy)
    with pytest.raises(ValidationError):
        register_policy("category")(CategoryPolicy)

    @register_policy("contract_audit_never")
    class Never:
        def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
            return None

    assert isinstance(create_policy("contract_audit_never"), Never)
    with pytest.raises(ValidationError):
        register_policy("contract_audit_never")(Never)
    with pytest.raises(UnknownPolicyError) as caught:
        create_policy("no_such_policy")
    assert isinstance(caught.value, LookupError)
    for name in ("category", "chain", "contract_audit_never"):
        assert name in str(caught.value)
    assert isinstance(load_entry_point_policies(), tuple)


# -- §4 the Dispatcher ----------------------------------------------------------------------------


def seed_desk(**options: object) -> Dispatcher:
    return Dispatcher.from_table(SEED_TABLE, fallback=SEED_FALLBACK, **options)


def test_dispatcher_seed_call_and_sequential_ids() -> None:
    desk = seed_desk()
    task = desk.receive_report("环境卫生", "小区垃圾堆积未清理", "幸福小区3号楼", at=T0)
    assert task.id == "T000001"
    assert task.status is TaskStatus.DISPATCHED
    assert task.department == "城管局"
    assert "环境卫生" in task.history[-1].note
    assert desk.receive_report("噪音", "夜间施工", "5号楼", at=T0).id == "T000002"
    assert (
        Dispatcher(depts("A"), Fixed(None), id_prefix="W", coordinator="A")
        .receive_report("x", "y", "z", at=T0)
        .id
        == "W000001"
    )


def test_dispatcher_constructor_takes_departments_and_policy_by_keyword_too() -> None:
    desk = Dispatcher(departments=depts("A"), policy=Fixed(None), coordinator="A")
    assert desk.receive_report("x", "y", "z", at=T0).department == "A"


def test_submit_reported_and_registered_tasks() -> None:
    desk = seed_desk()
    reported = report("环境卫生")
    decision = desk.submit(reported, at=T0)
    assert decision is not None
    assert reported.status is TaskStatus.DISPATCHED
    registered = report("邻里纠纷")
    registered.register(at=T0, by=Actor.platform())
    assert desk.submit(registered, at=T0) is not None
    assert registered.department == "司法所"
    with pytest.raises(InvalidTransitionError):
        desk.submit(registered, at=T0)


def test_submit_excludes_every_department_that_ever_returned_the_task() -> None:
    desk = Dispatcher(
        depts("A", "B", "C"),
        LeastLoadedPolicy({"x": ["A", "B"]}),
        coordinator="C",
    )
    task = report("x")
    desk.submit(task, at=T0)
    assert task.department == "A"
    task.send_back(at=T0 + HOUR, by=Actor.department("A"), reason="不归我管")
    desk.submit(task, at=T0 + HOUR)
    assert task.department == "B"
    task.send_back(at=T0 + 2 * HOUR, by=Actor.department("B"), reason="也不归我管")
    desk.submit(task, at=T0 + 2 * HOUR)
    assert task.department == "C"  # none left: the coordinator
    assert desk.loads["A"] == desk.loads["B"] == 0
    assert desk.loads["C"] == 1


@pytest.mark.parametrize(
    ("department", "grid"),
    [("未知局", None), ("A", None), ("B", "G9")],
)
def test_invalid_decision_names_the_policy_and_changes_nothing(
    department: str, grid: str | None
) -> None:
    bad = Decision(department=department, reason="r", policy="my_policy")
    desk = Dispatcher(
        [Department("A"), Department("B", jurisdiction={"G1"})],
        Fixed(bad),
        coordinator="A",
    )
    task = report("x", grid=grid)
    if department == "A":  # make A a returner
        task.register(at=T0, by=Actor.platform())
        task.dispatch(to="A", at=T0, by=Actor.platform())
        task.send_back(at=T0, by=Actor.department("A"), reason="退")
    before = (task.status, task.history, task.department)
    with pytest.raises(InvalidDecisionError) as caught:
        desk.submit(task, at=T0)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.policy == "my_policy"
    assert "my_policy" in str(caught.value)
    assert (task.status, task.history, task.department) == before
    assert dict(desk.loads) == {"A": 0, "B": 0}
    assert desk.tasks == ()
    assert desk.triage == ()
    if department != "A":
        with pytest.raises(InvalidDecisionError):
            desk.receive_report("x", "y", "z", at=T0, grid=grid)
    desk.policy = Fixed(None)
    assert desk.receive_report("x", "y", "z", at=T0).id == "T000001"  # no id was used up


def test_cooperating_department_outside_the_grid_is_an_invalid_decision() -> None:
    """Regression: a decision's cooperating departments must serve the task's grid too."""
    bad = Decision(department="A", cooperating=("B",), reason="r", policy="mine")
    desk = Dispatcher([Department("A"), Department("B", jurisdiction={"G1"})], Fixed(bad))
    task = report("x", grid="G2")
    with pytest.raises(InvalidDecisionError) as caught:
        desk.submit(task, at=T0)
    assert caught.value.policy == "mine"
    assert task.status is TaskStatus.REPORTED
    ok = report("x", grid="G1")
    assert desk.submit(ok, at=T0) == bad
    assert ok.cooperating == ("B",)


def test_no_decision_goes_to_coordinator_else_triage() -> None:
    with_coordinator = Dispatcher(depts("A", "综合协调"), Fixed(None), coordinator="综合协调")
    task = with_coordinator.receive_report("x", "y", "z", at=T0)
    assert task.department == "综合协调"
    assert task.status is TaskStatus.DISPATCHED
    desk = Dispatcher(depts("A"), Fixed(None))
    waiting = report("x")
    assert desk.submit(waiting, at=T0) is None
    assert waiting.status is TaskStatus.REGISTERED
    assert desk.triage == (waiting,)


def test_deadlines_per_category_and_priority() -> None:
    table: DeadlineTable = {
        "x": (TimeLimit.hours(1), TimeLimit.hours(10)),
        ("x", Priority.URGENT): (TimeLimit.minutes(30), TimeLimit.hours(2)),
    }
    desk = Dispatcher(depts("A"), Fixed(None), coordinator="A", deadlines=table)
    normal = desk.receive_report("x", "d", "l", at=T0)
    urgent = desk.receive_report("x", "d", "l", at=T0, priority=Priority.URGENT)
    other = desk.receive_report("y", "d", "l", at=T0)
    assert (normal.response_due, normal.resolve_due) == (T0 + HOUR, T0 + 10 * HOUR)
    assert (urgent.response_due, urgent.resolve_due) == (T0 + HOUR / 2, T0 + 2 * HOUR)
    assert (other.response_due, other.resolve_due) == (None, None)


def test_example_deadline_table_matches_the_issue() -> None:
    assert EXAMPLE_DEADLINES["暴露垃圾"][1] == TimeLimit.working_hours(4)
    assert EXAMPLE_DEADLINES["道路清扫保洁"][1] == TimeLimit.working_hours(2)
    assert EXAMPLE_DEADLINES["绿地养护"][1] == TimeLimit.working_days(5)
    assert EXAMPLE_DEADLINES["*"][1] == TimeLimit.days(7)
    assert EXAMPLE_DEADLINES["水电气热"][1] == TimeLimit.hours(24)
    assert EXAMPLE_DEADLINES[("*", Priority.EMERGENCY)][1] == TimeLimit.hours(2)


def test_working_time_deadlines_do_not_depend_on_the_reports_time_zone() -> None:
    calendar = WorkCalendar()
    desk = Dispatcher(
        depts("A"), Fixed(None), coordinator="A", deadlines=EXAMPLE_DEADLINES, calendar=calendar
    )
    friday = datetime(2024, 11, 15, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    local = desk.receive_report("暴露垃圾", "d", "l", at=friday)
    in_utc = desk.receive_report("暴露垃圾", "d", "l", at=friday.astimezone(timezone.utc))
    in_ny = desk.receive_report(
        "暴露垃圾", "d", "l", at=friday.astimezone(ZoneInfo("America/New_York"))
    )
    expected = TimeLimit.working_hours(4).due(friday, calendar)
    assert expected == datetime(2024, 11, 18, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    for task in (local, in_utc, in_ny):
        assert task.resolve_due == expected
        assert task.resolve_due is not None
        assert task.resolve_due.utcoffset() == timedelta(hours=8)


def test_calendar_day_deadlines_are_elapsed_time_across_dst() -> None:
    new_york = ZoneInfo("America/New_York")
    desk = Dispatcher(
        depts("A"),
        Fixed(None),
        coordinator="A",
        deadlines={"*": (TimeLimit.hours(24), TimeLimit.hours(24))},
    )
    before_dst = datetime(2024, 3, 9, 12, 0, tzinfo=new_york)  # DST starts 2024-03-10 02:00
    task = desk.receive_report("x", "d", "l", at=before_dst)
    assert task.resolve_due is not None
    elapsed = task.resolve_due.astimezone(timezone.utc) - before_dst.astimezone(timezone.utc)
    assert elapsed == timedelta(hours=24)
    late = before_dst + timedelta(hours=23, minutes=30)  # wall clock: 23.5 h, elapsed 22.5 h
    assert desk.overdue(late) == ()


def test_overdue_and_supervise_one_level_per_call() -> None:
    desk = Dispatcher(
        depts("A"),
        Fixed(None),
        coordinator="A",
        deadlines={"*": (TimeLimit.hours(1), TimeLimit.hours(2))},
        escalation=(timedelta(0), HOUR, 2 * HOUR),
    )
    task = desk.receive_report("x", "d", "l", at=T0)
    assert desk.overdue(T0 + HOUR / 2) == ()
    now = T0 + 5 * HOUR  # 4 h past response_due, 3 h past resolve_due
    assert desk.overdue(now) == (task,)
    levels = []
    for _ in range(4):
        raised = desk.supervise(now)
        levels.append([e.level for e in raised])
    assert levels == [[UrgeLevel.URGE], [UrgeLevel.SUPERVISE], [UrgeLevel.NOTIFY], []]
    assert task.urge_level is UrgeLevel.NOTIFY


def test_threads_submitting_the_same_task_dispatch_it_exactly_once() -> None:
    desk = Dispatcher(depts("A", "B"), RoundRobinPolicy({"x": ["A", "B"]}))
    tasks = [report("x") for _ in range(50)]
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        for task in tasks:
            try:
                desk.submit(task, at=T0)
                result = "ok"
            except (InvalidTransitionError, ValidationError):
                result = "refused"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == len(tasks)
    for task in tasks:
        assert sum(e.kind.name == "DISPATCHED" for e in task.history) == 1
    assert sum(desk.loads.values()) == len(tasks)


def test_loads_follow_tasks_resolved_outside_the_dispatcher_after_supervise() -> None:
    """Regression: supervision (the periodic sweep) brings the live loads back in line."""
    desk = Dispatcher(depts("A", "B"), LeastLoadedPolicy({"x": ["A", "B"]}))
    first = desk.receive_report("x", "d", "l", at=T0)
    second = desk.receive_report("x", "d", "l", at=T0)
    assert {first.department, second.department} == {"A", "B"}
    for task in (first, second):
        by = Actor.department(task.department or "")
        task.accept(at=T0, by=by)
        task.resolve(at=T0 + HOUR, by=by)
        task.close(at=T0 + HOUR, by=Actor.platform())
    desk.supervise(T0 + 2 * HOUR)
    assert dict(desk.loads) == {"A": 0, "B": 0}
    assert desk.tasks == ()


def test_receive_report_skips_an_id_already_taken_by_a_submitted_task() -> None:
    """Regression: a submitted task holding ``T000001`` must not block every later report."""
    desk = seed_desk()
    imported = Task.report(category="环境卫生", description="d", at=T0, id="T000001")
    desk.submit(imported, at=T0)
    first = desk.receive_report("环境卫生", "d", "l", at=T0)
    second = desk.receive_report("环境卫生", "d", "l", at=T0)
    assert first.id not in {imported.id, second.id}
    assert len({t.id for t in desk.tasks}) == 3


# -- §5 the lead resolver --------------------------------------------------------------------------


def renovation_list() -> ResponsibilityList:
    return ResponsibilityList(
        [
            Duty("老旧小区改造", "住建局"),
            Duty("老旧小区改造", "城管局", role=Role.SUPPORT),
            Duty("老旧小区改造", "街道办", role=Role.SUPPORT),
            Duty("占道经营", "城管局"),
            Duty("占道经营", "市场监管局"),
        ]
    )


def test_resolver_issue_example_and_resolution_fields() -> None:
    r = LeadResolver(renovation_list()).resolve("老旧小区改造", ["城管局", "住建局", "街道办"])
    assert isinstance(r, Resolution)
    assert (r.lead, r.cooperating, r.rule, r.contested) == (
        "住建局",
        ("城管局", "街道办"),
        LeadRule.RESPONSIBILITY_LIST,
        False,
    )
    assert r.rationale
    assert all(isinstance(line, str) for line in r.rationale)
    assert {m.name for m in LeadRule} == {
        "RESPONSIBILITY_LIST",
        "TERRITORY",
        "COORDINATOR",
        "FIRST_RECEIVER",
        "STREET",
    }


def test_resolver_supporters_cooperate_even_when_not_given() -> None:
    r = LeadResolver(renovation_list()).resolve("老旧小区改造", ["住建局"])
    assert r.lead == "住建局"
    assert r.cooperating == ("城管局", "街道办")


def test_resolver_several_claims_territory_then_coordinator_contested() -> None:
    directory = [
        Department("城管局", jurisdiction={"G1"}),
        Department("市场监管局", jurisdiction={"G2"}),
        Department("区城管委"),
        Department("街道办", level=Level.STREET),
    ]
    resolver = LeadResolver(renovation_list(), directory=directory, coordinator="区城管委")
    by_territory = resolver.resolve("占道经营", ["市场监管局", "城管局"], grid="G1")
    assert (by_territory.lead, by_territory.rule, by_territory.contested) == (
        "城管局",
        LeadRule.TERRITORY,
        True,
    )
    assert by_territory.cooperating == ("市场监管局",)
    by_coordinator = resolver.resolve("占道经营", ["市场监管局", "城管局"], grid="G3")
    assert (by_coordinator.lead, by_coordinator.rule, by_coordinator.contested) == (
        "区城管委",
        LeadRule.COORDINATOR,
        True,
    )
    assert by_coordinator.cooperating == ("城管局", "市场监管局")
    with pytest.raises(UnresolvedLeadError) as caught:
        LeadResolver(renovation_list()).resolve("占道经营", ["市场监管局", "城管局"])
    assert isinstance(caught.value, ValidationError)
    assert len(caught.value.rationale) >= 2


def test_resolver_vacuum_first_receiver_street_coordinator() -> None:
    directory = [
        Department("水务局"),
        Department("园林局"),
        Department("和平街道", level=Level.STREET),
        Department("区城管委"),
    ]
    resolver = LeadResolver(renovation_list(), directory=directory, coordinator="区城管委")
    first = resolver.resolve("无主事项", ["水务局", "园林局"], first_receiver="园林局")
    assert (first.lead, first.rule, first.contested) == ("园林局", LeadRule.FIRST_RECEIVER, False)
    assert first.cooperating == ("水务局",)
    street = resolver.resolve("无主事项", ["水务局", "和平街道", "园林局"])
    assert (street.lead, street.rule) == ("和平街道", LeadRule.STREET)
    assert street.cooperating == ("园林局", "水务局")
    coordinator = resolver.resolve("无主事项", ["水务局", "园林局"])
    assert (coordinator.lead, coordinator.rule, coordinator.contested) == (
        "区城管委",
        LeadRule.COORDINATOR,
        False,
    )
    with pytest.raises(UnresolvedLeadError) as caught:
        LeadResolver(renovation_list(), directory=directory).resolve("无主事项", ["水务局"])
    assert caught.value.rationale


def test_resolver_ignores_department_order() -> None:
    directory = [
        Department("城管局", jurisdiction={"G1"}),
        Department("市场监管局", jurisdiction={"G1"}),
        Department("和平街道", level=Level.STREET),
        Department("住建局"),
    ]
    resolver = LeadResolver(renovation_list(), directory=directory, coordinator="住建局")
    for category in ("占道经营", "老旧小区改造", "无主事项"):
        names = ["城管局", "市场监管局", "和平街道"]
        results = {
            resolver.resolve(category, list(order), grid="G1")
            for order in itertools.permutations(names)
        }
        assert len(results) == 1
        (result,) = results
        assert result.lead not in result.cooperating
        assert list(result.cooperating) == sorted(result.cooperating)
        assert set(names) <= {result.lead, *result.cooperating}


def test_resolver_reads_category_and_grid_from_a_task() -> None:
    directory = [Department("城管局", jurisdiction={"G1"}), Department("市场监管局")]
    resolver = LeadResolver(renovation_list(), directory=directory)
    task = report("占道经营", grid="G1")
    r = resolver.resolve(task, ["城管局", "市场监管局"])
    assert (r.lead, r.rule) == ("城管局", LeadRule.TERRITORY)
    override = LeadResolver(renovation_list()).resolve(
        "anything", ["住建局"], category="老旧小区改造"
    )
    assert (override.lead, override.category) == ("住建局", "老旧小区改造")


def test_resolver_validation() -> None:
    resolver = LeadResolver(
        renovation_list(), directory=[Department("城管局"), Department("住建局")]
    )
    bad: list[dict[str, object]] = [
        {"departments": []},
        {"departments": ["城管局", "城管局"]},
        {"departments": ["城管局", "未知局"]},
        {"departments": ["城管局"], "first_receiver": "未知局"},
    ]
    for case in bad:
        departments = case.pop("departments")
        with pytest.raises(ValidationError):
            resolver.resolve("老旧小区改造", departments, **case)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        LeadResolver(
            renovation_list(), directory=[Department("城管局")], coordinator="未知局"
        ).resolve("老旧小区改造", ["城管局"])


# -- §5 the whistle ------------------------------------------------------------------------------


def test_whistle_default_clocks() -> None:
    assert DEFAULT_CLOCKS[WhistleLevel.ROUTINE] == WhistleClock(
        sign=TimeLimit.hours(1), report=TimeLimit.working_days(3)
    )
    assert DEFAULT_CLOCKS[WhistleLevel.HARD] == WhistleClock(
        sign=TimeLimit.hours(1), report=TimeLimit.working_days(5)
    )
    assert DEFAULT_CLOCKS[WhistleLevel.EMERGENCY] == WhistleClock(
        sign=TimeLimit.minutes(30), report=TimeLimit.hours(24)
    )
    assert [level.label for level in WhistleLevel] == ["工作推进哨", "攻坚克难哨", "应急哨"]


def whistle(level: WhistleLevel, by: Actor, **options: object) -> Whistle:
    return Whistle(
        matter="背街小巷堆物",
        street="和平街道",
        departments=["城管局", "环卫中心", "市场监管局"],
        level=level,
        blown_by=by,
        at=T0,
        **options,  # type: ignore[arg-type]
    )


def test_whistle_permissions() -> None:
    street = Actor.department("和平街道")
    whistle(WhistleLevel.ROUTINE, street)
    whistle(WhistleLevel.EMERGENCY, street)
    with pytest.raises(PermissionDeniedError):
        whistle(WhistleLevel.HARD, street)
    whistle(WhistleLevel.HARD, Actor.supervisor("书记"))
    with pytest.raises(PermissionDeniedError):
        whistle(WhistleLevel.ROUTINE, Actor.department("城管局"))


def test_whistle_clocks_outcome_and_two_way_rating() -> None:
    w = whistle(
        WhistleLevel.EMERGENCY,
        Actor.department("和平街道"),
        clocks={
            WhistleLevel.EMERGENCY: WhistleClock(
                sign=TimeLimit.minutes(15), report=TimeLimit.hours(2)
            )
        },
    )
    assert w.sign_due == T0 + timedelta(minutes=15)
    assert w.report_due == T0 + 2 * HOUR
    w.sign("城管局", at=T0 + timedelta(minutes=10))
    w.report("城管局", at=T0 + HOUR)
    w.sign("环卫中心", at=T0 + timedelta(minutes=40))
    w.report("环卫中心", at=T0 + 3 * HOUR)
    with pytest.raises(InvalidTransitionError):
        w.report("市场监管局", at=T0 + HOUR)  # not signed
    out = w.outcome(T0 + 4 * HOUR)
    assert isinstance(out, WhistleOutcome)
    assert (out.on_time, out.late, out.missing) == (("城管局",), ("环卫中心",), ("市场监管局",))
    assert out.reporting_rate == pytest.approx(2 / 3)
    w.rate_street("城管局", score=90, at=T0 + 4 * HOUR)
    w.rate_street("城管局", score=80, at=T0 + 5 * HOUR)
    assert dict(w.ratings) == {"城管局": 80.0}
    with pytest.raises(ValidationError):
        w.rate_street("城管局", score=101, at=T0 + 5 * HOUR)
    with pytest.raises(ValidationError):
        w.sign("不相干局", at=T0 + HOUR)


# -- §5 evaluation ---------------------------------------------------------------------------------


def callback_task(
    department: str,
    *,
    contacted: bool,
    resolved: bool | None,
    satisfaction: Satisfaction | None,
    earlier: tuple[bool, bool | None, Satisfaction | None] | None = None,
    grid: str | None = None,
    category: str = "x",
) -> Task:
    task = Task.report(category=category, description="d", at=T0, grid=grid)
    task.register(at=T0, by=Actor.platform())
    task.dispatch(to=department, at=T0, by=Actor.platform())
    by = Actor.department(department)
    task.accept(at=T0 + HOUR, by=by)
    task.resolve(at=T0 + 2 * HOUR, by=by)
    task.close(at=T0 + 2 * HOUR, by=Actor.platform())
    if earlier is not None:
        task.record_callback(
            contacted=earlier[0],
            resolved=earlier[1],
            satisfaction=earlier[2],
            at=T0 + 3 * HOUR,
            by=Actor.platform(),
        )
    task.record_callback(
        contacted=contacted,
        resolved=resolved,
        satisfaction=satisfaction,
        at=T0 + 4 * HOUR,
        by=Actor.platform(),
    )
    return task


S, B, D = Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED


def test_evaluate_three_rates_over_valid_callbacks_latest_counts() -> None:
    tasks = [
        callback_task("A", contacted=True, resolved=True, satisfaction=S),
        callback_task("A", contacted=True, resolved=True, satisfaction=B),
        callback_task("A", contacted=True, resolved=False, satisfaction=D, earlier=(True, True, S)),
        callback_task("A", contacted=False, resolved=None, satisfaction=None),
        report("x"),  # no callback: not a valid callback
    ]
    (card, none_card) = evaluate(tasks)
    assert isinstance(card, Scorecard)
    assert card.key == "A"
    assert card.valid_callbacks == 4
    assert card.response_rate == pytest.approx(3 / 4)
    assert card.resolution_rate == pytest.approx(2 / 4)
    assert card.satisfaction_rate == pytest.approx((1 + 0.9 * 1) / 4)
    assert card.composite == pytest.approx(0.1 * 3 / 4 + 0.5 * 2 / 4 + 0.4 * 1.9 / 4)
    assert (card.satisfied, card.basically_satisfied, card.dissatisfied) == (1, 1, 1)
    assert none_card.key is None
    assert none_card.composite is None
    custom = EvaluationWeights(
        response=0.2, resolution=0.3, satisfaction=0.5, basically_satisfied=0.5
    )
    (card2, _) = evaluate(tasks, weights=custom)
    assert card2.satisfaction_rate == pytest.approx(1.5 / 4)
    assert card2.composite == pytest.approx(0.2 * 0.75 + 0.3 * 0.5 + 0.5 * 1.5 / 4)


def test_evaluation_weights_validation() -> None:
    EvaluationWeights(response=0.3, resolution=0.3, satisfaction=0.4 + 5e-10)
    for bad in (
        {"response": -0.1, "resolution": 0.7, "satisfaction": 0.4},
        {"response": 0.2, "resolution": 0.5, "satisfaction": 0.4},
        {"response": 0.1, "resolution": 0.5, "satisfaction": 0.4, "basically_satisfied": 1.5},
    ):
        with pytest.raises(ValidationError):
            EvaluationWeights(**bad)


def test_evaluate_sorting_best_first_ties_by_key_none_last() -> None:
    def group(name: str, satisfaction: Satisfaction) -> list[Task]:
        return [callback_task(name, contacted=True, resolved=True, satisfaction=satisfaction)]

    tasks = group("C", D) + group("B", S) + group("A", S)
    tasks.append(report("x"))  # key None, no callback
    tasks.append(callback_task("E", contacted=True, resolved=True, satisfaction=B))
    cards = evaluate(tasks)
    assert [c.key for c in cards] == ["A", "B", "E", "C", None]
    assert [c.composite is None for c in cards] == [False] * 4 + [True]


def test_evaluate_equal_rates_from_different_counts_tie_by_key() -> None:
    """Regression: 2 and 6 callbacks with the same rates must tie exactly, then go by key.

    Computed in floats, (1 + 0.9) / 2 and (3 + 2.7) / 6 differ in the last bit.
    """

    def group(name: str, scale: int) -> list[Task]:
        out = []
        for _ in range(scale):
            out.append(callback_task(name, contacted=True, resolved=False, satisfaction=S))
            out.append(callback_task(name, contacted=True, resolved=False, satisfaction=B))
        return out

    for small, large in (("A", "B"), ("B", "A")):
        cards = evaluate(group(small, 1) + group(large, 3))
        assert [c.key for c in cards] == ["A", "B"]
        assert [c.rank for c in cards] == [1, 2]
        assert cards[0].composite == pytest.approx(cards[1].composite)


def test_evaluate_by_grid_and_category() -> None:
    tasks = [
        callback_task("A", contacted=True, resolved=True, satisfaction=S, grid="G1", category="c1"),
        callback_task(
            "B", contacted=True, resolved=False, satisfaction=D, grid="G2", category="c2"
        ),
    ]
    assert [c.key for c in evaluate(tasks, by="grid")] == ["G1", "G2"]
    assert [c.key for c in evaluate(tasks, by="category")] == ["c1", "c2"]
    with pytest.raises(ValidationError):
        evaluate(tasks, by="street")


# -- §6 metrics ----------------------------------------------------------------------------------


METRICS_FIELDS = {
    "arrived",
    "closed",
    "cancelled",
    "open",
    "overdue",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "return_rate",
    "rework_rate",
    "response_time",
    "handling_time",
}


def test_summarize_empty_has_none_rates() -> None:
    m = summarize([], now=T0)
    assert isinstance(m, Metrics)
    for name in METRICS_FIELDS:
        assert hasattr(m, name)
    assert (m.arrived, m.closed, m.cancelled, m.open, m.overdue) == (0, 0, 0, 0, 0)
    for rate in (
        m.response_rate,
        m.resolution_rate,
        m.satisfaction_rate,
        m.on_time_rate,
        m.return_rate,
        m.rework_rate,
    ):
        assert rate is None
    assert m.response_time == TimeSummary(0, None, None, None, None)
    assert m.handling_time == TimeSummary(0, None, None, None, None)


def test_summarize_counts_rates_and_groups() -> None:
    closed = callback_task("A", contacted=True, resolved=True, satisfaction=B, grid="G1")
    cancelled = report("x", grid="G1")
    cancelled.cancel(at=T0, by=Actor.platform(), reason="重复")
    waiting = report("x")  # no department, no grid
    late = report("x", grid="G2")
    late.register(at=T0, by=Actor.platform())
    late.dispatch(to="B", at=T0, by=Actor.platform(), resolve_due=T0 + HOUR)
    late.send_back(at=T0, by=Actor.department("B"), reason="退")
    late.dispatch(to="A", at=T0, by=Actor.platform(), resolve_due=T0 + HOUR)
    reworked = report("x", grid="G2")
    reworked.register(at=T0, by=Actor.platform())
    reworked.dispatch(to="A", at=T0, by=Actor.platform(), resolve_due=T0 + 10 * HOUR)
    reworked.accept(at=T0, by=Actor.department("A"))
    reworked.resolve(at=T0 + HOUR, by=Actor.department("A"))
    reworked.rework(at=T0 + HOUR, by=Actor.platform(), reason="不合格")
    reworked.resolve(at=T0 + 2 * HOUR, by=Actor.department("A"))
    tasks = [closed, cancelled, waiting, late, reworked]
    now = T0 + 5 * HOUR
    m = summarize(tasks, now=now)
    assert (m.arrived, m.closed, m.cancelled, m.open, m.overdue) == (5, 1, 1, 3, 1)
    assert m.response_rate == 1.0
    assert m.satisfaction_rate == pytest.approx(0.9)
    assert m.return_rate == pytest.approx(1 / 3)  # late of (closed, late, reworked)
    assert m.rework_rate == pytest.approx(1 / 2)  # reworked of (closed, reworked)
    assert m.on_time_rate == pytest.approx(1 / 2)  # reworked on time; late past due
    by_department = summarize(tasks, now=now, by="department")
    assert list(by_department) == ["A", None]
    assert by_department["A"].arrived == 3
    assert by_department[None].arrived == 2
    assert set(summarize(tasks, now=now, by="grid")) == {"G1", "G2", None}
    assert set(summarize(tasks, now=now, by="category")) == {"x"}
    with pytest.raises(ValidationError):
        summarize(tasks, now=now, by="street")


def test_time_summary_exact_count_mean_max_and_close_percentiles() -> None:
    minutes = [((k * 37) % 101) * 7 + 3 for k in range(101)]  # 101 distinct-ish durations
    tasks = []
    for m in minutes:
        task = report("x")
        task.register(at=T0, by=Actor.platform())
        task.dispatch(to="A", at=T0, by=Actor.platform())
        task.accept(at=T0 + timedelta(minutes=m, seconds=0.5), by=Actor.department("A"))
        tasks.append(task)
    values = [timedelta(minutes=m, seconds=0.5) for m in minutes]
    summary = summarize(tasks, now=T0).response_time
    assert summary.count == len(values)
    assert summary.mean == sum(values, timedelta()) / len(values)
    assert summary.max == max(values)
    assert summary.median is not None
    assert summary.p90 is not None
    median = sorted(values)[len(values) // 2]  # odd count: the one middle value
    assert abs(summary.median - median) <= median * 0.01
    ranked = sorted(values)
    position = (len(ranked) - 1) * 0.9  # linear interpolation, numpy's default
    lower = int(position)
    p90 = ranked[lower] + (ranked[lower + 1] - ranked[lower]) * (position - lower)
    assert abs(summary.p90 - p90) <= p90 * 0.01


# -- regressions: determinism and DST --------------------------------------------------------------


def test_decision_cooperating_from_a_set_is_sorted() -> None:
    """Regression: a set's iteration order varies with the hash seed; the decision's must not."""
    names = {"园林局", "城管局", "水务局", "街道办"}
    decision = Decision(department="住建局", cooperating=names, reason="r", policy="p")
    assert decision.cooperating == tuple(sorted(names))
    frozen_names = Decision(
        department="住建局", cooperating=frozenset(names), reason="r", policy="p"
    )
    assert frozen_names.cooperating == tuple(sorted(names))


def test_on_time_is_judged_on_instants_across_the_dst_fold() -> None:
    """Regression: resolved 40 minutes after its due time, in the repeated hour, is late."""
    ny = ZoneInfo("America/New_York")
    start = datetime(2024, 11, 3, 0, 0, tzinfo=ny)
    due = datetime(2024, 11, 3, 1, 30, tzinfo=ny)  # fold=0: EDT, 05:30 UTC
    resolved = datetime(2024, 11, 3, 1, 10, fold=1, tzinfo=ny)  # EST, 06:10 UTC
    assert resolved.astimezone(timezone.utc) > due.astimezone(timezone.utc)
    task = Task.report(category="x", description="d", at=start)
    task.register(at=start, by=Actor.platform())
    task.dispatch(to="A", at=start, by=Actor.platform(), resolve_due=due)
    task.accept(at=start, by=Actor.department("A"))
    task.resolve(at=resolved, by=Actor.department("A"))
    m = summarize([task], now=resolved)
    assert (m.on_time, m.on_time_denominator, m.on_time_rate) == (0, 1, 0.0)
    waiting = Task.report(category="x", description="d", at=start)
    waiting.register(at=start, by=Actor.platform())
    waiting.dispatch(to="A", at=start, by=Actor.platform(), resolve_due=due)
    assert summarize([waiting], now=resolved).on_time_denominator == 1  # past due at 06:10 UTC
