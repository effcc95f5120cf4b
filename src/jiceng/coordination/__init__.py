"""Coordination (协同): lead resolution, the whistle (吹哨报到) and performance evaluation (考核).

- :class:`LeadResolver` names the lead department (牵头) of a cross-department matter and its
  cooperators (配合), following the responsibility list (权责清单), then territory (属地) and a
  coordinator for overlaps (多头), then the first receiver (首接负责), the street office and the
  coordinator for gaps (责任真空). Every :class:`Resolution` says why, in Chinese and English.
- :class:`Whistle` models Beijing's 街乡吹哨、部门报到: a street office summons departments, which
  must sign (签收) and report (报到) on the clock of the whistle's :class:`WhistleLevel`, and rate
  the street in turn (双考核).
- :func:`evaluate` ranks departments (or grids, or categories) by the three rates (三率) over
  valid callbacks (有效回访) and a weighted composite; each :class:`Scorecard` shows its working.

>>> from jiceng.models import Duty, ResponsibilityList
>>> rl = ResponsibilityList([Duty("占道经营", "城管局"), Duty("占道经营", "市场监管局")])
>>> r = LeadResolver(rl, coordinator="区城管委").resolve("占道经营", ["市场监管局", "城管局"])
>>> r.lead, r.rule.label, r.contested
('区城管委', '协调指定', True)
"""

from __future__ import annotations

from jiceng.coordination._evaluation import (
    EvaluationWeights,
    Scorecard,
    ThirdPartyResult,
    evaluate,
    scorecards,
)
from jiceng.coordination._lead import LeadResolver, LeadRule, Resolution
from jiceng.coordination._whistle import (
    DEFAULT_CLOCKS,
    Attendance,
    DepartmentOutcome,
    Punctuality,
    Whistle,
    WhistleClock,
    WhistleEvent,
    WhistleLevel,
    WhistleOutcome,
)

__all__ = [
    "DEFAULT_CLOCKS",
    "Attendance",
    "DepartmentOutcome",
    "EvaluationWeights",
    "LeadResolver",
    "LeadRule",
    "Punctuality",
    "Resolution",
    "Scorecard",
    "ThirdPartyResult",
    "Whistle",
    "WhistleClock",
    "WhistleEvent",
    "WhistleLevel",
    "WhistleOutcome",
    "evaluate",
    "scorecards",
]


def __dir__() -> list[str]:
    return list(__all__)
