"""The rule-based built-in policies and ``Chain`` (private; re-exported by :mod:`jiceng.dispatch`).

Every policy here is a plain attrs object: picklable, deep-copyable, lock-free. Each one only ever
returns a department that ``context.eligible`` accepts, or ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from attrs import define, field

from jiceng.dispatch._core import Decision, DispatchContext, DispatchPolicy, TaskView, check_name
from jiceng.errors import ValidationError

if TYPE_CHECKING:
    from jiceng.models import Department

__all__ = [
    "CategoryPolicy",
    "Chain",
    "KeywordPolicy",
    "LeastLoadedPolicy",
    "RoundRobinPolicy",
    "TerritoryPolicy",
]

_MEMO_LIMIT = 16_384


class _Duties(Protocol):
    """What the policies use of a :class:`~jiceng.models.ResponsibilityList`."""

    def leads_for(self, category: str, grid: str | None = None) -> tuple[str, ...]: ...

    def supporters_for(self, category: str, grid: str | None = None) -> tuple[str, ...]: ...


Table: TypeAlias = "Mapping[str, str] | Mapping[str, Department] | _Duties"
"""A ``{category: department}`` mapping, or a ``ResponsibilityList`` (权责清单)."""

Candidates: TypeAlias = "Mapping[str, Sequence[str]] | _Duties"
"""A ``{category: [department, ...]}`` mapping, or a ``ResponsibilityList`` (its leads)."""


def _name_of(value: object) -> object:
    """A department given as a ``Department`` is stored by name."""
    name = getattr(value, "name", None)
    return name if isinstance(name, str) and not isinstance(value, str) else value


def _is_duties(value: object) -> bool:
    return callable(getattr(value, "leads_for", None)) and callable(
        getattr(value, "supporters_for", None)
    )


def _table(value: object) -> object:
    """Normalise a category table: a mapping becomes a dict of names; a list stays as it is."""
    if isinstance(value, Mapping):
        problems: list[str] = []
        table: dict[str, str] = {}
        for category, department in value.items():
            department = _name_of(department)
            if not isinstance(category, str) or not category.strip():
                problems.append(f"table key {category!r}: a category must be a non-empty string")
            elif not isinstance(department, str) or not department.strip():
                problems.append(f"table[{category!r}]={department!r}: must name a department")
            else:
                table[category] = department
        if problems:
            raise ValidationError.collect(problems, what="table")
        return table
    if _is_duties(value):
        return value
    raise ValidationError.for_field(
        "table", value, "must be a {category: department} mapping or a ResponsibilityList"
    )


def _candidates(value: object) -> object:
    """Normalise candidates: a mapping becomes a dict of name tuples; a list stays as it is."""
    if isinstance(value, Mapping):
        problems: list[str] = []
        table: dict[str, tuple[str, ...]] = {}
        for category, names in value.items():
            if not isinstance(category, str) or not category.strip():
                problems.append(f"candidates key {category!r}: must be a non-empty string")
                continue
            if isinstance(names, str) or not isinstance(names, Iterable):
                problems.append(
                    f"candidates[{category!r}]={names!r}: must be a list of departments"
                )
                continue
            found = tuple(_name_of(n) for n in names)
            bad = [n for n in found if not isinstance(n, str) or not n.strip()]
            if bad or not found or len(set(found)) != len(found):
                problems.append(
                    f"candidates[{category!r}]={list(found)!r}: must be distinct department names"
                )
                continue
            table[category] = found  # type: ignore[assignment]  # checked to be str just above
        if problems:
            raise ValidationError.collect(problems, what="candidates")
        return table
    if _is_duties(value):
        return value
    raise ValidationError.for_field(
        "candidates", value, "must be a {category: [departments]} mapping or a ResponsibilityList"
    )


def _optional_name(_inst: object, attribute: object, value: Any) -> None:
    if value is not None:
        check_name(getattr(attribute, "name", "fallback"), value)


def _fallback_decision(
    policy: str,
    fallback: str | None,
    task: TaskView,
    context: DispatchContext,
    *,
    why: str,
    why_en: str,
) -> Decision | None:
    """The fallback (兜底) department's decision, or ``None`` when it is unset or ineligible."""
    if fallback is None or not context.eligible(fallback, task.grid):
        return None
    return Decision(
        department=fallback,
        reason=f"{why}，兜底派往{fallback}",
        reason_en=f"{why_en}; fallback to {fallback}",
        policy=policy,
    )


def _list_decision(category: str, lead: str, helpers: tuple[str, ...]) -> Decision:
    tail = f"（协办：{'、'.join(helpers)}）" if helpers else ""
    tail_en = f" (supporting: {', '.join(helpers)})" if helpers else ""
    return Decision(
        department=lead,
        cooperating=helpers,
        reason=f"按权责清单：{category} → {lead}{tail}",
        reason_en=f"responsibility list: {category} → {lead}{tail_en}",
        policy="category",
    )


def _duties_decisions(duties: _Duties, category: str, grid: str | None) -> tuple[Decision, ...]:
    """One ready decision per lead on the list (sorted), with the list's supporters cooperating."""
    supporters = duties.supporters_for(category, grid)
    return tuple(
        _list_decision(category, lead, tuple(s for s in supporters if s != lead))
        for lead in duties.leads_for(category, grid)
    )


@define
class CategoryPolicy:
    """Route by category (按类别派单): the seed's table, or a responsibility list (权责清单).

    A known category goes to its lead department, with the list's supporters as cooperating (those
    the context knows and that serve the grid). An unknown category, or one whose lead is excluded
    or ineligible, goes to ``fallback``; with no fallback the result is ``None``.

    Args:
        table: ``{category: department}`` or a :class:`~jiceng.models.ResponsibilityList`.
        fallback: The department that takes everything else (兜底), e.g. ``"综合协调"``.

    >>> from datetime import datetime, timezone
    >>> from jiceng.models import Department, Task
    >>> names = ["城管局", "综合协调"]
    >>> ctx = DispatchContext(
    ...     departments={n: Department(n) for n in names},
    ...     loads={},
    ...     now=datetime(2024, 5, 6, 9, tzinfo=timezone.utc),
    ... )
    >>> policy = CategoryPolicy({"环境卫生": "城管局"}, fallback="综合协调")
    >>> task = Task.report(category="环境卫生", description="垃圾堆积", at=ctx.now)
    >>> policy.decide(task, ctx).reason
    '按权责清单：环境卫生 → 城管局'
    """

    table: Table = field(converter=_table)
    fallback: str | None = field(default=None, kw_only=True, validator=_optional_name)
    _ready: dict[str, Decision] = field(factory=dict, init=False, eq=False, repr=False)
    _memo: dict[tuple[str, str | None], tuple[Decision, ...]] = field(
        factory=dict, init=False, eq=False, repr=False
    )
    # Grid-independent decisions by category, valid for one departments mapping when nothing is
    # excluded. The hot path checks only that the context is the last one seen (a context keeps
    # its departments fixed), that nothing is excluded, and looks the category up.
    _fast: dict[str, Decision] = field(factory=dict, init=False, eq=False, repr=False)
    _fast_for: object = field(default=None, init=False, eq=False, repr=False)
    _fast_ctx: object = field(default=None, init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.table, dict):
            self._ready = {
                category: _list_decision(category, department, ())
                for category, department in self.table.items()
            }

    def cache_key(self, task: TaskView, /) -> Hashable | None:
        """``(category, grid)``: the decision depends on nothing else."""
        return (task.category, task.grid)

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        """The category's lead department, else the fallback, else ``None``.

        A decision that cannot depend on the grid (its department serves everywhere) is
        memoised per category while nothing is excluded, for the context's departments mapping
        (which a context keeps fixed).
        """
        ready = self._fast.get(task.category)
        if ready is None or context.excluded or context.departments is not self._fast_for:
            return self._decide(task, context)
        return ready

    def _decide(self, task: TaskView, context: DispatchContext) -> Decision | None:
        departments = context.departments
        if departments is not self._fast_for:
            self._fast = {}
            self._fast_for = departments
        self._fast_ctx = context
        category = task.category
        ready = self._ready.get(category)
        if ready is not None:
            name = ready.department
            dept = departments.get(name)
            if dept is not None and name not in context.excluded and dept.serves(task.grid):
                self._remember(category, ready, context)
                return ready
            return self._fall_back(task, context, name)
        if not isinstance(self.table, dict):
            return self._from_duties(task, context)
        decision = _fallback_decision(
            "category",
            self.fallback,
            task,
            context,
            why=f"类别“{category}”不在权责清单",
            why_en=f"category {category!r} is not on the list",
        )
        if decision is not None:
            self._remember(category, decision, context)
        return decision

    def _remember(self, category: str, decision: Decision, context: DispatchContext) -> None:
        """Memoise a decision that holds for every grid while nothing is excluded."""
        if context.excluded or len(self._fast) >= _MEMO_LIMIT:
            return
        if context.departments[decision.department].jurisdiction is None:
            self._fast[category] = decision

    def __getstate__(self) -> dict[str, Any]:
        return {"table": self.table, "fallback": self.fallback, "ready": self._ready}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.table = state["table"]
        self.fallback = state["fallback"]
        self._ready = state["ready"]
        self._memo = {}
        self._fast = {}
        self._fast_for = None
        self._fast_ctx = None

    def _fall_back(self, task: TaskView, context: DispatchContext, lead: str) -> Decision | None:
        return _fallback_decision(
            "category",
            self.fallback,
            task,
            context,
            why=f"按权责清单：{task.category} → {lead}，但该部门不可派（{_why_zh(context, lead, task.grid)}）",
            why_en=f"responsibility list: {task.category} → {lead}, but "
            f"{context.ineligibility(lead, task.grid)}",
        )

    def _from_duties(self, task: TaskView, context: DispatchContext) -> Decision | None:
        key = (task.category, task.grid)
        decisions = self._memo.get(key)
        if decisions is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            decisions = _duties_decisions(self.table, task.category, task.grid)  # type: ignore[arg-type]  # checked: not a dict
            self._memo[key] = decisions
        grid = task.grid
        for decision in decisions:
            if context.eligible(decision.department, grid):
                helpers = tuple(c for c in decision.cooperating if context.eligible(c, grid))
                if helpers == decision.cooperating:
                    return decision
                return _list_decision(task.category, decision.department, helpers)
        if decisions:
            return self._fall_back(task, context, decisions[0].department)
        return _fallback_decision(
            "category",
            self.fallback,
            task,
            context,
            why=f"类别“{task.category}”在权责清单中无牵头部门",
            why_en=f"category {task.category!r} has no lead on the list",
        )


def _why_zh(context: DispatchContext, department: str, grid: str | None) -> str:
    if department not in context.departments:
        return "部门不存在"
    if department in context.excluded:
        return "已回退过此件"
    return f"不负责网格{grid}"


def _rules(value: object) -> tuple[tuple[str | re.Pattern[str], str], ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError.for_field(
            "rules", value, "must be a sequence of (keyword, department)"
        )
    problems: list[str] = []
    rules: list[tuple[str | re.Pattern[str], str]] = []
    for number, rule in enumerate(value, start=1):
        if not (isinstance(rule, (tuple, list)) and len(rule) == 2):
            problems.append(f"rule {number}: {rule!r} is not a (keyword, department) pair")
            continue
        keyword, department = rule[0], _name_of(rule[1])
        if not (isinstance(keyword, re.Pattern) or (isinstance(keyword, str) and keyword.strip())):
            problems.append(f"rule {number}: keyword {keyword!r} must be text or a compiled regex")
        elif not isinstance(department, str) or not department.strip():
            problems.append(f"rule {number}: department {department!r} must be a name")
        else:
            rules.append((keyword, department))
    if problems:
        raise ValidationError.collect(problems, what="rules")
    return tuple(rules)


@define
class KeywordPolicy:
    """Route by keywords (关键词派单): the first matching rule whose department is eligible wins.

    Rules are matched, in order, against ``f"{task.category} {task.description}"``. A text keyword
    matches case-insensitively as a substring; a compiled regex is searched as it is.

    Args:
        rules: ``[(keyword or re.Pattern, department), ...]``.
        fallback: The department for texts that match no eligible rule.

    >>> import re
    >>> policy = KeywordPolicy([("燃气", "应急管理局"), (re.compile(r"噪音|扰民"), "司法所")])
    >>> [kw if isinstance(kw, str) else kw.pattern for kw, _ in policy.rules]
    ['燃气', '噪音|扰民']
    """

    rules: tuple[tuple[str | re.Pattern[str], str], ...] = field(converter=_rules)
    fallback: str | None = field(default=None, kw_only=True, validator=_optional_name)

    def cache_key(self, task: TaskView, /) -> Hashable | None:
        """``(category, description)``: the decision depends on the text alone."""
        return (task.category, task.description)

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        """The first matching eligible rule's department, else the fallback, else ``None``."""
        text = f"{task.category} {task.description}"
        lowered = text.lower()
        grid = task.grid
        for keyword, department in self.rules:
            if isinstance(keyword, str):
                hit = keyword.lower() in lowered
                shown = keyword
            else:
                hit = keyword.search(text) is not None
                shown = keyword.pattern
            if hit and context.eligible(department, grid):
                return Decision(
                    department=department,
                    reason=f"按关键词规则：“{shown}” → {department}",
                    reason_en=f"keyword rule: {shown!r} → {department}",
                    policy="keyword",
                )
        return _fallback_decision(
            "keyword",
            self.fallback,
            task,
            context,
            why="无匹配的关键词规则",
            why_en="no keyword rule matched an eligible department",
        )


def _name_map(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValidationError.for_field("mapping", value, "must be a mapping of names")
    problems = []
    out: dict[str, str] = {}
    for key, name in value.items():
        name = _name_of(name)
        if not isinstance(key, str) or not key.strip() or not isinstance(name, str) or not name:
            problems.append(f"{key!r} → {name!r}: both must be non-empty names")
        else:
            out[key] = name
    if problems:
        raise ValidationError.collect(problems, what="mapping")
    return out


def _name_set(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError.for_field("components", value, "must be a set of categories")
    return frozenset(value)


@define(kw_only=True)
class TerritoryPolicy:
    """Route by territory and ownership (属地管理与权属): 部件 to owners, 事件 to territories.

    Categories in ``components`` are 部件 (city components: manhole covers, lamps, benches): their
    owner (权属单位) handles them first, then the territory. All other categories are 事件 (events:
    rubbish, street vending, disputes): the territorial department (属地) first, then the owner. A
    task with no eligible owner falls back to the territory (属地兜底).

    Args:
        owners: ``{category: owning department}``.
        territory: ``{grid id: territorial department}``.
        components: The categories that are 部件.

    >>> policy = TerritoryPolicy(
    ...     owners={"井盖": "水务局"}, territory={"G1": "东街道"}, components={"井盖"}
    ... )
    >>> policy.cache_key(type("T", (), {"category": "井盖", "grid": "G1"})())
    ('井盖', 'G1')
    """

    owners: dict[str, str] = field(converter=_name_map)
    territory: dict[str, str] = field(converter=_name_map)
    components: frozenset[str] = field(default=frozenset(), converter=_name_set)

    def cache_key(self, task: TaskView, /) -> Hashable | None:
        """``(category, grid)``."""
        return (task.category, task.grid)

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        """The owner or the territory, in the order that the category's kind dictates."""
        category, grid = task.category, task.grid
        owner = self.owners.get(category)
        local = self.territory.get(grid) if grid is not None else None
        owner_ok = owner is not None and context.eligible(owner, grid)
        local_ok = local is not None and context.eligible(local, grid)
        if category in self.components:
            if owner_ok:
                return _territory_decision(
                    owner,
                    f"部件按权属：{category} → 权属单位{owner}",
                    f"component by ownership: {category} → owner {owner}",
                )
            if local_ok:
                return _territory_decision(
                    local,
                    f"部件无可派权属单位，属地兜底：网格{grid} → {local}",
                    f"component with no eligible owner, territorial fallback: grid {grid} → {local}",
                )
            return None
        if local_ok:
            return _territory_decision(
                local,
                f"事件按属地：网格{grid} → {local}",
                f"event by territory: grid {grid} → {local}",
            )
        if owner_ok:
            return _territory_decision(
                owner,
                f"事件无可派属地单位，按主管部门：{category} → {owner}",
                f"event with no eligible territory, by owner: {category} → {owner}",
            )
        return None


def _territory_decision(department: str | None, reason: str, reason_en: str) -> Decision:
    assert department is not None  # guarded by the caller's *_ok flag
    return Decision(department=department, reason=reason, reason_en=reason_en, policy="territory")


def _candidate_names(candidates: object, task: TaskView, context: DispatchContext) -> list[str]:
    if isinstance(candidates, dict):
        names: Sequence[str] = candidates.get(task.category, ())
    else:
        names = candidates.leads_for(task.category, task.grid)  # type: ignore[attr-defined]  # a list
    grid = task.grid
    return [n for n in names if context.eligible(n, grid)]


@define
class LeastLoadedPolicy:
    """Balance load (按负荷派单): the eligible candidate with the fewest open tasks per handler.

    Ties go to the name that sorts first. Loads come from ``context.loads`` (missing names count 0).

    Args:
        candidates: ``{category: [departments]}`` or a responsibility list (its leads).

    >>> LeastLoadedPolicy({"环境卫生": ["城管一队", "城管二队"]}).candidates["环境卫生"]
    ('城管一队', '城管二队')
    """

    candidates: Candidates = field(converter=_candidates)

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        """The least-loaded eligible candidate for the task's category, or ``None``."""
        names = _candidate_names(self.candidates, task, context)
        if not names:
            return None
        best = min(names, key=lambda n: (context.load_per_handler(n), n))
        load = context.loads.get(best, 0)
        handlers = context.departments[best].handlers
        return Decision(
            department=best,
            reason=f"按负荷最低：{task.category} → {best}（在办{load}件，{handlers}人）",
            reason_en=f"least loaded: {task.category} → {best} ({load} open, {handlers} handlers)",
            policy="least_loaded",
        )


@define
class RoundRobinPolicy:
    """Take turns (轮流派单): cycle through the eligible candidates, one cycle per category.

    Args:
        candidates: ``{category: [departments]}`` or a responsibility list (its leads).

    Its only state is the next position per category, so it pickles and deep-copies.
    """

    candidates: Candidates = field(converter=_candidates)
    _next: dict[str, int] = field(factory=dict, init=False, eq=False, repr=False)

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        """The next eligible candidate for the task's category in turn, or ``None``."""
        if isinstance(self.candidates, dict):
            names: Sequence[str] = self.candidates.get(task.category, ())
        else:
            names = self.candidates.leads_for(task.category, task.grid)  # type: ignore[union-attr]  # a list
        size = len(names)
        start = self._next.get(task.category, 0)
        grid = task.grid
        for step in range(size):
            index = (start + step) % size
            name = names[index]
            if context.eligible(name, grid):
                self._next[task.category] = index + 1
                return Decision(
                    department=name,
                    reason=f"轮流派单：{task.category}第{index + 1}/{size}位 → {name}",
                    reason_en=f"round robin: {task.category} turn {index + 1} of {size} → {name}",
                    policy="round_robin",
                )
        return None


def _policies(value: Iterable[DispatchPolicy]) -> tuple[DispatchPolicy, ...]:
    policies: tuple[object, ...] = tuple(value)
    if not policies:
        raise ValidationError.for_field("policies", (), "a Chain needs at least one policy")
    bad = [
        f"policies[{i}]={p!r}: has no decide(task, context) method"
        for i, p in enumerate(policies)
        if not isinstance(p, DispatchPolicy)
    ]
    if bad:
        raise ValidationError.collect(bad, what="policies")
    return policies  # type: ignore[return-value]  # each member was checked just above


@define(init=False)
class Chain:
    """Try policies in order (策略链): the first non-``None`` decision wins, unchanged.

    >>> chain = Chain(
    ...     KeywordPolicy([("燃气", "应急管理局")]), CategoryPolicy({"环境卫生": "城管局"})
    ... )
    >>> len(chain.policies)
    2
    """

    policies: tuple[DispatchPolicy, ...] = field(converter=_policies)

    def __init__(self, *policies: DispatchPolicy) -> None:
        self.__attrs_init__(policies)

    def cache_key(self, task: TaskView, /) -> Hashable | None:
        """The members' keys together, or ``None`` unless every member is cacheable."""
        keys = []
        for policy in self.policies:
            key_of = getattr(policy, "cache_key", None)
            key = key_of(task) if key_of is not None else None
            if key is None:
                return None
            keys.append(key)
        return tuple(keys)

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        """The first member's decision that is not ``None``."""
        for policy in self.policies:
            decision = policy.decide(task, context)
            if decision is not None:
                return decision
        return None
