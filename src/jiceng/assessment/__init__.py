"""Inclusive digital assessment (包容性数字评估): evidence-based scoring with vetoes and fairness.

A city describes a system as a `SystemProfile`: `Evidence` for checklist items, a `GroupOutcome`
per user group and optional `Sustainability` signals. `InclusiveAssessment.assess` turns it
into an `AssessmentReport` in which every point traces back to an item, its source and a piece of
evidence. See DESIGN.md §7 and ``docs/howto/assess-a-system.md``.

>>> from jiceng.assessment import Evidence, GroupOutcome, InclusiveAssessment, SystemProfile
>>> door = SystemProfile(
...     "智能门禁",
...     evidence=[Evidence("EQU-02", "fail", note="只能刷脸进门")],
...     outcomes={
...         "60岁以上": GroupOutcome(successes=55, attempts=100),
...         "其他": GroupOutcome(successes=95, attempts=100),
...     },
... )
>>> report = InclusiveAssessment().assess(door)
>>> report.verdict.label, report.fairness.status.value
('不达标', 'fail')
>>> "增加线下服务渠道" in report.recommendations
True
"""

from __future__ import annotations

from jiceng.assessment._checklist import DEFAULT_CHECKLIST, FAIRNESS_ITEM
from jiceng.assessment._fairness import Fairness, GroupRate, wilson_interval
from jiceng.assessment._model import (
    CheckItem,
    Criterion,
    Evidence,
    GroupOutcome,
    Severity,
    Status,
    Sustainability,
    SystemProfile,
)
from jiceng.assessment._report import (
    AssessmentReport,
    CriterionScore,
    Diagnostic,
    Finding,
    Recommendation,
    Verdict,
)
from jiceng.assessment._scoring import InclusiveAssessment
from jiceng.assessment._weights import AHPWeights, ahp_weights

__all__ = [
    "DEFAULT_CHECKLIST",
    "FAIRNESS_ITEM",
    "AHPWeights",
    "AssessmentReport",
    "CheckItem",
    "Criterion",
    "CriterionScore",
    "Diagnostic",
    "Evidence",
    "Fairness",
    "Finding",
    "GroupOutcome",
    "GroupRate",
    "InclusiveAssessment",
    "Recommendation",
    "Severity",
    "Status",
    "Sustainability",
    "SystemProfile",
    "Verdict",
    "ahp_weights",
    "wilson_interval",
]
