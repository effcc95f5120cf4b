"""The streaming accumulators and their positional fast path (private)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Generic, Protocol, TypeVar

from jiceng.errors import ValidationError
from jiceng.metrics._histogram import MAX_SECONDS as _MAX_SECONDS
from jiceng.metrics._histogram import Durations as _Durations
from jiceng.metrics._values import Metrics
from jiceng.metrics._values import rate as _rate
from jiceng.models import EventKind, Satisfaction, TaskStatus
from jiceng.models._validate import check_aware

__all__ = [
    "CANCELLED",
    "CLOSED",
    "OPEN",
    "GroupedAccumulator",
    "MeasuredTask",
    "MetricsAccumulator",
    "Row",
    "task_values",
]

Row = tuple[
    int,
    "float | None",
    "float | None",
    "bool | None",
    bool,
    bool,
    bool,
    bool,
    bool,
    "bool | None",
    "bool | None",
    "Satisfaction | None",
]
"""One task's fast-path values: the 12 arguments of :meth:`MetricsAccumulator.add_values`."""

CLOSED = 0
"""Outcome code for the fast path: the task is closed (已结案)."""
CANCELLED = 1
"""Outcome code for the fast path: the task is cancelled (已注销) or marked a duplicate."""
OPEN = 2
"""Outcome code for the fast path: the task is still open (anything not terminal)."""

# --- the task protocol ------------------------------------------------------------------------


class _EventLike(Protocol):
    @property
    def kind(self) -> EventKind: ...


class _CallbackLike(Protocol):
    @property
    def contacted(self) -> bool: ...
    @property
    def resolved(self) -> bool | None: ...
    @property
    def satisfaction(self) -> Satisfaction | None: ...


class MeasuredTask(Protocol):
    """What the accumulator reads from a task; :class:`~jiceng.models.Task` fits it."""

    @property
    def status(self) -> TaskStatus: ...
    @property
    def history(self) -> Sequence[_EventLike]: ...
    @property
    def response_time(self) -> timedelta | None: ...
    @property
    def handling_time(self) -> timedelta | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def resolve_due(self) -> datetime | None: ...
    @property
    def callback(self) -> _CallbackLike | None: ...

    def is_overdue(self, now: datetime, /) -> bool: ...


_DISPATCHED = EventKind.DISPATCHED
_RETURNED = EventKind.RETURNED
_RESOLVED = EventKind.RESOLVED
_REWORKED = EventKind.REWORKED
_SATISFIED = Satisfaction.SATISFIED
_BASICALLY = Satisfaction.BASICALLY_SATISFIED
_DISSATISFIED = Satisfaction.DISSATISFIED
_ST_CLOSED = TaskStatus.CLOSED
_ST_CANCELLED = TaskStatus.CANCELLED
_UTC = timezone.utc

_Values = tuple[
    int,
    float | None,
    float | None,
    bool | None,
    bool,
    bool,
    bool,
    bool,
    bool,
    bool | None,
    bool | None,
    Satisfaction | None,
]


def _check_now(now: object) -> datetime:
    return check_aware("now", now)


def task_values(task: MeasuredTask, now: datetime) -> _Values:
    """The fast-path values of one task at ``now``, in :meth:`MetricsAccumulator.add_values` order.

    This is how :meth:`MetricsAccumulator.add` reads a task, exposed so an engine or a test can
    check that its own values agree with a real task's.

    Rules: ``on_time`` is True when the task is resolved (in its current assignment) by its
    ``resolve_due``, False when resolved after it or when it is still unresolved, open and past due
    at ``now``, and None otherwise (no due time, not yet due, or cancelled). ``overdue`` is
    ``task.is_overdue(now)`` for an open task. The four "ever" flags read the history.
    """
    status = task.status
    outcome = CLOSED if status is _ST_CLOSED else CANCELLED if status is _ST_CANCELLED else OPEN
    dispatched = returned = resolved = reworked = False
    for event in task.history:
        kind = event.kind
        if kind is _DISPATCHED:
            dispatched = True
        elif kind is _RESOLVED:
            resolved = True
        elif kind is _RETURNED:
            returned = True
        elif kind is _REWORKED:
            reworked = True
    due = task.resolve_due
    resolved_at = task.resolved_at
    on_time: bool | None = None
    if due is not None:
        # On instants: two datetimes sharing one tzinfo compare by wall clock, ignoring DST.
        due = due.astimezone(_UTC)
        if resolved_at is not None:
            on_time = resolved_at.astimezone(_UTC) <= due
        elif outcome == OPEN and now.astimezone(_UTC) > due:
            on_time = False
    overdue = outcome == OPEN and task.is_overdue(now)
    response = task.response_time
    handling = task.handling_time
    callback = task.callback
    if callback is None:
        contacted: bool | None = None
        cb_resolved: bool | None = None
        satisfaction: Satisfaction | None = None
    else:
        contacted = callback.contacted
        cb_resolved = callback.resolved
        satisfaction = callback.satisfaction
    return (
        outcome,
        None if response is None else response.total_seconds(),
        None if handling is None else handling.total_seconds(),
        on_time,
        overdue,
        dispatched,
        returned,
        resolved,
        reworked,
        contacted,
        cb_resolved,
        satisfaction,
    )


# --- the accumulator --------------------------------------------------------------------------


# The counters are two small tables of integer-valued floats indexed by a code for the task's
# flags (the hot path then creates two floats in all, instead of one per counter; ints up to 256
# are shared, so computing the codes creates nothing). result() decodes them.
#   flags code  = outcome (0 closed, 1 cancelled, 2 open, 3 open and overdue)
#               + 4 × on_time (0 not counted, 1 late, 2 on time)
#               + 12 × dispatch (0 never dispatched, 1 dispatched, 2 dispatched and sent back)
#               + 36 × resolve (0 never resolved, 1 resolved, 2 resolved and reworked)   < 108
#   callback code = 1 + contacted + 2 × resolved + 4 × satisfaction (0 none, 1 满意, 2 基本满意,
#                   3 不满意)                                                         in 1..16
_FLAG_CODES = 108
_CALLBACK_CODES = 17


def _bad_duration(name: str, seconds: float) -> ValidationError:
    return ValidationError.for_field(
        name, seconds, f"a duration must be a number of seconds in [0, {_MAX_SECONDS:.0f})"
    )


class MetricsAccumulator:
    """A streaming accumulator of :class:`Metrics` with O(1) memory.

    Feed it tasks with :meth:`add`, or plain values with :meth:`add_values`; combine partial
    accumulators (parallel chunks, replications) with :meth:`merge`; read :meth:`result` at any
    time, and keep counting afterwards. It is picklable, so it can travel back from a process
    pool. It is not thread-safe: give each thread its own and merge them.

    Args:
        now: The instant at which "overdue" and "past due" are judged (timezone-aware).
        basically_satisfied: The weight of a 基本满意 callback in 满意率 (default 0.9, after
            Beijing-style 12345 analyses).

    Raises:
        ValidationError: ``now`` is naive, or ``basically_satisfied`` is outside [0, 1].
    """

    __slots__ = ("_callbacks", "_flags", "_handling", "_response", "basically_satisfied", "now")

    def __init__(self, *, now: datetime, basically_satisfied: float = 0.9) -> None:
        self.now = _check_now(now)
        self.basically_satisfied = _check_factor(basically_satisfied)
        self._flags = [0.0] * _FLAG_CODES
        self._callbacks = [0.0] * _CALLBACK_CODES
        self._response = _Durations()
        self._handling = _Durations()

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: Mapping[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"MetricsAccumulator(arrived={self.arrived}, now={self.now.isoformat()})"

    @property
    def arrived(self) -> int:
        """How many tasks have been counted so far."""
        return int(sum(self._flags))

    def add(self, task: MeasuredTask) -> None:
        """Count one task (a :class:`~jiceng.models.Task` or anything shaped like one).

        It derives the fast-path values with :func:`task_values` and adds them, so both paths
        agree.
        """
        self.add_values(*task_values(task, self.now))

    def add_values(  # noqa: PLR0917 -- the engines' positional fast path (a contract)
        self,
        outcome: int,
        response_s: float | None,
        handling_s: float | None,
        on_time: bool | None,
        overdue: bool,
        dispatched: bool,
        returned: bool,
        resolved: bool,
        reworked: bool,
        contacted: bool | None,
        cb_resolved: bool | None,
        satisfaction: Satisfaction | None,
    ) -> None:
        """Count one task from plain values: the fast path for engines with no ``Task`` objects.

        The arguments are positional, in this order. The call is cheap: a few comparisons and
        a handful of float objects, which CPython recycles.

        Args:
            outcome: :data:`CLOSED`, :data:`CANCELLED` or :data:`OPEN`.
            response_s: Accepted − dispatched in seconds, or None (not accepted). Rounded to the
                microsecond.
            handling_s: Resolved − dispatched in seconds, or None (not resolved).
            on_time: True if resolved by its due time; False if resolved late, or unresolved and
                already past due; None if it does not count.
            overdue: The task is open and overdue at ``now`` (read only when open).
            dispatched: It was ever dispatched.
            returned: It was ever sent back (回退); read only when dispatched.
            resolved: It was ever resolved.
            reworked: It was ever reworked (返工); read only when resolved.
            contacted: None when there is no callback; else whether the callback reached the
                reporter.
            cb_resolved: The callback's "resolved" answer (None: not asked, counts as not
                resolved); read only when there is a callback.
            satisfaction: The callback's rating, or None; read only when there is a callback.

        Raises:
            ValidationError: ``outcome`` is not one of the three codes, or a duration is
                negative, NaN or over 142 years. Nothing is counted then.
        """
        if outcome == OPEN:
            code = 3 if overdue else 2
        elif outcome == CLOSED:
            code = 0
        elif outcome == CANCELLED:
            code = 1
        else:
            raise ValidationError.for_field(
                "outcome", outcome, "must be CLOSED (0), CANCELLED (1) or OPEN (2)"
            )
        if response_s is not None and not 0.0 <= response_s < _MAX_SECONDS:
            raise _bad_duration("response_s", response_s)
        if handling_s is not None and not 0.0 <= handling_s < _MAX_SECONDS:
            raise _bad_duration("handling_s", handling_s)
        if on_time is not None:
            code += 8 if on_time else 4
        if dispatched:
            code += 24 if returned else 12
        if resolved:
            code += 72 if reworked else 36
        self._flags[code] += 1.0
        if contacted is not None:
            code = 2 if contacted else 1
            if cb_resolved:
                code += 2
            if satisfaction is not None:
                code += 4 if satisfaction is _SATISFIED else 8 if satisfaction is _BASICALLY else 12
            self._callbacks[code] += 1.0
        if response_s is not None:
            self._response.add((response_s * 1e6 + 0.5) // 1.0)
        if handling_s is not None:
            self._handling.add((handling_s * 1e6 + 0.5) // 1.0)

    def add_rows(self, rows: Sequence[Row]) -> None:
        """Count many tasks at once: each row holds the 12 :meth:`add_values` arguments, in order.

        This is the batched fast path for engines: the same counts as calling :meth:`add_values`
        on each row, in one tight loop. The whole batch is checked first; if any row is bad,
        ``ValidationError`` names it and nothing is counted.

        Its encoding repeats :meth:`add_values` on purpose: a shared helper would double the
        single-row path's cost. A property test keeps the two equal.
        """
        flags = [0] * len(rows)
        callbacks: list[int] = []
        responses: list[float] = []
        handlings: list[float] = []
        add_response = responses.append
        add_handling = handlings.append
        add_callback = callbacks.append
        satisfied, basically = _SATISFIED, _BASICALLY
        for index, row in enumerate(rows):
            (
                outcome,
                response_s,
                handling_s,
                on_time,
                overdue,
                dispatched,
                returned,
                resolved,
                reworked,
                contacted,
                cb_resolved,
                satisfaction,
            ) = row
            if outcome == CLOSED:
                code = 0
            elif outcome == OPEN:
                code = 3 if overdue else 2
            elif outcome == CANCELLED:
                code = 1
            else:
                raise ValidationError.for_field(
                    f"rows[{index}].outcome",
                    outcome,
                    "must be CLOSED (0), CANCELLED (1) or OPEN (2)",
                )
            if response_s is not None:
                if not 0.0 <= response_s < _MAX_SECONDS:
                    raise _bad_duration(f"rows[{index}].response_s", response_s)
                add_response((response_s * 1e6 + 0.5) // 1.0)
            if handling_s is not None:
                if not 0.0 <= handling_s < _MAX_SECONDS:
                    raise _bad_duration(f"rows[{index}].handling_s", handling_s)
                add_handling((handling_s * 1e6 + 0.5) // 1.0)
            if on_time is not None:
                code += 8 if on_time else 4
            if dispatched:
                code += 24 if returned else 12
            if resolved:
                code += 72 if reworked else 36
            flags[index] = code
            if contacted is not None:
                code = 2 if contacted else 1
                if cb_resolved:
                    code += 2
                if satisfaction is not None:
                    code += (
                        4 if satisfaction is satisfied else 8 if satisfaction is basically else 12
                    )
                add_callback(code)
        counts = self._flags
        for code in flags:
            counts[code] += 1.0
        counts = self._callbacks
        for code in callbacks:
            counts[code] += 1.0
        if responses:
            self._response.add_many(responses)
        if handlings:
            self._handling.add_many(handlings)

    def merge(self, other: MetricsAccumulator) -> MetricsAccumulator:
        """Add another accumulator's counts into this one and return ``self``.

        Merging is exact and order-free: the counts, sums, extremes and histograms add up. The
        result keeps this accumulator's ``now``.

        Raises:
            ValidationError: The two use different ``basically_satisfied`` factors.
        """
        if other.basically_satisfied != self.basically_satisfied:
            raise ValidationError.for_field(
                "basically_satisfied",
                other.basically_satisfied,
                f"cannot merge accumulators with different factors ({self.basically_satisfied})",
            )
        self._flags = [a + b for a, b in zip(self._flags, other._flags, strict=True)]
        self._callbacks = [a + b for a, b in zip(self._callbacks, other._callbacks, strict=True)]
        self._response.merge(other._response)
        self._handling.merge(other._handling)
        return self

    def result(self) -> Metrics:
        """The metrics so far."""
        outcome = [0, 0, 0, 0]
        timing = [0, 0, 0]
        dispatch = [0, 0, 0]
        resolve = [0, 0, 0]
        for code, count in enumerate(self._flags):
            if count:
                n = int(count)
                outcome[code % 4] += n
                timing[code // 4 % 3] += n
                dispatch[code // 12 % 3] += n
                resolve[code // 36] += n
        valid = contacted = resolved_callbacks = 0
        rating = [0, 0, 0, 0]
        for code, count in enumerate(self._callbacks):
            if count:
                n = int(count)
                bits = code - 1
                valid += n
                contacted += n * (bits & 1)
                resolved_callbacks += n * (bits >> 1 & 1)
                rating[bits >> 2] += n
        factor = self.basically_satisfied
        satisfied, basically = rating[1], rating[2]
        on_time, on_time_due = timing[2], timing[1] + timing[2]
        dispatched, returned = dispatch[1] + dispatch[2], dispatch[2]
        resolved, reworked = resolve[1] + resolve[2], resolve[2]
        return Metrics(
            arrived=sum(outcome),
            closed=outcome[0],
            cancelled=outcome[1],
            open=outcome[2] + outcome[3],
            overdue=outcome[3],
            valid_callbacks=valid,
            contacted=contacted,
            resolved_callbacks=resolved_callbacks,
            satisfied=satisfied,
            basically_satisfied=basically,
            dissatisfied=rating[3],
            basically_satisfied_factor=factor,
            response_rate=_rate(contacted, valid),
            resolution_rate=_rate(resolved_callbacks, valid),
            satisfaction_rate=_rate(satisfied + factor * basically, valid),
            on_time=on_time,
            on_time_denominator=on_time_due,
            on_time_rate=_rate(on_time, on_time_due),
            dispatched=dispatched,
            returned=returned,
            return_rate=_rate(returned, dispatched),
            resolved=resolved,
            reworked=reworked,
            rework_rate=_rate(reworked, resolved),
            response_time=self._response.summary(),
            handling_time=self._handling.summary(),
        )


def _check_factor(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError.for_field("basically_satisfied", value, "must be a number in [0, 1]")
    if not 0.0 <= value <= 1.0:
        raise ValidationError.for_field("basically_satisfied", value, "must be in [0, 1]")
    return float(value)


K = TypeVar("K", bound=Hashable)


def _key_order(key: object) -> tuple[bool, str]:
    return (key is None, str(key))


class GroupedAccumulator(Generic[K]):
    """One :class:`MetricsAccumulator` per key (a department, grid, category, or any hashable).

    Memory is O(groups). Feed full tasks with :meth:`add` (the key comes from ``key_of``), or plain
    values with the fast path :meth:`add_values`, whose first argument is the key and the rest are
    exactly :meth:`MetricsAccumulator.add_values`'s. An engine that adds many tasks to one group
    may also hold :meth:`accumulator` ``(key)`` and call its ``add_values`` directly.

    Args:
        now: As for :class:`MetricsAccumulator`.
        key_of: How :meth:`add` finds a task's key (e.g. ``lambda t: t.department``). Without it,
            :meth:`add` raises ``ValidationError``.
        basically_satisfied: As for :class:`MetricsAccumulator`.

    >>> from datetime import datetime, timezone
    >>> g: GroupedAccumulator[str] = GroupedAccumulator(
    ...     now=datetime(2024, 1, 1, tzinfo=timezone.utc)
    ... )
    >>> g.add_values(
    ...     "城管局", CLOSED, 60.0, 3600.0, True, False, True, False, True, False, None, None, None
    ... )
    >>> g.result()["城管局"].closed
    1
    """

    __slots__ = ("_groups", "basically_satisfied", "key_of", "now")

    def __init__(
        self,
        *,
        now: datetime,
        key_of: Callable[[MeasuredTask], K] | None = None,
        basically_satisfied: float = 0.9,
    ) -> None:
        self.now = _check_now(now)
        self.basically_satisfied = _check_factor(basically_satisfied)
        self.key_of = key_of
        self._groups: dict[K, MetricsAccumulator] = {}

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: Mapping[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self._groups)

    def __iter__(self) -> Iterator[K]:
        return iter(sorted(self._groups, key=_key_order))

    def accumulator(self, key: K) -> MetricsAccumulator:
        """The accumulator for ``key``, created empty on first use."""
        acc = self._groups.get(key)
        if acc is None:
            acc = self._groups[key] = MetricsAccumulator(
                now=self.now, basically_satisfied=self.basically_satisfied
            )
        return acc

    def add(self, task: MeasuredTask) -> None:
        """Count one task under ``key_of(task)``."""
        if self.key_of is None:
            raise ValidationError.for_field(
                "key_of", None, "GroupedAccumulator.add needs key_of; use add_values with a key"
            )
        self.accumulator(self.key_of(task)).add(task)

    def add_values(  # noqa: PLR0917 -- the engines' positional fast path (a contract)
        self,
        key: K,
        outcome: int,
        response_s: float | None,
        handling_s: float | None,
        on_time: bool | None,
        overdue: bool,
        dispatched: bool,
        returned: bool,
        resolved: bool,
        reworked: bool,
        contacted: bool | None,
        cb_resolved: bool | None,
        satisfaction: Satisfaction | None,
    ) -> None:
        """The fast path: :meth:`MetricsAccumulator.add_values` with a leading group key."""
        acc = self._groups.get(key)
        if acc is None:
            acc = self.accumulator(key)
        acc.add_values(
            outcome,
            response_s,
            handling_s,
            on_time,
            overdue,
            dispatched,
            returned,
            resolved,
            reworked,
            contacted,
            cb_resolved,
            satisfaction,
        )

    def merge(self, other: GroupedAccumulator[K]) -> GroupedAccumulator[K]:
        """Merge another grouped accumulator, key by key, into this one; return ``self``."""
        for key, acc in other._groups.items():
            self.accumulator(key).merge(acc)
        return self

    def result(self) -> dict[K, Metrics]:
        """``{key: Metrics}``, keys sorted by their text with ``None`` last."""
        return {key: self._groups[key].result() for key in self}
