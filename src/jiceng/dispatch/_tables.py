"""Example tables: the seed's category table, deadlines per category, escalation steps (private).

These are **examples** with their sources, not national law: each city publishes its own
立案结案标准 (filing and closing standards) and 12345 rules. Replace them without subclassing by
passing your own mappings to :class:`~jiceng.dispatch.Dispatcher`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import TypeAlias

from jiceng.calendar import TimeLimit
from jiceng.models import Priority

__all__ = [
    "ANY_CATEGORY",
    "DEFAULT_ESCALATION",
    "EXAMPLE_DEADLINES",
    "SEED_FALLBACK",
    "SEED_TABLE",
    "DeadlineKey",
    "DeadlineTable",
]

SEED_TABLE: Mapping[str, str] = MappingProxyType(
    {
        "环境卫生": "城管局",
        "邻里纠纷": "司法所",
        "安全隐患": "应急管理局",
        "证件办理": "便民服务中心",
    }
)
"""The seed's dispatch table (category → department), read-only. Everything else goes to
:data:`SEED_FALLBACK`."""

SEED_FALLBACK = "综合协调"
"""The seed's catch-all department (综合协调, general coordination)."""

ANY_CATEGORY = "*"
"""The wildcard category in a deadline table: ``"*"`` or ``("*", priority)``."""

DeadlineKey: TypeAlias = "str | tuple[str, Priority]"
"""A category, or a ``(category, priority)`` pair; either part may be :data:`ANY_CATEGORY`."""

DeadlineTable: TypeAlias = "Mapping[DeadlineKey, tuple[TimeLimit, TimeLimit]]"
"""Deadline key → ``(response limit, resolution limit)``.

The :class:`~jiceng.dispatch.Dispatcher` looks a task up as ``(category, priority)``, then
``category``, then ``("*", priority)``, then ``"*"``; the first hit wins.
"""

EXAMPLE_DEADLINES: DeadlineTable = MappingProxyType(
    {
        # 数字城管 events, resolution limits from a local 立案结案标准（事件类）table following
        # CJ/T 315 (e.g. 暴露垃圾 4 个工作时, 道路保洁 2 个工作时, 绿地养护 5 个工作日).
        "暴露垃圾": (TimeLimit.working_hours(1), TimeLimit.working_hours(4)),
        "道路清扫保洁": (TimeLimit.working_hours(0.5), TimeLimit.working_hours(2)),
        "绿地养护": (TimeLimit.working_hours(4), TimeLimit.working_days(5)),
        # 12345 hotline practice (Beijing-style 接诉即办): 水电气热 within 24 hours, an ordinary
        # demand within 7 days, a life-threatening emergency within 2 hours.
        "水电气热": (TimeLimit.hours(2), TimeLimit.hours(24)),
        ANY_CATEGORY: (TimeLimit.hours(24), TimeLimit.days(7)),
        (ANY_CATEGORY, Priority.EMERGENCY): (TimeLimit.minutes(30), TimeLimit.hours(2)),
    }
)
"""An example deadline table (时限表): ``key → (response limit, resolution limit)``.

| key | response (签收) | resolution (办结) | source of the resolution limit |
|---|---|---|---|
| 暴露垃圾 exposed rubbish | 1 working hour | 4 working hours | local 立案结案标准 (CJ/T 315) |
| 道路清扫保洁 street cleaning | 0.5 working hour | 2 working hours | local 立案结案标准 (CJ/T 315) |
| 绿地养护 greening upkeep | 4 working hours | 5 working days | local 立案结案标准 (CJ/T 315) |
| 水电气热 water, power, gas, heating | 2 hours | 24 hours | 12345 practice (Beijing) |
| ``"*"`` an ordinary 12345 demand | 24 hours | 7 days | 12345 practice (Beijing) |
| ``("*", EMERGENCY)`` life-threatening | 30 minutes | 2 hours | 12345 practice (Beijing) |

The resolution limits follow the cited practice; the response limits are illustrative choices of
this library. Working units need a :class:`~jiceng.calendar.WorkCalendar`.
"""

DEFAULT_ESCALATION: tuple[timedelta, ...] = (timedelta(0), timedelta(hours=24), timedelta(hours=72))
"""Lateness at which ``supervise`` may raise a task to 催办 (URGE), 督办 (SUPERVISE), 通报 (NOTIFY)."""
