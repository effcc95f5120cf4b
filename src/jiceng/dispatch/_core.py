"""The dispatch contract: ``TaskView``, ``DispatchContext``, ``Decision`` and ``DispatchPolicy`` (private).

Everything here is re-exported from :mod:`jiceng.dispatch`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Set
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs
from attrs import define, field, frozen

from jiceng.errors import ValidationError
from jiceng.models._validate import check_aware
from jiceng.models._validate import check_text as check_name

if TYPE_CHECKING:
    from jiceng.models import Channel, Department, Grid, Priority, ResponsibilityList

__all__ = [
    "CacheablePolicy",
    "Decision",
    "DispatchContext",
    "DispatchPolicy",
    "TaskView",
    "check_aware",
    "check_name",
]


@runtime_checkable
class TaskView(Protocol):
    """The part of a task that a dispatch policy may read.

    :class:`jiceng.models.Task` satisfies it, and so does any light record with these seven
    read-only attributes (the simulation passes one), so a policy never depends on the full task.
    """

    @property
    def id(self) -> str:
        """The task id."""

    @property
    def category(self) -> str:
        """The reported category, e.g. ``"环境卫生"``."""

    @property
    def description(self) -> str:
        """The reporter's free text."""

    @property
    def location(self) -> str:
        """A readable address."""

    @property
    def grid(self) -> str | None:
        """The grid (网格) id, or ``None`` when unknown."""

    @property
    def priority(self) -> Priority:
        """The task's priority."""

    @property
    def channel(self) -> Channel:
        """How the report came in."""


def _department_name(_inst: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_name(attribute.name, value)


def _cooperating(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (frozenset, set)):
        return tuple(sorted(value))  # a set's order changes between runs (hash seeds)
    if not isinstance(value, (tuple, list)):
        raise ValidationError.for_field("cooperating", value, "must be a sequence of names")
    return tuple(value)


def _check_cooperating(inst: Decision, _attribute: object, value: tuple[str, ...]) -> None:
    for name in value:
        check_name("cooperating", name)
    if inst.department in value:
        raise ValidationError.for_field(
            "cooperating", value, f"must not repeat the lead department {inst.department!r}"
        )
    if len(set(value)) != len(value):
        raise ValidationError.for_field("cooperating", value, "must not repeat a department")


def _check_confidence(_inst: object, _attribute: object, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValidationError.for_field("confidence", value, "must be None or a number in [0, 1]")


@frozen(kw_only=True)
class Decision:
    """Where a task goes, and why (派遣决定).

    Attributes:
        department: The lead (主办) department's name.
        cooperating: The supporting (协办) departments' names, without the lead.
        reason: Why, in Chinese, naming the rule that decided.
        policy: The name of the policy that decided (``"category"``, ``"chain"`` members keep their
            own name).
        confidence: A probability in [0, 1] for learned policies, else ``None``.
        reason_en: The same reason in English (may be empty; :meth:`explain` then falls back to
            Chinese).

    >>> d = Decision(department="城管局", reason="按权责清单：环境卫生 → 城管局", policy="category")
    >>> d.explain()
    '按权责清单：环境卫生 → 城管局'
    """

    department: str = field(validator=_department_name)
    cooperating: tuple[str, ...] = field(
        default=(), converter=_cooperating, validator=_check_cooperating
    )
    reason: str = field(validator=_department_name)
    policy: str = field(validator=_department_name)
    confidence: float | None = field(default=None, validator=_check_confidence)
    reason_en: str = ""

    def explain(self, lang: str = "zh") -> str:
        """The reason in ``lang`` (``"zh"`` or ``"en"``); English falls back to Chinese if unset.

        Raises:
            ValidationError: For any other language code.
        """
        if lang == "zh":
            return self.reason
        if lang == "en":
            return self.reason_en or self.reason
        raise ValidationError.for_field("lang", lang, "must be 'zh' or 'en'")


def _frozen_names(value: object) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset((value,))
    if not isinstance(value, (Set, list, tuple)):
        raise ValidationError.for_field("excluded", value, "must be a set of department names")
    return frozenset(value)


def _check_departments(_inst: object, _attribute: object, value: object) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError.for_field("departments", value, "must map names to Departments")
    problems = [
        f"departments[{key!r}]: the Department is named {getattr(dept, 'name', None)!r}"
        for key, dept in value.items()
        if getattr(dept, "name", None) != key
    ]
    if problems:
        raise ValidationError.collect(problems, what="departments")


def _check_loads(_inst: object, _attribute: object, value: object) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError.for_field("loads", value, "must be a mapping of open tasks per name")


def _check_now(_inst: object, _attribute: object, value: Any) -> None:
    check_aware("now", value)


@define(kw_only=True, on_setattr=attrs.setters.NO_OP)
class DispatchContext:
    """What a policy may know besides the task: departments, live loads, the list, the time.

    An engine (the :class:`Dispatcher`, the simulation) builds **one** context and reuses it for
    every decision. ``loads`` is a live read-only view that the engine keeps current. Before each
    call the engine sets ``now`` and ``excluded`` **in place** (two slot assignments, no new
    object; setting them is not validated, for speed), under the engine's own serialisation.
    Code that must not touch a shared context calls :meth:`with_excluded` for a copy instead.

    Attributes:
        departments: Names to :class:`~jiceng.models.Department`; fixed for the context's life.
        loads: Open tasks per department name (a live, read-only mapping; missing names are 0).
        responsibilities: The 权责清单, when the engine has one.
        grids: Grid ids to :class:`~jiceng.models.Grid`, when known.
        now: The decision time (timezone-aware).
        excluded: Departments that already sent this task back; a policy never chooses them.
    """

    departments: Mapping[str, Department] = field(validator=_check_departments)
    loads: Mapping[str, int] = field(validator=_check_loads)
    responsibilities: ResponsibilityList | None = None
    grids: Mapping[str, Grid] | None = None
    now: datetime = field(validator=_check_now)
    excluded: frozenset[str] = field(default=frozenset(), converter=_frozen_names)

    def eligible(self, department: str, grid: str | None) -> bool:
        """Whether ``department`` exists, is not excluded, and serves ``grid``.

        >>> from datetime import datetime, timezone
        >>> from jiceng.models import Department
        >>> ctx = DispatchContext(
        ...     departments={"城管局": Department("城管局")},
        ...     loads={},
        ...     now=datetime(2024, 5, 6, 9, tzinfo=timezone.utc),
        ... )
        >>> ctx.eligible("城管局", "G1"), ctx.with_excluded({"城管局"}).eligible("城管局", "G1")
        (True, False)
        """
        dept = self.departments.get(department)
        return dept is not None and department not in self.excluded and dept.serves(grid)

    def ineligibility(self, department: str, grid: str | None) -> str | None:
        """Why ``department`` may not take a task in ``grid`` (English), or ``None`` if it may."""
        dept = self.departments.get(department)
        if dept is None:
            return f"unknown department (known: {', '.join(sorted(self.departments))})"
        if department in self.excluded:
            return "the department already sent this task back"
        if not dept.serves(grid):
            return f"the department does not serve grid {grid!r}"
        return None

    def with_excluded(self, excluded: Set[str] | frozenset[str]) -> DispatchContext:
        """A shallow copy sharing departments and loads, with another ``excluded`` set."""
        copy = attrs.evolve(self)
        copy.excluded = frozenset(excluded)
        return copy

    def load_per_handler(self, department: str) -> float:
        """Open tasks per handler of ``department`` (0 when it has no recorded load)."""
        handlers = self.departments[department].handlers
        return self.loads.get(department, 0) / handlers if handlers > 0 else float("inf")


@runtime_checkable
class DispatchPolicy(Protocol):
    """The dispatch extension point (派单策略): any object with this ``decide`` fits.

    ``decide`` returns a :class:`Decision`, or ``None`` when it cannot decide so that a
    :class:`Chain` moves on. It must never choose a department in ``context.excluded``, one that
    ``context.departments`` lacks, or one that does not serve ``task.grid``. A policy is picklable,
    deep-copyable and holds no locks; it reads only the :class:`TaskView` attributes.
    """

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        """Choose a department for ``task``, or return ``None``."""


@runtime_checkable
class CacheablePolicy(DispatchPolicy, Protocol):
    """A policy whose decision depends only on the task (and the eligible set).

    ``cache_key(task)`` returns a hashable key, or ``None`` for "do not cache this one". Engines may
    memoise a decision by key while ``context.excluded`` is empty and the departments are unchanged.
    """

    def cache_key(self, task: TaskView, /) -> Hashable | None:
        """The memoisation key for ``task``, or ``None``."""
