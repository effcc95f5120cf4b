"""The assessment report: findings, per-criterion scores, advice, diagnostics, and its rendering."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

from attrs import field, frozen

from jiceng.assessment._fairness import Fairness
from jiceng.assessment._model import Criterion, FrozenMap, Severity, Status
from jiceng.errors import ValidationError

__all__ = [
    "AssessmentReport",
    "CriterionScore",
    "Diagnostic",
    "Finding",
    "Recommendation",
    "Verdict",
]


class Verdict(enum.Enum):
    """The verdict: PASS 达标, FAIL 不达标, INSUFFICIENT_EVIDENCE 证据不足."""

    PASS = "pass"
    FAIL = "fail"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"

    @property
    def label(self) -> str:
        """The Chinese name: 达标, 不达标, 证据不足."""
        return {"pass": "达标", "fail": "不达标", "insufficient_evidence": "证据不足"}[self.value]

    @property
    def label_en(self) -> str:
        """The English name."""
        return self.value.replace("_", " ")


def _to_frozen_map(value: Mapping[str, float]) -> FrozenMap[str, float]:
    return FrozenMap(value)


def _to_counts(value: Mapping[str, int]) -> FrozenMap[str, int]:
    return FrozenMap(value)


@frozen
class Finding:
    """What the assessment concluded about one item, traceable to its source and evidence.

    Attributes:
        item_id: The checklist item's id (``"EQU-FAIRNESS"`` for the computed fairness item).
        status: The status that counted (UNKNOWN when evidence was missing or expired).
        why: A readable reason in Chinese: the requirement and what the evidence showed.
        why_en: The same in English.
        criterion: The item's criterion.
        severity: The item's severity.
        source: The standard the item comes from.
        note: The evidence's note ("" when there was none).
        evidence_source: Where the evidence came from ("" when there was none).
        expired: Whether the evidence had expired at the assessment time.
    """

    item_id: str
    status: Status
    why: str
    why_en: str = field(kw_only=True)
    criterion: Criterion = field(kw_only=True)
    severity: Severity = field(kw_only=True)
    source: str = field(kw_only=True)
    note: str = field(kw_only=True, default="")
    evidence_source: str = field(kw_only=True, default="")
    expired: bool = field(kw_only=True, default=False)

    @property
    def weight(self) -> int:
        """The item's weight in its criterion: 0 when not applicable, else by severity."""
        return 0 if self.status is Status.NOT_APPLICABLE else self.severity.weight


@frozen
class CriterionScore:
    """One criterion's score, with the arithmetic behind it.

    Attributes:
        criterion: The criterion.
        score: Weighted mean of item credits (PASS 1, PARTIAL 0.5, else 0), capped at 0.39 when a
            CRITICAL item failed; None when every item is not applicable (then it is left out).
        optimistic: The same with UNKNOWN items counted as PASS (an upper bound).
        coverage: Share of the criterion's applicable weight backed by known evidence.
        weight: The criterion's normalised weight in the overall geometric mean.
        applicable_weight: Sum of the applicable items' weights.
        earned: Sum of weight × credit.
        capped_by: Ids of failed CRITICAL items that capped the score.
        counts: Status value → number of items.
        reason: The arithmetic in Chinese.
        reason_en: The arithmetic in English.
    """

    criterion: Criterion
    score: float | None = field(kw_only=True)
    optimistic: float | None = field(kw_only=True)
    coverage: float | None = field(kw_only=True)
    weight: float = field(kw_only=True)
    applicable_weight: int = field(kw_only=True)
    earned: float = field(kw_only=True)
    capped_by: tuple[str, ...] = field(kw_only=True, default=())
    counts: Mapping[str, int] = field(kw_only=True, factory=FrozenMap, converter=_to_counts)
    reason: str = field(kw_only=True)
    reason_en: str = field(kw_only=True)


@frozen
class Recommendation:
    """One piece of advice, with the items and the reason behind it.

    Attributes:
        text: The advice in Chinese.
        text_en: The advice in English.
        severity: The most severe item behind it (advice is ordered by this).
        items: The item ids it addresses (empty for the seed's equity rule).
        reason: Why, in Chinese.
        reason_en: Why, in English.
    """

    text: str
    text_en: str = field(kw_only=True)
    severity: Severity = field(kw_only=True)
    items: tuple[str, ...] = field(kw_only=True, default=())
    reason: str = field(kw_only=True)
    reason_en: str = field(kw_only=True)


@frozen
class Diagnostic:
    """A sustainability signal (可持续性诊断): reported for people to look into, never scored.

    Attributes:
        key: ``"maintenance_staff"``, ``"data_age_days"``, ``"usage_rate"`` or
            ``"without_smartphone"``.
        value: The figure given.
        flagged: Whether the figure is worth a closer look (a prompt, not a pass line).
        note: What to look into, in Chinese.
        note_en: The same in English.
    """

    key: str
    value: float = field(kw_only=True)
    flagged: bool = field(kw_only=True)
    note: str = field(kw_only=True)
    note_en: str = field(kw_only=True)


@frozen
class AssessmentReport:
    """The result of `InclusiveAssessment.assess`: scores, verdict, findings, advice and reasons.

    Attributes:
        system: The assessed system's name.
        verdict: The `Verdict`.
        verdict_reason: Why, in Chinese.
        verdict_reason_en: Why, in English.
        scores: Criterion value → score in [0, 1]; all-N/A criteria are left out.
        optimistic_scores: The same with unknown evidence counted as PASS.
        overall: The weighted geometric mean of ``scores``.
        optimistic: The weighted geometric mean of ``optimistic_scores`` (an upper bound).
        coverage: Share of applicable weight backed by known (PASS/PARTIAL/FAIL) evidence.
        criteria: Per-criterion detail and arithmetic, in `Criterion` order.
        weights: Criterion value → normalised criterion weight used.
        results: Every item's outcome, in checklist order, then ``EQU-FAIRNESS``.
        findings: The items that need attention (FAIL, PARTIAL, UNKNOWN), most severe first.
        unknown: Ids of applicable items without valid evidence (missing or expired).
        expired: Ids of items whose evidence had expired at ``at``.
        recommendations: The advice in Chinese, most severe first.
        recommendations_en: The same advice in English, in the same order.
        advice: The advice with the items and reasons behind each piece.
        fairness: The group-fairness result.
        diagnostics: Sustainability signals (never scored).
        at: The assessment time, or None when none was given.
        expiry_checked: Whether evidence expiry was checked (only when ``at`` was given).
    """

    system: str = field(kw_only=True)
    verdict: Verdict = field(kw_only=True)
    verdict_reason: str = field(kw_only=True)
    verdict_reason_en: str = field(kw_only=True)
    scores: Mapping[str, float] = field(kw_only=True, converter=_to_frozen_map)
    optimistic_scores: Mapping[str, float] = field(kw_only=True, converter=_to_frozen_map)
    overall: float = field(kw_only=True)
    optimistic: float = field(kw_only=True)
    coverage: float = field(kw_only=True)
    criteria: tuple[CriterionScore, ...] = field(kw_only=True)
    weights: Mapping[str, float] = field(kw_only=True, converter=_to_frozen_map)
    results: tuple[Finding, ...] = field(kw_only=True)
    findings: tuple[Finding, ...] = field(kw_only=True)
    unknown: tuple[str, ...] = field(kw_only=True)
    expired: tuple[str, ...] = field(kw_only=True)
    recommendations: tuple[str, ...] = field(kw_only=True)
    recommendations_en: tuple[str, ...] = field(kw_only=True)
    advice: tuple[Recommendation, ...] = field(kw_only=True)
    fairness: Fairness = field(kw_only=True)
    diagnostics: tuple[Diagnostic, ...] = field(kw_only=True)
    at: datetime | None = field(kw_only=True, default=None)
    expiry_checked: bool = field(kw_only=True, default=False)

    def render(self, lang: str = "zh") -> str:
        """The report as readable text, in Chinese (``"zh"``) or English (``"en"``).

        Raises:
            ValidationError: Any other ``lang``.
        """
        if lang == "zh":
            return _render_zh(self)
        if lang == "en":
            return _render_en(self)
        raise ValidationError.for_field("lang", lang, "must be 'zh' or 'en'")


def _render_zh(r: AssessmentReport) -> str:
    lines = [
        f"包容性数字评估：{r.system}",
        f"结论：{r.verdict.label}（{r.verdict.value}）—— {r.verdict_reason}",
        f"总分 {r.overall:.2f}（乐观上界 {r.optimistic:.2f}），证据覆盖率 {r.coverage:.0%}",
    ]
    if r.expiry_checked and r.at is not None:
        lines.append(f"评估时间：{r.at.isoformat()}（已检查证据有效期）")
    else:
        lines.append("评估时间：未给出（未检查证据有效期）")
    lines.append("")
    lines.append("各维度得分：")
    lines.extend(f"  - {c.reason}" for c in r.criteria)
    lines.append("")
    lines.append("群体公平：")
    lines.extend(f"  - {g.describe()}" for g in r.fairness.groups)
    lines.append(f"  {r.fairness.reason}")
    lines.append("")
    lines.append("可持续性诊断（仅供核查，不计分、不作考核指标）：")
    if r.diagnostics:
        for d in r.diagnostics:
            mark = "⚠ " if d.flagged else ""
            lines.append(f"  - {mark}{d.note}")
    else:
        lines.append("  - 未提供")
    lines.append("")
    lines.append(f"问题与发现（{len(r.findings)} 项）：")
    for f in r.findings:
        lines.append(f"  - [{f.severity.label}] {f.item_id} {f.status.label}：{f.why}")
        lines.append(f"    依据：{f.source}")
    if not r.findings:
        lines.append("  - 无")
    lines.append("")
    lines.append("建议（按严重程度）：")
    for i, a in enumerate(r.advice, 1):
        lines.append(f"  {i}. [{a.severity.label}] {a.text}（原因：{a.reason}）")
    if not r.advice:
        lines.append("  - 无")
    return "\n".join(lines)


def _render_en(r: AssessmentReport) -> str:
    lines = [
        f"Inclusive digital assessment: {r.system}",
        f"Verdict: {r.verdict.label_en} — {r.verdict_reason_en}",
        f"Overall {r.overall:.2f} (optimistic bound {r.optimistic:.2f}), "
        f"evidence coverage {r.coverage:.0%}",
    ]
    if r.expiry_checked and r.at is not None:
        lines.append(f"Assessed at: {r.at.isoformat()} (evidence expiry checked)")
    else:
        lines.append("Assessed at: not given (evidence expiry not checked)")
    lines.append("")
    lines.append("Scores by criterion:")
    lines.extend(f"  - {c.reason_en}" for c in r.criteria)
    lines.append("")
    lines.append("Group fairness:")
    lines.extend(f"  - {g.describe('en')}" for g in r.fairness.groups)
    lines.append(f"  {r.fairness.reason_en}")
    lines.append("")
    lines.append("Sustainability diagnostics (for review only; never scored, never a target):")
    if r.diagnostics:
        for d in r.diagnostics:
            mark = "(!) " if d.flagged else ""
            lines.append(f"  - {mark}{d.note_en}")
    else:
        lines.append("  - none given")
    lines.append("")
    lines.append(f"Findings ({len(r.findings)}):")
    for f in r.findings:
        lines.append(f"  - [{f.severity.label_en}] {f.item_id} {f.status.label_en}: {f.why_en}")
        lines.append(f"    Source: {f.source}")
    if not r.findings:
        lines.append("  - none")
    lines.append("")
    lines.append("Recommendations (most severe first):")
    for i, a in enumerate(r.advice, 1):
        lines.append(f"  {i}. [{a.severity.label_en}] {a.text_en} (because: {a.reason_en})")
    if not r.advice:
        lines.append("  - none")
    return "\n".join(lines)
