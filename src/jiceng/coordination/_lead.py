"""Lead resolution for cross-department matters (牵头部门认定): ``LeadResolver`` and ``Resolution``."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, Protocol

from attrs import field, frozen

from jiceng.coordination._common import fail, name_of, names_of
from jiceng.errors import UnresolvedLeadError, ValidationError
from jiceng.models import Department, Level, ResponsibilityList

__all__ = ["LeadResolver", "LeadRule", "Resolution"]


class LeadRule(enum.Enum):
    """Which rule named the lead department (牵头部门).

    >>> LeadRule.FIRST_RECEIVER.label
    '首接负责'
    """

    RESPONSIBILITY_LIST = "responsibility_list"
    TERRITORY = "territory"
    COORDINATOR = "coordinator"
    FIRST_RECEIVER = "first_receiver"
    STREET = "street"

    @property
    def label(self) -> str:
        """The rule's Chinese name."""
        return _RULE_LABELS[self]


_RULE_LABELS = {
    LeadRule.RESPONSIBILITY_LIST: "权责清单",
    LeadRule.TERRITORY: "属地管辖",
    LeadRule.COORDINATOR: "协调指定",
    LeadRule.FIRST_RECEIVER: "首接负责",
    LeadRule.STREET: "属地街道",
}


@frozen(kw_only=True)
class Resolution:
    """Who leads (牵头) a cross-department matter and who cooperates (配合), and why.

    Attributes:
        lead: The lead department's name.
        cooperating: Every other department given, plus the list's supporters and the losing
            claimants; sorted, never the lead.
        rule: The rule that named the lead.
        rationale: One line per rule tried, in Chinese.
        contested: True when several departments claimed the lead (多头).
        rationale_en: The same lines in English.
        category: The category the matter was resolved under.
        grid: The grid it was resolved for, or None.
    """

    lead: str
    cooperating: tuple[str, ...]
    rule: LeadRule
    rationale: tuple[str, ...]
    contested: bool
    rationale_en: tuple[str, ...] = ()
    category: str = ""
    grid: str | None = None

    def describe(self, lang: str = "zh") -> str:
        """The resolution as readable text: the outcome, then the rationale, one line each.

        Raises:
            ValidationError: ``lang`` is neither ``"zh"`` nor ``"en"``.
        """
        if lang == "zh":
            helpers = "、".join(self.cooperating) or "无"
            head = f"牵头：{self.lead}（{self.rule.label}）；配合：{helpers}"
            if self.contested:
                head += "；存在多头争议"
            return "\n".join((head, *(f"- {line}" for line in self.rationale)))
        if lang == "en":
            helpers = ", ".join(self.cooperating) or "none"
            head = f"lead: {self.lead} ({self.rule.value}); cooperating: {helpers}"
            if self.contested:
                head += "; contested"
            return "\n".join((head, *(f"- {line}" for line in self.rationale_en)))
        raise ValidationError.for_field("lang", lang, "must be 'zh' or 'en'")


class _Matter(Protocol):
    @property
    def category(self) -> str: ...
    @property
    def grid(self) -> str | None: ...


def _directory(value: Iterable[Department]) -> tuple[Department, ...]:
    if isinstance(value, Department) or not isinstance(value, Iterable):
        raise ValidationError.for_field("directory", value, "must be an iterable of Department")
    items: tuple[object, ...] = tuple(value)
    problems = [
        f"directory: {item!r} is not a Department"
        for item in items
        if not isinstance(item, Department)
    ]
    seen: dict[str, int] = {}
    for item in items:
        if isinstance(item, Department):
            seen[item.name] = seen.get(item.name, 0) + 1
    problems += [f"directory: duplicate department {n!r}" for n, c in sorted(seen.items()) if c > 1]
    fail(problems, field="directory", value=items, what="directory")
    return tuple(sorted((d for d in items if isinstance(d, Department)), key=lambda d: d.name))


def _coordinator(value: str | Department | None) -> str | None:
    return None if value is None else name_of("coordinator", value)


def _responsibilities(_inst: object, _attribute: object, value: Any) -> None:
    if not isinstance(value, ResponsibilityList):
        raise ValidationError.for_field("responsibilities", value, "must be a ResponsibilityList")


def _zh_list(names: Iterable[str]) -> str:
    return "、".join(names)


def _en_list(names: Iterable[str]) -> str:
    return ", ".join(names)


@frozen
class LeadResolver:
    """Names the lead department (牵头部门) for a matter that several departments touch.

    The rules, in order (DESIGN.md §5):

    1. **Responsibility list** (权责清单): exactly one of the given departments is listed as lead
       for the category (and grid): it leads.
    2. **Several claim** (多头): territory decides, then the coordinator; ``contested=True``.
       A claimant "holds" the grid when its :class:`~jiceng.models.Department` in the directory
       has a jurisdiction containing it, or when its own duty line for the category names the
       grid explicitly (``Duty.grids``).
    3. **None claims** (责任真空): the first receiver leads (首接负责制); else the one street-level
       department among those given (属地); else the coordinator.
    4. Otherwise :class:`~jiceng.errors.UnresolvedLeadError`, carrying the rationale.

    Every set is sorted before it is used, so the result never depends on the order of
    ``departments``.

    Args:
        responsibilities: The responsibility list (权责清单).
        directory: The departments it knows. Their levels drive the 属地 rule and their
            jurisdictions the territory rule. When non-empty, every name passed to
            :meth:`resolve` must be in it.
        coordinator: The department that settles what the rules cannot, e.g. the district's
            城市管理委员会 or 12345 中心; a name or a ``Department``.

    >>> from jiceng.models import Duty, Role
    >>> rl = ResponsibilityList(
    ...     [
    ...         Duty("老旧小区改造", "住建局"),
    ...         Duty("老旧小区改造", "城管局", role=Role.SUPPORT),
    ...         Duty("老旧小区改造", "街道办", role=Role.SUPPORT),
    ...     ]
    ... )
    >>> r = LeadResolver(rl).resolve("老旧小区改造", ["城管局", "住建局", "街道办"])
    >>> r.lead, r.cooperating, r.rule.label
    ('住建局', ('城管局', '街道办'), '权责清单')
    >>> str(r.rationale[0])
    '权责清单：所列部门中，住建局是“老旧小区改造”唯一的牵头部门'
    """

    responsibilities: ResponsibilityList = field(validator=_responsibilities)
    directory: tuple[Department, ...] = field(default=(), kw_only=True, converter=_directory)
    coordinator: str | None = field(default=None, kw_only=True, converter=_coordinator)

    def department(self, name: str) -> Department | None:
        """The directory's department called ``name``, or None."""
        for item in self.directory:
            if item.name == name:
                return item
        return None

    def resolve(
        self,
        matter: str | _Matter,
        departments: Iterable[str | Department],
        *,
        category: str | None = None,
        grid: str | None = None,
        first_receiver: str | Department | None = None,
    ) -> Resolution:
        """Resolve who leads ``matter`` among ``departments``.

        Args:
            matter: A category string, or a task (its ``category`` and ``grid`` are read).
            departments: The departments involved: names or ``Department`` objects; non-empty,
                no duplicates. A ``Department`` given here also tells its level and
                jurisdiction.
            category: The category to look up; default the matter itself or its category.
            grid: The grid concerned; default the task's grid (None for a string matter).
            first_receiver: The department that first received the matter (首接部门), if any.

        Returns:
            The :class:`Resolution`.

        Raises:
            ValidationError: an empty or duplicated ``departments``, a bad name, or (with a
                non-empty directory) a name the directory does not know. All problems at once.
            UnresolvedLeadError: no rule decides; ``.rationale`` says what was tried.
        """
        raw: object = departments
        items = (
            list(raw)
            if isinstance(raw, Iterable) and not isinstance(raw, str | Department)
            else raw
        )
        given = names_of("departments", items)
        known = {d.name: d for d in self.directory}
        known.update({d.name: d for d in items if isinstance(d, Department)})  # type: ignore[attr-defined]
        if category is None:
            category = matter if isinstance(matter, str) else getattr(matter, "category", None)
        if not isinstance(category, str) or not category.strip():
            raise ValidationError.for_field("category", category, "must be a non-empty category")
        if grid is None and not isinstance(matter, str):
            grid = getattr(matter, "grid", None)
        receiver = None if first_receiver is None else name_of("first_receiver", first_receiver)
        if self.directory:
            names = {d.name for d in self.directory}
            problems = [
                f"{what}={name!r}: not in the directory"
                for what, group in (
                    ("departments", given),
                    ("first_receiver", () if receiver is None else (receiver,)),
                    ("coordinator", () if self.coordinator is None else (self.coordinator,)),
                )
                for name in group
                if name not in names
            ]
            fail(problems, field="departments", value=list(given), what="resolve")

        members = sorted(given)
        leads = set(self.responsibilities.leads_for(category, grid))
        claimants = [n for n in members if n in leads]
        supporters = self.responsibilities.supporters_for(category, grid)
        zh: list[str] = []
        en: list[str] = []
        where = "" if grid is None else f"（网格 {grid}）"
        where_en = "" if grid is None else f" in grid {grid}"

        def done(lead: str, rule: LeadRule, *, contested: bool) -> Resolution:
            cooperating = tuple(sorted((set(members) | set(supporters)) - {lead}))
            return Resolution(
                lead=lead,
                cooperating=cooperating,
                rule=rule,
                rationale=tuple(zh),
                rationale_en=tuple(en),
                contested=contested,
                category=category,
                grid=grid,
            )

        # 1. the responsibility list
        if len(claimants) == 1:
            zh.append(f"权责清单：所列部门中，{claimants[0]}是“{category}”唯一的牵头部门{where}")
            en.append(
                f"responsibility list: {claimants[0]} is the only listed lead for {category!r}"
                f"{where_en} among the departments given"
            )
            return done(claimants[0], LeadRule.RESPONSIBILITY_LIST, contested=False)

        if claimants:
            # 2. several claim (多头): territory, then the coordinator
            zh.append(f"权责清单：{_zh_list(claimants)}均为“{category}”的牵头部门{where}（多头）")
            en.append(
                f"responsibility list: {_en_list(claimants)} are all listed as lead for "
                f"{category!r}{where_en} (overlap)"
            )
            if grid is None:
                zh.append("属地：未给出网格，无法按属地判定")
                en.append("territory: no grid given, so territory cannot decide")
            else:
                holders = [n for n in claimants if self._holds(n, category, grid, known)]
                if len(holders) == 1:
                    zh.append(f"属地：网格 {grid} 在{holders[0]}的管辖范围内，由其牵头")
                    en.append(f"territory: grid {grid} is in {holders[0]}'s jurisdiction")
                    return done(holders[0], LeadRule.TERRITORY, contested=True)
                if holders:
                    zh.append(f"属地：网格 {grid} 同时在{_zh_list(holders)}的管辖范围内，无法判定")
                    en.append(
                        f"territory: grid {grid} is in the jurisdiction of {_en_list(holders)}; "
                        "no single holder"
                    )
                else:
                    zh.append(f"属地：没有牵头部门专门管辖网格 {grid}，无法判定")
                    en.append(f"territory: no claimant specifically holds grid {grid}")
            return self._coordinate(zh, en, done, contested=True, category=category)

        # 3. none claims (责任真空): first receiver, street, coordinator
        zh.append(f"权责清单：所列部门均不是“{category}”的牵头部门{where}（责任真空）")
        en.append(
            f"responsibility list: none of the departments given is listed as lead for "
            f"{category!r}{where_en} (vacuum)"
        )
        if receiver is not None:
            zh.append(f"首接负责：由首接部门{receiver}牵头")
            en.append(f"first receiver: {receiver} received it first and leads")
            return done(receiver, LeadRule.FIRST_RECEIVER, contested=False)
        zh.append("首接负责：未指定首接部门")
        en.append("first receiver: none given")
        streets = [n for n in members if n in known and known[n].level is Level.STREET]
        if len(streets) > 1 and grid is not None:
            streets = [n for n in streets if known[n].serves(grid)]
        if len(streets) == 1:
            zh.append(f"属地：所列部门中，{streets[0]}是唯一的街道（乡镇）一级单位，由其属地牵头")
            en.append(f"street: {streets[0]} is the one street-level office given; it leads")
            return done(streets[0], LeadRule.STREET, contested=False)
        if streets:
            zh.append(f"属地：所列部门中有多个街道一级单位（{_zh_list(streets)}），无法判定")
            en.append(f"street: several street-level offices given ({_en_list(streets)})")
        else:
            zh.append("属地：所列部门中没有已知的街道（乡镇）一级单位")
            en.append("street: no known street-level office among the departments given")
        return self._coordinate(zh, en, done, contested=False, category=category)

    def _holds(self, name: str, category: str, grid: str, known: dict[str, Department]) -> bool:
        department = known.get(name)
        if department is not None and department.jurisdiction is not None:  # noqa: SIM102
            if grid in department.jurisdiction:
                return True
        return any(
            duty.department == name and duty.grids is not None and grid in duty.grids
            for duty in self.responsibilities.duties
            if duty.category == category
        )

    def _coordinate(
        self,
        zh: list[str],
        en: list[str],
        done: _Done,
        *,
        contested: bool,
        category: str,
    ) -> Resolution:
        if self.coordinator is not None:
            zh.append(f"协调：由协调部门{self.coordinator}指定牵头")
            en.append(f"coordinator: {self.coordinator} settles it and leads")
            return done(self.coordinator, LeadRule.COORDINATOR, contested=contested)
        zh.append("协调：未设协调部门")
        en.append("coordinator: none set")
        error = UnresolvedLeadError(
            f"category={category!r}: no rule could name a lead department; " + "; ".join(en),
            rationale=zh,
            rationale_en=en,
        )
        raise error


class _Done(Protocol):
    def __call__(self, lead: str, rule: LeadRule, *, contested: bool) -> Resolution: ...
