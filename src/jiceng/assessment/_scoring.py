"""The scorer: evidence → item statuses → criterion scores → verdict, advice and diagnostics."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import cast

import attrs
from attrs import field, frozen

from jiceng.assessment._checklist import DEFAULT_CHECKLIST, FAIRNESS_ITEM, FAIRNESS_ITEM_ID
from jiceng.assessment._fairness import Fairness, assess_fairness
from jiceng.assessment._model import (
    CheckItem,
    Criterion,
    Evidence,
    FrozenMap,
    Severity,
    Status,
    Sustainability,
    SystemProfile,
    is_aware,
    is_int,
    is_sequence,
)
from jiceng.assessment._report import (
    AssessmentReport,
    CriterionScore,
    Diagnostic,
    Finding,
    Recommendation,
    Verdict,
)
from jiceng.assessment._weights import CriterionWeights, resolve_weights
from jiceng.errors import ValidationError

__all__ = [
    "CRITICAL_CAP",
    "EQUITY_ALERT",
    "MIN_COVERAGE",
    "PASS_LINE",
    "InclusiveAssessment",
]

CRITICAL_CAP = 0.39
"""A failed CRITICAL item caps its criterion at this score."""
MIN_COVERAGE = 0.6
"""Below this evidence coverage the verdict is INSUFFICIENT_EVIDENCE (证据不足)."""
PASS_LINE = 0.6
"""The overall pass line (the MIIT 适老化 evaluation passes at 60/100)."""
EQUITY_ALERT = 0.7
"""The seed's rule: equity below this adds "增加线下服务渠道" and "开发简易版界面"."""

OFFLINE = ("增加线下服务渠道", "Add offline service channels")
SIMPLE = ("开发简易版界面", "Build a simplified interface")

# Prompts for the sustainability diagnostics. They flag a figure for a human to look into; they
# are not pass lines and never touch a score.
STALE_DAYS = 90
LOW_USAGE = 0.2
MANY_WITHOUT_PHONE = 0.1


def _to_checklist(value: Iterable[CheckItem]) -> tuple[CheckItem, ...]:
    if isinstance(value, (str, bytes, Mapping)):
        raise ValidationError.for_field("checklist", value, "must be an iterable of CheckItem")
    return tuple(value)


def _freeze_weights(value: CriterionWeights | None) -> CriterionWeights | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        # Keys are stored as criterion values, so the weights round-trip through plain data.
        canonical: dict[object, float] = {}
        for key, weight in value.items():
            name = key.value if isinstance(key, Criterion) else key
            if name in canonical:
                raise ValidationError.for_field("weights", key, f"{name} is given twice")
            canonical[name] = weight
        return cast("CriterionWeights", FrozenMap(canonical))
    if is_sequence(value):
        # Bad rows are kept as they are, for resolve_weights() to report.
        rows = tuple(tuple(row) if is_sequence(row) else row for row in value)
        return cast("CriterionWeights", rows)
    raise ValidationError.for_field(
        "weights", value, "must be None, a mapping criterion → weight, or an AHP matrix"
    )


def _positive_int(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not is_int(value) or value < 1:
        raise ValidationError.for_field(attribute.name, value, "must be an integer ≥ 1")


@frozen
class InclusiveAssessment:
    """An evidence-based inclusive digital assessment (包容性数字评估).

    Every point traces back to a checklist item, its source and a piece of evidence:

    - Items weigh critical 10, major 7, minor 3. PASS earns 1, PARTIAL 0.5, FAIL and UNKNOWN 0;
      NOT_APPLICABLE weighs 0. An item without evidence, or with evidence past ``expires``, is
      UNKNOWN. Unknowns are listed separately and also counted as 1 in an optimistic bound.
    - A criterion's score is the weighted mean of its items, capped at 0.39 when a CRITICAL item
      failed. A criterion whose items are all N/A is left out.
    - The overall score is the weighted geometric mean of the criteria, so strong security cannot
      hide poor equity (a zero anywhere makes it zero).
    - Verdict, in order: a failed CRITICAL item → FAIL; coverage < 0.6 → INSUFFICIENT_EVIDENCE
      (证据不足); overall ≥ 0.6 → PASS, else FAIL.
    - Group outcomes feed a computed MAJOR equity item, ``EQU-FAIRNESS``, once at least two groups
      each have ``min_sample`` attempts: PASS when the impact ratio is at least 0.8 (四五规则,
      the four-fifths rule), FAIL below.
    - Sustainability signals (maintenance staff, data age, usage, smartphone access) go to a
      separate ``diagnostics`` section and never change a score: made into targets they would be
      gamed (Goodhart's law), and China's rules against "指尖上的形式主义" forbid usage quotas. What
      is scored is the practice behind them, through MAJOR items (USA-11 maintenance owner, USA-12
      data updates, EQU-08 planning for residents without smartphones) marked with evidence.

    Args:
        checklist: The items to assess (default `DEFAULT_CHECKLIST`); ids must be unique and must
            not be ``"EQU-FAIRNESS"``.
        weights: Criterion weights: None for equal weights; a mapping criterion (or its value) →
            weight > 0 for every criterion; or a 4×4 AHP pairwise matrix in `Criterion` order whose
            consistency ratio is below 0.10. Weights are normalised to sum to 1.
        min_sample: Attempts a group needs before it counts for fairness (default 30).

    Raises:
        ValidationError: A bad checklist, weights or ``min_sample`` (checklist problems are listed
            all at once).

    >>> from jiceng.assessment import Evidence, SystemProfile
    >>> profile = SystemProfile("门禁", evidence=[Evidence("EQU-02", "fail", note="只能刷脸")])
    >>> report = InclusiveAssessment().assess(profile)
    >>> report.verdict.label, report.scores["equity"]
    ('不达标', 0.0)
    """

    checklist: tuple[CheckItem, ...] = field(
        default=DEFAULT_CHECKLIST, kw_only=True, converter=_to_checklist
    )
    weights: CriterionWeights | None = field(default=None, kw_only=True, converter=_freeze_weights)
    min_sample: int = field(default=30, kw_only=True, validator=_positive_int)
    _criterion_weights: FrozenMap[Criterion, float] = field(init=False, repr=False, eq=False)
    _consistency_ratio: float | None = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        problems: list[str] = []
        seen: set[str] = set()
        for index, item in enumerate(self.checklist):
            if not isinstance(item, CheckItem):
                problems.append(f"checklist[{index}]={item!r}: must be a CheckItem")
            elif item.id == FAIRNESS_ITEM_ID:
                problems.append(
                    f"checklist[{index}].id={item.id!r}: reserved for the computed fairness item"
                )
            elif item.id in seen:
                problems.append(f"checklist[{index}].id={item.id!r}: duplicate id")
            else:
                seen.add(item.id)
        if not self.checklist:
            problems.append("checklist=(): must hold at least one item")
        if problems:
            raise ValidationError.collect(problems, what="checklist")
        weights, ratio = resolve_weights(self.weights)
        object.__setattr__(self, "_criterion_weights", weights)
        object.__setattr__(self, "_consistency_ratio", ratio)

    @property
    def criterion_weights(self) -> Mapping[Criterion, float]:
        """The normalised criterion weights in use (summing to 1)."""
        return self._criterion_weights

    @property
    def consistency_ratio(self) -> float | None:
        """The AHP consistency ratio when ``weights`` is a matrix, else None."""
        return self._consistency_ratio

    def assess(self, profile: SystemProfile, *, at: datetime | None = None) -> AssessmentReport:
        """Score a system profile.

        Args:
            profile: The `SystemProfile` to assess.
            at: The assessment time (timezone-aware). Evidence expiry is checked only when it is
                given: the library never reads the clock. The report records whether it was.

        Returns:
            An `AssessmentReport`. It does not depend on the order of the profile's evidence.

        Raises:
            ValidationError: A naive ``at``, or evidence naming items that are not in the
                checklist (all such ids are listed).
        """
        if not isinstance(profile, SystemProfile):
            raise ValidationError.for_field("profile", profile, "must be a SystemProfile")
        if at is not None and not is_aware(at):
            raise ValidationError.for_field("at", at, "must be a timezone-aware datetime or None")
        by_id = {piece.item_id: piece for piece in profile.evidence}
        known = {item.id for item in self.checklist}
        strangers = sorted(set(by_id) - known)
        if strangers:
            raise ValidationError.collect(
                (
                    f"evidence item_id={sid!r}: "
                    + (
                        "computed from outcomes; give group outcomes instead of evidence"
                        if sid == FAIRNESS_ITEM_ID
                        else "not in the checklist"
                    )
                    for sid in strangers
                ),
                what=f"evidence for {profile.name!r}",
            )
        fairness = assess_fairness(profile.outcomes, min_sample=self.min_sample)
        results = tuple(_judge(item, by_id.get(item.id), at) for item in self.checklist)
        results += (_fairness_finding(fairness),)
        return _report(self, profile, results, fairness, at)


# --- items ---------------------------------------------------------------------------------------


def _judge(item: CheckItem, evidence: Evidence | None, at: datetime | None) -> Finding:
    requirement_en = item.requirement_en or item.requirement
    if evidence is None:
        return Finding(
            item.id,
            Status.UNKNOWN,
            f"{item.requirement} —— 没有证据，按未知计（得 0 分，乐观上界计 1 分）。",
            why_en=f"{requirement_en} — no evidence; counted as unknown (0, or 1 in the "
            "optimistic bound).",
            criterion=item.criterion,
            severity=item.severity,
            source=item.source,
        )
    seen_zh = f"证据：{evidence.note}" if evidence.note else f"证据判定为{evidence.status.label}"
    seen_en = (
        f"evidence: {evidence.note}"
        if evidence.note
        else f"evidence says {evidence.status.label_en}"
    )
    if evidence.source:
        seen_zh += f"（来源：{evidence.source}）"
        seen_en += f" (source: {evidence.source})"
    expired = evidence.is_expired(at)
    status = evidence.status
    if expired:
        when = evidence.expires.isoformat() if evidence.expires else ""
        seen_zh = f"证据已于 {when} 过期，按未知计；原{seen_zh}"
        seen_en = f"evidence expired at {when}, counted as unknown; it said: {seen_en}"
        status = Status.UNKNOWN
    return Finding(
        item.id,
        status,
        f"{item.requirement} —— {seen_zh}",
        why_en=f"{requirement_en} — {seen_en}",
        criterion=item.criterion,
        severity=item.severity,
        source=item.source,
        note=evidence.note,
        evidence_source=evidence.source,
        expired=expired,
    )


def _fairness_finding(fairness: Fairness) -> Finding:
    return Finding(
        FAIRNESS_ITEM_ID,
        fairness.status,
        fairness.reason,
        why_en=fairness.reason_en,
        criterion=FAIRNESS_ITEM.criterion,
        severity=FAIRNESS_ITEM.severity,
        source=FAIRNESS_ITEM.source,
    )


# --- criteria and the overall score --------------------------------------------------------------


def _criterion(criterion: Criterion, results: Sequence[Finding], weight: float) -> CriterionScore:
    mine = [r for r in results if r.criterion is criterion]
    counts = {s.value: sum(1 for r in mine if r.status is s) for s in Status}
    applicable = [r for r in mine if r.status is not Status.NOT_APPLICABLE]
    total = sum(r.weight for r in applicable)
    tally_zh = (
        f"通过 {counts['pass']}、部分 {counts['partial']}、不通过 {counts['fail']}、"
        f"未知 {counts['unknown']}、不适用 {counts['not_applicable']}"
    )
    tally_en = (
        f"pass {counts['pass']}, partial {counts['partial']}, fail {counts['fail']}, "
        f"unknown {counts['unknown']}, n/a {counts['not_applicable']}"
    )
    if not applicable:
        return CriterionScore(
            criterion,
            score=None,
            optimistic=None,
            coverage=None,
            weight=weight,
            applicable_weight=0,
            earned=0.0,
            counts=counts,
            reason=f"{criterion.label}：全部不适用，不计入总分（{tally_zh}）",
            reason_en=f"{criterion.label_en}: every item is not applicable, so it is left out "
            f"({tally_en})",
        )
    earned = sum(r.weight * r.status.value_score for r in applicable)
    best = sum(
        r.weight * (1.0 if r.status is Status.UNKNOWN else r.status.value_score) for r in applicable
    )
    known = sum(r.weight for r in applicable if r.status.is_known)
    score = earned / total
    optimistic = best / total
    capped_by = tuple(
        r.item_id for r in applicable if r.severity is Severity.CRITICAL and r.status is Status.FAIL
    )
    cap_zh = cap_en = ""
    if capped_by:
        score = min(score, CRITICAL_CAP)
        optimistic = min(optimistic, CRITICAL_CAP)
        ids = "、".join(capped_by)
        cap_zh = f"；严重项 {ids} 不通过，封顶 {CRITICAL_CAP}"
        cap_en = f"; critical {', '.join(capped_by)} failed, capped at {CRITICAL_CAP}"
    coverage = known / total
    return CriterionScore(
        criterion,
        score=score,
        optimistic=optimistic,
        coverage=coverage,
        weight=weight,
        applicable_weight=total,
        earned=earned,
        capped_by=capped_by,
        counts=counts,
        reason=(
            f"{criterion.label} {score:.2f} = 得分 {earned:g} ÷ 适用权重 {total}（{tally_zh}）"
            f"{cap_zh}；乐观上界 {optimistic:.2f}，覆盖率 {coverage:.0%}"
        ),
        reason_en=(
            f"{criterion.label_en} {score:.2f} = earned {earned:g} / applicable weight {total} "
            f"({tally_en}){cap_en}; optimistic {optimistic:.2f}, coverage {coverage:.0%}"
        ),
    )


def _geometric_mean(values: Sequence[tuple[float, float]]) -> float:
    """Weighted geometric mean of (value, weight) pairs; 0 if any value is 0, 0 if empty."""
    total = sum(w for _, w in values)
    if not values or any(v <= 0 for v, _ in values):
        return 0.0
    mean = math.exp(sum(w * math.log(v) for v, w in values) / total)
    # Round away float noise (a mean of equal values must equal them) and keep it in [0, 1].
    return min(1.0, max(0.0, round(mean, 12)))


# --- the report ----------------------------------------------------------------------------------


def _report(
    assessment: InclusiveAssessment,
    profile: SystemProfile,
    results: tuple[Finding, ...],
    fairness: Fairness,
    at: datetime | None,
) -> AssessmentReport:
    weights = assessment.criterion_weights
    criteria = tuple(_criterion(c, results, weights[c]) for c in Criterion)
    included = [c for c in criteria if c.score is not None and c.optimistic is not None]
    scores = {c.criterion.value: c.score for c in included if c.score is not None}
    optimistic_scores = {
        c.criterion.value: c.optimistic for c in included if c.optimistic is not None
    }
    overall = _geometric_mean([(scores[c.criterion.value], c.weight) for c in included])
    optimistic = _geometric_mean(
        [(optimistic_scores[c.criterion.value], c.weight) for c in included]
    )
    applicable = [r for r in results if r.status is not Status.NOT_APPLICABLE]
    total = sum(r.weight for r in applicable)
    coverage = sum(r.weight for r in applicable if r.status.is_known) / total if total else 0.0
    failed_critical = tuple(
        r.item_id for r in results if r.severity is Severity.CRITICAL and r.status is Status.FAIL
    )
    verdict, why_zh, why_en = _verdict(failed_critical, coverage, overall, total)
    order = {c: i for i, c in enumerate(Criterion)}
    findings = tuple(
        sorted(
            (r for r in results if r.status in (Status.FAIL, Status.PARTIAL, Status.UNKNOWN)),
            key=lambda r: (r.severity.rank, _STATUS_RANK[r.status], order[r.criterion], r.item_id),
        )
    )
    advice = _advice(assessment, findings, fairness, scores.get(Criterion.EQUITY.value), coverage)
    return AssessmentReport(
        system=profile.name,
        verdict=verdict,
        verdict_reason=why_zh,
        verdict_reason_en=why_en,
        scores=scores,
        optimistic_scores=optimistic_scores,
        overall=overall,
        optimistic=optimistic,
        coverage=coverage,
        criteria=criteria,
        weights={c.value: w for c, w in weights.items()},
        results=results,
        findings=findings,
        unknown=tuple(r.item_id for r in results if r.status is Status.UNKNOWN),
        expired=tuple(r.item_id for r in results if r.expired),
        recommendations=tuple(a.text for a in advice),
        recommendations_en=tuple(a.text_en for a in advice),
        advice=advice,
        fairness=fairness,
        diagnostics=_diagnostics(profile.sustainability),
        at=at,
        expiry_checked=at is not None,
    )


_STATUS_RANK = {Status.FAIL: 0, Status.PARTIAL: 1, Status.UNKNOWN: 2}


def _verdict(
    failed_critical: tuple[str, ...], coverage: float, overall: float, total: int
) -> tuple[Verdict, str, str]:
    if failed_critical:
        ids = "、".join(failed_critical)
        return (
            Verdict.FAIL,
            f"严重项不通过（一票否决）：{ids}",
            f"critical item(s) failed (veto): {', '.join(failed_critical)}",
        )
    if coverage < MIN_COVERAGE:
        if not total:
            return (
                Verdict.INSUFFICIENT_EVIDENCE,
                "没有适用的检查项，无法评定",
                "no applicable item, so no grade can be given",
            )
        return (
            Verdict.INSUFFICIENT_EVIDENCE,
            f"证据覆盖率 {coverage:.0%} 低于 {MIN_COVERAGE:.0%}，不评等级，请先补充证据",
            f"evidence covers {coverage:.0%} of the applicable weight, below "
            f"{MIN_COVERAGE:.0%}; no grade until more evidence is gathered",
        )
    if overall >= PASS_LINE:
        return (
            Verdict.PASS,
            f"总分 {overall:.2f} ≥ {PASS_LINE:.2f}，无严重项不通过，证据覆盖率 {coverage:.0%}",
            f"overall {overall:.2f} ≥ {PASS_LINE:.2f}, no critical failure, evidence coverage "
            f"{coverage:.0%}",
        )
    return (
        Verdict.FAIL,
        f"总分 {overall:.2f} 低于及格线 {PASS_LINE:.2f}",
        f"overall {overall:.2f} is below the pass line {PASS_LINE:.2f}",
    )


def _advice(
    assessment: InclusiveAssessment,
    findings: tuple[Finding, ...],
    fairness: Fairness,
    equity: float | None,
    coverage: float,
) -> tuple[Recommendation, ...]:
    items = {item.id: item for item in assessment.checklist}
    advice: list[Recommendation] = []
    by_text: dict[str, int] = {}
    for f in findings:
        if f.status is Status.UNKNOWN:
            continue
        if f.item_id == FAIRNESS_ITEM_ID:
            advice.append(_fairness_advice(fairness))
            continue
        item = items[f.item_id]
        reason = f"{f.item_id} {f.status.label}：{item.requirement}"
        reason_en = f"{f.item_id} {f.status.label_en}: {item.requirement_en or item.requirement}"
        if item.recommendation in by_text:
            i = by_text[item.recommendation]
            old = advice[i]
            advice[i] = attrs.evolve(
                old,
                items=(*old.items, f.item_id),
                reason=f"{old.reason}；{reason}",
                reason_en=f"{old.reason_en}; {reason_en}",
            )
            continue
        by_text[item.recommendation] = len(advice)
        advice.append(
            Recommendation(
                item.recommendation,
                text_en=item.recommendation_en or item.recommendation,
                severity=item.severity,
                items=(f.item_id,),
                reason=reason,
                reason_en=reason_en,
            )
        )
    if equity is not None and equity < EQUITY_ALERT:
        for zh, en in (OFFLINE, SIMPLE):
            advice.append(
                Recommendation(
                    zh,
                    text_en=en,
                    severity=Severity.MAJOR,
                    reason=f"公平可及得分 {equity:.2f} 低于 {EQUITY_ALERT}",
                    reason_en=f"equity score {equity:.2f} is below {EQUITY_ALERT}",
                )
            )
    unknown = [f for f in findings if f.status is Status.UNKNOWN]
    if unknown:
        ids = tuple(f.item_id for f in unknown)
        worst = min((f.severity for f in unknown), key=lambda s: s.rank)
        advice.append(
            Recommendation(
                f"补充或更新证据：{'、'.join(ids)}",
                text_en=f"Gather or renew evidence for: {', '.join(ids)}",
                severity=worst,
                items=ids,
                reason=f"{len(ids)} 项没有有效证据，按 0 分计；当前证据覆盖率 {coverage:.0%}",
                reason_en=f"{len(ids)} item(s) lack valid evidence and score 0; evidence "
                f"coverage is {coverage:.0%}",
            )
        )
    return tuple(sorted(advice, key=lambda a: a.severity.rank))


def _fairness_advice(fairness: Fairness) -> Recommendation:
    low = fairness.lowest
    return Recommendation(
        f"查明“{low}”群体成功率偏低的原因，为其提供替代途径并复测",
        text_en=f"Find out why the {low!r} group succeeds less often, give it another way "
        f"through, and measure again",
        severity=FAIRNESS_ITEM.severity,
        items=(FAIRNESS_ITEM_ID,),
        reason=fairness.reason,
        reason_en=fairness.reason_en,
    )


# --- diagnostics ---------------------------------------------------------------------------------


def _diagnostics(signals: Sustainability | None) -> tuple[Diagnostic, ...]:
    if signals is None:
        return ()
    found: list[Diagnostic] = []
    if signals.maintenance_staff is not None:
        n = signals.maintenance_staff
        flagged = n == 0
        found.append(
            Diagnostic(
                "maintenance_staff",
                value=n,
                flagged=flagged,
                note=f"运维人员 {n} 人"
                + ("：无人维护，系统可能已成“僵尸”，请核对 USA-11" if flagged else ""),
                note_en=f"maintenance staff: {n}"
                + (
                    "; nobody maintains it, it may be a zombie system: check USA-11"
                    if flagged
                    else ""
                ),
            )
        )
    if signals.data_age_days is not None:
        days = signals.data_age_days
        flagged = days > STALE_DAYS
        found.append(
            Diagnostic(
                "data_age_days",
                value=days,
                flagged=flagged,
                note=f"数据距上次更新 {days:g} 天"
                + (f"（超过 {STALE_DAYS} 天）：数据可能已陈旧，请核对 USA-12" if flagged else ""),
                note_en=f"data last updated {days:g} days ago"
                + (f" (over {STALE_DAYS}): it may be stale, check USA-12" if flagged else ""),
            )
        )
    if signals.usage_rate is not None:
        rate = signals.usage_rate
        flagged = rate < LOW_USAGE
        found.append(
            Diagnostic(
                "usage_rate",
                value=rate,
                flagged=flagged,
                note=f"使用率 {rate:.0%}"
                + (
                    "：使用者很少，请向居民了解原因（不需要、不会用还是用不上），不要设使用量指标"
                    if flagged
                    else ""
                ),
                note_en=f"usage {rate:.0%}"
                + (
                    "; few people use it: ask residents why (not needed, too hard, or out of reach) "
                    "rather than setting usage quotas"
                    if flagged
                    else ""
                ),
            )
        )
    if signals.without_smartphone is not None:
        share = signals.without_smartphone
        flagged = share >= MANY_WITHOUT_PHONE
        found.append(
            Diagnostic(
                "without_smartphone",
                value=share,
                flagged=flagged,
                note=f"无智能手机的目标用户占 {share:.0%}"
                + ("：他们必须有线下办理途径，请核对 EQU-01、EQU-04" if flagged else ""),
                note_en=f"{share:.0%} of intended users have no smartphone"
                + ("; they need an offline route: check EQU-01 and EQU-04" if flagged else ""),
            )
        )
    return tuple(found)
