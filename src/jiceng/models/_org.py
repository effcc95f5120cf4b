"""Departments, the responsibility list (权责清单), grids (网格) and partners (社区合伙人)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import field, frozen
from dateutil.relativedelta import relativedelta

from jiceng.errors import ValidationError
from jiceng.models._enums import CommitmentKind, Level, PartnerKind, Role
from jiceng.models._validate import (
    check_items,
    check_non_negative,
    check_text,
    non_empty,
    non_negative,
    of_type,
)

__all__ = [
    "Commitment",
    "Department",
    "Duty",
    "Grid",
    "GridCheck",
    "GridCode",
    "GridStandard",
    "GridSurvey",
    "Partner",
    "ResponsibilityFinding",
    "ResponsibilityList",
]


def _grid_set(value: Iterable[str] | None) -> frozenset[str] | None:
    """Convert a collection of grid ids to a frozenset; ``None`` stays ``None`` (everywhere)."""
    if value is None:
        return None
    if isinstance(value, str):
        raise ValidationError.for_field(
            "grids", value, "must be a collection of grid ids, not a string"
        )
    grids = frozenset(value)
    for grid in grids:
        check_text("grid", grid)
    return grids


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValidationError.for_field(
            "workers", value, "must be a collection of ids, not a string"
        )
    names = tuple(value)
    for name in names:
        check_text("worker", name)
    return names


def _positive_int(_inst: object, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.for_field(attribute.name, value, "must be a whole number ≥ 1")


@frozen
class Department:
    """A department that handles tasks (承办部门).

    Attributes:
        name: Its unique name, e.g. ``"城管局"``.
        level: District, street or community level; drives the 属地 (territorial) rule.
        handlers: How many staff handle tasks in parallel (for load balancing and simulation).
        jurisdiction: The grid ids it covers, or ``None`` for everywhere.

    >>> d = Department("街道办", level=Level.STREET, jurisdiction={"G1", "G2"})
    >>> d.serves("G1"), d.serves("G9"), d.serves(None)
    (True, False, True)
    """

    name: str = field(validator=non_empty)
    level: Level = field(default=Level.DISTRICT, kw_only=True, validator=of_type(Level))
    handlers: int = field(default=1, kw_only=True, validator=_positive_int)
    jurisdiction: frozenset[str] | None = field(default=None, kw_only=True, converter=_grid_set)

    def serves(self, grid: str | None) -> bool:
        """Whether this department may serve a task in ``grid`` (``None``: no grid given)."""
        return grid is None or self.jurisdiction is None or grid in self.jurisdiction


def _department_name(value: str | Department) -> str:
    return value.name if isinstance(value, Department) else value


@frozen
class Duty:
    """One line of the responsibility list: who leads or supports a category, and where.

    Attributes:
        category: The matter's category (事项), e.g. ``"环境卫生"``.
        department: The department's name (a ``Department`` is accepted and stored by name).
        role: ``Role.LEAD`` (牵头/主办) or ``Role.SUPPORT`` (配合/协办).
        grids: The territory this line applies to, or ``None`` for everywhere.
    """

    category: str = field(validator=non_empty)
    department: str = field(converter=_department_name, validator=non_empty)
    role: Role = field(default=Role.LEAD, kw_only=True, validator=of_type(Role))
    grids: frozenset[str] | None = field(default=None, kw_only=True, converter=_grid_set)

    def applies_to(self, grid: str | None) -> bool:
        """Whether this line covers ``grid``; ``None`` means "any territory"."""
        return grid is None or self.grids is None or grid in self.grids


@frozen
class ResponsibilityFinding:
    """A problem found in a responsibility list by :meth:`ResponsibilityList.check`.

    Attributes:
        kind: ``"vacuum"`` (责任真空: no lead) or ``"overlap"`` (多头: several leads in one territory).
        category: The category concerned.
        departments: The departments involved (the competing leads, or the supporters of a vacuum).
        grids: The territory concerned, or ``None`` for everywhere.
        reason: A readable explanation in Chinese.
        reason_en: The same in English.
    """

    kind: str = field(kw_only=True)
    category: str = field(kw_only=True)
    departments: tuple[str, ...] = field(kw_only=True)
    grids: frozenset[str] | None = field(kw_only=True)
    reason: str = field(kw_only=True)
    reason_en: str = field(kw_only=True)


def _duties(value: Iterable[Duty]) -> tuple[Duty, ...]:
    return check_items("duties", Duty, value)


def _territory(grids: frozenset[str] | None) -> str:
    return "全域" if grids is None else "、".join(sorted(grids))


@frozen
class ResponsibilityList:
    """The responsibility list (权责清单): who leads and who supports each category.

    >>> rl = ResponsibilityList(
    ...     [
    ...         Duty("老旧小区改造", "住建局"),
    ...         Duty("老旧小区改造", "城管局", role=Role.SUPPORT),
    ...         Duty("老旧小区改造", "街道办", role=Role.SUPPORT),
    ...     ]
    ... )
    >>> rl.leads_for("老旧小区改造"), rl.supporters_for("老旧小区改造")
    (('住建局',), ('城管局', '街道办'))
    >>> ResponsibilityList.from_mapping({"环境卫生": "城管局"}).leads_for("环境卫生")
    ('城管局',)
    """

    duties: tuple[Duty, ...] = field(converter=_duties)
    _index: dict[str, tuple[Duty, ...]] = field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        index: dict[str, list[Duty]] = {}
        for duty in self.duties:
            index.setdefault(duty.category, []).append(duty)
        object.__setattr__(self, "_index", {k: tuple(v) for k, v in index.items()})

    @classmethod
    def from_mapping(cls, table: Mapping[str, str | Department]) -> ResponsibilityList:
        """Build a list from the seed's simple ``{category: lead department}`` table."""
        return cls(Duty(category, department) for category, department in table.items())

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category the list mentions, sorted."""
        return tuple(sorted(self._index))

    def _names(self, category: str, grid: str | None, role: Role) -> tuple[str, ...]:
        return tuple(
            sorted(
                {
                    d.department
                    for d in self._index.get(category, ())
                    if d.role is role and d.applies_to(grid)
                }
            )
        )

    def leads_for(self, category: str, grid: str | None = None) -> tuple[str, ...]:
        """The lead departments (牵头/主办) for ``category`` in ``grid`` (None: any territory)."""
        return self._names(category, grid, Role.LEAD)

    def supporters_for(self, category: str, grid: str | None = None) -> tuple[str, ...]:
        """The supporting departments (配合/协办) for ``category`` in ``grid`` (None: any)."""
        return self._names(category, grid, Role.SUPPORT)

    def check(self) -> tuple[ResponsibilityFinding, ...]:
        """Find categories with no lead (责任真空) and with several leads in one territory (多头).

        >>> rl = ResponsibilityList([Duty("占道经营", "城管局"), Duty("占道经营", "市场监管局")])
        >>> [f.kind for f in rl.check()]
        ['overlap']
        """
        findings: list[ResponsibilityFinding] = []
        for category in self.categories:
            duties = self._index[category]
            leads = [d for d in duties if d.role is Role.LEAD]
            if not leads:
                names = tuple(sorted({d.department for d in duties}))
                findings.append(
                    ResponsibilityFinding(
                        kind="vacuum",
                        category=category,
                        departments=names,
                        grids=None,
                        reason=f"责任真空：事项“{category}”没有牵头部门（仅有配合部门 {'、'.join(names)}）",
                        reason_en=f"vacuum: category {category!r} has no lead department",
                    )
                )
                continue
            seen: set[tuple[str, str]] = set()
            for i, first in enumerate(leads):
                for second in leads[i + 1 :]:
                    if first.department == second.department:
                        continue
                    disjoint, shared = _overlap(first.grids, second.grids)
                    if disjoint:
                        continue
                    pair = tuple(sorted((first.department, second.department)))
                    if (pair[0], pair[1]) in seen:
                        continue
                    seen.add((pair[0], pair[1]))
                    territory = shared
                    findings.append(
                        ResponsibilityFinding(
                            kind="overlap",
                            category=category,
                            departments=pair,
                            grids=territory,
                            reason=(
                                f"多头：事项“{category}”在{_territory(territory)}有多个牵头部门"
                                f"（{'、'.join(pair)}）"
                            ),
                            reason_en=(
                                f"overlap: category {category!r} has several leads "
                                f"({', '.join(pair)}) in {'all grids' if territory is None else sorted(territory)}"
                            ),
                        )
                    )
        return tuple(findings)


def _overlap(
    a: frozenset[str] | None, b: frozenset[str] | None
) -> tuple[bool, frozenset[str] | None]:
    """Whether two lines' territories are disjoint, and their shared territory (None: everywhere)."""
    if a is None:
        return False, b
    if b is None:
        return False, a
    shared = a & b
    return not shared, shared


# Grids ------------------------------------------------------------------------------------------


@frozen
class Grid:
    """A unit grid (网格): the smallest territory a grid worker (网格员) serves.

    >>> Grid("110105001002003", households=420, population=1200, workers=("W1",)).workers
    ('W1',)
    """

    id: str = field(validator=non_empty)
    households: int = field(default=0, kw_only=True, validator=non_negative)
    population: int = field(default=0, kw_only=True, validator=non_negative)
    workers: tuple[str, ...] = field(default=(), kw_only=True, converter=_names)
    community: str | None = field(default=None, kw_only=True)
    street: str | None = field(default=None, kw_only=True)
    district: str | None = field(default=None, kw_only=True)


@frozen
class GridCheck:
    """The result of :meth:`GridStandard.check`: ``ok`` and readable ``reasons`` (中文/English)."""

    grid: str = field(kw_only=True)
    ok: bool = field(kw_only=True)
    reasons: tuple[str, ...] = field(kw_only=True)
    reasons_en: tuple[str, ...] = field(kw_only=True)


@frozen
class GridSurvey:
    """Many grids checked at once, with worker coverage (网格员配备): see :meth:`GridStandard.survey`.

    Attributes:
        grids: How many grids were surveyed.
        conforming: How many meet the standard; ``conforming_rate`` is their share (None if empty).
        households, population: Totals over the grids.
        workers: Distinct grid workers over the grids.
        households_per_worker: ``households / workers`` (None when nobody is staffed).
        unstaffed: Ids of grids with no worker at all, sorted.
        shared_workers: Workers listed in more than one grid, sorted.
        failures: The checks of the grids that do not conform, in input order.
        reason, reason_en: One readable summary line.
    """

    grids: int = field(kw_only=True)
    conforming: int = field(kw_only=True)
    conforming_rate: float | None = field(kw_only=True)
    households: int = field(kw_only=True)
    population: int = field(kw_only=True)
    workers: int = field(kw_only=True)
    households_per_worker: float | None = field(kw_only=True)
    unstaffed: tuple[str, ...] = field(kw_only=True)
    shared_workers: tuple[str, ...] = field(kw_only=True)
    failures: tuple[GridCheck, ...] = field(kw_only=True)
    reason: str = field(kw_only=True)
    reason_en: str = field(kw_only=True)


def _range(name: str) -> Any:
    def check(_inst: object, _attribute: Any, value: Any) -> None:
        low, high = value
        check_non_negative(name, low)
        check_non_negative(name, high)
        if low > high:
            raise ValidationError.for_field(name, value, "low must not exceed high")

    return check


def _pair(value: Iterable[int]) -> tuple[int, int]:
    items = tuple(value)
    if len(items) != 2:
        raise ValidationError.for_field("range", value, "must be a (low, high) pair")
    return items[0], items[1]


@frozen
class GridStandard:
    """A grid sizing standard (网格划分标准). Defaults: 300–500 households or 1000–1500 people, ≥ 1 worker.

    The defaults come from the seed document; real cities differ, so every figure is configurable.
    Bounds are inclusive. A grid conforms if its households **or** its population fall in range, and
    it has at least ``min_workers`` workers.

    >>> GridStandard().check(Grid("G1", households=420, workers=("W1",))).ok
    True
    >>> GridStandard().check(Grid("G2", households=900, population=3000)).reasons[0]
    '户数900超出300–500户，人口3000超出1000–1500人'
    """

    households: tuple[int, int] = field(
        default=(300, 500), kw_only=True, converter=_pair, validator=_range("households")
    )
    population: tuple[int, int] = field(
        default=(1000, 1500), kw_only=True, converter=_pair, validator=_range("population")
    )
    min_workers: int = field(default=1, kw_only=True, validator=non_negative)

    def check(self, grid: Grid) -> GridCheck:
        """Check one grid against the standard, with the reasons either way."""
        h_low, h_high = self.households
        p_low, p_high = self.population
        size_ok = h_low <= grid.households <= h_high or p_low <= grid.population <= p_high
        reasons: list[str] = []
        reasons_en: list[str] = []
        size = (
            f"户数{grid.households}{'在' if h_low <= grid.households <= h_high else '超出'}{h_low}–{h_high}户，"
            f"人口{grid.population}{'在' if p_low <= grid.population <= p_high else '超出'}{p_low}–{p_high}人"
        )
        size_en = (
            f"{grid.households} households (standard {h_low}–{h_high}), "
            f"{grid.population} people (standard {p_low}–{p_high})"
        )
        reasons.append(size)
        reasons_en.append(("size conforms: " if size_ok else "size out of range: ") + size_en)
        workers_ok = len(grid.workers) >= self.min_workers
        if workers_ok:
            reasons.append(f"网格员{len(grid.workers)}名，达到至少{self.min_workers}名的要求")
            reasons_en.append(f"{len(grid.workers)} workers (at least {self.min_workers} required)")
        else:
            reasons.append(f"网格员{len(grid.workers)}名，少于至少{self.min_workers}名的要求")
            reasons_en.append(
                f"only {len(grid.workers)} workers (at least {self.min_workers} required)"
            )
        return GridCheck(
            grid=grid.id,
            ok=size_ok and workers_ok,
            reasons=tuple(reasons),
            reasons_en=tuple(reasons_en),
        )

    def survey(self, grids: Iterable[Grid]) -> GridSurvey:
        """Check many grids and summarise how well they are staffed (网格员配备).

        >>> survey = GridStandard().survey(
        ...     [
        ...         Grid("G1", households=420, workers=("W1",)),
        ...         Grid("G2", households=380, workers=("W1", "W2")),
        ...         Grid("G3", households=900, population=2600),
        ...     ]
        ... )
        >>> survey.conforming, survey.unstaffed, survey.shared_workers, survey.households_per_worker
        (2, ('G3',), ('W1',), 850.0)
        >>> survey.reason
        '网格 3 个，达标 2 个（66.7%）；网格员 2 名，每名网格员服务 850.0 户；无网格员的网格：G3'

        Raises:
            ValidationError: Two grids share an id, or an item is not a ``Grid``.
        """
        items = tuple(grids)
        seen: set[str] = set()
        for grid in items:
            if not isinstance(grid, Grid):
                raise ValidationError.for_field("grids", grid, "must contain Grid objects")
            if grid.id in seen:
                raise ValidationError.for_field("grids", grid.id, "a grid id appears twice")
            seen.add(grid.id)
        checks = [self.check(grid) for grid in items]
        conforming = sum(check.ok for check in checks)
        staff: dict[str, int] = {}
        for grid in items:
            for worker in set(grid.workers):
                staff[worker] = staff.get(worker, 0) + 1
        households = sum(grid.households for grid in items)
        per_worker = round(households / len(staff), 1) if staff else None
        unstaffed = tuple(sorted(grid.id for grid in items if not grid.workers))
        rate = conforming / len(items) if items else None
        shown_rate = "—" if rate is None else f"{rate:.1%}"
        shown_load = "—" if per_worker is None else f"{per_worker}"
        reason = (
            f"网格 {len(items)} 个，达标 {conforming} 个（{shown_rate}）；网格员 {len(staff)} 名，"
            f"每名网格员服务 {shown_load} 户"
            + (f"；无网格员的网格：{'、'.join(unstaffed)}" if unstaffed else "")
        )
        reason_en = (
            f"{len(items)} grids, {conforming} conforming ({shown_rate}); {len(staff)} workers, "
            f"{shown_load} households per worker"
            + (f"; grids with no worker: {', '.join(unstaffed)}" if unstaffed else "")
        )
        return GridSurvey(
            grids=len(items),
            conforming=conforming,
            conforming_rate=rate,
            households=households,
            population=sum(grid.population for grid in items),
            workers=len(staff),
            households_per_worker=per_worker,
            unstaffed=unstaffed,
            shared_workers=tuple(sorted(w for w, n in staff.items() if n > 1)),
            failures=tuple(check for check in checks if not check.ok),
            reason=reason,
            reason_en=reason_en,
        )


_GRID_CODE = re.compile(r"[0-9]{15}")


@frozen
class GridCode:
    """A Beijing-style 15-digit hierarchical grid code: district (6) + street (3) + community (3) + serial (3).

    >>> code = GridCode.parse("110105001002003")
    >>> code.district, code.street, code.community, code.serial
    ('110105', '001', '002', '003')
    >>> code.community_code
    '110105001002'
    """

    district: str = field(kw_only=True)
    street: str = field(kw_only=True)
    community: str = field(kw_only=True)
    serial: str = field(kw_only=True)

    @classmethod
    def parse(cls, code: object) -> GridCode:
        """Split a 15-digit grid code into its parts; anything else is a ``ValidationError``."""
        if not isinstance(code, str) or not _GRID_CODE.fullmatch(code):
            raise ValidationError.for_field("code", code, "a grid code is exactly 15 digits")
        return cls(district=code[:6], street=code[6:9], community=code[9:12], serial=code[12:])

    @property
    def street_code(self) -> str:
        """The 9-digit code of the street (街道/乡镇)."""
        return self.district + self.street

    @property
    def community_code(self) -> str:
        """The 12-digit code of the community (社区/村)."""
        return self.street_code + self.community

    def __str__(self) -> str:
        return self.community_code + self.serial


# Partners ---------------------------------------------------------------------------------------


def _period(_inst: object, attribute: Any, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, relativedelta):
        raise ValidationError.for_field(
            attribute.name, value, "must be a dateutil relativedelta or None"
        )
    if not value:
        raise ValidationError.for_field(attribute.name, value, "must be a non-zero period")


@frozen
class Commitment:
    """What a partner commits to give, once or every period.

    Attributes:
        kind: What is committed (meetings, jobs, a profit share, hours, donations).
        amount: How much; a fraction in [0, 1] for ``PROFIT_SHARE``.
        per: The period (e.g. ``relativedelta(months=1)``), or ``None`` for a one-off.
        note: Free text.

    >>> Commitment(kind=CommitmentKind.MEETINGS, amount=2, per=relativedelta(months=1)).amount
    2
    """

    kind: CommitmentKind = field(kw_only=True, validator=of_type(CommitmentKind))
    amount: float = field(kw_only=True, validator=non_negative)
    per: relativedelta | None = field(default=None, kw_only=True, validator=_period)
    note: str = field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.kind is CommitmentKind.PROFIT_SHARE and self.amount > 1:
            raise ValidationError.for_field(
                "amount", self.amount, "a profit share is a fraction from 0 to 1"
            )


def _commitments(value: Iterable[Commitment]) -> tuple[Commitment, ...]:
    return check_items("commitments", Commitment, value)


@frozen
class Partner:
    """A community partner (社区合伙人): an enterprise, social organisation, resident group or sage.

    >>> cafe = Partner("街角咖啡", kind=PartnerKind.ENTERPRISE)
    >>> cafe.kind.label
    '企业'
    """

    name: str = field(validator=non_empty)
    kind: PartnerKind = field(kw_only=True, validator=of_type(PartnerKind))
    commitments: tuple[Commitment, ...] = field(default=(), kw_only=True, converter=_commitments)
