"""Tests for jiceng.dispatch: the contract types, the rule-based policies, Chain and the registry."""

from __future__ import annotations

import copy
import pickle
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from importlib import metadata
from typing import Any

import pytest
from attrs import frozen

from jiceng import dispatch
from jiceng.dispatch import (
    SEED_FALLBACK,
    SEED_TABLE,
    CacheablePolicy,
    CategoryPolicy,
    Chain,
    Decision,
    DispatchContext,
    DispatchPolicy,
    KeywordPolicy,
    LeastLoadedPolicy,
    PolicyRegistry,
    RoundRobinPolicy,
    TaskView,
    TerritoryPolicy,
    create_policy,
    load_entry_point_policies,
    policy_names,
    register_policy,
)
from jiceng.dispatch._registry import _REGISTRY
from jiceng.errors import UnknownPolicyError, ValidationError
from jiceng.models import Channel, Department, Duty, Level, Priority, ResponsibilityList, Role, Task

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))


@frozen(kw_only=True)
class View:
    """A light TaskView, as the simulation passes."""

    id: str = "V1"
    category: str = "环境卫生"
    description: str = ""
    location: str = ""
    grid: str | None = None
    priority: Priority = Priority.NORMAL
    channel: Channel = Channel.HOTLINE


def make_context(
    *departments: Department,
    loads: dict[str, int] | None = None,
    excluded: frozenset[str] = frozenset(),
) -> DispatchContext:
    return DispatchContext(
        departments={d.name: d for d in departments},
        loads=loads or {},
        now=T0,
        excluded=excluded,
    )


SEED_DEPARTMENTS = tuple(Department(n) for n in [*SEED_TABLE.values(), SEED_FALLBACK])


@pytest.fixture
def seed_context() -> DispatchContext:
    return make_context(*SEED_DEPARTMENTS)


# -- contract types ----------------------------------------------------------------------------------


def test_task_and_light_views_satisfy_the_protocol() -> None:
    task = Task.report(category="环境卫生", description="垃圾", at=T0)
    assert isinstance(task, TaskView)
    assert isinstance(View(), TaskView)


def test_decision_validates_and_explains() -> None:
    d = Decision(
        department="城管局", cooperating=["环卫所"], reason="理由", policy="p", confidence=1
    )
    assert d.cooperating == ("环卫所",)
    assert d.explain("en") == "理由"
    assert Decision(department="a", cooperating="b", reason="r", policy="p").cooperating == ("b",)
    assert Decision(department="a", reason="r", policy="p", reason_en="why").explain("en") == "why"
    with pytest.raises(ValidationError, match="lang"):
        d.explain("fr")
    with pytest.raises(ValidationError, match="department"):
        Decision(department=" ", reason="r", policy="p")
    with pytest.raises(ValidationError, match="department"):
        Decision(department=3, reason="r", policy="p")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="lead"):
        Decision(department="a", cooperating=("a",), reason="r", policy="p")
    with pytest.raises(ValidationError, match="repeat"):
        Decision(department="a", cooperating=("b", "b"), reason="r", policy="p")
    with pytest.raises(ValidationError, match="sequence"):
        Decision(department="a", cooperating=3, reason="r", policy="p")
    for bad in (1.5, -0.1, True, "x"):
        with pytest.raises(ValidationError, match="confidence"):
            Decision(department="a", reason="r", policy="p", confidence=bad)  # type: ignore[arg-type]


def test_context_validation_and_helpers() -> None:
    street = Department("东街道", level=Level.STREET, handlers=2, jurisdiction={"G1"})
    ctx = make_context(street, loads={"东街道": 3}, excluded=frozenset())
    assert ctx.eligible("东街道", "G1")
    assert not ctx.eligible("东街道", "G2")
    assert not ctx.eligible("无此部门", "G1")
    assert ctx.load_per_handler("东街道") == 1.5
    assert ctx.ineligibility("东街道", "G1") is None
    assert "unknown" in (ctx.ineligibility("无", None) or "")
    assert "grid" in (ctx.ineligibility("东街道", "G2") or "")
    copy_ = ctx.with_excluded({"东街道"})
    assert copy_.excluded == {"东街道"} and ctx.excluded == frozenset()
    assert "sent this task back" in (copy_.ineligibility("东街道", "G1") or "")
    assert copy_.loads is ctx.loads
    assert DispatchContext(departments={}, loads={}, now=T0, excluded="甲").excluded == {"甲"}
    with pytest.raises(ValidationError, match="excluded"):
        DispatchContext(departments={}, loads={}, now=T0, excluded=3)
    with pytest.raises(ValidationError, match="departments"):
        DispatchContext(departments=[], loads={}, now=T0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="named"):
        DispatchContext(departments={"甲": Department("乙")}, loads={}, now=T0)
    with pytest.raises(ValidationError, match="loads"):
        DispatchContext(departments={}, loads=[], now=T0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="aware"):
        DispatchContext(departments={}, loads={}, now=datetime(2024, 1, 1))
    with pytest.raises(ValidationError, match="datetime"):
        DispatchContext(departments={}, loads={}, now="today")  # type: ignore[arg-type]


def test_public_names() -> None:
    assert sorted(dispatch.__all__, key=str) == sorted(set(dispatch.__all__), key=str)
    assert set(dir(dispatch)) == set(dispatch.__all__)
    for name in dispatch.__all__:
        assert hasattr(dispatch, name)


# -- CategoryPolicy -----------------------------------------------------------------------------------


def test_seed_table_routes_like_the_seed(seed_context: DispatchContext) -> None:
    policy = CategoryPolicy(SEED_TABLE, fallback=SEED_FALLBACK)
    for category, department in SEED_TABLE.items():
        decision = policy.decide(View(category=category), seed_context)
        assert decision is not None
        assert decision.department == department
        assert decision.reason == f"按权责清单：{category} → {department}"
        assert decision.policy == "category"
    other = policy.decide(View(category="噪音扰民"), seed_context)
    assert other is not None
    assert other.department == "综合协调"
    assert "不在权责清单" in other.reason
    assert "fallback" in other.explain("en")
    assert policy.cache_key(View(category="x", grid="G")) == ("x", "G")
    assert isinstance(policy, CacheablePolicy)


def test_category_policy_falls_back_when_the_lead_is_excluded(
    seed_context: DispatchContext,
) -> None:
    policy = CategoryPolicy(SEED_TABLE, fallback=SEED_FALLBACK)
    ctx = seed_context.with_excluded({"城管局"})
    decision = policy.decide(View(), ctx)
    assert decision is not None
    assert decision.department == "综合协调"
    assert "已回退" in decision.reason
    assert policy.decide(View(), seed_context.with_excluded({"城管局", "综合协调"})) is None
    assert CategoryPolicy(SEED_TABLE).decide(View(category="未知"), seed_context) is None


def test_category_policy_respects_jurisdiction_and_missing_departments() -> None:
    policy = CategoryPolicy({"环境卫生": "城管东队", "x": "不存在"}, fallback="综合协调")
    ctx = make_context(Department("城管东队", jurisdiction={"G1"}), Department("综合协调"))
    decision = policy.decide(View(grid="G1"), ctx)
    assert decision is not None and decision.department == "城管东队"
    decision = policy.decide(View(grid="G2"), ctx)
    assert decision is not None and decision.department == "综合协调"
    assert "不负责网格G2" in decision.reason
    decision = policy.decide(View(category="x"), ctx)
    assert decision is not None and "部门不存在" in decision.reason


def test_category_policy_accepts_departments_and_validates() -> None:
    policy = CategoryPolicy({"环境卫生": Department("城管局")})
    assert policy.table == {"环境卫生": "城管局"}
    with pytest.raises(ValidationError) as info:
        CategoryPolicy({"": "甲", "乙": "", 3: "丙"})
    assert len(info.value.problems) == 3
    with pytest.raises(ValidationError, match="table"):
        CategoryPolicy(["环境卫生"])
    with pytest.raises(ValidationError, match="fallback"):
        CategoryPolicy({}, fallback="")


def test_category_policy_with_a_responsibility_list() -> None:
    duties = ResponsibilityList(
        [
            Duty("老旧小区改造", "住建局"),
            Duty("老旧小区改造", "城管局", role=Role.SUPPORT),
            Duty("老旧小区改造", "街道办", role=Role.SUPPORT),
            Duty("占道经营", "城管东队", grids={"G1"}),
            Duty("占道经营", "城管西队", grids={"G2"}),
            Duty("只有配合", "城管局", role=Role.SUPPORT),
        ]
    )
    policy = CategoryPolicy(duties, fallback="综合协调")
    ctx = make_context(
        *(Department(n) for n in ("住建局", "城管局", "综合协调", "城管东队", "城管西队")),
        Department("街道办", jurisdiction={"G1"}),
    )
    decision = policy.decide(View(category="老旧小区改造", grid="G1"), ctx)
    assert decision is not None
    assert decision.department == "住建局"
    assert decision.cooperating == ("城管局", "街道办")
    assert decision.reason == "按权责清单：老旧小区改造 → 住建局（协办：城管局、街道办）"
    again = policy.decide(View(category="老旧小区改造", grid="G1"), ctx)
    assert again is decision  # memoised
    partial = policy.decide(View(category="老旧小区改造", grid="G9"), ctx)
    assert partial is not None
    assert partial.cooperating == ("城管局",)
    assert "supporting: 城管局" in partial.reason_en
    lonely = policy.decide(View(category="老旧小区改造", grid="G9"), ctx.with_excluded({"城管局"}))
    assert lonely is not None and lonely.cooperating == () and "协办" not in lonely.reason
    east = policy.decide(View(category="占道经营", grid="G1"), ctx)
    west = policy.decide(View(category="占道经营", grid="G2"), ctx)
    assert east is not None and east.department == "城管东队"
    assert west is not None and west.department == "城管西队"
    gone = policy.decide(View(category="老旧小区改造"), ctx.with_excluded({"住建局"}))
    assert gone is not None and gone.department == "综合协调"
    vacuum = policy.decide(View(category="只有配合"), ctx)
    assert vacuum is not None and "无牵头部门" in vacuum.reason
    unknown = policy.decide(View(category="没听说过"), ctx)
    assert unknown is not None and unknown.department == "综合协调"


def test_category_policy_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("jiceng.dispatch._policies._MEMO_LIMIT", 2)
    policy = CategoryPolicy(ResponsibilityList([Duty("甲", "局")]))
    ctx = make_context(Department("局"))
    for grid in ("G1", "G2", "G3"):
        assert policy.decide(View(category="甲", grid=grid), ctx) is not None
    assert len(policy._memo) <= 2


# -- KeywordPolicy -------------------------------------------------------------------------------------


def test_keyword_policy_first_eligible_match_wins() -> None:
    policy = KeywordPolicy(
        [("燃气", "应急管理局"), (re.compile(r"噪音|扰民"), "司法所"), ("NOISE", "环保局")],
        fallback="综合协调",
    )
    ctx = make_context(*(Department(n) for n in ("应急管理局", "司法所", "环保局", "综合协调")))
    gas = policy.decide(View(category="安全隐患", description="闻到燃气味"), ctx)
    assert gas is not None and gas.department == "应急管理局"
    assert gas.reason == "按关键词规则：“燃气” → 应急管理局"
    noise = policy.decide(View(category="", description="楼上噪音"), ctx)
    assert noise is not None and noise.department == "司法所"
    assert "噪音|扰民" in noise.reason
    english = policy.decide(View(category="Noise - Street", description=""), ctx)
    assert english is not None and english.department == "环保局"
    skipped = policy.decide(View(description="燃气 噪音"), ctx.with_excluded({"应急管理局"}))
    assert skipped is not None and skipped.department == "司法所"
    none = policy.decide(View(description="路灯不亮"), ctx)
    assert none is not None and none.department == "综合协调" and "无匹配" in none.reason
    assert KeywordPolicy([("燃气", "应急管理局")]).decide(View(), ctx) is None
    assert policy.cache_key(View(category="a", description="b")) == ("a", "b")


def test_keyword_policy_validation() -> None:
    assert KeywordPolicy([("燃气", Department("应急管理局"))]).rules == (("燃气", "应急管理局"),)
    with pytest.raises(ValidationError) as info:
        KeywordPolicy([("燃气",), ("", "甲"), (3, "乙"), ("燃气", "")])
    assert len(info.value.problems) == 4
    with pytest.raises(ValidationError, match="rules"):
        KeywordPolicy("燃气")


# -- TerritoryPolicy -----------------------------------------------------------------------------------


@pytest.fixture
def territory() -> tuple[TerritoryPolicy, DispatchContext]:
    policy = TerritoryPolicy(
        owners={"井盖": "水务局", "路灯": "路灯所", "占道经营": "城管局"},
        territory={"G1": "东街道", "G2": "西街道"},
        components={"井盖", "路灯"},
    )
    ctx = make_context(
        Department("水务局"),
        Department("路灯所", jurisdiction={"G2"}),
        Department("城管局"),
        Department("东街道", level=Level.STREET, jurisdiction={"G1"}),
        Department("西街道", level=Level.STREET, jurisdiction={"G2"}),
    )
    return policy, ctx


def test_territory_components_go_to_owners_first(
    territory: tuple[TerritoryPolicy, DispatchContext],
) -> None:
    policy, ctx = territory
    owner = policy.decide(View(category="井盖", grid="G1"), ctx)
    assert owner is not None and owner.department == "水务局"
    assert owner.reason == "部件按权属：井盖 → 权属单位水务局"
    local = policy.decide(View(category="路灯", grid="G1"), ctx)  # 路灯所 does not serve G1
    assert local is not None and local.department == "东街道"
    assert "属地兜底" in local.reason
    assert policy.decide(View(category="路灯", grid=None), ctx.with_excluded({"路灯所"})) is None


def test_territory_events_go_to_territory_first(
    territory: tuple[TerritoryPolicy, DispatchContext],
) -> None:
    policy, ctx = territory
    local = policy.decide(View(category="占道经营", grid="G2"), ctx)
    assert local is not None and local.department == "西街道"
    assert local.reason == "事件按属地：网格G2 → 西街道"
    orphan = policy.decide(View(category="无主事件", grid="G1"), ctx)
    assert orphan is not None and orphan.department == "东街道"  # no owner: 属地兜底
    owner = policy.decide(View(category="占道经营", grid=None), ctx)
    assert owner is not None and owner.department == "城管局"
    assert "按主管部门" in owner.reason
    assert policy.decide(View(category="无主事件", grid="G9"), ctx) is None
    assert policy.cache_key(View(category="a", grid="G1")) == ("a", "G1")


def test_territory_validation() -> None:
    with pytest.raises(ValidationError, match="mapping"):
        TerritoryPolicy(owners=[], territory={})
    with pytest.raises(ValidationError):
        TerritoryPolicy(owners={"": "甲"}, territory={})
    with pytest.raises(ValidationError, match="components"):
        TerritoryPolicy(owners={}, territory={}, components="井盖")
    policy = TerritoryPolicy(
        owners={"井盖": Department("水务局")}, territory={}, components=["井盖"]
    )
    assert policy.owners == {"井盖": "水务局"} and policy.components == {"井盖"}


# -- LeastLoadedPolicy and RoundRobinPolicy -----------------------------------------------------------


def test_least_loaded_per_handler_with_ties_by_name() -> None:
    policy = LeastLoadedPolicy({"环境卫生": ["城管二队", "城管一队", "城管三队"]})
    ctx = make_context(
        Department("城管一队", handlers=2),
        Department("城管二队", handlers=1),
        Department("城管三队", handlers=1, jurisdiction={"G9"}),
        loads={"城管一队": 4, "城管二队": 2},
    )
    decision = policy.decide(View(grid="G1"), ctx)
    assert decision is not None
    assert decision.department == "城管一队"  # 2.0 each: tie goes to the name that sorts first
    assert "在办4件，2人" in decision.reason
    ctx2 = make_context(Department("城管一队"), Department("城管二队"), loads={"城管一队": 1})
    decision = policy.decide(View(), ctx2)
    assert decision is not None and decision.department == "城管二队"
    assert policy.decide(View(category="其他"), ctx2) is None
    assert policy.decide(View(), ctx2.with_excluded({"城管一队", "城管二队"})) is None


def test_round_robin_cycles_per_category() -> None:
    policy = RoundRobinPolicy({"环境卫生": ["甲", "乙", "丙"], "邻里纠纷": ["乙", "丙"]})
    ctx = make_context(*(Department(n) for n in "甲乙丙"))
    picks = [policy.decide(View(), ctx) for _ in range(4)]
    assert [d.department for d in picks if d] == ["甲", "乙", "丙", "甲"]
    other = policy.decide(View(category="邻里纠纷"), ctx)
    assert other is not None and other.department == "乙"
    skip = policy.decide(View(), ctx.with_excluded({"乙"}))
    assert skip is not None and skip.department == "丙"
    assert "轮流派单" in skip.reason
    assert policy.decide(View(category="无"), ctx) is None
    assert policy.decide(View(), ctx.with_excluded(set("甲乙丙"))) is None


def test_candidates_from_a_responsibility_list() -> None:
    duties = ResponsibilityList([Duty("环境卫生", "甲"), Duty("环境卫生", "乙")])
    ctx = make_context(Department("甲"), Department("乙"), loads={"甲": 3})
    least = LeastLoadedPolicy(duties).decide(View(), ctx)
    assert least is not None and least.department == "乙"
    robin = RoundRobinPolicy(duties)
    assert [robin.decide(View(), ctx).department for _ in range(3)] == ["乙", "甲", "乙"]  # type: ignore[union-attr]


def test_candidates_validation() -> None:
    with pytest.raises(ValidationError) as info:
        LeastLoadedPolicy({"": ["甲"], "a": "甲", "b": ["甲", "甲"], "c": []})
    assert len(info.value.problems) == 4
    with pytest.raises(ValidationError, match="candidates"):
        RoundRobinPolicy(3)
    assert LeastLoadedPolicy({"a": [Department("甲")]}).candidates == {"a": ("甲",)}


# -- Chain ------------------------------------------------------------------------------------------------


def test_chain_returns_the_first_decision_unchanged(seed_context: DispatchContext) -> None:
    keyword = KeywordPolicy([("燃气", "应急管理局")])
    category = CategoryPolicy(SEED_TABLE, fallback=SEED_FALLBACK)
    chain = Chain(keyword, category)
    gas = chain.decide(View(description="燃气泄漏"), seed_context)
    assert gas == keyword.decide(View(description="燃气泄漏"), seed_context)
    assert gas is not None and gas.policy == "keyword"
    rubbish = chain.decide(View(), seed_context)
    assert rubbish is not None and rubbish.policy == "category"
    assert Chain(keyword).decide(View(), seed_context) is None
    assert chain.cache_key(View(category="a", description="b", grid="G")) == (
        ("a", "b"),
        ("a", "G"),
    )
    assert Chain(keyword, RoundRobinPolicy({})).cache_key(View()) is None


def test_chain_cache_key_none_when_a_member_declines() -> None:
    class Picky:
        def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
            return None

        def cache_key(self, task: TaskView, /) -> None:
            return None

    assert Chain(Picky()).cache_key(View()) is None


def test_chain_validation() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        Chain()
    with pytest.raises(ValidationError, match="decide"):
        Chain(object())  # type: ignore[arg-type]


def all_policies() -> Iterator[DispatchPolicy]:
    yield CategoryPolicy(SEED_TABLE, fallback=SEED_FALLBACK)
    yield KeywordPolicy([(re.compile("燃气"), "应急管理局")])
    yield TerritoryPolicy(owners={"a": "b"}, territory={"G": "c"})
    yield LeastLoadedPolicy({"a": ["b"]})
    yield RoundRobinPolicy({"a": ["b"]})
    yield Chain(KeywordPolicy([("x", "y")]), CategoryPolicy({"a": "b"}))


@pytest.mark.parametrize("policy", list(all_policies()), ids=lambda p: type(p).__name__)
def test_policies_pickle_and_deep_copy(
    policy: DispatchPolicy, seed_context: DispatchContext
) -> None:
    assert isinstance(policy, DispatchPolicy)
    for clone in (pickle.loads(pickle.dumps(policy)), copy.deepcopy(policy)):
        assert clone == policy
        for category in (*SEED_TABLE, "a", "x"):
            assert clone.decide(View(category=category), seed_context) == policy.decide(
                View(category=category), seed_context
            )


# -- registry --------------------------------------------------------------------------------------------


def test_builtin_names_and_create() -> None:
    assert {
        "category",
        "keyword",
        "territory",
        "least_loaded",
        "round_robin",
        "text_classifier",
        "chain",
    } <= set(policy_names())
    policy = create_policy("category", table=SEED_TABLE, fallback=SEED_FALLBACK)
    assert isinstance(policy, CategoryPolicy)
    chain = create_policy(
        "chain",
        policies=[{"policy": "keyword", "rules": [("燃气", "应急管理局")]}, policy],
    )
    assert isinstance(chain, Chain) and len(chain.policies) == 2
    with pytest.raises(ValidationError, match="'policy' name"):
        create_policy("chain", policies=[{"rules": []}])


def test_create_errors() -> None:
    with pytest.raises(UnknownPolicyError) as info:
        create_policy("magic")
    assert "category" in str(info.value) and "magic" in str(info.value)
    assert isinstance(info.value, LookupError)
    with pytest.raises(ValidationError, match="bad parameters"):
        create_policy("category", tabel={})


def test_register_and_reject_duplicates() -> None:
    registry = PolicyRegistry()

    @registry.register("always")
    class Always:
        def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
            return Decision(department="综合协调", reason="总是", policy="always")

    assert isinstance(registry.create("always"), Always)
    with pytest.raises(ValidationError, match="already registered"):
        registry.add("always", Always)
    with pytest.raises(ValidationError) as info:
        registry.add("bad name!", 3)  # type: ignore[arg-type]
    assert len(info.value.problems) == 2
    with pytest.raises(ValidationError, match="no decide"):
        registry.add("nodecide", type("NoDecide", (), {}))

    def liar() -> object:
        return object()

    registry.add("liar", liar)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="no decide"):
        registry.create("liar")


def test_global_register_policy_rejects_builtin_names() -> None:
    with pytest.raises(ValidationError, match="already registered"):

        @register_policy("category")
        class Again:
            def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
                return None


class _EntryPoint:
    def __init__(self, name: str, target: Any = None, error: Exception | None = None) -> None:
        self.name = name
        self.value = f"plugin:{name}"
        self._target = target
        self._error = error

    def load(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._target


class PluginPolicy:
    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        return None


def test_entry_points_load_only_when_called(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def fake(*, group: str) -> list[_EntryPoint]:
        seen.append(group)
        return [_EntryPoint("plugin_ok", PluginPolicy)]

    monkeypatch.setattr(metadata, "entry_points", fake)
    saved = dict(_REGISTRY._factories)
    try:
        assert load_entry_point_policies() == ("plugin_ok",)
        assert seen == ["jiceng.policies"]
        assert load_entry_point_policies() == ()  # the same object again: skipped
        assert isinstance(create_policy("plugin_ok"), PluginPolicy)
    finally:
        _REGISTRY._factories.clear()
        _REGISTRY._factories.update(saved)


def test_entry_points_all_or_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [
        _EntryPoint("fine", PluginPolicy),
        _EntryPoint("broken", error=ImportError("no module")),
        _EntryPoint("category", PluginPolicy),
        _EntryPoint("notpolicy", type("X", (), {})),
        _EntryPoint("fine", PluginPolicy.__call__),
    ]
    monkeypatch.setattr(metadata, "entry_points", lambda *, group: points)
    registry = PolicyRegistry()
    registry.add("category", CategoryPolicy)
    with pytest.raises(ValidationError) as info:
        registry.load_entry_points()
    assert len(info.value.problems) == 4
    assert registry.names() == ("category",)


def test_category_fast_path_follows_the_context() -> None:
    policy = CategoryPolicy({"环境卫生": "城管局"}, fallback="综合协调")
    everywhere = make_context(Department("城管局"), Department("综合协调"))
    first = policy.decide(View(), everywhere)
    assert policy.decide(View(), everywhere) is first  # memoised
    assert policy.decide(View(category="其他"), everywhere) is policy.decide(
        View(category="其他"), everywhere
    )
    local = make_context(Department("城管局", jurisdiction={"G1"}), Department("综合协调"))
    inside = policy.decide(View(grid="G1"), local)
    outside = policy.decide(View(grid="G2"), local)
    assert inside is not None and inside.department == "城管局"
    assert outside is not None and outside.department == "综合协调"
    assert policy.decide(View(grid="G1"), local) == inside  # not memoised across grids
    excluded = policy.decide(View(), everywhere.with_excluded({"城管局"}))
    assert excluded is not None and excluded.department == "综合协调"
    clone = pickle.loads(pickle.dumps(policy))
    assert clone.decide(View(), everywhere) == first


def test_category_fast_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("jiceng.dispatch._policies._MEMO_LIMIT", 1)
    policy = CategoryPolicy({}, fallback="综合协调")
    ctx = make_context(Department("综合协调"))
    for category in ("a", "b", "c"):
        assert policy.decide(View(category=category), ctx) is not None
    assert len(policy._fast) == 1


def test_unregister_policy_removes_a_name() -> None:
    from jiceng.dispatch import unregister_policy

    @register_policy("temporary_for_test")
    class Temporary:
        def decide(self, task: object, context: object, /) -> None:
            return None

    assert "temporary_for_test" in policy_names()
    unregister_policy("temporary_for_test")
    assert "temporary_for_test" not in policy_names()
    with pytest.raises(UnknownPolicyError, match="temporary_for_test"):
        unregister_policy("temporary_for_test")


def test_category_memo_never_leaks_across_contexts_or_exclusions() -> None:
    at = datetime(2026, 5, 6, 9, 0, tzinfo=timezone.utc)
    policy = CategoryPolicy({"环境卫生": "城管局"}, fallback="综合协调")
    both = {"城管局": Department("城管局"), "综合协调": Department("综合协调")}
    first = DispatchContext(departments=both, loads=dict.fromkeys(both, 0), now=at)
    task = Task.report(category="环境卫生", description="垃圾", at=at, id="M1")
    warm = policy.decide(task, first)
    assert warm is not None and warm.department == "城管局"
    assert policy.decide(task, first) is warm  # memoised
    # a different context without 城管局 must not reuse the memo
    only_fallback = {"综合协调": Department("综合协调")}
    second = DispatchContext(departments=only_fallback, loads={"综合协调": 0}, now=at)
    other = policy.decide(task, second)
    assert other is not None and other.department == "综合协调"
    # exclusions set on the first context are honoured even with a warm memo
    again = policy.decide(task, first)
    assert again is not None and again.department == "城管局"
    excluded = DispatchContext(
        departments=both, loads=dict.fromkeys(both, 0), now=at, excluded=frozenset({"城管局"})
    )
    fallback = policy.decide(task, excluded)
    assert fallback is not None and fallback.department == "综合协调"
