"""Unit tests for jiceng.calendar: WorkCalendar, TimeLimit, LimitUnit and date_span."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.rrule import MO, SA

import jiceng.calendar
from jiceng.calendar import LimitUnit, TimeLimit, WorkCalendar, date_span
from jiceng.errors import ValidationError

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
UTC = timezone.utc

# 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）:
# 国庆节 10月1日至7日放假调休；9月29日（星期日）、10月12日（星期六）上班。
NATIONAL_DAY_2024 = date_span(date(2024, 10, 1), date(2024, 10, 7))
MAKE_UP_2024 = frozenset({date(2024, 9, 29), date(2024, 10, 12)})


def sh(*parts: int) -> datetime:
    """A Shanghai datetime from (year, month, day[, hour[, minute[, second]]])."""
    year, month, day, hour, minute, second = (*parts, 0, 0, 0)[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


class NoOffset(tzinfo):
    """A tzinfo that knows no offset."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


class Unimplemented(NoOffset):
    """A tzinfo whose utcoffset was never written, like the abstract base."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        raise NotImplementedError


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def tiaoxiu() -> WorkCalendar:
    return WorkCalendar(holidays=NATIONAL_DAY_2024, extra_workdays=MAKE_UP_2024)


def always(tz: tzinfo = NY) -> WorkCalendar:
    return WorkCalendar(tz=tz, workdays=range(7), periods=[(time(0), time(0))])


# --------------------------------------------------------------------------------------------------
# Construction and validation


def test_defaults(cal: WorkCalendar) -> None:
    assert cal.tz == ZoneInfo("Asia/Shanghai")
    assert cal.workdays == frozenset({0, 1, 2, 3, 4})
    assert cal.periods == ((time(9), time(12)), (time(13, 30), time(17, 30)))
    assert cal.holidays == frozenset()
    assert cal.extra_workdays == frozenset()
    assert cal.working_seconds_per_day == 7 * 3600
    assert cal.working_time_per_day == timedelta(hours=7)


def test_converters_accept_iterables_and_dateutil_weekdays() -> None:
    cal = WorkCalendar(
        workdays=[MO, 1, SA],
        periods=[[time(8), time(12)]],  # type: ignore[list-item]  # a list pair is accepted
        holidays=[date(2024, 1, 1)],
        extra_workdays=(date(2024, 1, 6),),
    )
    assert cal.workdays == frozenset({0, 1, 5})
    assert cal.periods == ((time(8), time(12)),)
    assert cal.holidays == frozenset({date(2024, 1, 1)})
    assert cal.extra_workdays == frozenset({date(2024, 1, 6)})


def test_calendar_is_keyword_only_frozen_hashable_and_picklable(cal: WorkCalendar) -> None:
    with pytest.raises(TypeError):
        WorkCalendar(SH)  # type: ignore[call-arg]  # keyword-only
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cal.tz = UTC  # type: ignore[misc]  # frozen
    assert hash(cal) == hash(WorkCalendar())
    assert cal == WorkCalendar()
    cal.is_working_time(sh(2024, 11, 18, 10))  # fill the private cache first
    copied = pickle.loads(pickle.dumps(cal))
    assert copied == cal
    assert copied._cache == {}  # the cache is not shipped
    assert copy.deepcopy(cal) == cal
    changed = attrs.evolve(cal, holidays={date(2024, 11, 18)})
    assert not changed.is_working_time(sh(2024, 11, 18, 10))
    assert "holidays" in repr(cal)
    assert "_cache" not in repr(cal)


def test_round_the_clock_end_midnight() -> None:
    cal = always(UTC)
    assert cal.working_seconds_per_day == 86_400
    assert cal.is_working_time(datetime(2024, 1, 1, 23, 59, tzinfo=UTC))
    assert cal.add_working_time(datetime(2024, 1, 1, 23, tzinfo=UTC), timedelta(hours=2)) == (
        datetime(2024, 1, 2, 1, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "value", "why"),
    [
        ({"tz": "Asia/Shanghai"}, "tz", "Asia/Shanghai", "must be a datetime.tzinfo"),
        ({"tz": Unimplemented()}, "tz", None, "gives no UTC offset"),
        ({"workdays": [7]}, "workdays", 7, "is not a weekday number"),
        ({"workdays": [True]}, "workdays", True, "is not a weekday number"),
        ({"workdays": ["1"]}, "workdays", "1", "is not a weekday number"),
        ({"workdays": 5}, "workdays", 5, "must be an iterable of weekday numbers"),
        ({"workdays": []}, "workdays", frozenset(), "no working days"),
        ({"periods": []}, "periods", (), "needs at least one working period"),
        ({"periods": 9}, "periods", 9, "must be an iterable of (start, end) pairs"),
        ({"periods": [time(9)]}, "periods", time(9), "each period must be a (start, end) pair"),
        (
            {"periods": [(time(9), time(10), time(11))]},
            "periods",
            (time(9), time(10), time(11)),
            "each period must be a (start, end) pair",
        ),
        ({"periods": [(9, 12)]}, "periods", (9, 12), "each period must be a (start, end) pair"),
        (
            {"periods": [(time(9, tzinfo=UTC), time(12))]},
            "periods",
            (time(9, tzinfo=UTC), time(12)),
            "drop their tzinfo",
        ),
        (
            {"periods": [(time(9), time(12, tzinfo=UTC))]},
            "periods",
            (time(9), time(12, tzinfo=UTC)),
            "drop their tzinfo",
        ),
        (
            {"periods": [(time(12), time(9))]},
            "periods",
            (time(12), time(9)),
            "start must be before",
        ),
        ({"periods": [(time(9), time(9))]}, "periods", (time(9), time(9)), "start must be before"),
        (
            {"periods": [(time(13), time(17)), (time(9), time(12))]},
            "periods",
            ((time(13), time(17)), (time(9), time(12))),
            "must be sorted and must not overlap",
        ),
        (
            {"periods": [(time(9), time(12)), (time(11), time(17))]},
            "periods",
            ((time(9), time(12)), (time(11), time(17))),
            "must be sorted and must not overlap",
        ),
        ({"holidays": 3}, "holidays", 3, "must be an iterable of datetime.date"),
        (
            {"holidays": [datetime(2024, 1, 1)]},
            "holidays",
            datetime(2024, 1, 1),
            "must be a datetime.date (not a datetime)",
        ),
        ({"holidays": ["2024-01-01"]}, "holidays", "2024-01-01", "must be a datetime.date"),
        ({"extra_workdays": 3}, "extra_workdays", 3, "must be an iterable of datetime.date"),
        (
            {"extra_workdays": [datetime(2024, 1, 6, tzinfo=SH)]},
            "extra_workdays",
            datetime(2024, 1, 6, tzinfo=SH),
            "must be a datetime.date (not a datetime)",
        ),
        (
            {"holidays": [date(2024, 10, 1)], "extra_workdays": [date(2024, 10, 1)]},
            "holidays",
            date(2024, 10, 1),
            "cannot be both a holiday and a make-up working day (调休)",
        ),
    ],
)
def test_each_calendar_problem_names_field_and_value(
    kwargs: dict[str, object], field: str, value: object, why: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(**kwargs)  # type: ignore[arg-type]  # deliberately wrong inputs
    error = caught.value
    assert error.field == field
    if value is not None:
        assert error.value == value
        assert str(error).startswith(f"{field}={value!r}: ")
    assert why in str(error)


def test_tz_whose_utcoffset_is_none() -> None:
    with pytest.raises(ValidationError, match=r"tz=.*gives no UTC offset"):
        WorkCalendar(tz=NoOffset())


def test_zero_length_first_period_midnight_start_allowed() -> None:
    cal = WorkCalendar(tz=UTC, periods=[(time(0), time(1)), (time(23), time(0))])
    assert cal.working_seconds_per_day == 2 * 3600


def test_touching_periods_are_allowed() -> None:
    cal = WorkCalendar(tz=UTC, periods=[(time(9), time(12)), (time(12), time(13))])
    assert cal.is_working_time(datetime(2024, 1, 1, 12, tzinfo=UTC))


def test_several_problems_are_reported_together() -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(
            tz="nowhere",  # type: ignore[arg-type]  # deliberately wrong
            workdays=[9],
            periods=[(time(12), time(9))],
            holidays={date(2024, 1, 1)},
            extra_workdays={date(2024, 1, 1)},
        )
    error = caught.value
    assert str(error).startswith("WorkCalendar has 4 problems:")
    assert error.field is None
    assert len(error.problems) == 4
    assert error.problems[0].startswith("tz='nowhere'")
    assert any(line.startswith("workdays=9") for line in error.problems)


def test_extra_workdays_alone_are_a_calendar() -> None:
    cal = WorkCalendar(workdays=[], extra_workdays={date(2024, 1, 6)})
    assert cal.is_working_day(date(2024, 1, 6))
    assert not cal.is_working_day(date(2024, 1, 8))


# --------------------------------------------------------------------------------------------------
# Working days and working time


def test_is_working_day_rules(tiaoxiu: WorkCalendar) -> None:
    assert tiaoxiu.is_working_day(date(2024, 9, 30))  # an ordinary Monday
    assert not tiaoxiu.is_working_day(date(2024, 10, 1))  # a holiday on a Tuesday
    assert tiaoxiu.is_working_day(date(2024, 9, 29))  # a make-up Sunday
    assert tiaoxiu.is_working_day(date(2024, 10, 12))  # a make-up Saturday
    assert not tiaoxiu.is_working_day(date(2024, 10, 13))  # an ordinary Sunday


def test_is_working_day_accepts_aware_datetime_in_calendar_zone(cal: WorkCalendar) -> None:
    # Friday 20:00 in New York is Saturday 09:00 in Shanghai.
    assert not cal.is_working_day(datetime(2024, 11, 15, 20, tzinfo=NY))
    assert cal.is_working_day(datetime(2024, 11, 15, 8, tzinfo=NY))


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (datetime(2024, 1, 1), "must be timezone-aware"),
        ("2024-01-01", "must be a datetime.date"),
    ],
)
def test_is_working_day_errors(cal: WorkCalendar, value: object, why: str) -> None:
    with pytest.raises(ValidationError, match=why) as caught:
        cal.is_working_day(value)  # type: ignore[arg-type]  # deliberately wrong
    assert caught.value.field == "d"
    assert caught.value.value == value


def test_is_working_time_boundaries(cal: WorkCalendar) -> None:
    monday = (2024, 11, 18)
    assert not cal.is_working_time(sh(*monday, 8, 59, 59))
    assert cal.is_working_time(sh(*monday, 9))  # a start is inclusive
    assert cal.is_working_time(sh(*monday, 11, 59, 59))
    assert not cal.is_working_time(sh(*monday, 12))  # an end is exclusive
    assert not cal.is_working_time(sh(*monday, 13))
    assert cal.is_working_time(sh(*monday, 13, 30))
    assert not cal.is_working_time(sh(*monday, 17, 30))
    assert not cal.is_working_time(sh(2024, 11, 16, 10))  # Saturday


def test_is_working_time_reads_the_calendars_zone(cal: WorkCalendar) -> None:
    assert cal.is_working_time(datetime(2024, 11, 18, 1, tzinfo=UTC))  # 09:00 Shanghai
    assert cal.is_working_time(datetime(2024, 11, 18, 9, tzinfo=UTC))  # 17:00 Shanghai
    assert not cal.is_working_time(datetime(2024, 11, 18, 9, 30, tzinfo=UTC))  # 17:30
    assert not cal.is_working_time(datetime(2024, 11, 18, 4, 30, tzinfo=UTC))  # 12:30 lunch


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (datetime(2024, 11, 18, 10), "must be timezone-aware (a naive datetime is ambiguous)"),
        (date(2024, 11, 18), "must be a timezone-aware datetime"),
        ("2024-11-18T10:00+08:00", "must be a timezone-aware datetime"),
    ],
)
def test_naive_or_non_datetime_rejected_everywhere(
    cal: WorkCalendar, value: object, why: str
) -> None:
    calls: dict[str, list[Callable[[Any], object]]] = {
        "dt": [cal.is_working_time, cal.next_working_time],
        "start": [
            lambda v: cal.add_working_time(v, timedelta(hours=1)),
            lambda v: cal.add_working_days(v, 1),
            lambda v: cal.deadline(v, TimeLimit.hours(1)),
            lambda v: TimeLimit.hours(1).due(v),
        ],
        "a": [lambda v: cal.working_time_between(v, sh(2024, 11, 18, 10))],
        "b": [lambda v: cal.working_time_between(sh(2024, 11, 18, 10), v)],
    }
    for field, funcs in calls.items():
        for func in funcs:
            with pytest.raises(ValidationError) as caught:
                func(value)
            assert caught.value.field == field
            assert caught.value.value == value
            assert str(caught.value) == f"{field}={value!r}: {why}"


def test_next_working_time(cal: WorkCalendar) -> None:
    inside = datetime(2024, 11, 18, 2, tzinfo=UTC)  # 10:00 Shanghai
    result = cal.next_working_time(inside)
    assert result == inside
    assert result.tzinfo is SH
    assert cal.next_working_time(sh(2024, 11, 18, 12)) == sh(2024, 11, 18, 13, 30)
    assert cal.next_working_time(sh(2024, 11, 18, 7)) == sh(2024, 11, 18, 9)
    assert cal.next_working_time(sh(2024, 11, 15, 17, 30)) == sh(2024, 11, 18, 9)


# --------------------------------------------------------------------------------------------------
# Adding working time


def test_add_working_time_across_weekend_and_lunch(cal: WorkCalendar) -> None:
    assert cal.add_working_time(sh(2024, 11, 15, 16), timedelta(hours=4)) == sh(
        2024, 11, 18, 11, 30
    )
    assert cal.add_working_time(sh(2024, 11, 18, 11), timedelta(hours=2)) == sh(
        2024, 11, 18, 14, 30
    )


def test_add_working_time_lands_on_period_end_and_stays(cal: WorkCalendar) -> None:
    assert cal.add_working_time(sh(2024, 11, 18, 11), timedelta(hours=1)) == sh(2024, 11, 18, 12)
    assert cal.add_working_time(sh(2024, 11, 18, 9), timedelta(hours=7)) == sh(2024, 11, 18, 17, 30)


def test_add_working_time_from_non_working_start(cal: WorkCalendar) -> None:
    assert cal.add_working_time(sh(2024, 11, 16, 3), timedelta(minutes=1)) == sh(2024, 11, 18, 9, 1)
    assert cal.add_working_time(sh(2024, 11, 18, 12, 15), timedelta(hours=1)) == (
        sh(2024, 11, 18, 14, 30)
    )


def test_add_zero_returns_start_in_calendar_zone(cal: WorkCalendar) -> None:
    start = datetime(2024, 11, 16, 3, tzinfo=UTC)
    result = cal.add_working_time(start, timedelta(0))
    assert result == start
    assert result.tzinfo is SH


def test_add_whole_days_skips(cal: WorkCalendar) -> None:
    # 15 working days of 7 h from a Monday 09:00: three weeks later, Friday 17:30.
    assert cal.add_working_time(sh(2024, 11, 4, 9), timedelta(hours=7 * 15)) == (
        sh(2024, 11, 22, 17, 30)
    )


def test_add_working_time_errors(cal: WorkCalendar) -> None:
    with pytest.raises(ValidationError) as caught:
        cal.add_working_time(sh(2024, 11, 18, 9), timedelta(minutes=-1))
    assert (
        str(caught.value)
        == "delta=datetime.timedelta(days=-1, seconds=86340): must not be negative"
    )
    with pytest.raises(ValidationError, match=r"delta=3600: must be a datetime.timedelta"):
        cal.add_working_time(sh(2024, 11, 18, 9), 3600)  # type: ignore[arg-type]  # wrong


def test_search_horizon(cal: WorkCalendar) -> None:
    with pytest.raises(ValidationError) as caught:
        cal.add_working_time(sh(2024, 1, 1), timedelta(days=10_000))
    assert caught.value.field == "delta"
    assert "needs more than 3660 days of calendar" in str(caught.value)
    only_once = WorkCalendar(workdays=[], extra_workdays={date(2024, 1, 6)})
    assert only_once.next_working_time(sh(2024, 1, 1)) == sh(2024, 1, 6, 9)
    with pytest.raises(ValidationError, match=r"dt=.*needs more than 3660 days"):
        only_once.next_working_time(sh(2024, 1, 7))
    with pytest.raises(ValidationError, match=r"n=1: needs more than 3660 days"):
        only_once.add_working_days(sh(2024, 1, 1), 1)
    with pytest.raises(ValidationError, match=r"amount=1: needs more than 3660 days"):
        only_once.deadline(sh(2024, 1, 7), TimeLimit.working_hours(1))


def test_date_range_edges(cal: WorkCalendar) -> None:
    late = datetime(9999, 12, 31, 10, tzinfo=SH)
    with pytest.raises(ValidationError, match="outside the supported"):
        cal.add_working_time(late, timedelta(hours=10))
    with pytest.raises(ValidationError, match="outside the supported"):
        cal.is_working_time(datetime.max.replace(tzinfo=timezone(timedelta(hours=-12))))
    with pytest.raises(ValidationError, match=r"start=.*outside the supported range"):
        cal.add_working_time(datetime.min.replace(tzinfo=SH), timedelta(hours=1))
    with pytest.raises(ValidationError, match="outside the supported"):
        cal.is_working_time(datetime(1, 1, 1, 12, tzinfo=UTC))
    with pytest.raises(ValidationError, match=r"amount=.*outside the supported range"):
        TimeLimit.days(1).due(datetime(9999, 12, 31, 12, tzinfo=UTC))


def test_local_midnight_near_range_end() -> None:
    # In a far-west zone 9999-12-31 is a local day whose end cannot be computed.
    west = timezone(timedelta(hours=-12))
    cal = WorkCalendar(tz=west, workdays=range(7))
    assert cal.is_working_time(datetime(9999, 12, 30, 10, tzinfo=west))
    with pytest.raises(ValidationError, match=r"^dt=.*: is outside the supported date range$"):
        cal.is_working_time(datetime(9999, 12, 31, 10, tzinfo=west))


# --------------------------------------------------------------------------------------------------
# Working days


def test_add_working_days_keeps_offset(cal: WorkCalendar) -> None:
    assert cal.add_working_days(sh(2024, 11, 15, 10), 1) == sh(2024, 11, 18, 10)
    assert cal.add_working_days(sh(2024, 11, 18, 14), 5) == sh(2024, 11, 25, 14)
    assert cal.add_working_days(sh(2024, 11, 18, 14), 0) == sh(2024, 11, 18, 14)


def test_add_working_days_snaps_first(cal: WorkCalendar) -> None:
    assert cal.add_working_days(sh(2024, 11, 15, 18), 1) == sh(2024, 11, 19, 9)
    assert cal.add_working_days(sh(2024, 11, 18, 12), 1) == sh(2024, 11, 19, 13, 30)
    assert cal.add_working_days(sh(2024, 11, 16, 10), 0) == sh(2024, 11, 18, 9)


def test_add_working_days_across_tiaoxiu(tiaoxiu: WorkCalendar) -> None:
    # Friday 27 Sep → Sunday 29 Sep (a make-up day) → Monday 30 → Tuesday 8 Oct.
    assert tiaoxiu.add_working_days(sh(2024, 9, 27, 15), 1) == sh(2024, 9, 29, 15)
    assert tiaoxiu.add_working_days(sh(2024, 9, 27, 15), 3) == sh(2024, 10, 8, 15)


def test_add_working_days_clamps_on_a_short_dst_day() -> None:
    # A 24/7 New York calendar: 2024-03-10 has only 23 hours.
    cal = always(NY)
    start = datetime(2024, 3, 9, 23, 30, tzinfo=NY)  # offset 23.5 h into Saturday
    assert cal.add_working_days(start, 1) == datetime(2024, 3, 11, 0, tzinfo=NY)
    assert cal.add_working_days(start, 2) == datetime(2024, 3, 11, 23, 30, tzinfo=NY)


@pytest.mark.parametrize(
    ("n", "why"), [(-1, "must not be negative"), (1.5, "must be an int"), (True, "must be an int")]
)
def test_add_working_days_errors(cal: WorkCalendar, n: object, why: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cal.add_working_days(sh(2024, 11, 18, 9), n)  # type: ignore[arg-type]  # wrong on purpose
    assert str(caught.value) == f"n={n!r}: {why}"


def test_working_days_listing(tiaoxiu: WorkCalendar) -> None:
    days = tiaoxiu.working_days(date(2024, 9, 28), date(2024, 10, 13))
    assert [d.isoformat() for d in days] == [
        "2024-09-29",
        "2024-09-30",
        "2024-10-08",
        "2024-10-09",
        "2024-10-10",
        "2024-10-11",
        "2024-10-12",
    ]
    assert all(tiaoxiu.is_working_day(d) for d in days)
    only_extra = WorkCalendar(workdays=[], extra_workdays={date(2024, 1, 6), date(2025, 1, 1)})
    assert only_extra.working_days(date(2024, 1, 1), date(2024, 12, 31)) == (date(2024, 1, 6),)


def test_working_days_errors(cal: WorkCalendar) -> None:
    with pytest.raises(
        ValidationError, match=r"^last=datetime.date\(2024, 1, 1\): is before first="
    ):
        cal.working_days(date(2024, 2, 1), date(2024, 1, 1))
    with pytest.raises(
        ValidationError, match=r"^first=.*must be a datetime.date \(not a datetime\)"
    ):
        cal.working_days(datetime(2024, 1, 1), date(2024, 1, 1))


def test_date_span() -> None:
    assert date_span(date(2024, 10, 1), date(2024, 10, 1)) == frozenset({date(2024, 10, 1)})
    assert len(NATIONAL_DAY_2024) == 7
    with pytest.raises(ValidationError, match=r"^last=.*is before first="):
        date_span(date(2024, 10, 7), date(2024, 10, 1))
    with pytest.raises(ValidationError, match=r"^last='x': must be a datetime.date"):
        date_span(date(2024, 10, 7), "x")  # type: ignore[arg-type]  # wrong on purpose


# --------------------------------------------------------------------------------------------------
# Working time between


def test_working_time_between(cal: WorkCalendar) -> None:
    friday, monday = sh(2024, 11, 15, 16), sh(2024, 11, 18, 11, 30)
    assert cal.working_time_between(friday, monday) == timedelta(hours=4)
    assert cal.working_time_between(monday, friday) == -timedelta(hours=4)
    assert cal.working_time_between(friday, friday) == timedelta(0)
    assert cal.working_time_between(sh(2024, 11, 18, 12), sh(2024, 11, 18, 13, 30)) == timedelta(0)
    assert cal.working_time_between(sh(2024, 11, 4), sh(2024, 12, 2)) == timedelta(hours=7 * 20)


def test_tiaoxiu_holiday_weekday_and_make_up_saturday(tiaoxiu: WorkCalendar) -> None:
    # A holiday on a weekday: Monday 30 Sep 16:00 + 4 working hours skips 1–7 Oct.
    assert tiaoxiu.deadline(sh(2024, 9, 30, 16), TimeLimit.working_hours(4)) == sh(
        2024, 10, 8, 11, 30
    )
    # The make-up Saturday 12 Oct works: Friday 11 Oct 16:00 + 4 h lands on it.
    assert tiaoxiu.deadline(sh(2024, 10, 11, 16), TimeLimit.working_hours(4)) == (
        sh(2024, 10, 12, 11, 30)
    )
    assert tiaoxiu.is_working_time(sh(2024, 10, 12, 10))
    assert not tiaoxiu.is_working_time(sh(2024, 10, 2, 10))
    assert tiaoxiu.working_time_between(sh(2024, 9, 28), sh(2024, 10, 14)) == timedelta(hours=7 * 7)


# --------------------------------------------------------------------------------------------------
# Daylight saving time


def test_dst_office_hours_new_york() -> None:
    cal = WorkCalendar(tz=NY, periods=[(time(9), time(17))])
    friday = datetime(2024, 3, 8, 16, tzinfo=NY)  # EST; the clocks spring forward on Sunday
    due = cal.add_working_time(friday, timedelta(hours=2))
    assert due == datetime(2024, 3, 11, 10, tzinfo=NY)
    assert due.utcoffset() == timedelta(hours=-4)
    assert cal.working_time_between(friday, due) == timedelta(hours=2)


def test_dst_round_the_clock_counts_elapsed_time() -> None:
    cal = always(NY)
    saturday = datetime(2024, 3, 9, 23, tzinfo=NY)
    assert cal.add_working_time(saturday, timedelta(hours=4)) == datetime(2024, 3, 10, 4, tzinfo=NY)
    spring = cal.working_time_between(
        datetime(2024, 3, 10, tzinfo=NY), datetime(2024, 3, 11, tzinfo=NY)
    )
    fall = cal.working_time_between(
        datetime(2024, 11, 3, tzinfo=NY), datetime(2024, 11, 4, tzinfo=NY)
    )
    assert (spring, fall) == (timedelta(hours=23), timedelta(hours=25))
    assert TimeLimit.days(1).due(saturday) == datetime(2024, 3, 11, 0, tzinfo=NY)


def test_dst_period_wholly_inside_the_gap_is_empty() -> None:
    cal = WorkCalendar(tz=NY, workdays=range(7), periods=[(time(2, 10), time(2, 50))])
    day = (datetime(2024, 3, 10, tzinfo=NY), datetime(2024, 3, 11, tzinfo=NY))
    assert cal.working_time_between(*day) == timedelta(0)
    assert cal.next_working_time(day[0]) == datetime(2024, 3, 11, 2, 10, tzinfo=NY)


def test_dst_repeated_hour_counts_first_occurrence() -> None:
    cal = WorkCalendar(tz=NY, workdays=range(7), periods=[(time(1), time(1, 30))])
    day = (datetime(2024, 11, 3, tzinfo=NY), datetime(2024, 11, 4, tzinfo=NY))
    assert cal.working_time_between(*day) == timedelta(minutes=30)
    second = datetime(2024, 11, 3, 1, 10, fold=1, tzinfo=NY)  # 01:10 EST, the second time round
    assert cal.is_working_time(datetime(2024, 11, 3, 1, 10, tzinfo=NY))
    assert not cal.is_working_time(second)


def test_day_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jiceng.calendar, "_CACHE_MAX", 3)
    cal = WorkCalendar()
    assert cal.working_time_between(sh(2024, 11, 1), sh(2024, 11, 30)) == timedelta(hours=7 * 21)
    assert cal.working_time_between(sh(2024, 11, 1), sh(2024, 11, 30)) == timedelta(hours=7 * 21)


def test_dst_period_inside_the_gap_is_clamped() -> None:
    # 02:00–03:00 does not exist on 2024-03-10 in New York: boundaries in it move to the jump.
    cal = WorkCalendar(
        tz=NY, workdays=range(7), periods=[(time(1), time(2, 30)), (time(2, 45), time(4))]
    )
    day = (datetime(2024, 3, 10, tzinfo=NY), datetime(2024, 3, 11, tzinfo=NY))
    assert cal.working_time_between(*day) == timedelta(hours=2)
    assert cal.working_time_between(
        datetime(2024, 3, 9, tzinfo=NY), datetime(2024, 3, 10, tzinfo=NY)
    ) == timedelta(hours=2, minutes=45)


# --------------------------------------------------------------------------------------------------
# TimeLimit and LimitUnit


def test_limit_units_and_labels() -> None:
    assert [(u.value, u.label, u.is_working) for u in LimitUnit] == [
        ("minutes", "分钟", False),
        ("hours", "小时", False),
        ("days", "自然日", False),
        ("working_hours", "工作小时", True),
        ("working_days", "工作日", True),
    ]


def test_constructors() -> None:
    assert TimeLimit.minutes(30) == TimeLimit(amount=30, unit=LimitUnit.MINUTES)
    assert TimeLimit.hours(2).unit is LimitUnit.HOURS
    assert TimeLimit.days(3).unit is LimitUnit.DAYS
    assert TimeLimit.working_hours(4).unit is LimitUnit.WORKING_HOURS
    assert TimeLimit.working_days(5).unit is LimitUnit.WORKING_DAYS
    # The converter accepts a unit's value string.
    assert TimeLimit(amount=1, unit="working_days").unit is LimitUnit.WORKING_DAYS
    assert TimeLimit.working_days(5).is_working
    assert not TimeLimit.hours(5).is_working
    with pytest.raises(TypeError):
        TimeLimit(4, LimitUnit.HOURS)  # type: ignore[call-arg]  # keyword-only


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        (0, "must be positive and finite"),
        (-1.5, "must be positive and finite"),
        (float("inf"), "must be positive and finite"),
        (float("nan"), "must be positive and finite"),
        ("4", "must be a number"),
        (True, "must be a number"),
    ],
)
def test_amount_errors(amount: object, why: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TimeLimit(amount=amount, unit=LimitUnit.HOURS)  # type: ignore[arg-type]  # wrong on purpose
    assert str(caught.value) == f"amount={amount!r}: {why}"
    assert caught.value.field == "amount"


def test_unit_error() -> None:
    with pytest.raises(ValidationError) as caught:
        TimeLimit(amount=1, unit="fortnights")
    assert str(caught.value) == (
        "unit='fortnights': unknown unit; known: minutes, hours, days, working_hours, working_days"
    )


def test_str_and_describe() -> None:
    assert str(TimeLimit.working_hours(4)) == "4 工作小时"
    assert str(TimeLimit.working_days(5.0)) == "5 工作日"
    assert TimeLimit.days(1.5).describe() == "1.5 自然日"
    assert TimeLimit.minutes(1).describe(lang="en") == "1 minute"
    assert TimeLimit.minutes(30).describe(lang="en") == "30 minutes"
    assert TimeLimit.hours(1.0).describe(lang="en") == "1 hour"
    assert TimeLimit.days(2).describe(lang="en") == "2 calendar days"
    assert TimeLimit.working_hours(0.5).describe(lang="en") == "0.5 working hours"
    with pytest.raises(ValidationError, match=r"^lang='fr': must be 'zh' or 'en'$"):
        TimeLimit.hours(1).describe(lang="fr")


def test_due_calendar_units_are_elapsed_time(cal: WorkCalendar) -> None:
    friday = sh(2024, 11, 15, 16)
    assert TimeLimit.minutes(90).due(friday) == sh(2024, 11, 15, 17, 30)
    assert TimeLimit.hours(4).due(friday) == sh(2024, 11, 15, 20)
    assert TimeLimit.days(1.5).due(friday) == sh(2024, 11, 17, 4)
    in_utc = TimeLimit.hours(1).due(datetime(2024, 1, 1, tzinfo=UTC))
    assert in_utc.tzinfo is UTC  # no calendar: the start's zone
    on_cal = TimeLimit.hours(1).due(datetime(2024, 1, 1, tzinfo=UTC), cal)
    assert on_cal.tzinfo is SH  # a calendar: its zone
    assert on_cal == datetime(2024, 1, 1, 1, tzinfo=UTC)


def test_due_working_units(cal: WorkCalendar) -> None:
    friday = sh(2024, 11, 15, 16)
    assert TimeLimit.working_hours(4).due(friday, cal) == sh(2024, 11, 18, 11, 30)
    assert TimeLimit.working_hours(0.5).due(friday, cal) == sh(2024, 11, 15, 16, 30)
    assert TimeLimit.working_days(1).due(friday, cal) == sh(2024, 11, 18, 16)
    assert TimeLimit.working_days(0.5).due(friday, cal) == sh(2024, 11, 18, 11)
    # After hours on Friday: one working day ends at Monday's close, the earliest such instant.
    assert TimeLimit.working_days(1).due(sh(2024, 11, 15, 18), cal) == sh(2024, 11, 18, 17, 30)
    assert cal.deadline(friday, TimeLimit.working_days(5)) == sh(2024, 11, 22, 16)


def test_due_errors(cal: WorkCalendar) -> None:
    start = sh(2024, 11, 15, 16)
    with pytest.raises(ValidationError) as caught:
        TimeLimit.working_hours(4).due(start)
    assert str(caught.value) == (
        "calendar=None: a limit of 4 工作小时 needs a WorkCalendar to count working time"
    )
    assert caught.value.field == "calendar"
    with pytest.raises(ValidationError, match=r"^calendar=None: a limit of 2 工作日"):
        TimeLimit.working_days(2).due(start)
    with pytest.raises(ValidationError, match=r"^calendar='x': must be a WorkCalendar or None$"):
        TimeLimit.hours(1).due(start, "x")  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(ValidationError, match=r"^amount=1e-12: is shorter than a microsecond$"):
        TimeLimit.working_hours(1e-12).due(start, cal)
    with pytest.raises(ValidationError, match=r"^amount=1e\+300: is too large$"):
        TimeLimit.hours(1e300).due(start)
    with pytest.raises(ValidationError, match=r"^limit=4: must be a TimeLimit$"):
        cal.deadline(start, 4)  # type: ignore[arg-type]  # wrong on purpose


def test_time_limit_is_hashable_and_frozen() -> None:
    limit = TimeLimit.working_hours(4)
    assert {limit: 1}[TimeLimit.working_hours(4)] == 1
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        limit.amount = 5  # type: ignore[misc]  # frozen


def test_demo_run() -> None:
    from jiceng.demos.calendar import national_day_2024, run

    text = run()
    assert "跨周末：09-20 周五 16:00 受理，时限 4 工作小时，09-23 周一 11:30 到期" in text
    assert "跨国庆：09-30 周一 16:00 受理，时限 4 工作小时，10-08 周二 11:30 到期" in text
    assert "due 2024-10-12 10:00" in text  # the make-up Saturday works
    assert national_day_2024().is_working_day(date(2024, 9, 29))
