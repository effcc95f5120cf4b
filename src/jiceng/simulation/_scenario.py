"""Scenarios (仿真场景): departments, arrivals, the policy, the clock — checked all at once."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Union

import attrs
from attrs import field, frozen

from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.dispatch import Decision, DispatchContext, DispatchPolicy
from jiceng.errors import ValidationError
from jiceng.models import Department, Level, Priority
from jiceng.simulation._arrivals import (
    Arrivals,
    PoissonArrivals,
    ProfileArrivals,
    Shape,
    TraceArrivals,
)
from jiceng.simulation._distributions import Distribution

__all__ = [
    "DeadlineKey",
    "DepartmentModel",
    "SatisfactionModel",
    "Scenario",
]

DeadlineKey = Union[str, tuple[str, Priority]]  # noqa: UP007 -- a runtime alias on 3.10
"""A key of :attr:`Scenario.deadlines`: a category, or ``(category, priority)``."""

_ZERO = timedelta(0)
_PROBE_NOW = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _grids(value: object) -> frozenset[str] | None:
    if value is None or isinstance(value, str):
        return value  # type: ignore[return-value]  # a str is reported by the checks
    return frozenset(value)  # type: ignore[call-overload,no-any-return]  # any iterable of ids


@frozen
class DepartmentModel:
    """A department in a scenario (仿真部门): its handlers and how long a task takes them.

    Args:
        name: The department's name; a policy's decisions name it.
        handlers: How many staff work tasks in parallel (c in M/M/c); a whole number ≥ 1.
        service: The service-time distribution of one task for one handler.
        level: Its administrative level, passed to the policy's context.
        jurisdiction: The grid ids it serves, or ``None`` for everywhere.

    Values are checked with the whole :class:`Scenario`.

    >>> from jiceng.simulation import Exponential
    >>> DepartmentModel(
    ...     "城管局", handlers=10, service=Exponential(mean=timedelta(hours=1))
    ... ).handlers
    10
    """

    name: str
    handlers: int = field(kw_only=True)
    service: Distribution = field(kw_only=True)
    level: Level = field(default=Level.DISTRICT, kw_only=True)
    jurisdiction: frozenset[str] | None = field(default=None, kw_only=True, converter=_grids)

    def _problems(self, where: str) -> list[str]:
        problems = []
        name: object = self.name
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name={self.name!r}: must be a non-empty string")
        handlers: object = self.handlers
        if isinstance(handlers, bool) or not isinstance(handlers, int) or handlers < 1:
            problems.append(f"{where}.handlers={handlers!r}: must be a whole number ≥ 1")
        if not callable(getattr(self.service, "sample", None)):
            problems.append(f"{where}.service={self.service!r}: must have sample(rng)")
        if not isinstance(self.level, Level):
            problems.append(f"{where}.level={self.level!r}: must be a Level")
        if isinstance(self.jurisdiction, str):
            problems.append(f"{where}.jurisdiction={self.jurisdiction!r}: must be a set of grids")
        return problems

    def _department(self) -> Department:
        return Department(
            self.name, level=self.level, handlers=self.handlers, jurisdiction=self.jurisdiction
        )


def _probability(where: str, value: object, *, below_one: bool = False) -> list[str]:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and 0 <= value <= 1
        and not (below_one and value == 1)
    )
    if ok:
        return []
    interval = "[0, 1)" if below_one else "[0, 1]"
    return [f"{where}={value!r}: must be a probability in {interval}"]


@frozen(kw_only=True)
class SatisfactionModel:
    """How residents answer the callback (回访) after a task is closed.

    Each closed task gets a callback. With probability ``contact_rate`` the resident is reached
    (联系上); then they say the matter is resolved with probability ``resolved_rate``, and rate it
    满意 with probability ``satisfied``, 基本满意 with ``basically_satisfied``, else 不满意. A task
    resolved after its deadline has both rating probabilities multiplied by ``1 − late_penalty``.

    Args:
        contact_rate: P(reached).
        resolved_rate: P(says resolved | reached).
        satisfied: P(满意 | reached).
        basically_satisfied: P(基本满意 | reached); ``satisfied + basically_satisfied ≤ 1``.
        late_penalty: The share of satisfaction lost when the task was late.

    >>> SatisfactionModel(
    ...     contact_rate=0.95, resolved_rate=0.9, satisfied=0.8, basically_satisfied=0.15
    ... ).late_penalty
    0.0
    """

    contact_rate: float
    resolved_rate: float
    satisfied: float
    basically_satisfied: float
    late_penalty: float = 0.0

    def _problems(self, where: str) -> list[str]:
        problems = []
        for name in (
            "contact_rate",
            "resolved_rate",
            "satisfied",
            "basically_satisfied",
            "late_penalty",
        ):
            problems += _probability(f"{where}.{name}", getattr(self, name))
        if not problems and self.satisfied + self.basically_satisfied > 1 + 1e-12:
            problems.append(
                f"{where}: satisfied + basically_satisfied = "
                f"{self.satisfied + self.basically_satisfied} must not exceed 1"
            )
        return problems


def _departments(value: object) -> tuple[DepartmentModel, ...]:
    if isinstance(value, Mapping | str) or not isinstance(value, Sequence):
        return value  # type: ignore[return-value]  # reported by the checks
    return tuple(value)


def _deadlines(
    value: Mapping[DeadlineKey, tuple[TimeLimit | None, TimeLimit | None]] | None,
) -> dict[DeadlineKey, tuple[TimeLimit | None, TimeLimit | None]] | None:
    if isinstance(value, Mapping):
        pairs: Mapping[DeadlineKey, object] = value
        return {k: tuple(v) if isinstance(v, list) else v for k, v in pairs.items()}  # type: ignore[misc]  # shapes are checked later
    return value


class _EveryName(Mapping[str, Department]):
    """A directory that offers a department for any name asked (the validation probe)."""

    def __init__(self, known: Mapping[str, Department]) -> None:
        self._known = known

    def __getitem__(self, name: str) -> Department:
        found = self._known.get(name)
        return found if found is not None else Department(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(name.strip())

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


@attrs.define(frozen=True)
class _ProbeTask:
    """A light :class:`~jiceng.dispatch.TaskView` for probing a policy."""

    id: str
    category: str
    description: str
    location: str
    grid: str | None
    priority: Priority
    channel: object


def _probe(
    policy: object,
    departments: Mapping[str, Department],
    shape: Shape,
    now: datetime,
    directory: Mapping[str, Department],
) -> Decision | str | None:
    """The policy's decision for ``shape`` in a context over ``directory``, or the error text."""
    view = _ProbeTask(
        "probe",
        shape.category,
        shape.description,
        shape.location,
        shape.grid,
        shape.priority,
        shape.channel,
    )
    context = DispatchContext(departments=directory, loads={}, now=now)
    del departments
    try:
        decision = copy.deepcopy(policy).decide(view, context)  # type: ignore[attr-defined]
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if decision is not None and not isinstance(decision, Decision):
        return f"returned {decision!r}, not a Decision or None"
    return decision


def _valid_shapes(arrivals: Arrivals) -> list[Shape]:
    """The shapes worth probing the policy with, even when other arrival values are wrong."""
    mix: object = getattr(arrivals, "mix", {})
    if not isinstance(mix, Mapping):
        return []
    return [shape for shape in arrivals._shapes() if _probe_worthy(shape.category, shape.grid)]


def _probe_worthy(category: object, grid: object) -> bool:
    if not isinstance(category, str) or not category.strip():
        return False
    return grid is None or (isinstance(grid, str) and bool(grid.strip()))


def _shape_label(shape: Shape) -> str:
    return shape.category if shape.grid is None else f"{shape.category} @ {shape.grid}"


def _policy_problems(
    policy: object,
    departments: Mapping[str, Department],
    shapes: Sequence[Shape],
    now: datetime,
) -> list[str]:
    problems: list[str] = []
    if not isinstance(policy, DispatchPolicy):
        return [f"policy={policy!r}: must have decide(task, context)"]
    try:
        copy.deepcopy(policy)
    except Exception as exc:
        return [f"policy={policy!r}: must be deep-copyable ({type(exc).__name__}: {exc})"]
    everyone = _EveryName(departments)
    for shape in shapes:
        label = _shape_label(shape)
        real = _probe(policy, departments, shape, now, departments)
        if isinstance(real, str):
            problems.append(f"policy on category {label!r}: {real}")
            continue
        if real is not None:
            why = _ineligible(departments, real.department, shape.grid)
            if why:
                problems.append(
                    f"policy on category {label!r} chose department {real.department!r}: {why}"
                )
            continue
        wanted = _probe(policy, departments, shape, now, everyone)
        if isinstance(wanted, Decision) and wanted.department not in departments:
            problems.append(
                f"policy routes category {label!r} to department {wanted.department!r}, "
                f"which the scenario does not have (known: {', '.join(sorted(departments))})"
            )
    return problems


def _ineligible(departments: Mapping[str, Department], name: str, grid: str | None) -> str:
    dept = departments.get(name)
    if dept is None:
        return f"not in the scenario (known: {', '.join(sorted(departments))})"
    if not dept.serves(grid):
        return f"does not serve grid {grid!r}"
    return ""


def _aware(where: str, value: object) -> list[str]:
    if not isinstance(value, datetime):
        return [f"{where}={value!r}: must be a timezone-aware datetime"]
    if value.tzinfo is None or value.utcoffset() is None:
        return [f"{where}={value!r}: must be timezone-aware, not naive"]
    return []


def _limit_problems(deadlines: object, calendar: WorkCalendar | None) -> list[str]:
    if deadlines is None:
        return []
    if not isinstance(deadlines, Mapping):
        return [f"deadlines={deadlines!r}: must map a category to (response, resolution) limits"]
    problems = []
    for key, pair in deadlines.items():
        where = f"deadlines[{key!r}]"
        category = key[0] if isinstance(key, tuple) and len(key) == 2 else key
        if not isinstance(category, str) or (
            isinstance(key, tuple) and not isinstance(key[1], Priority)
        ):
            problems.append(f"{where}: a key must be a category or (category, Priority)")
        if not isinstance(pair, tuple) or len(pair) != 2:
            problems.append(f"{where}={pair!r}: must be a (response, resolution) pair")
            continue
        for limit in pair:
            if limit is None:
                continue
            if not isinstance(limit, TimeLimit):
                problems.append(f"{where}: {limit!r} must be a TimeLimit or None")
            elif limit.is_working and calendar is None:
                problems.append(f"{where}: {limit} counts working time, so it needs a calendar")
    return problems


@frozen(kw_only=True)
class Scenario:
    """A what-if (仿真场景): who works, what arrives, how it is routed, for how long.

    Building a scenario checks everything together and raises one
    :class:`~jiceng.errors.ValidationError` whose ``.problems`` lists every problem: bad rates,
    handlers or probabilities, a mix whose weights do not sum to a positive number, naive
    datetimes, a warm-up not shorter than the run, working-time deadlines without a calendar, and a
    policy that names a department the scenario lacks.

    **The policy probe.** For every task shape the arrivals can produce (each category, or
    ``(category, grid)``), a deep copy of the policy decides once in a context with the scenario's
    departments and zero loads. A decision for a department the scenario lacks (or that does not
    serve the grid) is a problem. When the policy answers ``None``, it is asked again in a context
    that offers every department name; if it then names a department the scenario lacks, that is
    reported too (so a ``CategoryPolicy`` whose table says ``"水务局"`` is caught even though it
    politely returns ``None``). A plain ``None`` is allowed: such tasks stay REGISTERED and count as
    open. State-dependent policies are only probed at zero load.

    Args:
        departments: The :class:`DepartmentModel` s, with unique names.
        arrivals: :class:`PoissonArrivals`, :class:`ProfileArrivals` or :class:`TraceArrivals`.
        policy: Any :class:`~jiceng.dispatch.DispatchPolicy`; each run works on a deep copy.
        start: When the run starts (timezone-aware).
        duration: How long it runs (positive).
        warmup: Tasks arriving earlier than ``start + warmup`` are simulated but not counted.
        calendar: A :class:`~jiceng.calendar.WorkCalendar`: handlers then work only in working
            time, and working-unit deadlines count working time.
        deadlines: ``{category or (category, Priority): (response limit, resolution limit)}`` of
            :class:`~jiceng.calendar.TimeLimit` (either may be ``None``), like the Dispatcher's.
        return_probability: When a handler is about to start a newly dispatched task, its
            department sends it back (回退) with this probability; it is re-dispatched at once,
            excluding every department that returned it.
        rework_probability: After each resolution, verification fails (返工) with this
            probability and the task goes back to the end of the same department's queue; in
            [0, 1).
        satisfaction: A :class:`SatisfactionModel` for callbacks, or ``None`` for no callbacks.

    Raises:
        ValidationError: Listing every problem at once.
    """

    departments: tuple[DepartmentModel, ...] = field(converter=_departments)
    arrivals: Arrivals
    policy: DispatchPolicy
    start: datetime
    duration: timedelta
    warmup: timedelta = _ZERO
    calendar: WorkCalendar | None = None
    deadlines: dict[DeadlineKey, tuple[TimeLimit | None, TimeLimit | None]] | None = field(
        default=None, converter=_deadlines
    )
    return_probability: float = 0.0
    rework_probability: float = 0.0
    satisfaction: SatisfactionModel | None = None

    def __attrs_post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise ValidationError.collect(problems, what="scenario")

    @property
    def end(self) -> datetime:
        """``start + duration`` (as elapsed time)."""
        return self.start + self.duration

    def directory(self) -> dict[str, Department]:
        """The departments as :class:`~jiceng.models.Department` values, by name."""
        return {d.name: d._department() for d in self.departments}

    def _problems(self) -> list[str]:
        problems: list[str] = []
        departments: dict[str, Department] = {}
        given: object = self.departments
        if not isinstance(given, tuple) or not given:
            problems.append(
                f"departments={self.departments!r}: must be a non-empty sequence of DepartmentModel"
            )
        else:
            for i, dept in enumerate(self.departments):
                where = f"departments[{i}]"
                if not isinstance(dept, DepartmentModel):
                    problems.append(f"{where}={dept!r}: must be a DepartmentModel")
                    continue
                found = dept._problems(where)
                problems += found
                if dept.name in departments:
                    problems.append(f"{where}.name={dept.name!r}: duplicate department name")
                elif not found:
                    departments[dept.name] = dept._department()
                elif _probe_worthy(dept.name, None):
                    # Still probe the policy against it, so a bad handler count and an
                    # unknown department are reported together.
                    departments[dept.name] = Department(dept.name)
        shapes: list[Shape] = []
        if isinstance(self.arrivals, PoissonArrivals | ProfileArrivals | TraceArrivals):
            problems += self.arrivals._problems("arrivals")
            shapes = _valid_shapes(self.arrivals)
        else:
            problems.append(
                f"arrivals={self.arrivals!r}: must be PoissonArrivals, ProfileArrivals or "
                "TraceArrivals"
            )
        start_problems = _aware("start", self.start)
        problems += start_problems
        duration: object = self.duration
        warmup: object = self.warmup
        if not isinstance(duration, timedelta) or duration <= _ZERO:
            problems.append(f"duration={self.duration!r}: must be a positive timedelta")
        if not isinstance(warmup, timedelta) or warmup < _ZERO:
            problems.append(f"warmup={self.warmup!r}: must be a timedelta ≥ 0")
        elif isinstance(duration, timedelta) and warmup >= duration > _ZERO:
            problems.append(
                f"warmup={self.warmup!r}: must be shorter than duration={self.duration!r}"
            )
        if self.calendar is not None and not isinstance(self.calendar, WorkCalendar):
            problems.append(f"calendar={self.calendar!r}: must be a WorkCalendar or None")
        problems += _limit_problems(self.deadlines, self.calendar)
        problems += _probability("return_probability", self.return_probability)
        problems += _probability("rework_probability", self.rework_probability, below_one=True)
        if self.satisfaction is not None:
            if isinstance(self.satisfaction, SatisfactionModel):
                problems += self.satisfaction._problems("satisfaction")
            else:
                problems.append(
                    f"satisfaction={self.satisfaction!r}: must be a SatisfactionModel or None"
                )
        if departments:
            # With a bad start the probe still runs, at a stand-in instant.
            now = _PROBE_NOW if start_problems else self.start
            problems += _policy_problems(self.policy, departments, shapes, now)
        elif not isinstance(self.policy, DispatchPolicy):
            problems.append(f"policy={self.policy!r}: must have decide(task, context)")
        return problems
