"""Deadlines on a working calendar (工作日历): the lunch break, a weekend, and 2024's National Day 调休.

The holiday dates are the State Council's 2024 arrangement (国办发明电〔2023〕7号): 国庆节 1–7 October
off, with Sunday 29 September and Saturday 12 October worked instead. `run` returns the text, Chinese
first, for ``python -m jiceng demo``.

>>> str(run().splitlines()[0])
'工作日历：工作日 周一至周五，作息 09:00–12:00、13:30–17:30，节假日 7 天，调休上班 2 天'
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from jiceng.calendar import TimeLimit, WorkCalendar, date_span

__all__ = ["national_day_2024", "run"]

_SHANGHAI = ZoneInfo("Asia/Shanghai")
_WEEKDAYS_ZH = "一二三四五六日"


def national_day_2024() -> WorkCalendar:
    """The default office calendar with 2024's National Day holiday and its two make-up days."""
    return WorkCalendar(
        holidays=date_span(date(2024, 10, 1), date(2024, 10, 7)),
        extra_workdays=frozenset({date(2024, 9, 29), date(2024, 10, 12)}),
    )


def _when(moment: datetime) -> str:
    return f"{moment:%m-%d} 周{_WEEKDAYS_ZH[moment.weekday()]} {moment:%H:%M}"


def run() -> str:
    """Compute four deadlines and return them as readable lines (Chinese, then English)."""
    cal = national_day_2024()
    hours = "、".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in cal.periods)
    lines = [
        f"工作日历：工作日 周一至周五，作息 {hours}，节假日 {len(cal.holidays)} 天，"
        f"调休上班 {len(cal.extra_workdays)} 天",
        "Work calendar: Mon–Fri, lunch break 12:00–13:30, National Day 2024 with two make-up days",
    ]
    cases = [
        ("午休", "lunch break", datetime(2024, 9, 26, 11, 0), TimeLimit.working_hours(2)),
        ("周末", "weekend", datetime(2024, 9, 20, 16, 0), TimeLimit.working_hours(4)),
        ("国庆", "National Day", datetime(2024, 9, 30, 16, 0), TimeLimit.working_hours(4)),
        ("调休", "make-up Saturday", datetime(2024, 10, 11, 10, 0), TimeLimit.working_days(1)),
    ]
    for zh, en, local, limit in cases:
        start = local.replace(tzinfo=_SHANGHAI)
        due = cal.deadline(start, limit)
        lines.append(
            f"- 跨{zh}：{_when(start)} 受理，时限 {limit}，{_when(due)} 到期"
            f" / across the {en}: {limit.describe(lang='en')} → due {due:%Y-%m-%d %H:%M}"
        )
    return "\n".join(lines)
