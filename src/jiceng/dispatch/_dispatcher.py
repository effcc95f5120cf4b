"""The ``Dispatcher``: a thread-safe, validating platform desk around a dispatch policy (private)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType

from attrs import define, field, frozen

from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.dispatch._core import Decision, DispatchContext, DispatchPolicy, check_aware, check_name
from jiceng.dispatch._policies import CategoryPolicy
from jiceng.dispatch._tables import ANY_CATEGORY, DEFAULT_ESCALATION, DeadlineTable
from jiceng.errors import InvalidDecisionError, InvalidTransitionError, ValidationError
from jiceng.models import (
    Actor,
    Channel,
    Department,
    Grid,
    Priority,
    Reporter,
    ResponsibilityList,
    Task,
    TaskStatus,
    UrgeLevel,
)

__all__ = ["Dispatcher", "Escalation"]

_HOLDING = frozenset({TaskStatus.DISPATCHED, TaskStatus.ACCEPTED, TaskStatus.PARKED})
_LEVELS = tuple(sorted(UrgeLevel))
_UTC = timezone.utc


def _utc(value: datetime) -> datetime:
    return value.astimezone(_UTC)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f}".rstrip("0").rstrip(".")


@frozen(kw_only=True)
class Escalation:
    """One urge that :meth:`Dispatcher.supervise` recorded (催办 → 督办 → 通报).

    Attributes:
        task: The task id.
        department: The department it was urged on.
        level: The level raised to.
        lateness: How late the task was (elapsed time past its due time).
        reason: Why, in Chinese.
        reason_en: Why, in English.
    """

    task: str
    department: str | None
    level: UrgeLevel
    lateness: timedelta
    reason: str
    reason_en: str


def _departments(value: object, problems: list[str]) -> dict[str, Department]:
    items: Iterable[object]
    if isinstance(value, Mapping):
        items = value.values()
    elif isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        problems.append(f"departments={value!r}: must be Departments (a list or a name mapping)")
        return {}
    else:
        items = value
    found: dict[str, Department] = {}
    for item in items:
        if not isinstance(item, Department):
            problems.append(f"departments: {item!r} is not a Department")
        elif item.name in found:
            problems.append(f"departments: {item.name!r} appears twice")
        else:
            found[item.name] = item
    if not found and not problems:
        problems.append("departments: at least one Department is needed")
    return found


def _deadline_problems(
    deadlines: object, calendar: WorkCalendar | None, problems: list[str]
) -> None:
    if deadlines is None:
        return
    if not isinstance(deadlines, Mapping):
        problems.append(f"deadlines={deadlines!r}: must map categories to (response, resolution)")
        return
    for key, limits in deadlines.items():
        key_ok = (isinstance(key, str) and bool(key.strip())) or (
            isinstance(key, tuple)
            and len(key) == 2
            and isinstance(key[0], str)
            and isinstance(key[1], Priority)
        )
        if not key_ok:
            problems.append(f"deadlines key {key!r}: must be a category or (category, Priority)")
        pair_ok = (
            isinstance(limits, tuple)
            and len(limits) == 2
            and all(isinstance(limit, TimeLimit) for limit in limits)
        )
        if not pair_ok:
            problems.append(
                f"deadlines[{key!r}]={limits!r}: must be (response, resolution) TimeLimits"
            )
        elif calendar is None and any(limit.is_working for limit in limits):
            problems.append(
                f"deadlines[{key!r}]: working-time limits need a WorkCalendar (calendar=)"
            )


def _escalation_problems(value: object, problems: list[str]) -> tuple[timedelta, ...]:
    if not isinstance(value, (tuple, list)) or not 1 <= len(value) <= len(_LEVELS):
        problems.append(f"escalation={value!r}: must be 1 to {len(_LEVELS)} lateness thresholds")
        return ()
    steps = tuple(value)
    if not all(isinstance(step, timedelta) and step >= timedelta(0) for step in steps):
        problems.append(f"escalation={value!r}: thresholds must be timedeltas ≥ 0")
    elif any(a > b for a, b in itertools.pairwise(steps)):
        problems.append(f"escalation={value!r}: thresholds must not decrease")
    return steps


@define(init=False)
class Dispatcher:
    """The platform's dispatch desk (派遣台): files reports, asks the policy, checks, dispatches.

    It is thread-safe: one internal lock guards every state change, so ids are unique and
    sequential (``T000001``, …) across threads, and a task is never dispatched twice at once.

    **Loads** (``loads``, shared live with the policy through :attr:`context`) count the tasks each
    department holds: DISPATCHED, ACCEPTED or PARKED. The dispatcher updates them itself when it
    dispatches and when a task goes back through :meth:`send_back`. Steps that departments take on
    the task directly (resolve, close, a ``Task.send_back``, a rework) are seen by
    :meth:`release` (one task) or :meth:`refresh` (all tracked tasks); call one after such steps.

    Args:
        departments: The departments it may dispatch to (a list, or a name → Department mapping).
        policy: Any :class:`DispatchPolicy`.
        deadlines: A :data:`DeadlineTable`; ``None`` sets no due times.
        calendar: The :class:`~jiceng.calendar.WorkCalendar` for working-time limits.
        coordinator: The department that takes what the policy cannot place (综合协调).
        id_prefix: The prefix of the sequential ids.
        escalation: Lateness thresholds for 催办, 督办, 通报 (see :meth:`supervise`).
        responsibilities: The 权责清单, passed to policies through the context.
        grids: Known grids, passed to policies through the context.
        actor: Who registers and dispatches; ``Actor.platform()`` by default.

    Raises:
        ValidationError: Listing every configuration problem at once.

    >>> from datetime import datetime, timedelta, timezone
    >>> from jiceng.dispatch import SEED_FALLBACK, SEED_TABLE
    >>> desk = Dispatcher.from_table(SEED_TABLE, fallback=SEED_FALLBACK)
    >>> at = datetime(2024, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    >>> task = desk.receive_report("环境卫生", "小区垃圾堆积未清理", "幸福小区3号楼", at=at)
    >>> task.id, task.department, task.history[-1].note
    ('T000001', '城管局', '按权责清单：环境卫生 → 城管局')
    """

    departments: Mapping[str, Department]
    policy: DispatchPolicy
    deadlines: DeadlineTable | None
    calendar: WorkCalendar | None
    coordinator: str | None
    id_prefix: str
    escalation: tuple[timedelta, ...]
    actor: Actor
    _lock: threading.RLock = field(repr=False)
    _count: int = field(repr=False)
    _loads: dict[str, int] = field(repr=False)
    _context: DispatchContext = field(repr=False)
    _held: dict[str, str] = field(repr=False)
    _tasks: dict[str, Task] = field(repr=False)
    _triage: dict[str, Task] = field(repr=False)

    def __init__(
        self,
        departments: Iterable[Department] | Mapping[str, Department],
        policy: DispatchPolicy,
        *,
        deadlines: DeadlineTable | None = None,
        calendar: WorkCalendar | None = None,
        coordinator: str | None = None,
        id_prefix: str = "T",
        escalation: tuple[timedelta, ...] = DEFAULT_ESCALATION,
        responsibilities: ResponsibilityList | None = None,
        grids: Mapping[str, Grid] | None = None,
        actor: Actor | None = None,
    ) -> None:
        problems: list[str] = []
        found = _departments(departments, problems)
        if not isinstance(policy, DispatchPolicy):
            problems.append(f"policy={policy!r}: has no decide(task, context) method")
        if calendar is not None and not isinstance(calendar, WorkCalendar):
            problems.append(f"calendar={calendar!r}: must be a WorkCalendar or None")
            calendar = None
        _deadline_problems(deadlines, calendar, problems)
        if coordinator is not None and coordinator not in found:
            problems.append(f"coordinator={coordinator!r}: not among the departments")
        if not isinstance(id_prefix, str):
            problems.append(f"id_prefix={id_prefix!r}: must be a string")
        steps = _escalation_problems(escalation, problems)
        if actor is not None and not isinstance(actor, Actor):
            problems.append(f"actor={actor!r}: must be an Actor")
        if problems:
            raise ValidationError.collect(problems, what="Dispatcher")
        loads = dict.fromkeys(found, 0)
        directory = MappingProxyType(found)
        self.__attrs_init__(
            departments=directory,
            policy=policy,
            deadlines=deadlines,
            calendar=calendar,
            coordinator=coordinator,
            id_prefix=id_prefix,
            escalation=steps,
            actor=actor if actor is not None else Actor.platform(),
            lock=threading.RLock(),
            count=0,
            loads=loads,
            context=DispatchContext(
                departments=directory,
                loads=MappingProxyType(loads),
                responsibilities=responsibilities,
                grids=grids,
                now=datetime(1970, 1, 1, tzinfo=_UTC),
            ),
            held={},
            tasks={},
            triage={},
        )

    @classmethod
    def from_table(
        cls,
        table: Mapping[str, str],
        *,
        fallback: str,
        **options: object,
    ) -> Dispatcher:
        """A dispatcher for a simple category table: one district department per name.

        The fallback department is both the :class:`CategoryPolicy` fallback and the coordinator.
        ``Dispatcher.from_table(SEED_TABLE, fallback=SEED_FALLBACK)`` is the seed's platform.
        Other keyword ``options`` go to the constructor.
        """
        names = dict.fromkeys([*table.values(), fallback])
        return cls(
            [Department(name) for name in names],
            CategoryPolicy(table, fallback=fallback),
            coordinator=fallback,
            **options,  # type: ignore[arg-type]  # checked by __init__
        )

    # -- views ------------------------------------------------------------------------------------

    @property
    def context(self) -> DispatchContext:
        """The one context shared with the policy (its ``loads`` are live)."""
        return self._context

    @property
    def loads(self) -> Mapping[str, int]:
        """Open tasks held per department: a live, read-only mapping."""
        return self._context.loads

    @property
    def triage(self) -> tuple[Task, ...]:
        """Registered tasks no policy could place, waiting for a person (人工分拨), oldest first."""
        with self._lock:
            return tuple(self._triage.values())

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every open task the dispatcher tracks, in the order it first saw them."""
        with self._lock:
            return tuple(self._tasks.values())

    # -- the platform calls -----------------------------------------------------------------------

    def receive_report(
        self,
        category: str,
        description: str,
        location: str,
        *,
        at: datetime,
        grid: str | None = None,
        channel: Channel = Channel.HOTLINE,
        priority: Priority = Priority.NORMAL,
        reporter: Reporter | None = None,
    ) -> Task:
        """Take a report (受理): create the task with the next id, register it and dispatch it.

        The next id is the next sequential one (``T000001``, …) that no tracked task holds; an
        id taken by a task given to :meth:`submit` is skipped.

        Returns:
            The task: DISPATCHED, or REGISTERED and in :attr:`triage` when nothing could place it.

        Raises:
            ValidationError: A malformed report; nothing is created and no id is used.
            InvalidDecisionError: The policy chose an ineligible department; nothing changes.
        """
        with self._lock:
            number = self._count + 1
            while f"{self.id_prefix}{number:06d}" in self._tasks:
                number += 1  # taken by a task given to submit(): skip it, never block
            task = Task.report(
                category=category,
                description=description,
                at=at,
                location=location,
                grid=grid,
                channel=channel,
                priority=priority,
                reporter=reporter,
                id=f"{self.id_prefix}{number:06d}",
            )
            self._submit(task, at)
            self._count = number
            return task

    def submit(self, task: Task, *, at: datetime) -> Decision | None:
        """Dispatch a REPORTED task (it is registered first) or a REGISTERED one.

        Every department that ever sent the task back is excluded. When the policy cannot
        decide, the task goes to the coordinator, if there is one and it may take the task;
        otherwise it stays REGISTERED in :attr:`triage` and ``None`` is returned.

        Raises:
            InvalidTransitionError: The task is neither REPORTED nor REGISTERED.
            InvalidDecisionError: The policy chose an ineligible department; nothing changes.
            ValidationError: ``at`` is naive or earlier than the task's last event.
        """
        with self._lock:
            return self._submit(task, at)

    def send_back(self, task: Task, *, at: datetime, by: Actor, reason: str) -> Decision | None:
        """A department returns a mis-dispatched task (回退); it is re-dispatched at once (改派).

        The policy is asked first, with the returning department excluded, and its decision is
        checked; only then is the task sent back and dispatched again.

        Returns:
            The new decision, or ``None`` when the task went to :attr:`triage`.

        Raises:
            InvalidTransitionError: The task is not DISPATCHED or ACCEPTED.
            PermissionDeniedError: ``by`` is not the assigned department.
            InvalidDecisionError: The policy chose an ineligible department; nothing changes.
            ValidationError: A bad ``at`` or an empty ``reason``.
        """
        with self._lock:
            check_aware("at", at)
            check_name("reason", reason)
            self._check_tracking(task)
            if task.status not in (TaskStatus.DISPATCHED, TaskStatus.ACCEPTED):
                raise InvalidTransitionError(
                    task=task.id, current=task.status, requested="send back"
                )
            self._check_time(task, at)
            assert task.department is not None  # DISPATCHED/ACCEPTED have one
            excluded = task.returned_by | {task.department}
            decision = self._decide(task, at, excluded)
            dues = self._dues(task, at) if decision is not None else (None, None)
            task.send_back(at=at, by=by, reason=reason)
            self._sync(task)
            self._tasks[task.id] = task
            self._apply(task, decision, at, dues)
            return decision

    def assign(self, task: Task, to: str, *, at: datetime, reason: str) -> Decision:
        """A person dispatches a task by hand (人工派遣), e.g. one waiting in :attr:`triage`.

        Raises:
            InvalidDecisionError: ``to`` is unknown, excluded or does not serve the grid.
            InvalidTransitionError: The task is neither REPORTED nor REGISTERED.
        """
        with self._lock:
            check_aware("at", at)
            check_name("reason", reason)
            self._check_submittable(task, at)
            decision = Decision(
                department=check_name("to", to),
                reason=f"人工派遣：{reason}",
                reason_en=f"manual dispatch: {reason}",
                policy="manual",
            )
            self._check(decision, task, task.returned_by)
            dues = self._dues(task, at)
            self._register(task, at)
            self._apply(task, decision, at, dues)
            return decision

    # -- loads ------------------------------------------------------------------------------------

    def release(self, task: Task) -> bool:
        """Bring ``task``'s share of the loads up to date with its status; True if it changed.

        A task that left its department (resolved, closed, cancelled, sent back outside the
        dispatcher) stops counting; a reworked task counts again; a closed or cancelled task is
        no longer tracked.
        """
        with self._lock:
            return self._sync(task)

    def refresh(self) -> int:
        """:meth:`release` every tracked task; returns how many loads changed."""
        with self._lock:
            return sum(self._sync(task) for task in tuple(self._tasks.values()))

    # -- supervision ------------------------------------------------------------------------------

    def overdue(self, now: datetime) -> tuple[Task, ...]:
        """The tracked open tasks that are overdue at ``now`` (超期), by id."""
        check_aware("now", now)
        with self._lock:
            return tuple(
                sorted(
                    (t for t in self._tasks.values() if t.is_overdue(now)),
                    key=lambda t: t.id,
                )
            )

    def supervise(self, now: datetime) -> tuple[Escalation, ...]:
        """Raise each overdue task one urge level (催办 → 督办 → 通报), recorded by the system.

        A task reaches level *i* once it is late by at least ``escalation[i]``; each call raises
        it by one level at most, so the steps are always recorded in order. The sweep also
        brings :attr:`loads` up to date first (as :meth:`refresh` does), so steps that
        departments took on their tasks directly stop counting.

        Returns:
            What was raised, by task id.
        """
        check_aware("now", now)
        raised: list[Escalation] = []
        system = Actor.system()
        with self._lock:
            for task in tuple(self._tasks.values()):
                self._sync(task)
            for task in self.overdue(now):
                lateness = self._lateness(task, now)
                reached = sum(step <= lateness for step in self.escalation)
                current = task.urge_level
                index = 0 if current is None else _LEVELS.index(current) + 1
                if index >= reached or _utc(task.last_event.at) > _utc(now):
                    continue
                level = _LEVELS[index]
                task.urge(at=now, by=system, level=level)
                hours = _hours(lateness)
                raised.append(
                    Escalation(
                        task=task.id,
                        department=task.department,
                        level=level,
                        lateness=lateness,
                        reason=f"{level.label}：工单{task.id}（{task.department}）超期{hours}小时",
                        reason_en=(
                            f"{level.name.lower()}: task {task.id} ({task.department}) "
                            f"is {hours} h overdue"
                        ),
                    )
                )
        return tuple(raised)

    # -- internals (the lock is held) -------------------------------------------------------------

    def _check_tracking(self, task: Task) -> None:
        if not isinstance(task, Task):
            raise ValidationError.for_field("task", task, "must be a Task")
        known = self._tasks.get(task.id)
        if known is not None and known is not task:
            raise ValidationError.for_field(
                "task", task.id, "another task with this id is already tracked"
            )

    @staticmethod
    def _check_time(task: Task, at: datetime) -> None:
        last = task.last_event.at
        if _utc(at) < _utc(last):
            raise ValidationError(
                f"task {task.id!r}: at={at.isoformat()} is earlier than its last event "
                f"({last.isoformat()})",
                field="at",
                value=at,
            )

    def _check_submittable(self, task: Task, at: datetime) -> None:
        self._check_tracking(task)
        if task.status not in (TaskStatus.REPORTED, TaskStatus.REGISTERED):
            raise InvalidTransitionError(task=task.id, current=task.status, requested="submit")
        self._check_time(task, at)

    def _submit(self, task: Task, at: datetime) -> Decision | None:
        check_aware("at", at)
        self._check_submittable(task, at)
        decision = self._decide(task, at, task.returned_by)
        dues = self._dues(task, at) if decision is not None else (None, None)
        self._register(task, at)
        self._sync(task)
        self._tasks[task.id] = task
        self._apply(task, decision, at, dues)
        return decision

    def _register(self, task: Task, at: datetime) -> None:
        if task.status is TaskStatus.REPORTED:
            task.register(at=at, by=self.actor)
        self._tasks[task.id] = task

    def _decide(self, task: Task, at: datetime, excluded: frozenset[str]) -> Decision | None:
        """Ask the policy (then the coordinator); check the decision. Changes nothing else."""
        context = self._context
        context.now = at
        context.excluded = excluded
        try:
            decision = self.policy.decide(task, context)
        finally:
            context.excluded = frozenset()
        if decision is not None:
            self._check(decision, task, excluded)
            return decision
        coordinator = self.coordinator
        if coordinator is None or coordinator in excluded:
            return None
        if not self.departments[coordinator].serves(task.grid):
            return None
        return Decision(
            department=coordinator,
            reason=f"派单策略未能决定，转协调部门：{coordinator}",
            reason_en=f"the policy could not decide; sent to the coordinator {coordinator}",
            policy="coordinator",
        )

    def _check(self, decision: object, task: Task, excluded: frozenset[str]) -> None:
        name = _policy_name(self.policy)
        if not isinstance(decision, Decision):
            raise InvalidDecisionError(
                policy=name,
                department=repr(decision),
                why="a policy must return a Decision or None",
            )
        who = decision.policy
        dept = self.departments.get(decision.department)
        if dept is None:
            why = f"unknown department (known: {', '.join(sorted(self.departments))})"
        elif decision.department in excluded:
            why = "the department already sent this task back"
        elif not dept.serves(task.grid):
            why = f"the department does not serve grid {task.grid!r}"
        else:
            unknown = [c for c in decision.cooperating if c not in self.departments]
            outside = [
                c for c in decision.cooperating if c not in unknown and not self._serves(c, task)
            ]
            if not unknown and not outside:
                return
            if unknown:
                why = f"unknown cooperating departments {unknown}"
            else:
                why = f"cooperating departments {outside} do not serve grid {task.grid!r}"
        raise InvalidDecisionError(policy=who, department=decision.department, why=why)

    def _serves(self, department: str, task: Task) -> bool:
        return self.departments[department].serves(task.grid)

    def _dues(self, task: Task, at: datetime) -> tuple[datetime | None, datetime | None]:
        table = self.deadlines
        if table is None:
            return (None, None)
        for key in (
            (task.category, task.priority),
            task.category,
            (ANY_CATEGORY, task.priority),
            ANY_CATEGORY,
        ):
            limits = table.get(key)
            if limits is not None:
                response, resolution = limits
                return (response.due(at, self.calendar), resolution.due(at, self.calendar))
        return (None, None)

    def _apply(
        self,
        task: Task,
        decision: Decision | None,
        at: datetime,
        dues: tuple[datetime | None, datetime | None],
    ) -> None:
        if decision is None:
            self._triage[task.id] = task
            return
        task.dispatch(
            to=decision.department,
            at=at,
            by=self.actor,
            cooperating=decision.cooperating,
            reason=decision.reason,
            response_due=dues[0],
            resolve_due=dues[1],
        )
        self._triage.pop(task.id, None)
        self._sync(task)

    def _sync(self, task: Task) -> bool:
        held = self._held.get(task.id)
        holder = task.department if task.status in _HOLDING else None
        if holder not in self._loads:
            holder = None  # held by a department this dispatcher does not know
        changed = held != holder
        if changed:
            if held is not None:
                self._loads[held] -= 1
                del self._held[task.id]
            if holder is not None and holder in self._loads:
                self._loads[holder] += 1
                self._held[task.id] = holder
        if task.status is not TaskStatus.REGISTERED:
            self._triage.pop(task.id, None)
        if task.status.is_terminal:
            self._tasks.pop(task.id, None)
        return changed

    @staticmethod
    def _lateness(task: Task, now: datetime) -> timedelta:
        instant = _utc(now)
        late = timedelta(0)
        if task.resolve_due is not None:
            late = max(late, instant - _utc(task.resolve_due))
        if task.status is TaskStatus.DISPATCHED and task.response_due is not None:
            late = max(late, instant - _utc(task.response_due))
        return late


def _policy_name(policy: object) -> str:
    return type(policy).__name__
