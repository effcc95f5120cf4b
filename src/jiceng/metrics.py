"""Streaming task metrics (工单指标): 三率, on-time and return rates, response and handling times.

One accumulator feeds :func:`summarize`, the departmental evaluation in :mod:`jiceng.coordination`
and the simulation. It keeps counters and two bounded histograms, so its memory does not grow with
the number of tasks: a year of a city's hotline fits in a few hundred kilobytes per group.

There are two ways in:

- :meth:`MetricsAccumulator.add` reads a full :class:`~jiceng.models.Task`;
- :meth:`MetricsAccumulator.add_values` is the fast path for engines that keep no ``Task`` objects.
  It takes plain values (float seconds, booleans) in a fixed positional order, and ``add`` derives
  exactly those values from a task, so both paths agree.

The figures (all in :class:`Metrics`):

- counts: ``arrived``, ``closed`` (已结案), ``cancelled`` (已注销), ``open`` and ``overdue`` (超期);
- the three rates (三率) over valid callbacks (有效回访, a task with a recorded callback; the latest
  one counts): 响应率 ``response_rate`` = contacted / valid, 解决率 ``resolution_rate`` = resolved /
  valid, 满意率 ``satisfaction_rate`` = (satisfied + 0.9 × basically satisfied) / valid;
- ``on_time_rate`` = resolved on time / (resolved with a due time + unresolved already past due);
- ``return_rate`` = ever sent back (回退) / ever dispatched; ``rework_rate`` = ever reworked (返工) /
  ever resolved;
- ``response_time`` (accepted − dispatched) and ``handling_time`` (resolved − dispatched) as
  :class:`TimeSummary`.

A rate whose denominator is zero is ``None``. Every count behind a rate is in :class:`Metrics` too,
so a person can recompute each rate by hand.

>>> from datetime import datetime, timezone
>>> from jiceng.models import Satisfaction
>>> acc = MetricsAccumulator(now=datetime(2024, 1, 1, tzinfo=timezone.utc))
>>> acc.add_values(
...     CLOSED,
...     600.0,
...     7200.0,
...     True,
...     False,
...     True,
...     False,
...     True,
...     False,
...     True,
...     True,
...     Satisfaction.SATISFIED,
... )
>>> acc.add_values(OPEN, 1200.0, None, False, True, True, True, False, False, None, None, None)
>>> m = acc.result()
>>> m.arrived, m.closed, m.open, m.overdue, m.on_time_rate, m.return_rate
(2, 1, 1, 1, 0.5, 0.5)
>>> m.response_time.mean, m.response_time.max
(datetime.timedelta(seconds=900), datetime.timedelta(seconds=1200))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Generic, Literal, Protocol, TypeVar, overload

from attrs import frozen

from jiceng.errors import ValidationError
from jiceng.models import EventKind, Satisfaction, TaskStatus

__all__ = [
    "CANCELLED",
    "CLOSED",
    "GROUP_KEYS",
    "OPEN",
    "GroupedAccumulator",
    "MeasuredTask",
    "Metrics",
    "MetricsAccumulator",
    "TimeSummary",
    "summarize",
    "task_values",
]

CLOSED = 0
"""Outcome code for the fast path: the task is closed (已结案)."""
CANCELLED = 1
"""Outcome code for the fast path: the task is cancelled (已注销) or marked a duplicate."""
OPEN = 2
"""Outcome code for the fast path: the task is still open (anything not terminal)."""

GROUP_KEYS = ("category", "department", "grid")
"""The values :func:`summarize` accepts for ``by``."""

# --- the duration histogram -------------------------------------------------------------------
# Durations are kept in whole microseconds (timedelta's resolution). Values below _EXACT
# microseconds get a bucket each (exact); larger ones fall into logarithmic buckets of ratio
# _RATIO, whose keys (floor(log_r(us)) >= 557) never collide with the exact ones. The estimate is
# the bucket's geometric midpoint, at most sqrt(1.01) - 1 < 0.5% from any value in it, clamped to
# the exact minimum and maximum. There are fewer than 3,900 keys for durations up to 142 years,
# so memory is O(buckets), never O(tasks).
#
# The hot path creates no int objects: counts, keys and sums are integer-valued floats. CPython
# recycles floats through a free list, while an int above 256 is a fresh allocation each time
# (and costs far more under tracemalloc). Integer-valued floats add exactly below 2**53; the
# running sum is flushed into an exact int before it reaches _FLUSH, so the total (and the mean)
# stay exact.
_RATIO = 1.01
_EXACT = 256.0
_INV_LOG_RATIO = 1.0 / math.log(_RATIO)
_FLUSH = float(2**52)
_MAX_SECONDS = 2**52 / 1e6
"""The longest duration counted: 2**52 microseconds, about 142 years."""
_log = math.log


def _divide_and_round(a: int, b: int) -> int:
    """Divide integers rounding half to even, exactly as ``timedelta / int`` does."""
    q, r = divmod(a, b)
    r2 = 2 * r
    if r2 > b or (r2 == b and q % 2 == 1):
        q += 1
    return q


class _Durations:
    """A streaming summary of durations: exact count, sum, min and max; bucketed quantiles."""

    __slots__ = ("buckets", "flushed", "max_us", "min_us", "total")

    def __init__(self) -> None:
        self.total = 0.0  # an integer-valued float below _FLUSH
        self.flushed = 0  # the exact int part of the sum
        self.max_us = -1.0
        self.min_us = -1.0
        self.buckets: dict[float, float] = {}  # key -> count, both integer-valued floats

    def __getstate__(self) -> tuple[float, int, float, float, dict[float, float]]:
        return (self.total, self.flushed, self.max_us, self.min_us, self.buckets)

    def __setstate__(self, state: tuple[float, int, float, float, dict[float, float]]) -> None:
        self.total, self.flushed, self.max_us, self.min_us, self.buckets = state

    @property
    def count(self) -> int:
        return int(sum(self.buckets.values()))

    def add(self, us: float) -> None:
        """Count one duration: a non-negative integer-valued float of microseconds (≤ 2**52)."""
        key = (_log(us) * _INV_LOG_RATIO) // 1.0 if us >= _EXACT else us
        buckets = self.buckets
        buckets[key] = buckets.get(key, 0.0) + 1.0
        total = self.total + us
        if total >= _FLUSH:
            self.flushed += int(total)
            total = 0.0
        self.total = total
        if us > self.max_us:  # noqa: PLR1730 -- cheaper than max() on the hot path
            self.max_us = us
        if us < self.min_us or self.min_us < 0.0:
            self.min_us = us

    def merge(self, other: _Durations) -> None:
        if not other.buckets:
            return
        if not self.buckets or other.min_us < self.min_us:
            self.min_us = other.min_us
        buckets = self.buckets
        for key, n in other.buckets.items():
            buckets[key] = buckets.get(key, 0.0) + n
        self.max_us = max(self.max_us, other.max_us)
        self.flushed += other.flushed + int(self.total) + int(other.total)
        self.total = 0.0

    def quantile_us(self, count: int, numerator: int, denominator: int) -> int:
        """The nearest-rank quantile ``numerator/denominator`` (estimated), in microseconds."""
        rank = max(-(-count * numerator // denominator), 1)  # ceil(q * n), at least 1
        seen = 0.0
        key = 0.0
        for key in sorted(self.buckets):  # pragma: no branch -- rank <= count always breaks
            seen += self.buckets[key]
            if seen >= rank:
                break
        estimate = key if key < _EXACT else _RATIO ** (key + 0.5)
        return round(min(max(estimate, self.min_us), self.max_us))

    def summary(self) -> TimeSummary:
        count = self.count
        if not count:
            return TimeSummary(0, None, None, None, None)
        return TimeSummary(
            count,
            timedelta(microseconds=_divide_and_round(self.flushed + int(self.total), count)),
            timedelta(microseconds=self.quantile_us(count, 1, 2)),
            timedelta(microseconds=self.quantile_us(count, 9, 10)),
            timedelta(microseconds=int(self.max_us)),
        )


# --- values -----------------------------------------------------------------------------------


@frozen
class TimeSummary:
    """A summary of durations (时长统计): count, mean, median, 90th percentile and maximum.

    ``count``, ``mean`` and ``max`` are exact (the mean rounds to the microsecond half to even, like
    ``timedelta / int``). ``median`` and ``p90`` are nearest-rank percentiles (the median of an even
    count is the lower middle value), estimated from a log-bucket histogram within 1% relative
    error. An empty summary has ``count=0`` and ``None`` elsewhere.

    >>> TimeSummary(0, None, None, None, None).count
    0
    """

    count: int
    mean: timedelta | None
    median: timedelta | None
    p90: timedelta | None
    max: timedelta | None


def _rate(numerator: float, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@frozen(kw_only=True)
class Metrics:
    """Task metrics (工单指标) for one group, with every count behind every rate.

    Attributes:
        arrived: Tasks counted.
        closed: Tasks closed (已结案).
        cancelled: Tasks cancelled (已注销), including duplicates.
        open: Tasks not yet closed or cancelled (a resolved, not yet closed task is open).
        overdue: Open tasks overdue (超期) at ``now``.
        valid_callbacks: Tasks with a recorded callback (有效回访), the denominator of 三率.
        contacted: Valid callbacks that reached the reporter.
        resolved_callbacks: Valid callbacks in which the reporter said the matter was resolved.
        satisfied: Valid callbacks rated 满意.
        basically_satisfied: Valid callbacks rated 基本满意.
        dissatisfied: Valid callbacks rated 不满意.
        basically_satisfied_factor: The weight of a 基本满意 in ``satisfaction_rate`` (0.9).
        response_rate: 响应率 = contacted / valid_callbacks.
        resolution_rate: 解决率 = resolved_callbacks / valid_callbacks.
        satisfaction_rate: 满意率 = (satisfied + factor × basically_satisfied) / valid_callbacks.
        on_time: Tasks resolved by their due time.
        on_time_denominator: Tasks resolved with a due time, plus unresolved tasks past due.
        on_time_rate: on_time / on_time_denominator.
        dispatched: Tasks ever dispatched (派遣).
        returned: Tasks ever sent back (回退).
        return_rate: returned / dispatched.
        resolved: Tasks ever resolved (办结).
        reworked: Tasks ever reworked (返工).
        rework_rate: reworked / resolved.
        response_time: Accepted − dispatched, over tasks accepted in their current assignment.
        handling_time: Resolved − dispatched, over tasks resolved in their current assignment.
    """

    arrived: int
    closed: int
    cancelled: int
    open: int
    overdue: int
    valid_callbacks: int
    contacted: int
    resolved_callbacks: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    basically_satisfied_factor: float
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    on_time: int
    on_time_denominator: int
    on_time_rate: float | None
    dispatched: int
    returned: int
    return_rate: float | None
    resolved: int
    reworked: int
    rework_rate: float | None
    response_time: TimeSummary
    handling_time: TimeSummary

    @property
    def late(self) -> int:
        """Tasks counted in ``on_time_denominator`` that were not on time."""
        return self.on_time_denominator - self.on_time

    def explain(self, lang: Literal["zh", "en"] = "zh") -> tuple[str, ...]:
        """Each rate as a formula with its numbers, one line per rate, so it can be recomputed.

        >>> from datetime import datetime, timezone
        >>> acc = MetricsAccumulator(now=datetime(2024, 1, 1, tzinfo=timezone.utc))
        >>> acc.result().explain()[0]
        '响应率 = 联系上 0 / 有效回访 0 = 无'
        """
        f = self.basically_satisfied_factor
        valid = self.valid_callbacks
        if lang == "zh":
            rows = [
                ("响应率", f"联系上 {self.contacted} / 有效回访 {valid}", self.response_rate),
                (
                    "解决率",
                    f"已解决 {self.resolved_callbacks} / 有效回访 {valid}",
                    self.resolution_rate,
                ),
                (
                    "满意率",
                    f"(满意 {self.satisfied} + {f:g} × 基本满意 {self.basically_satisfied})"
                    f" / 有效回访 {valid}",
                    self.satisfaction_rate,
                ),
                (
                    "按期办结率",
                    f"按期 {self.on_time} / 应计 {self.on_time_denominator}",
                    self.on_time_rate,
                ),
                ("退回率", f"回退 {self.returned} / 派遣 {self.dispatched}", self.return_rate),
                ("返工率", f"返工 {self.reworked} / 办结 {self.resolved}", self.rework_rate),
            ]
            none = "无"
        else:
            rows = [
                (
                    "response rate",
                    f"contacted {self.contacted} / valid callbacks {valid}",
                    self.response_rate,
                ),
                (
                    "resolution rate",
                    f"resolved {self.resolved_callbacks} / valid callbacks {valid}",
                    self.resolution_rate,
                ),
                (
                    "satisfaction rate",
                    f"(satisfied {self.satisfied} + {f:g} × basically satisfied "
                    f"{self.basically_satisfied}) / valid callbacks {valid}",
                    self.satisfaction_rate,
                ),
                (
                    "on-time rate",
                    f"on time {self.on_time} / due {self.on_time_denominator}",
                    self.on_time_rate,
                ),
                (
                    "return rate",
                    f"returned {self.returned} / dispatched {self.dispatched}",
                    self.return_rate,
                ),
                (
                    "rework rate",
                    f"reworked {self.reworked} / resolved {self.resolved}",
                    self.rework_rate,
                ),
            ]
            none = "n/a"
        return tuple(
            f"{name} = {formula} = {none if value is None else format(value, '.4f')}"
            for name, formula, value in rows
        )


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
    if not isinstance(now, datetime):
        raise ValidationError.for_field("now", now, "must be a timezone-aware datetime")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError.for_field("now", now, "must be timezone-aware, not naive")
    return now


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
        if resolved_at is not None:
            on_time = resolved_at <= due
        elif outcome == OPEN and now > due:
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


def _department(task: MeasuredTask) -> str | None:
    return getattr(task, "department", None)


def _grid(task: MeasuredTask) -> str | None:
    return getattr(task, "grid", None)


def _category(task: MeasuredTask) -> str | None:
    return getattr(task, "category", None)


_KEY_OF: dict[str, Callable[[MeasuredTask], str | None]] = {
    "category": _category,
    "department": _department,
    "grid": _grid,
}


@overload
def summarize(
    tasks: Iterable[MeasuredTask],
    *,
    now: datetime,
    by: None = None,
    basically_satisfied: float = 0.9,
) -> Metrics: ...
@overload
def summarize(
    tasks: Iterable[MeasuredTask],
    *,
    now: datetime,
    by: str,
    basically_satisfied: float = 0.9,
) -> dict[str | None, Metrics]: ...
def summarize(
    tasks: Iterable[MeasuredTask],
    *,
    now: datetime,
    by: str | None = None,
    basically_satisfied: float = 0.9,
) -> Metrics | dict[str | None, Metrics]:
    """Summarise tasks (统计汇总) in one streaming pass.

    Args:
        tasks: Any iterable of tasks; a generator is read once and never stored.
        now: When "overdue" is judged (timezone-aware).
        by: ``None`` for one :class:`Metrics`, or ``"department"``, ``"grid"`` or ``"category"``
            for ``{key: Metrics}`` (keys sorted, tasks with no department/grid under ``None``,
            last).
        basically_satisfied: The weight of a 基本满意 callback in 满意率.

    Raises:
        ValidationError: ``by`` is not one of those values, or ``now`` is naive.

    >>> from datetime import datetime, timezone
    >>> summarize([], now=datetime(2024, 1, 1, tzinfo=timezone.utc)).arrived
    0
    """
    if by is None:
        acc = MetricsAccumulator(now=now, basically_satisfied=basically_satisfied)
        for task in tasks:
            acc.add(task)
        return acc.result()
    if by not in GROUP_KEYS:
        raise ValidationError.for_field(
            "by", by, f"must be None or one of {', '.join(repr(k) for k in GROUP_KEYS)}"
        )
    grouped: GroupedAccumulator[str | None] = GroupedAccumulator(
        now=now, key_of=_KEY_OF[by], basically_satisfied=basically_satisfied
    )
    for task in tasks:
        grouped.add(task)
    return grouped.result()
