"""Working calendars (工作日历) and time limits (时限): deadlines in working time.

A :class:`WorkCalendar` says when an office works: its working days (工作日), its working periods
each day (with a lunch break), its public holidays (节假日) and the make-up working days of China's
holiday shifts (调休). A :class:`TimeLimit` is an amount in one :class:`LimitUnit` — minutes, hours,
calendar days (自然日), working hours (工作小时) or working days (工作日) — and
:meth:`TimeLimit.due` turns it into a deadline.

Conventions, all of them deliberate:

* **Instants, not wall clocks.** Every datetime must be timezone-aware; a naive one is a
  :class:`~jiceng.errors.ValidationError`. Durations are elapsed time between instants (computed
  on UTC microseconds), so they stay right across daylight-saving changes. Results are returned
  in the calendar's own zone.
* **Working periods are wall-clock times in the calendar's zone.** A period ``(start, end)``
  includes its start and excludes its end: at 12:00 sharp the morning period is over. An ``end``
  of ``time(0)`` means midnight at the end of the day (24:00), so ``((time(0), time(0)),)`` is a
  round-the-clock day. A boundary that the clocks skip (a daylight-saving gap) is taken at the
  jump; one in a repeated hour is taken at its first occurrence.
* **A deadline is the earliest instant at which the working time has run out.** A deadline that
  lands exactly at the end of a period stays there (12:00, not 13:30), so a working-unit deadline
  is always working time *or* the end instant of a working period.
* **No built-in holiday list.** Holidays and 调休 days change every year by State Council notice;
  the user supplies the dates (:func:`date_span` helps with ranges).
* **Searches are bounded.** Looking more than 3660 days (about ten years) ahead for working time
  raises :class:`~jiceng.errors.ValidationError` instead of looping forever.

>>> from datetime import date, datetime
>>> from zoneinfo import ZoneInfo
>>> sh = ZoneInfo("Asia/Shanghai")
>>> cal = WorkCalendar(
...     holidays=date_span(date(2024, 10, 1), date(2024, 10, 7)),  # 国庆节 2024
...     extra_workdays=frozenset({date(2024, 9, 29), date(2024, 10, 12)}),  # 调休 Sun and Sat
... )
>>> str(cal.deadline(datetime(2024, 9, 30, 16, 0, tzinfo=sh), TimeLimit.working_hours(4)))
'2024-10-08 11:30:00+08:00'
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import NamedTuple, cast
from zoneinfo import ZoneInfo

from attrs import field, frozen
from dateutil.relativedelta import weekday as _dateutil_weekday
from dateutil.rrule import DAILY, rrule, rruleset

from jiceng.errors import ValidationError

__all__ = ["LimitUnit", "TimeLimit", "WorkCalendar", "date_span"]

_US = 1_000_000
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_HORIZON_DAYS = 3660
_CACHE_MAX = 20_000

#: Typical Chinese government office hours (机关作息时间): 09:00–12:00 and 13:30–17:30.
#: Cities publish their own, and many shift them between summer and winter; set your city's.
_OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13, 30), time(17, 30)))
#: Monday to Friday: the five-day week of the State Council's rules on working hours (1995).
_MON_TO_FRI = frozenset(range(5))


# --------------------------------------------------------------------------------------------------
# Small helpers


def _instant(name: str, value: object) -> int:
    """Return an aware datetime as UTC microseconds since the epoch, or raise naming ``name``."""
    if not isinstance(value, datetime):
        raise ValidationError.for_field(name, value, "must be a timezone-aware datetime")
    offset = value.utcoffset()
    if offset is None:
        raise ValidationError.for_field(
            name, value, "must be timezone-aware (a naive datetime is ambiguous)"
        )
    try:
        return (value.replace(tzinfo=None) - offset - _NAIVE_EPOCH) // _ONE_US
    except OverflowError:
        raise ValidationError.for_field(name, value, "is outside the supported range") from None


def _delta_us(delta: timedelta) -> int:
    return delta // _ONE_US


def _in_zone(name: str, value: object, instant: int, zone: tzinfo) -> datetime:
    """Return ``instant`` (UTC microseconds) as a datetime in ``zone``."""
    try:
        return (_EPOCH + timedelta(microseconds=instant)).astimezone(zone)
    except OverflowError:
        raise ValidationError.for_field(
            name, value, "gives a time outside the supported range"
        ) from None


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _US + value.microsecond


def _is_weekday(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6


def _is_plain_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _is_time_pair(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(t, time) for t in value)


def _plain_date(name: str, value: object) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.for_field(name, value, "must be a datetime.date (not a datetime)")
    return value


def _format_amount(amount: float) -> str:
    if isinstance(amount, float):
        return str(int(amount)) if amount.is_integer() else repr(amount)
    return str(amount)


def date_span(first: date, last: date) -> frozenset[date]:
    """Every date from ``first`` to ``last`` inclusive, e.g. a holiday week.

    Args:
        first: The first day.
        last: The last day; not before ``first``.

    Returns:
        The dates, ready for ``WorkCalendar(holidays=...)``.

    Raises:
        ValidationError: A bound is not a date, or ``last`` is before ``first``.

    >>> sorted(date_span(date(2024, 10, 1), date(2024, 10, 3)))
    [datetime.date(2024, 10, 1), datetime.date(2024, 10, 2), datetime.date(2024, 10, 3)]
    """
    start = _plain_date("first", first)
    end = _plain_date("last", last)
    if end < start:
        raise ValidationError.for_field("last", last, f"is before first={first!r}")
    rule = rrule(
        DAILY, dtstart=datetime.combine(start, time()), until=datetime.combine(end, time())
    )
    return frozenset(moment.date() for moment in rule)


# --------------------------------------------------------------------------------------------------
# Converters (named functions, so mypy's attrs plugin can read them)


def _to_weekdays(value: Iterable[int | _dateutil_weekday]) -> frozenset[int]:
    try:
        items = list(value)
    except TypeError:
        raise ValidationError.for_field(
            "workdays", value, "must be an iterable of weekday numbers (0=Monday … 6=Sunday)"
        ) from None
    return frozenset(
        item.weekday if isinstance(item, _dateutil_weekday) else item for item in items
    )


def _to_periods(value: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    try:
        items: list[object] = list(value)
    except TypeError:
        raise ValidationError.for_field(
            "periods", value, "must be an iterable of (start, end) pairs of datetime.time"
        ) from None
    # A list pair becomes a tuple; anything else is kept as given and reported by validation.
    pairs = (tuple(item) if isinstance(item, list) else item for item in items)
    return cast("tuple[tuple[time, time], ...]", tuple(pairs))


def _to_date_set(name: str, value: Iterable[date]) -> frozenset[date]:
    try:
        return frozenset(value)
    except TypeError:
        raise ValidationError.for_field(
            name, value, "must be an iterable of datetime.date"
        ) from None


def _to_holidays(value: Iterable[date]) -> frozenset[date]:
    return _to_date_set("holidays", value)


def _to_extra_workdays(value: Iterable[date]) -> frozenset[date]:
    return _to_date_set("extra_workdays", value)


def _raise_problems(problems: list[tuple[str, object, str]], what: str) -> None:
    if len(problems) == 1:
        name, value, why = problems[0]
        raise ValidationError.for_field(name, value, why)
    if problems:
        raise ValidationError.collect(
            (f"{name}={value!r}: {why}" for name, value, why in problems), what=what
        )


class _Day(NamedTuple):
    """One local day on the UTC-microsecond line: its bounds and its working spans."""

    lo: int
    hi: int
    spans: tuple[tuple[int, int], ...]
    total: int


# --------------------------------------------------------------------------------------------------
# WorkCalendar


@frozen(kw_only=True)
class WorkCalendar:
    """When an office works: working days (工作日), daily periods, holidays and 调休 make-up days.

    A day is a working day when it is a make-up working day (``extra_workdays``), or when its
    weekday is in ``workdays`` and it is not a holiday. Working time is the union of ``periods`` on
    working days, read as wall-clock times in ``tz``; each period includes its start, not its end.

    Attributes:
        tz: The calendar's time zone. Default ``Asia/Shanghai``.
        workdays: Weekday numbers that work (0=Monday … 6=Sunday); ``dateutil.rrule.MO`` and friends
            are accepted too. Default Monday to Friday (国务院关于职工工作时间的规定, 1995).
        periods: The working periods of a day, as ``(start, end)`` pairs of naive ``datetime.time``,
            sorted and not overlapping; an ``end`` of ``time(0)`` means 24:00. Default
            09:00–12:00 and 13:30–17:30: typical Chinese government office hours; set your city's.
        holidays: Public holidays (法定节假日 and the rest days shifted next to them). The calendar
            has no built-in list: the State Council publishes the dates each year.
        extra_workdays: Make-up working days (调休上班), usually a weekend day next to a holiday.

    Raises:
        ValidationError: on any bad field, naming the field and value; several problems are reported
            together in ``.problems``.

    A calendar is an immutable value: compare it, hash it, change it with ``attrs.evolve``, share
    it between threads, pickle it. It keeps a private cache of the days it has worked out.

    >>> cal = WorkCalendar()
    >>> cal.working_seconds_per_day / 3600
    7.0
    >>> WorkCalendar(periods=[(time(9), time(12)), (time(11), time(17))])
    Traceback (most recent call last):
    ...
    jiceng.errors.ValidationError: periods=...: periods must be sorted and must not overlap
    """

    tz: tzinfo = field(factory=lambda: ZoneInfo("Asia/Shanghai"))
    workdays: frozenset[int] = field(default=_MON_TO_FRI, converter=_to_weekdays)
    periods: tuple[tuple[time, time], ...] = field(default=_OFFICE_HOURS, converter=_to_periods)
    holidays: frozenset[date] = field(default=frozenset(), converter=_to_holidays)
    extra_workdays: frozenset[date] = field(default=frozenset(), converter=_to_extra_workdays)
    _spans: tuple[tuple[int, int], ...] = field(init=False, repr=False, eq=False, hash=False)
    _cache: dict[int, _Day] = field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems: list[tuple[str, object, str]] = []
        self._check_tz(problems)
        problems.extend(
            ("workdays", day, "is not a weekday number 0–6 (0=Monday)")
            for day in sorted(self.workdays, key=repr)
            if not _is_weekday(day)
        )
        spans = self._check_periods(problems)
        for name in ("holidays", "extra_workdays"):
            problems.extend(
                (name, item, "must be a datetime.date (not a datetime)")
                for item in sorted(getattr(self, name), key=repr)
                if not _is_plain_date(item)
            )
        problems.extend(
            (
                "holidays",
                both,
                "is also in extra_workdays: a day cannot be both a holiday and a make-up working "
                "day (调休)",
            )
            for both in sorted(
                d for d in self.holidays & self.extra_workdays if not isinstance(d, datetime)
            )
        )
        if not self.workdays and not self.extra_workdays:
            problems.append(
                ("workdays", self.workdays, "no working days: give a weekday or extra_workdays")
            )
        _raise_problems(problems, "WorkCalendar")
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_cache", {})

    def __reduce__(self) -> tuple[Callable[..., WorkCalendar], tuple[object, ...]]:
        # Pickle and copy the fields only: the day cache is rebuilt on demand, so a calendar
        # shipped to another process stays small.
        fields = (self.tz, self.workdays, self.periods, self.holidays, self.extra_workdays)
        return (_restore, fields)

    def _check_tz(self, problems: list[tuple[str, object, str]]) -> None:
        if not isinstance(self.tz, tzinfo):
            problems.append(("tz", self.tz, "must be a datetime.tzinfo such as ZoneInfo(...)"))
            return
        try:
            offset = datetime(2000, 1, 1, tzinfo=self.tz).utcoffset()
        except NotImplementedError:
            offset = None
        if offset is None:
            problems.append(("tz", self.tz, "gives no UTC offset"))

    def _check_periods(
        self, problems: list[tuple[str, object, str]]
    ) -> tuple[tuple[int, int], ...]:
        if not self.periods:
            problems.append(("periods", self.periods, "needs at least one working period"))
        spans: list[tuple[int, int]] = []
        for period in self.periods:
            if not _is_time_pair(period):
                problems.append(
                    ("periods", period, "each period must be a (start, end) pair of datetime.time")
                )
                continue
            start, end = period
            if start.tzinfo is not None or end.tzinfo is not None:
                problems.append(
                    (
                        "periods",
                        period,
                        "period times are wall-clock times in tz: drop their tzinfo",
                    )
                )
                continue
            lo, hi = _time_us(start), _time_us(end) or _DAY_US
            if lo >= hi:
                problems.append(("periods", period, "start must be before end"))
                continue
            if spans and lo < spans[-1][1]:
                problems.append(
                    ("periods", self.periods, "periods must be sorted and must not overlap")
                )
                continue
            spans.append((lo, hi))
        return tuple(spans)

    # ----------------------------------------------------------------------------------------------
    # Public API

    @property
    def _day_us(self) -> int:
        return sum(hi - lo for lo, hi in self._spans)

    @property
    def working_seconds_per_day(self) -> float:
        """The nominal working seconds of one working day: the sum of ``periods`` on the wall clock.

        A day when daylight saving changes inside a period has an hour more or less of elapsed
        working time; this figure ignores that. It is the length of one working day (工作日) in
        :attr:`LimitUnit.WORKING_DAYS` limits.
        """
        return self._day_us / _US

    @property
    def working_time_per_day(self) -> timedelta:
        """:attr:`working_seconds_per_day` as a ``timedelta``.

        >>> WorkCalendar().working_time_per_day
        datetime.timedelta(seconds=25200)
        """
        return timedelta(microseconds=self._day_us)

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (工作日), holidays and 调休 make-up days included.

        Args:
            d: A date; an aware datetime counts as its date in the calendar's zone.

        Returns:
            True for a make-up working day, or a ``workdays`` weekday that is not a holiday.

        Raises:
            ValidationError: ``d`` is not a date, or is a naive datetime.

        >>> cal = WorkCalendar(holidays={date(2024, 10, 1)}, extra_workdays={date(2024, 10, 12)})
        >>> cal.is_working_day(date(2024, 10, 1)), cal.is_working_day(date(2024, 10, 12))
        (False, True)
        """
        if isinstance(d, datetime):
            d = _in_zone("d", d, _instant("d", d), self.tz).date()
        elif not isinstance(d, date):
            raise ValidationError.for_field("d", d, "must be a datetime.date")
        return self._works(d)

    def _works(self, d: date) -> bool:
        if d in self.extra_workdays:
            return True
        return d not in self.holidays and d.weekday() in self.workdays

    def is_working_time(self, dt: datetime) -> bool:
        """Whether the instant ``dt`` is working time, read in the calendar's zone.

        Period starts are working time; period ends are not.

        Args:
            dt: An aware datetime, in any zone.

        Returns:
            True when ``dt`` falls in a working period of a working day.

        Raises:
            ValidationError: ``dt`` is naive or not a datetime.

        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> cal = WorkCalendar()
        >>> [
        ...     cal.is_working_time(datetime(2024, 11, 18, h, m, tzinfo=sh))
        ...     for h, m in ((9, 0), (12, 0))
        ... ]
        [True, False]
        >>> cal.is_working_time(
        ...     datetime(2024, 11, 18, 1, 0, tzinfo=timezone.utc)
        ... )  # 09:00 in Shanghai
        True
        """
        instant = _instant("dt", dt)
        day = self._locate(instant, "dt", dt)[1]
        return any(lo <= instant < hi for lo, hi in day.spans)

    def next_working_time(self, dt: datetime) -> datetime:
        """The first working instant at or after ``dt``: ``dt`` itself when it is working time.

        Args:
            dt: An aware datetime.

        Returns:
            The instant, in the calendar's zone.

        Raises:
            ValidationError: ``dt`` is naive, or no working time lies within 3660 days.

        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> str(WorkCalendar().next_working_time(datetime(2024, 11, 16, 10, 0, tzinfo=sh)))
        '2024-11-18 09:00:00+08:00'
        """
        instant = _instant("dt", dt)
        return _in_zone("dt", dt, self._next(instant, "dt", dt), self.tz)

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime:
        """The earliest instant by which ``delta`` of working time has passed since ``start``.

        Only working time counts; nights, weekends, holidays and the lunch break are skipped. The
        result is working time or the exact end of a working period (it stays at 12:00 rather than
        moving to 13:30). A zero ``delta`` returns ``start``.

        Args:
            start: An aware datetime; it need not be working time.
            delta: The working time to add; not negative.

        Returns:
            The instant, in the calendar's zone.

        Raises:
            ValidationError: ``start`` is naive, ``delta`` is negative or not a timedelta, or the
                result lies more than 3660 days ahead.

        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> cal = WorkCalendar()
        >>> friday = datetime(2024, 11, 15, 16, 0, tzinfo=sh)
        >>> str(cal.add_working_time(friday, timedelta(hours=4)))  # across the weekend
        '2024-11-18 11:30:00+08:00'
        >>> str(cal.add_working_time(friday.replace(hour=11), timedelta(hours=2)))  # across lunch
        '2024-11-15 14:30:00+08:00'
        """
        instant = _instant("start", start)
        if not isinstance(delta, timedelta):
            raise ValidationError.for_field("delta", delta, "must be a datetime.timedelta")
        if delta < timedelta(0):
            raise ValidationError.for_field("delta", delta, "must not be negative")
        result = self._add(instant, _delta_us(delta), "delta", delta)
        return _in_zone("delta", delta, result, self.tz)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Move ``n`` working days ahead, keeping the working-time offset within the day.

        The semantics, step by step:

        1. Snap ``start`` forward to working time (:meth:`next_working_time`).
        2. Note how much working time of that day has passed (the offset).
        3. Go ``n`` working days ahead and return the instant with the same offset that day. When
           that day has less working time than the offset (a daylight-saving day), clamp to the end
           of its last period.

        With the same periods every day this is exactly ``n`` days' worth of working time after
        ``start``, and the result is always working time: Friday 18:00 plus one working day is
        Tuesday 09:00. (A :attr:`LimitUnit.WORKING_DAYS` deadline counts the same working time but
        returns the earliest such instant, Monday 17:30.)

        Args:
            start: An aware datetime.
            n: The number of working days; an int, not negative. Zero just snaps.

        Returns:
            The instant, in the calendar's zone.

        Raises:
            ValidationError: ``start`` is naive, ``n`` is not a non-negative int, or the result lies
                more than 3660 days ahead.

        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> str(WorkCalendar().add_working_days(datetime(2024, 11, 15, 10, 0, tzinfo=sh), 1))
        '2024-11-18 10:00:00+08:00'
        """
        instant = _instant("start", start)
        if isinstance(n, bool) or not isinstance(n, int):
            raise ValidationError.for_field("n", n, "must be an int")
        if n < 0:
            raise ValidationError.for_field("n", n, "must not be negative")
        instant = self._next(instant, "start", start)
        ordinal, day = self._locate(instant, "start", start)
        offset = sum(min(hi, instant) - lo for lo, hi in day.spans if lo <= instant)
        first, found = ordinal, 0
        while found < n:
            ordinal += 1
            if ordinal - first > _HORIZON_DAYS:
                self._horizon("n", n)
            day = self._day(ordinal, "n", n)
            found += bool(day.total)
        result = day.spans[-1][1]
        for lo, hi in day.spans:
            if offset < hi - lo:
                result = lo + offset
                break
            offset -= hi - lo
        return _in_zone("n", n, result, self.tz)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time from ``a`` to ``b``, as elapsed time on instants.

        Args:
            a: An aware datetime.
            b: An aware datetime; when it is before ``a`` the result is negative.

        Returns:
            The working time, ``-working_time_between(b, a)`` when ``b < a``.

        Raises:
            ValidationError: ``a`` or ``b`` is naive.

        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> cal = WorkCalendar()
        >>> cal.working_time_between(
        ...     datetime(2024, 11, 15, 16, 0, tzinfo=sh), datetime(2024, 11, 18, 11, 30, tzinfo=sh)
        ... )
        datetime.timedelta(seconds=14400)
        """
        lo = _instant("a", a)
        hi = _instant("b", b)
        if hi < lo:
            return -timedelta(microseconds=self._between(hi, lo, ("b", b)))
        return timedelta(microseconds=self._between(lo, hi, ("a", a)))

    def deadline(self, start: datetime, limit: TimeLimit) -> datetime:
        """The deadline (时限届满) of ``limit`` counted from ``start`` on this calendar.

        Same as ``limit.due(start, self)``.

        Args:
            start: An aware datetime.
            limit: The time limit.

        Returns:
            The deadline, in the calendar's zone.

        Raises:
            ValidationError: ``limit`` is not a TimeLimit, ``start`` is naive, or the search horizon
                is exceeded.

        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> cal = WorkCalendar()
        >>> str(cal.deadline(datetime(2024, 11, 15, 16, 0, tzinfo=sh), TimeLimit.working_hours(4)))
        '2024-11-18 11:30:00+08:00'
        >>> str(cal.deadline(datetime(2024, 11, 15, 11, 0, tzinfo=sh), TimeLimit.working_hours(2)))
        '2024-11-15 14:30:00+08:00'
        """
        if not isinstance(limit, TimeLimit):
            raise ValidationError.for_field("limit", limit, "must be a TimeLimit")
        return limit.due(start, self)

    def working_days(self, first: date, last: date) -> tuple[date, ...]:
        """The working days from ``first`` to ``last`` inclusive, in order.

        Built as a ``dateutil.rrule.rruleset``: the weekly rule, plus make-up days, minus holidays.

        Args:
            first: The first day.
            last: The last day; not before ``first``.

        Returns:
            The working days.

        Raises:
            ValidationError: a bound is not a date, or ``last`` is before ``first``.

        >>> cal = WorkCalendar(holidays={date(2024, 10, 1)}, extra_workdays={date(2024, 10, 12)})
        >>> [d.day for d in cal.working_days(date(2024, 9, 30), date(2024, 10, 13))]
        [30, 2, 3, 4, 7, 8, 9, 10, 11, 12]
        """
        start = _plain_date("first", first)
        end = _plain_date("last", last)
        if end < start:
            raise ValidationError.for_field("last", last, f"is before first={first!r}")
        days = rruleset()
        if self.workdays:
            days.rrule(
                rrule(
                    DAILY,
                    dtstart=datetime.combine(start, time()),
                    until=datetime.combine(end, time()),
                    byweekday=sorted(self.workdays),
                )
            )
        for extra in self.extra_workdays:
            if start <= extra <= end:
                days.rdate(datetime.combine(extra, time()))
        for holiday in self.holidays:
            days.exdate(datetime.combine(holiday, time()))
        return tuple(moment.date() for moment in days)

    # ----------------------------------------------------------------------------------------------
    # The engine: integers (UTC microseconds since the epoch) and one cached plan per local day.

    def _day(self, ordinal: int, name: str, value: object) -> _Day:
        day = self._cache.get(ordinal)
        if day is None:
            day = self._build(ordinal, name, value)
            if len(self._cache) >= _CACHE_MAX:
                self._cache.clear()
            self._cache[ordinal] = day
        return day

    def _build(self, ordinal: int, name: str, value: object) -> _Day:
        if not 1 < ordinal < date.max.toordinal():
            raise ValidationError.for_field(name, value, "is outside the supported date range")
        d = date.fromordinal(ordinal)
        midnight = datetime(d.year, d.month, d.day)
        works = self._works(d)
        offset = self._steady_offset(midnight)
        if offset is not None:
            # No clock change today (the usual case): plain integer arithmetic.
            lo = (midnight - _NAIVE_EPOCH) // _ONE_US - offset
            spans = [(lo + start_us, lo + end_us) for start_us, end_us in self._spans]
            return _Day(lo, lo + _DAY_US, tuple(spans) if works else (), self._day_us * works)
        lo = self._wall(midnight)
        hi = self._wall(midnight + timedelta(days=1))
        if not works:
            return _Day(lo, hi, (), 0)
        spans = []
        previous = lo
        for start_us, end_us in self._spans:
            s = self._wall(midnight + timedelta(microseconds=start_us))
            e = self._wall(midnight + timedelta(microseconds=end_us))
            # Clamped, so spans stay ordered, disjoint and within the day whatever the tzinfo.
            s = min(max(s, previous), hi)
            e = min(max(e, s), hi)
            previous = e
            if e > s:
                spans.append((s, e))
        return _Day(lo, hi, tuple(spans), sum(e - s for s, e in spans))

    def _steady_offset(self, midnight: datetime) -> int | None:
        """The UTC offset (microseconds) of a local day with no clock change, else ``None``.

        The offset is read at both midnights (each fold) and at noon; when all agree, the day has
        no transition (zones change their clocks at most once a day).
        """
        day = midnight.replace(tzinfo=self.tz)
        following = day + timedelta(days=1)
        offset = day.utcoffset()
        readings = (
            day.replace(fold=1),
            day.replace(hour=12),
            following,
            following.replace(fold=1),
        )
        if offset is None or any(moment.utcoffset() != offset for moment in readings):
            return None
        return offset // _ONE_US

    def _wall(self, local: datetime) -> int:
        """The first instant at which the wall clock in ``tz`` reads ``local`` or later.

        That is ``local`` itself (its first occurrence, in a repeated hour), or the moment the
        clocks jump when ``local`` falls in a daylight-saving gap.
        """
        aware = local.replace(tzinfo=self.tz)
        offset = aware.utcoffset()
        early = _instant("tz", aware)
        if offset == local.replace(tzinfo=self.tz, fold=1).utcoffset():
            return early  # the usual case: one reading, one instant
        if (_EPOCH + timedelta(microseconds=early)).astimezone(self.tz).replace(
            tzinfo=None
        ) == local:
            return early  # a repeated hour: fold=0 is the first occurrence
        # In a gap: fold=1 reads the post-jump offset, an instant before the jump. Bisect.
        before, after = _instant("tz", local.replace(tzinfo=self.tz, fold=1)), early
        while before + 1 < after:
            middle = (before + after) // 2
            moment = (_EPOCH + timedelta(microseconds=middle)).astimezone(self.tz)
            if moment.replace(tzinfo=None) >= local:
                after = middle
            else:
                before = middle
        return after

    def _locate(self, instant: int, name: str, value: object) -> tuple[int, _Day]:
        ordinal = _in_zone(name, value, instant, self.tz).toordinal()
        day = self._day(ordinal, name, value)
        if instant < day.lo:  # pragma: no cover - only zones whose midnight is skipped or repeated
            ordinal -= 1
            day = self._day(ordinal, name, value)
        elif instant >= day.hi:  # pragma: no cover - ditto
            ordinal += 1
            day = self._day(ordinal, name, value)
        return ordinal, day

    def _horizon(self, name: str, value: object) -> None:
        raise ValidationError.for_field(
            name,
            value,
            f"needs more than {_HORIZON_DAYS} days of calendar; check workdays and holidays",
        )

    def _next(self, instant: int, name: str, value: object) -> int:
        ordinal, day = self._locate(instant, name, value)
        for _ in range(_HORIZON_DAYS + 1):
            for lo, hi in day.spans:
                if instant < hi:
                    return max(lo, instant)
            ordinal += 1
            day = self._day(ordinal, name, value)
        self._horizon(name, value)
        raise AssertionError  # pragma: no cover - _horizon always raises

    def _add(self, instant: int, amount: int, name: str, value: object) -> int:
        if amount == 0:
            return instant
        ordinal, day = self._locate(instant, name, value)
        for _ in range(_HORIZON_DAYS + 1):
            if day.total:
                if amount > day.total and instant <= day.spans[0][0]:
                    amount -= day.total  # a whole working day, skipped in one step
                else:
                    for lo, hi in day.spans:
                        if hi <= instant:
                            continue
                        lo = max(lo, instant)
                        if amount <= hi - lo:
                            return lo + amount
                        amount -= hi - lo
            ordinal += 1
            day = self._day(ordinal, name, value)
        self._horizon(name, value)
        raise AssertionError  # pragma: no cover - _horizon always raises

    def _between(self, a: int, b: int, where: tuple[str, object]) -> int:
        ordinal, day = self._locate(a, *where)
        total = 0
        while day.lo < b:
            if a <= day.lo and day.hi <= b:
                total += day.total
            else:
                for lo, hi in day.spans:
                    total += max(0, min(hi, b) - max(lo, a))
            ordinal += 1
            day = self._day(ordinal, *where)
        return total


def _restore(
    tz: tzinfo,
    workdays: frozenset[int],
    periods: tuple[tuple[time, time], ...],
    holidays: frozenset[date],
    extra_workdays: frozenset[date],
) -> WorkCalendar:
    return WorkCalendar(
        tz=tz, workdays=workdays, periods=periods, holidays=holidays, extra_workdays=extra_workdays
    )


# --------------------------------------------------------------------------------------------------
# Time limits


class LimitUnit(enum.Enum):
    """The unit of a :class:`TimeLimit` (时限单位), with a Chinese ``label``.

    >>> [unit.label for unit in LimitUnit]
    ['分钟', '小时', '自然日', '工作小时', '工作日']
    """

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"

    @property
    def label(self) -> str:
        """The Chinese name: 分钟, 小时, 自然日 (calendar day), 工作小时 or 工作日."""
        return _UNIT_LABELS[self]

    @property
    def is_working(self) -> bool:
        """Whether the unit counts working time only (and so needs a :class:`WorkCalendar`)."""
        return self in (LimitUnit.WORKING_HOURS, LimitUnit.WORKING_DAYS)


_UNIT_LABELS = {
    LimitUnit.MINUTES: "分钟",
    LimitUnit.HOURS: "小时",
    LimitUnit.DAYS: "自然日",
    LimitUnit.WORKING_HOURS: "工作小时",
    LimitUnit.WORKING_DAYS: "工作日",
}
_UNIT_ENGLISH = {
    LimitUnit.MINUTES: ("minute", "minutes"),
    LimitUnit.HOURS: ("hour", "hours"),
    LimitUnit.DAYS: ("calendar day", "calendar days"),
    LimitUnit.WORKING_HOURS: ("working hour", "working hours"),
    LimitUnit.WORKING_DAYS: ("working day", "working days"),
}
_UNIT_SECONDS = {
    LimitUnit.MINUTES: 60,
    LimitUnit.HOURS: 3600,
    LimitUnit.DAYS: 86_400,
    LimitUnit.WORKING_HOURS: 3600,
}


def _to_unit(value: LimitUnit | str) -> LimitUnit:
    if isinstance(value, LimitUnit):
        return value
    try:
        return LimitUnit(value)
    except ValueError:
        known = ", ".join(unit.value for unit in LimitUnit)
        raise ValidationError.for_field("unit", value, f"unknown unit; known: {known}") from None


@frozen(kw_only=True)
class TimeLimit:
    """A time limit (时限): some minutes, hours, calendar days, working hours or working days.

    Build one with a constructor such as :meth:`working_hours`; turn it into a deadline with
    :meth:`due` or :meth:`WorkCalendar.deadline`.

    * Calendar units (minutes, hours, 自然日) add elapsed time: one day is 24 hours, even across a
      daylight-saving change.
    * Working units need a :class:`WorkCalendar`. A working hour is an hour of working time; a
      working day is :attr:`WorkCalendar.working_time_per_day` of working time (7 hours by default),
      the way 数字城管 systems convert 工作日 to 工作时.

    Attributes:
        amount: How many units; a positive, finite number.
        unit: The unit; a :class:`LimitUnit` or its value string.

    >>> limit = TimeLimit.working_hours(4)
    >>> str(limit), limit.describe(lang="en"), limit.is_working
    ('4 工作小时', '4 working hours', True)
    """

    amount: float
    unit: LimitUnit = field(converter=_to_unit)

    def __attrs_post_init__(self) -> None:
        amount = self.amount
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise ValidationError.for_field("amount", amount, "must be a number")
        if not math.isfinite(amount) or amount <= 0:
            raise ValidationError.for_field("amount", amount, "must be positive and finite")

    @classmethod
    def minutes(cls, n: float) -> TimeLimit:
        """``n`` minutes (分钟) of elapsed time."""
        return cls(amount=n, unit=LimitUnit.MINUTES)

    @classmethod
    def hours(cls, n: float) -> TimeLimit:
        """``n`` hours (小时) of elapsed time."""
        return cls(amount=n, unit=LimitUnit.HOURS)

    @classmethod
    def days(cls, n: float) -> TimeLimit:
        """``n`` calendar days (自然日) of elapsed time, 24 hours each."""
        return cls(amount=n, unit=LimitUnit.DAYS)

    @classmethod
    def working_hours(cls, n: float) -> TimeLimit:
        """``n`` working hours (工作小时), e.g. 4 to clear exposed rubbish (暴露垃圾)."""
        return cls(amount=n, unit=LimitUnit.WORKING_HOURS)

    @classmethod
    def working_days(cls, n: float) -> TimeLimit:
        """``n`` working days (工作日), e.g. 5 for green-space upkeep (绿地养护)."""
        return cls(amount=n, unit=LimitUnit.WORKING_DAYS)

    @property
    def is_working(self) -> bool:
        """Whether the limit counts working time only, and so needs a calendar."""
        return self.unit.is_working

    def due(self, start: datetime, calendar: WorkCalendar | None = None) -> datetime:
        """The deadline of this limit counted from ``start``.

        Args:
            start: An aware datetime.
            calendar: The working calendar; required for working units. When given, the result is
                in its zone; otherwise in ``start``'s zone.

        Returns:
            The deadline. For working units it is working time or the exact end of a working
            period, and never before ``start``.

        Raises:
            ValidationError: ``start`` is naive, ``calendar`` is missing for a working unit or
                is not a WorkCalendar, or the deadline is out of range.

        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> friday = datetime(2024, 11, 15, 16, 0, tzinfo=sh)
        >>> str(TimeLimit.hours(4).due(friday))
        '2024-11-15 20:00:00+08:00'
        >>> str(TimeLimit.working_days(1).due(friday, WorkCalendar()))
        '2024-11-18 16:00:00+08:00'
        """
        instant = _instant("start", start)
        if calendar is not None and not isinstance(calendar, WorkCalendar):
            raise ValidationError.for_field("calendar", calendar, "must be a WorkCalendar or None")
        if self.unit is not LimitUnit.WORKING_DAYS:
            unit_us = _UNIT_SECONDS[self.unit] * _US
        elif calendar is not None:
            unit_us = calendar._day_us
        else:
            unit_us = 0
        try:
            amount = (
                self.amount * unit_us
                if isinstance(self.amount, int)
                else round(self.amount * unit_us)
            )
        except OverflowError:
            raise ValidationError.for_field("amount", self.amount, "is too large") from None
        if not self.is_working:
            zone = calendar.tz if calendar is not None else cast("tzinfo", start.tzinfo)
            return _in_zone("amount", self.amount, instant + amount, zone)
        if calendar is None:
            raise ValidationError.for_field(
                "calendar", None, f"a limit of {self} needs a WorkCalendar to count working time"
            )
        if amount < 1:
            raise ValidationError.for_field("amount", self.amount, "is shorter than a microsecond")
        result = calendar._add(instant, amount, "amount", self.amount)
        return _in_zone("amount", self.amount, result, calendar.tz)

    def describe(self, lang: str = "zh") -> str:
        """The limit in words: ``"4 工作小时"`` in Chinese, ``"4 working hours"`` in English.

        Args:
            lang: ``"zh"`` or ``"en"``.

        Returns:
            The readable text.

        Raises:
            ValidationError: an unknown ``lang``.

        >>> TimeLimit.working_days(1).describe(lang="en"), TimeLimit.days(1.5).describe(lang="en")
        ('1 working day', '1.5 calendar days')
        """
        shown = _format_amount(self.amount)
        if lang == "zh":
            return f"{shown} {self.unit.label}"
        if lang == "en":
            one, many = _UNIT_ENGLISH[self.unit]
            return f"{shown} {one if self.amount == 1 else many}"
        raise ValidationError.for_field("lang", lang, "must be 'zh' or 'en'")

    def __str__(self) -> str:
        return self.describe()
