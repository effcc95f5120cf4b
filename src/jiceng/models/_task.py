"""The task (工单) and its closed-loop lifecycle, recorded as immutable events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from attrs import field, frozen

from jiceng.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from jiceng.models._enums import (
    ActorRole,
    Channel,
    EventKind,
    Priority,
    Satisfaction,
    TaskStatus,
    UrgeLevel,
)
from jiceng.models._org import Department
from jiceng.models._people import Actor, Reporter
from jiceng.models._validate import check_aware, check_text, utc

__all__ = ["Callback", "Task", "TaskEvent"]

S = TaskStatus
K = EventKind


@frozen
class Callback:
    """The result of a callback (回访) to the reporter.

    Attributes:
        contacted: Whether the resident was reached (响应).
        resolved: Whether they say the problem was solved (解决), or ``None`` if not asked.
        satisfaction: Their verdict (满意度), or ``None`` if not reached or not asked.
        at: When the callback was made.
        by: Who made it.
    """

    contacted: bool = field(kw_only=True)
    resolved: bool | None = field(kw_only=True)
    satisfaction: Satisfaction | None = field(kw_only=True)
    at: datetime = field(kw_only=True)
    by: Actor = field(kw_only=True)


@frozen
class TaskEvent:
    """One immutable, timestamped, attributed step in a task's history.

    Attributes:
        at: When it happened (timezone-aware).
        kind: Which step.
        status: The task's status after the step.
        actor: Who took it.
        note: The reason or note given with it.
        department: The department concerned (dispatch, return, acceptance …).
        cooperating: Cooperating departments (dispatch, 加派).
        response_due: The response deadline set at dispatch.
        resolve_due: The resolution deadline set at dispatch.
        until: The new resolution deadline (延期).
        level: The urge level (催办/督办/通报).
        contacted: Callback field.
        resolved: Callback field.
        satisfaction: Callback field.
        duplicate_of: The task this one duplicates.
    """

    at: datetime = field(kw_only=True)
    kind: EventKind = field(kw_only=True)
    status: TaskStatus = field(kw_only=True)
    actor: Actor = field(kw_only=True)
    note: str = field(default="", kw_only=True)
    department: str | None = field(default=None, kw_only=True)
    cooperating: tuple[str, ...] = field(default=(), kw_only=True)
    response_due: datetime | None = field(default=None, kw_only=True)
    resolve_due: datetime | None = field(default=None, kw_only=True)
    until: datetime | None = field(default=None, kw_only=True)
    level: UrgeLevel | None = field(default=None, kw_only=True)
    contacted: bool | None = field(default=None, kw_only=True)
    resolved: bool | None = field(default=None, kw_only=True)
    satisfaction: Satisfaction | None = field(default=None, kw_only=True)
    duplicate_of: str | None = field(default=None, kw_only=True)

    def describe(self, lang: str = "zh") -> str:
        """One readable line for this event, in Chinese (``"zh"``) or English (``"en"``).

        >>> from datetime import datetime, timezone
        >>> e = TaskEvent(
        ...     at=datetime(2026, 5, 6, 9, 0, tzinfo=timezone.utc),
        ...     kind=EventKind.DISPATCHED,
        ...     status=TaskStatus.DISPATCHED,
        ...     actor=Actor.platform(),
        ...     department="城管局",
        ... )
        >>> e.describe()
        '2026-05-06 09:00+00:00 派遣 → 城管局 [已派遣] (platform:platform)'
        """
        when = self.at.isoformat(sep=" ", timespec="minutes")
        zh = lang != "en"
        parts = [when, self.kind.label if zh else self.kind.value]
        if self.department is not None:
            parts.append(f"→ {self.department}")
        if self.cooperating:
            joined = "、".join(self.cooperating) if zh else ", ".join(self.cooperating)
            parts.append(f"(配合: {joined})" if zh else f"(cooperating: {joined})")
        if self.level is not None:
            parts.append(self.level.label if zh else self.level.name.lower())
        if self.until is not None:
            parts.append(("延至 " if zh else "until ") + self.until.isoformat())
        if self.satisfaction is not None:
            parts.append(self.satisfaction.label if zh else self.satisfaction.value)
        if self.duplicate_of is not None:
            parts.append(("重复于 " if zh else "duplicate of ") + self.duplicate_of)
        parts.append(f"[{self.status.label if zh else self.status.value}]")
        if self.note:
            parts.append(f"“{self.note}”" if zh else repr(self.note))
        parts.append(f"({self.actor})")
        return " ".join(parts)


# The transition table: step → (statuses it may start from, status after or None if unchanged, who).
_ADMIN = "admin"  # platform, supervisor or system
_ASSIGNED = "assigned"  # the assigned department only
_CHECKER = "checker"  # admin, or a grid worker of the task's grid (核查)
_CALLER = "caller"  # platform, system, or the reporting resident (回访)
_OPEN_ASSIGNED = frozenset({S.DISPATCHED, S.ACCEPTED, S.PARKED})

STEPS: dict[EventKind, tuple[frozenset[TaskStatus], TaskStatus | None, str]] = {
    K.REGISTERED: (frozenset({S.REPORTED}), S.REGISTERED, _ADMIN),
    K.CANCELLED: (frozenset({S.REPORTED, S.REGISTERED}), S.CANCELLED, _ADMIN),
    K.DUPLICATE: (frozenset({S.REPORTED, S.REGISTERED}), S.CANCELLED, _ADMIN),
    K.DISPATCHED: (frozenset({S.REGISTERED}), S.DISPATCHED, _ADMIN),
    K.ACCEPTED: (frozenset({S.DISPATCHED}), S.ACCEPTED, _ASSIGNED),
    K.RETURNED: (frozenset({S.DISPATCHED, S.ACCEPTED}), S.REGISTERED, _ASSIGNED),
    K.PARKED: (frozenset({S.ACCEPTED}), S.PARKED, _ASSIGNED),
    K.RESUMED: (frozenset({S.PARKED}), S.ACCEPTED, _ASSIGNED),
    K.RESOLVED: (frozenset({S.ACCEPTED}), S.RESOLVED, _ASSIGNED),
    K.REWORKED: (frozenset({S.RESOLVED}), S.ACCEPTED, _CHECKER),
    K.CLOSED: (frozenset({S.RESOLVED}), S.CLOSED, _CHECKER),
    K.EXTENDED: (_OPEN_ASSIGNED, None, _ADMIN),
    K.URGED: (_OPEN_ASSIGNED, None, _ADMIN),
    K.COOPERATING_ADDED: (_OPEN_ASSIGNED, None, _ADMIN),
    K.CALLBACK: (frozenset({S.RESOLVED, S.CLOSED}), None, _CALLER),
}
"""The lifecycle as one readable table: ``kind → (allowed from, status after, who may)``."""

_VERBS = {
    K.REGISTERED: "register",
    K.CANCELLED: "cancel",
    K.DUPLICATE: "mark_duplicate",
    K.DISPATCHED: "dispatch",
    K.ACCEPTED: "accept",
    K.RETURNED: "send_back",
    K.PARKED: "park",
    K.RESUMED: "resume",
    K.RESOLVED: "resolve",
    K.REWORKED: "rework",
    K.CLOSED: "close",
    K.EXTENDED: "extend",
    K.URGED: "urge",
    K.COOPERATING_ADDED: "add_cooperating",
    K.CALLBACK: "record_callback",
}


def _name_of(value: object, field_name: str) -> str:
    if isinstance(value, Department):
        return value.name
    return check_text(field_name, value)


def _names_of(values: Iterable[object], field_name: str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValidationError.for_field(
            field_name, values, "must be a collection of names, not a string"
        )
    return tuple(sorted({_name_of(v, field_name) for v in values}))


def _reason(value: object) -> str:
    return check_text("reason", value)


def _is(value: object, kind: type[Enum], name: str) -> None:
    if not isinstance(value, kind):
        raise ValidationError.for_field(name, value, f"must be a {kind.__name__}")


def _optional_due(name: str, value: object) -> datetime | None:
    return None if value is None else check_aware(name, value)


def _check_report(
    *,
    id: str,
    category: object,
    description: object,
    location: object,
    grid: object,
    channel: object,
    priority: object,
    reporter: object,
    reported_at: object,
    reported_by: object,
) -> None:
    check_text("id", id)
    check_text("category", category)
    if not isinstance(description, str):
        raise ValidationError.for_field("description", description, "must be a string")
    if not isinstance(location, str):
        raise ValidationError.for_field("location", location, "must be a string")
    if grid is not None:
        check_text("grid", grid)
    _is(channel, Channel, "channel")
    _is(priority, Priority, "priority")
    if reporter is not None and not isinstance(reporter, Reporter):
        raise ValidationError.for_field("reporter", reporter, "must be a Reporter or None")
    check_aware("at", reported_at)
    if not isinstance(reported_by, Actor):
        raise ValidationError.for_field("by", reported_by, "must be an Actor")


@frozen(eq=False, repr=False)
class Task:
    """A task (工单): a citizen's report running the closed loop 上报 → 立案 → 派遣 → 签收 → 处置反馈 → 核查结案 → 评价.

    Create one with :meth:`Task.report`, or rebuild one from its events with :meth:`Task.from_history`.
    Every state change goes through a lifecycle method, which checks, in this order, the arguments
    (``ValidationError``), the step (``InvalidTransitionError``), the actor (``PermissionDeniedError``)
    and the time (``ValidationError`` if earlier than the last event), and only then appends one
    immutable :class:`TaskEvent`. A failed call changes nothing.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2026, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    >>> task = Task.report(
    ...     category="环境卫生",
    ...     description="小区垃圾堆积未清理",
    ...     location="幸福小区3号楼",
    ...     at=t0,
    ...     id="T1",
    ... )
    >>> task.register(at=t0, by=Actor.platform())
    >>> task.dispatch(to="城管局", at=t0, by=Actor.platform(), reason="按权责清单")
    >>> task.accept(at=t0 + timedelta(minutes=20), by=Actor.department("城管局"))
    >>> task.resolve(at=t0 + timedelta(hours=3), by=Actor.department("城管局"), note="已清运")
    >>> task.close(at=t0 + timedelta(hours=4), by=Actor.platform())
    >>> task.status.label, task.response_time, task.handling_time
    ('已结案', datetime.timedelta(seconds=1200), datetime.timedelta(seconds=10800))
    >>> task.accept(at=t0 + timedelta(hours=5), by=Actor.department("城管局"))
    Traceback (most recent call last):
    ...
    jiceng.errors.InvalidTransitionError: task 'T1': cannot accept while CLOSED (已结案)
    """

    id: str = field(kw_only=True)
    category: str = field(kw_only=True)
    description: str = field(kw_only=True)
    location: str = field(default="", kw_only=True)
    grid: str | None = field(default=None, kw_only=True)
    channel: Channel = field(default=Channel.HOTLINE, kw_only=True)
    priority: Priority = field(default=Priority.NORMAL, kw_only=True)
    reporter: Reporter | None = field(default=None, kw_only=True)
    reported_at: datetime = field(kw_only=True)
    reported_by: Actor = field(kw_only=True)
    status: TaskStatus = field(init=False, default=S.REPORTED)
    department: str | None = field(init=False, default=None)
    cooperating: tuple[str, ...] = field(init=False, default=())
    dispatched_at: datetime | None = field(init=False, default=None)
    accepted_at: datetime | None = field(init=False, default=None)
    resolved_at: datetime | None = field(init=False, default=None)
    closed_at: datetime | None = field(init=False, default=None)
    response_due: datetime | None = field(init=False, default=None)
    resolve_due: datetime | None = field(init=False, default=None)
    callback: Callback | None = field(init=False, default=None)
    _events: list[TaskEvent] = field(init=False, factory=list)
    _last: datetime = field(init=False)

    def __attrs_post_init__(self) -> None:
        _check_report(
            id=self.id,
            category=self.category,
            description=self.description,
            location=self.location,
            grid=self.grid,
            channel=self.channel,
            priority=self.priority,
            reporter=self.reporter,
            reported_at=self.reported_at,
            reported_by=self.reported_by,
        )
        event = TaskEvent(
            at=self.reported_at, kind=K.REPORTED, status=S.REPORTED, actor=self.reported_by
        )
        self._events.append(event)
        object.__setattr__(self, "_last", utc(self.reported_at))

    # Creating ---------------------------------------------------------------------------------

    @classmethod
    def report(
        cls,
        *,
        category: str,
        description: str,
        at: datetime,
        location: str = "",
        grid: str | None = None,
        channel: Channel = Channel.HOTLINE,
        priority: Priority = Priority.NORMAL,
        reporter: Reporter | None = None,
        id: str | None = None,
        by: Actor | None = None,
    ) -> Task:
        """Create a task from a report (上报): the first step of the loop.

        Args:
            category: The matter's category, e.g. ``"环境卫生"``; must not be empty.
            description: What the reporter said.
            at: When the report came in (timezone-aware).
            location: Where, in words.
            grid: The grid id (网格) the location falls in, if known.
            channel: How the report came in.
            priority: How urgent it is.
            reporter: Who reported it (phone and ID number are masked in output).
            id: The task id; ``None`` gives a random uuid4 hex string.
            by: Who recorded the report; defaults to the reporting resident when known, else the
                platform.

        Raises:
            ValidationError: A field is missing or malformed, or ``at`` is naive.
        """
        if by is None:
            if isinstance(reporter, Reporter) and reporter.resident is not None:
                by = Actor.resident(reporter.resident)
            else:
                by = Actor.platform()
        return cls(
            id=uuid.uuid4().hex if id is None else id,
            category=category,
            description=description,
            location=location,
            grid=grid,
            channel=channel,
            priority=priority,
            reporter=reporter,
            reported_at=at,
            reported_by=by,
        )

    @classmethod
    def from_history(
        cls,
        events: Sequence[TaskEvent],
        *,
        id: str,
        category: str,
        description: str,
        location: str = "",
        grid: str | None = None,
        channel: Channel = Channel.HOTLINE,
        priority: Priority = Priority.NORMAL,
        reporter: Reporter | None = None,
    ) -> Task:
        """Rebuild a task by replaying its events through the lifecycle, so every rule is re-checked.

        Raises:
            ValidationError: The history is empty, does not start with REPORTED, or an event's
                recorded status disagrees with the replay.
            InvalidTransitionError, PermissionDeniedError: An event breaks a lifecycle rule.
        """
        if not events or events[0].kind is not K.REPORTED:
            raise ValidationError.for_field(
                "events", tuple(e.kind.value for e in events[:1]), "a history starts with REPORTED"
            )
        first = events[0]
        task = cls(
            id=id,
            category=category,
            description=description,
            location=location,
            grid=grid,
            channel=channel,
            priority=priority,
            reporter=reporter,
            reported_at=first.at,
            reported_by=first.actor,
        )
        for index, event in enumerate(events):
            if index:
                task.apply(event)
            if task._events[index] != event:
                raise ValidationError.for_field(
                    f"events[{index}]",
                    event.kind.value,
                    "the recorded event differs from its replay",
                )
        return task

    def apply(self, event: TaskEvent) -> None:
        """Replay one recorded event through the matching lifecycle method (for imports and restores)."""
        kind, at, by, note = event.kind, event.at, event.actor, event.note
        if kind is K.REGISTERED:
            self.register(at=at, by=by)
        elif kind is K.CANCELLED:
            self.cancel(at=at, by=by, reason=note)
        elif kind is K.DUPLICATE:
            self.mark_duplicate(of=event.duplicate_of or "", at=at, by=by)
        elif kind is K.DISPATCHED:
            self.dispatch(
                to=event.department or "",
                at=at,
                by=by,
                cooperating=event.cooperating,
                reason=note,
                response_due=event.response_due,
                resolve_due=event.resolve_due,
            )
        elif kind is K.ACCEPTED:
            self.accept(at=at, by=by)
        elif kind is K.RETURNED:
            self.send_back(at=at, by=by, reason=note)
        elif kind is K.PARKED:
            self.park(at=at, by=by, reason=note)
        elif kind is K.RESUMED:
            self.resume(at=at, by=by)
        elif kind is K.RESOLVED:
            self.resolve(at=at, by=by, note=note)
        elif kind is K.REWORKED:
            self.rework(at=at, by=by, reason=note)
        elif kind is K.CLOSED:
            self.close(at=at, by=by, note=note)
        elif kind is K.EXTENDED:
            self.extend(until=event.until, at=at, by=by, reason=note)  # type: ignore[arg-type]
        elif kind is K.URGED:
            self.urge(at=at, by=by, level=event.level)  # type: ignore[arg-type]
        elif kind is K.COOPERATING_ADDED:
            self.add_cooperating(*event.cooperating, at=at, by=by, reason=note)
        elif kind is K.CALLBACK:
            self.record_callback(
                contacted=event.contacted,  # type: ignore[arg-type]
                resolved=event.resolved,
                satisfaction=event.satisfaction,
                at=at,
                by=by,
            )
        else:  # K.REPORTED: only ever first
            raise InvalidTransitionError(task=self.id, current=self.status, requested="report")

    # The guard ------------------------------------------------------------------------------------

    def _guard(self, kind: EventKind, at: object, by: object) -> tuple[datetime, TaskStatus]:
        """Check the step, the actor and the time (arguments are checked by the caller first)."""
        check_aware("at", at)
        if not isinstance(by, Actor):
            raise ValidationError.for_field("by", by, "must be an Actor")
        allowed, after, who = STEPS[kind]
        if self.status not in allowed:
            raise InvalidTransitionError(task=self.id, current=self.status, requested=_VERBS[kind])
        if not self._may(who, by):
            raise PermissionDeniedError(actor=by, action=_VERBS[kind], task=self.id, why=_WHO[who])
        assert isinstance(at, datetime)  # for mypy; check_aware has verified it
        instant = utc(at)
        if instant < self._last:
            raise ValidationError(
                f"task {self.id!r}: at={at.isoformat()} is earlier than the last event "
                f"({self._events[-1].at.isoformat()}); time never runs backwards within a task",
                field="at",
                value=at,
            )
        return at, self.status if after is None else after

    def _may(self, who: str, by: Actor) -> bool:
        if who == _ADMIN:
            return by.is_admin
        if who == _ASSIGNED:
            return by.role is ActorRole.DEPARTMENT and by.id == self.department
        if who == _CHECKER:
            return by.is_admin or (
                by.role is ActorRole.GRID_WORKER and self.grid is not None and by.grid == self.grid
            )
        # _CALLER
        if by.role in (ActorRole.PLATFORM, ActorRole.SYSTEM):
            return True
        return (
            by.role is ActorRole.RESIDENT
            and self.reporter is not None
            and self.reporter.resident == by.id
        )

    def _commit(self, event: TaskEvent, **changes: Any) -> None:
        """Append ``event`` and apply ``changes``: the only place a task's state changes."""
        self._events.append(event)
        object.__setattr__(self, "_last", utc(event.at))
        object.__setattr__(self, "status", event.status)
        for name, value in changes.items():
            object.__setattr__(self, name, value)

    def _event(
        self, kind: EventKind, at: datetime, status: TaskStatus, by: Actor, **data: Any
    ) -> TaskEvent:
        return TaskEvent(at=at, kind=kind, status=status, actor=by, **data)

    # Lifecycle ------------------------------------------------------------------------------------

    def register(self, *, at: datetime, by: Actor) -> None:
        """File the report as a case (立案). REPORTED → REGISTERED; platform, supervisor or system."""
        at, after = self._guard(K.REGISTERED, at, by)
        self._commit(self._event(K.REGISTERED, at, after, by))

    def cancel(self, *, at: datetime, by: Actor, reason: str) -> None:
        """Cancel at filing (注销): duplicates, out of scope. REPORTED/REGISTERED → CANCELLED."""
        reason = _reason(reason)
        at, after = self._guard(K.CANCELLED, at, by)
        self._commit(self._event(K.CANCELLED, at, after, by, note=reason))

    def mark_duplicate(self, *, of: str | Task, at: datetime, by: Actor) -> None:
        """Cancel this task as a duplicate of task ``of`` (重复件), keeping the link."""
        original = of.id if isinstance(of, Task) else check_text("of", of)
        if original == self.id:
            raise ValidationError.for_field("of", original, "a task cannot duplicate itself")
        at, after = self._guard(K.DUPLICATE, at, by)
        self._commit(
            self._event(
                K.DUPLICATE, at, after, by, duplicate_of=original, note=f"重复件，同 {original}"
            )
        )

    def dispatch(
        self,
        *,
        to: str | Department,
        at: datetime,
        by: Actor,
        cooperating: Iterable[str | Department] = (),
        reason: str = "",
        response_due: datetime | None = None,
        resolve_due: datetime | None = None,
    ) -> None:
        """Dispatch the task to a lead department (派遣). REGISTERED → DISPATCHED.

        A new dispatch clears ``accepted_at`` and ``resolved_at``, so the derived times describe the
        current assignment; the history keeps everything.
        """
        lead = _name_of(to, "to")
        partners = _names_of(cooperating, "cooperating")
        if lead in partners:
            raise ValidationError.for_field(
                "cooperating", partners, f"must not include the lead {lead!r}"
            )
        if not isinstance(reason, str):
            raise ValidationError.for_field("reason", reason, "must be a string")
        response_due = _optional_due("response_due", response_due)
        resolve_due = _optional_due("resolve_due", resolve_due)
        at, after = self._guard(K.DISPATCHED, at, by)
        event = self._event(
            K.DISPATCHED,
            at,
            after,
            by,
            note=reason,
            department=lead,
            cooperating=partners,
            response_due=response_due,
            resolve_due=resolve_due,
        )
        self._commit(
            event,
            department=lead,
            cooperating=partners,
            dispatched_at=at,
            accepted_at=None,
            resolved_at=None,
            response_due=response_due,
            resolve_due=resolve_due,
        )

    def accept(self, *, at: datetime, by: Actor) -> None:
        """Sign for the task (签收). DISPATCHED → ACCEPTED; the assigned department only."""
        at, after = self._guard(K.ACCEPTED, at, by)
        self._commit(
            self._event(K.ACCEPTED, at, after, by, department=self.department), accepted_at=at
        )

    def send_back(self, *, at: datetime, by: Actor, reason: str) -> None:
        """Return a mis-dispatched task (回退) for re-dispatch (改派). DISPATCHED/ACCEPTED → REGISTERED.

        The task loses its department, cooperating departments and deadlines until it is dispatched
        again. :attr:`returned_by` remembers who sent it back.
        """
        reason = _reason(reason)
        at, after = self._guard(K.RETURNED, at, by)
        self._commit(
            self._event(K.RETURNED, at, after, by, note=reason, department=self.department),
            department=None,
            cooperating=(),
            response_due=None,
            resolve_due=None,
        )

    def park(self, *, at: datetime, by: Actor, reason: str) -> None:
        """Park a task that cannot be solved now (挂账). ACCEPTED → PARKED."""
        reason = _reason(reason)
        at, after = self._guard(K.PARKED, at, by)
        self._commit(self._event(K.PARKED, at, after, by, note=reason, department=self.department))

    def resume(self, *, at: datetime, by: Actor) -> None:
        """Resume a parked task. PARKED → ACCEPTED."""
        at, after = self._guard(K.RESUMED, at, by)
        self._commit(self._event(K.RESUMED, at, after, by, department=self.department))

    def resolve(self, *, at: datetime, by: Actor, note: str = "") -> None:
        """Report the task handled (处置反馈). ACCEPTED → RESOLVED."""
        if not isinstance(note, str):
            raise ValidationError.for_field("note", note, "must be a string")
        at, after = self._guard(K.RESOLVED, at, by)
        self._commit(
            self._event(K.RESOLVED, at, after, by, note=note, department=self.department),
            resolved_at=at,
        )

    def rework(self, *, at: datetime, by: Actor, reason: str) -> None:
        """Fail the check and send the work back (核查不通过, 返工). RESOLVED → ACCEPTED."""
        reason = _reason(reason)
        at, after = self._guard(K.REWORKED, at, by)
        self._commit(
            self._event(K.REWORKED, at, after, by, note=reason, department=self.department),
            resolved_at=None,
        )

    def close(self, *, at: datetime, by: Actor, note: str = "") -> None:
        """Check and close the case (核查结案). RESOLVED → CLOSED."""
        if not isinstance(note, str):
            raise ValidationError.for_field("note", note, "must be a string")
        at, after = self._guard(K.CLOSED, at, by)
        self._commit(self._event(K.CLOSED, at, after, by, note=note), closed_at=at)

    def extend(self, *, until: datetime, at: datetime, by: Actor, reason: str) -> None:
        """Extend the resolution deadline (延期) to ``until``; the status does not change."""
        check_aware("until", until)
        reason = _reason(reason)
        if self.resolve_due is not None and utc(until) <= utc(self.resolve_due):
            raise ValidationError.for_field(
                "until",
                until,
                f"must be later than the current deadline {self.resolve_due.isoformat()}",
            )
        at, after = self._guard(K.EXTENDED, at, by)
        self._commit(
            self._event(K.EXTENDED, at, after, by, note=reason, until=until), resolve_due=until
        )

    def urge(self, *, at: datetime, by: Actor, level: UrgeLevel) -> None:
        """Chase the assigned department: 催办 (URGE), 督办 (SUPERVISE) or 通报 (NOTIFY)."""
        _is(level, UrgeLevel, "level")
        at, after = self._guard(K.URGED, at, by)
        self._commit(self._event(K.URGED, at, after, by, level=level, department=self.department))

    def add_cooperating(
        self, *departments: str | Department, at: datetime, by: Actor, reason: str = ""
    ) -> None:
        """Add cooperating departments (加派) to a dispatched task."""
        names = _names_of(departments, "departments")
        if not names:
            raise ValidationError.for_field(
                "departments", departments, "name at least one department"
            )
        if not isinstance(reason, str):
            raise ValidationError.for_field("reason", reason, "must be a string")
        if self.department in names:  # an argument error: checked before the step and the actor
            raise ValidationError.for_field(
                "departments", names, f"must not include the lead {self.department!r}"
            )
        at, after = self._guard(K.COOPERATING_ADDED, at, by)
        merged = tuple(sorted(set(self.cooperating) | set(names)))
        self._commit(
            self._event(K.COOPERATING_ADDED, at, after, by, note=reason, cooperating=names),
            cooperating=merged,
        )

    def record_callback(
        self,
        *,
        contacted: bool,
        resolved: bool | None,
        satisfaction: Satisfaction | None,
        at: datetime,
        by: Actor,
    ) -> None:
        """Record a callback (回访) once the task is RESOLVED or CLOSED. A later one replaces ``callback``."""
        if not isinstance(contacted, bool):
            raise ValidationError.for_field("contacted", contacted, "must be True or False")
        if resolved is not None and not isinstance(resolved, bool):
            raise ValidationError.for_field("resolved", resolved, "must be True, False or None")
        if satisfaction is not None:
            _is(satisfaction, Satisfaction, "satisfaction")
        # Nobody reached: no verdict, and the problem cannot be confirmed solved (False is allowed:
        # it counts the same as None in 解决率).
        if not contacted and satisfaction is not None:
            raise ValidationError.for_field(
                "satisfaction", satisfaction, "must be None when the resident was not contacted"
            )
        if not contacted and resolved:
            raise ValidationError.for_field(
                "resolved", resolved, "must be None or False when the resident was not contacted"
            )
        at, after = self._guard(K.CALLBACK, at, by)
        event = self._event(
            K.CALLBACK,
            at,
            after,
            by,
            contacted=contacted,
            resolved=resolved,
            satisfaction=satisfaction,
        )
        callback = Callback(
            contacted=contacted, resolved=resolved, satisfaction=satisfaction, at=at, by=by
        )
        self._commit(event, callback=callback)

    # Derived ----------------------------------------------------------------------------------

    @property
    def history(self) -> tuple[TaskEvent, ...]:
        """Every event, oldest first. Append-only: nothing is ever removed."""
        return tuple(self._events)

    @property
    def last_event(self) -> TaskEvent:
        """The most recent event."""
        return self._events[-1]

    @property
    def response_time(self) -> timedelta | None:
        """Acceptance minus the latest dispatch (响应时长), or ``None`` if not accepted."""
        if self.accepted_at is None or self.dispatched_at is None:
            return None
        return utc(self.accepted_at) - utc(self.dispatched_at)

    @property
    def handling_time(self) -> timedelta | None:
        """Resolution minus the latest dispatch (办理时长), or ``None`` if not resolved."""
        if self.resolved_at is None or self.dispatched_at is None:
            return None
        return utc(self.resolved_at) - utc(self.dispatched_at)

    @property
    def is_open(self) -> bool:
        """True until the task is CLOSED or CANCELLED."""
        return not self.status.is_terminal

    def is_overdue(self, now: datetime) -> bool:
        """True while open and unresolved past ``resolve_due``, or DISPATCHED past ``response_due``."""
        check_aware("now", now)
        if self.status.is_terminal or self.status is S.RESOLVED:
            return False
        instant = utc(now)
        if self.resolve_due is not None and instant > utc(self.resolve_due):
            return True
        return (
            self.status is S.DISPATCHED
            and self.response_due is not None
            and instant > utc(self.response_due)
        )

    @property
    def urge_level(self) -> UrgeLevel | None:
        """The highest urge level recorded so far, or ``None``."""
        levels = [e.level for e in self._events if e.level is not None]
        return max(levels) if levels else None

    @property
    def returned_by(self) -> frozenset[str]:
        """Every department that ever sent this task back (回退)."""
        return frozenset(
            e.department for e in self._events if e.kind is K.RETURNED and e.department
        )

    def has_event(self, kind: EventKind) -> bool:
        """Whether the history holds an event of ``kind``."""
        return any(e.kind is kind for e in self._events)

    @property
    def ever_dispatched(self) -> bool:
        """Whether the task was ever dispatched."""
        return self.has_event(K.DISPATCHED)

    @property
    def ever_returned(self) -> bool:
        """Whether the task was ever sent back."""
        return self.has_event(K.RETURNED)

    @property
    def ever_resolved(self) -> bool:
        """Whether the task was ever reported handled."""
        return self.has_event(K.RESOLVED)

    @property
    def ever_reworked(self) -> bool:
        """Whether the task was ever sent back for rework."""
        return self.has_event(K.REWORKED)

    def timeline(self, lang: str = "zh") -> str:
        """The history as readable lines, one per event (see :meth:`TaskEvent.describe`)."""
        return "\n".join(e.describe(lang) for e in self._events)

    # Identity ---------------------------------------------------------------------------------

    def _key(self) -> tuple[object, ...]:
        return (
            self.id,
            self.category,
            self.description,
            self.location,
            self.grid,
            self.channel,
            self.priority,
            self.reporter,
            tuple(self._events),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Task):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return (
            f"Task(id={self.id!r}, category={self.category!r}, status={self.status.name}, "
            f"department={self.department!r}, events={len(self._events)})"
        )


_WHO = {
    _ADMIN: "only the platform, a supervisor or the system may",
    _ASSIGNED: "only the assigned department may",
    _CHECKER: "only the platform, a supervisor, the system or a grid worker of the task's grid may",
    _CALLER: "only the platform, the system or the reporting resident may",
}
