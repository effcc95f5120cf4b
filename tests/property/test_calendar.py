"""Property tests for jiceng.calendar: deadlines stay in working time and add up exactly."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

from jiceng.calendar import LimitUnit, TimeLimit, WorkCalendar

US = timedelta(microseconds=1)
FIXED = (ZoneInfo("Asia/Shanghai"), timezone.utc, timezone(timedelta(hours=5, minutes=45)))
SHIFTING = (
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/London"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour daylight-saving shift
    ZoneInfo("America/Santiago"),  # the clocks change at midnight
)
ZONES = FIXED + SHIFTING


def _time(minute: int) -> time:
    return time(0) if minute == 1440 else time(minute // 60, minute % 60)


@st.composite
def periods(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    """Sorted, non-overlapping working periods on whole minutes; an end may be 24:00."""
    count = draw(st.integers(1, 3))
    marks = sorted(
        draw(st.lists(st.integers(0, 1440), min_size=2 * count, max_size=2 * count, unique=True))
    )
    return tuple((_time(marks[i]), _time(marks[i + 1])) for i in range(0, len(marks), 2))


dates_2024 = st.dates(date(2024, 1, 1), date(2024, 12, 31))


@st.composite
def calendars(draw: st.DrawFn, zones: tuple[tzinfo, ...] = ZONES) -> WorkCalendar:
    holidays = draw(st.frozensets(dates_2024, max_size=40))
    extra = draw(st.frozensets(dates_2024, max_size=10)) - holidays
    return WorkCalendar(
        tz=draw(st.sampled_from(zones)),
        workdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        periods=draw(periods()),
        holidays=holidays,
        extra_workdays=extra,
    )


instants = st.datetimes(
    min_value=datetime(2023, 12, 1),
    max_value=datetime(2025, 3, 1),
    timezones=st.sampled_from(ZONES),
)


def working_or_period_end(cal: WorkCalendar, moment: datetime) -> bool:
    """Working time, or the end instant of a working period (the instant just before works)."""
    return cal.is_working_time(moment) or cal.is_working_time(moment - US)


def working_amount(cal: WorkCalendar, fraction: float) -> timedelta:
    """Up to 60 working days' worth of working time, to the microsecond."""
    return timedelta(microseconds=round(fraction * 60 * cal.working_seconds_per_day * 1e6))


fractions = st.floats(0, 1)


@given(
    cal=calendars(),
    start=instants,
    amount=st.floats(0.001, 40),
    unit=st.sampled_from([LimitUnit.WORKING_HOURS, LimitUnit.WORKING_DAYS]),
)
def test_working_deadline_is_working_time_and_after_start(
    cal: WorkCalendar, start: datetime, amount: float, unit: LimitUnit
) -> None:
    limit = TimeLimit(amount=amount, unit=unit)
    due = cal.deadline(start, limit)
    assert due > start
    assert working_or_period_end(cal, due)
    assert due.tzinfo is cal.tz
    assert due == limit.due(start, cal)


@given(cal=calendars(), start=instants, fraction=fractions)
def test_between_inverts_add(cal: WorkCalendar, start: datetime, fraction: float) -> None:
    delta = working_amount(cal, fraction)
    end = cal.add_working_time(start, delta)
    assert end >= start
    assert cal.working_time_between(start, end) == delta
    if delta:
        # The earliest such instant: a microsecond earlier, the time has not yet run out.
        assert cal.working_time_between(start, end - US) == delta - US
        assert working_or_period_end(cal, end)


@given(cal=calendars(), start=instants, one=fractions, two=fractions)
def test_add_is_monotone(cal: WorkCalendar, start: datetime, one: float, two: float) -> None:
    small, large = sorted((working_amount(cal, one), working_amount(cal, two)))
    assert cal.add_working_time(start, small) <= cal.add_working_time(start, large)


@given(cal=calendars(), moment=instants)
def test_next_working_time(cal: WorkCalendar, moment: datetime) -> None:
    found = cal.next_working_time(moment)
    assert found >= moment
    assert cal.is_working_time(found)
    assert cal.working_time_between(moment, found) == timedelta(0)
    assert (found == moment) == cal.is_working_time(moment)


@given(cal=calendars(), moment=instants)
def test_is_working_time_agrees_with_between(cal: WorkCalendar, moment: datetime) -> None:
    assert cal.is_working_time(moment) == (cal.working_time_between(moment, moment + US) == US)
    local = moment.astimezone(cal.tz)
    if cal.is_working_time(moment):
        assert cal.is_working_day(local.date())


@given(cal=calendars(), a=instants, b=instants, c=instants)
def test_between_is_additive_and_antisymmetric(
    cal: WorkCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    ab, bc, ac = (cal.working_time_between(x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert cal.working_time_between(b, a) == -ab
    assert abs(ab) <= abs(b - a)


@given(cal=calendars(zones=FIXED), start=instants, n=st.integers(0, 30))
def test_add_working_days_is_n_days_of_working_time(
    cal: WorkCalendar, start: datetime, n: int
) -> None:
    result = cal.add_working_days(start, n)
    assert result >= start
    assert cal.is_working_time(result)
    assert cal.working_time_between(start, result) == n * cal.working_time_per_day
    # The same working time as the WORKING_DAYS deadline, which may be the earlier period end.
    if n:
        due = cal.deadline(start, TimeLimit.working_days(n))
        assert due <= result
        assert cal.working_time_between(due, result) == timedelta(0)


@given(cal=calendars(zones=SHIFTING), start=instants, n=st.integers(0, 30))
def test_add_working_days_in_shifting_zones(cal: WorkCalendar, start: datetime, n: int) -> None:
    result = cal.add_working_days(start, n)
    assert result >= start
    assert working_or_period_end(cal, result)
    assert cal.is_working_day(result.astimezone(cal.tz).date()) or n == 0


@given(
    start=instants,
    amount=st.floats(0.001, 400),
    unit=st.sampled_from([LimitUnit.MINUTES, LimitUnit.HOURS, LimitUnit.DAYS]),
)
def test_calendar_units_add_elapsed_time(start: datetime, amount: float, unit: LimitUnit) -> None:
    limit = TimeLimit(amount=amount, unit=unit)
    seconds = {LimitUnit.MINUTES: 60, LimitUnit.HOURS: 3600, LimitUnit.DAYS: 86_400}[unit]
    due = limit.due(start)
    # Same-tzinfo subtraction ignores DST in Python: measure on UTC instants.
    elapsed = due.astimezone(timezone.utc) - start.astimezone(timezone.utc)
    assert abs(elapsed - timedelta(seconds=amount * seconds)) <= US
    assert due.tzinfo is start.tzinfo


@given(cal=calendars(), first=dates_2024, days=st.integers(0, 60))
def test_working_days_listing_agrees(cal: WorkCalendar, first: date, days: int) -> None:
    last = first + timedelta(days=days)
    listed = cal.working_days(first, last)
    every = [first + timedelta(days=i) for i in range(days + 1)]
    assert listed == tuple(d for d in every if cal.is_working_day(d))


@given(cal=calendars(), moment=instants)
def test_results_do_not_depend_on_the_input_zone(cal: WorkCalendar, moment: datetime) -> None:
    assume(moment.utcoffset() is not None)
    elsewhere = moment.astimezone(ZoneInfo("Pacific/Kiritimati"))
    assert cal.is_working_time(moment) == cal.is_working_time(elsewhere)
    assert cal.next_working_time(moment) == cal.next_working_time(elsewhere)
    delta = timedelta(hours=3)
    assert cal.add_working_time(moment, delta) == cal.add_working_time(elsewhere, delta)
