"""Tests for jiceng.assessment: contract names, checklist, scoring, fairness, report and cases."""

from __future__ import annotations

import json
import math
import pickle
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import cattrs
import pytest

from jiceng.assessment import (
    DEFAULT_CHECKLIST,
    FAIRNESS_ITEM,
    AHPWeights,
    AssessmentReport,
    CheckItem,
    Criterion,
    Evidence,
    GroupOutcome,
    InclusiveAssessment,
    Severity,
    Status,
    Sustainability,
    SystemProfile,
    Verdict,
    ahp_weights,
    wilson_interval,
)
from jiceng.assessment._fairness import assess_fairness
from jiceng.assessment._model import FrozenMap
from jiceng.demos import assessment as demo
from jiceng.errors import ValidationError

UTC = timezone.utc
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
HOWTO = Path(__file__).resolve().parent.parent / "docs" / "howto" / "assess-a-system.md"


def item(
    item_id: str,
    criterion: str = "accessibility",
    severity: str = "major",
    recommendation: str = "",
) -> CheckItem:
    return CheckItem(
        id=item_id,
        criterion=criterion,
        severity=severity,
        requirement=f"要求 {item_id}",
        source="测试来源",
        recommendation=recommendation or f"整改 {item_id}",
        requirement_en=f"requirement {item_id}",
        recommendation_en=f"fix {item_id}",
    )


def profile(*evidence: Evidence, **outcomes: tuple[int, int]) -> SystemProfile:
    return SystemProfile(
        "测试系统",
        evidence=evidence,
        outcomes={g: GroupOutcome(successes=s, attempts=a) for g, (s, a) in outcomes.items()},
    )


def ev(item_id: str, status: str, note: str = "") -> Evidence:
    return Evidence(item_id, status, note=note)


# A small checklist with one item of each severity per criterion.
SMALL = tuple(
    item(f"{prefix}-{sev[:2].upper()}", crit, sev)
    for prefix, crit in (
        ("A", "accessibility"),
        ("U", "usability"),
        ("S", "security"),
        ("E", "equity"),
    )
    for sev in ("critical", "major", "minor")
)


def all_pass(*ids: str) -> tuple[Evidence, ...]:
    return tuple(ev(i.id, "pass") for i in SMALL if i.id not in ids)


# --- contract ------------------------------------------------------------------------------------


def test_public_names_and_enum_values() -> None:
    import jiceng.assessment as mod

    contract = {"AssessmentReport", "CheckItem", "Criterion", "DEFAULT_CHECKLIST", "Evidence",
                "GroupOutcome", "InclusiveAssessment", "Severity", "Status", "SystemProfile",
                "Verdict"}  # fmt: skip
    assert contract <= set(mod.__all__)
    assert all(hasattr(mod, name) for name in mod.__all__)
    assert [c.value for c in Criterion] == ["accessibility", "usability", "security", "equity"]
    assert [s.value for s in Severity] == ["critical", "major", "minor"]
    assert {s.name for s in Status} == {"PASS", "PARTIAL", "FAIL", "NOT_APPLICABLE", "UNKNOWN"}
    assert all(isinstance(s.value, str) for s in Status)
    assert [v.label for v in Verdict] == ["达标", "不达标", "证据不足"]
    assert [v.label_en for v in Verdict] == ["pass", "fail", "insufficient evidence"]
    assert [c.label for c in Criterion] == ["无障碍", "易用与适老", "安全与隐私", "公平可及"]
    assert Criterion.EQUITY.label_en == "Equity"
    assert [s.label for s in Severity] == ["严重", "主要", "次要"]
    assert [s.weight for s in Severity] == [10, 7, 3]
    assert [s.label_en for s in Severity] == ["critical", "major", "minor"]
    assert Status.NOT_APPLICABLE.label == "不适用"
    assert Status.PARTIAL.label_en == "partial"
    assert [s.value_score for s in Status] == [1.0, 0.5, 0.0, 0.0, 0.0]


def test_signatures_are_as_in_design() -> None:
    e = Evidence("EQU-01", Status.PASS)
    assert (e.note, e.source, e.expires) == ("", "", None)
    with pytest.raises(TypeError):
        Evidence("EQU-01", Status.PASS, "note")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        GroupOutcome(1, 2)  # type: ignore[call-arg]
    p = SystemProfile("x")
    assert p.evidence == () and dict(p.outcomes) == {} and p.sustainability is None
    a = InclusiveAssessment()
    assert a.checklist == DEFAULT_CHECKLIST and a.weights is None and a.min_sample == 30
    assert isinstance(a.assess(p), AssessmentReport)


def test_no_shared_mutable_default() -> None:
    a, b = SystemProfile("a"), SystemProfile("b")
    with pytest.raises(TypeError):
        a.outcomes["x"] = GroupOutcome(successes=1, attempts=1)  # type: ignore[index]
    source = {"g": GroupOutcome(successes=1, attempts=2)}
    c = SystemProfile("c", outcomes=source)
    source["h"] = GroupOutcome(successes=0, attempts=0)
    assert list(c.outcomes) == ["g"] and dict(b.outcomes) == {}


# --- the default checklist -----------------------------------------------------------------------


def test_default_checklist_shape() -> None:
    assert len(DEFAULT_CHECKLIST) >= 40
    ids = [i.id for i in DEFAULT_CHECKLIST]
    assert len(set(ids)) == len(ids)
    for criterion in Criterion:
        mine = [i for i in DEFAULT_CHECKLIST if i.criterion is criterion]
        assert len(mine) >= 5, criterion
    for i in DEFAULT_CHECKLIST:
        assert re.fullmatch(r"(ACC|USA|SEC|EQU)-\d\d", i.id)
        assert i.requirement and i.requirement_en and i.source
        assert i.recommendation and i.recommendation_en
        assert i.id.startswith(i.criterion.value[:3].upper())
    assert FAIRNESS_ITEM.id == "EQU-FAIRNESS" and FAIRNESS_ITEM.severity is Severity.MAJOR
    assert FAIRNESS_ITEM.criterion is Criterion.EQUITY


def test_default_checklist_cites_every_required_source() -> None:
    sources = " ".join(i.source for i in DEFAULT_CHECKLIST)
    for needle in (
        "WCAG 2.2 SC 2.5.8",
        "SC 3.2.6",
        "SC 3.3.8",
        "适老化",
        "GB/T 37668-2019",
        "个人信息保护法",
        "GB/T 35273",
        "人脸识别技术应用安全管理办法",
        "法释〔2021〕15号",
        "国办发〔2020〕45号",
    ):
        assert needle in sources, needle
    texts = " ".join(i.requirement for i in DEFAULT_CHECKLIST)
    for needle in ("18 dp", "60×60", "广告", "长辈版", "语音朗读", "人工服务", "单独同意"):
        assert needle in texts, needle


def test_critical_equity_items() -> None:
    critical = [
        i.requirement_en
        for i in DEFAULT_CHECKLIST
        if i.criterion is Criterion.EQUITY and i.severity is Severity.CRITICAL
    ]
    assert "A non-digital channel (counter, telephone, staff) serves every function." in critical
    assert any("Face recognition is never the only way in" in r for r in critical)
    assert any("outage" in r for r in critical)


# --- input validation ----------------------------------------------------------------------------


def test_evidence_validation() -> None:
    assert Evidence("X-01", "partial").status is Status.PARTIAL
    with pytest.raises(ValidationError, match="status"):
        Evidence("X-01", "great")
    with pytest.raises(ValidationError, match="item_id"):
        Evidence("  ", "pass")
    with pytest.raises(ValidationError, match="timezone-aware"):
        Evidence("X-01", "pass", expires=datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="timezone-aware"):
        Evidence("X-01", "pass", expires="2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="note"):
        Evidence("X-01", "pass", note=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("successes", "attempts"), [(5, 4), (-1, 4), (1, -4), (True, 4), (1.0, 4), (1, "4")]
)
def test_group_outcome_validation(successes: object, attempts: object) -> None:
    with pytest.raises(ValidationError):
        GroupOutcome(successes=successes, attempts=attempts)  # type: ignore[arg-type]


def test_group_outcome_rate() -> None:
    assert GroupOutcome(successes=0, attempts=0).rate is None
    assert GroupOutcome(successes=3, attempts=4).rate == 0.75


def test_check_item_validation() -> None:
    with pytest.raises(ValidationError, match="'ACC-01'"):
        item("acc 1")
    with pytest.raises(ValidationError, match="criterion"):
        item("X-01", criterion="beauty")
    with pytest.raises(ValidationError, match="severity"):
        item("X-01", severity="huge")
    with pytest.raises(ValidationError, match="requirement"):
        CheckItem(id="X-01", criterion="equity", severity="minor", requirement="", source="s",
                  recommendation="r")  # fmt: skip
    with pytest.raises(ValidationError, match="requirement_en"):
        CheckItem(id="X-01", criterion="equity", severity="minor", requirement="r", source="s",
                  recommendation="r", requirement_en=3)  # type: ignore[arg-type]  # fmt: skip


def test_profile_validation_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        SystemProfile(
            "p",
            evidence=[ev("A-01", "pass"), ev("A-01", "fail"), "nope"],  # type: ignore[list-item]
            outcomes={"": GroupOutcome(successes=1, attempts=1), "g": (1, 2)},  # type: ignore[dict-item]
            sustainability={"maintenance_staff": 0},  # type: ignore[arg-type]
        )
    problems = info.value.problems
    assert len(problems) == 5
    assert any("duplicate evidence" in p for p in problems)
    assert any("must be an Evidence" in p for p in problems)
    assert any("non-empty string" in p for p in problems)
    assert any("must be a GroupOutcome" in p for p in problems)
    assert any("Sustainability" in p for p in problems)


@pytest.mark.parametrize("bad", ["EQU-01", {"EQU-01": "pass"}])
def test_profile_evidence_must_be_iterable_of_evidence(bad: object) -> None:
    with pytest.raises(ValidationError, match="evidence"):
        SystemProfile("p", evidence=bad)  # type: ignore[arg-type]


def test_profile_outcomes_must_be_mapping() -> None:
    with pytest.raises(ValidationError, match="outcomes"):
        SystemProfile("p", outcomes=[("g", GroupOutcome(successes=1, attempts=1))])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="name"):
        SystemProfile("")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"maintenance_staff": -1},
        {"maintenance_staff": 1.5},
        {"data_age_days": -2},
        {"data_age_days": math.nan},
        {"usage_rate": 1.2},
        {"without_smartphone": True},
        {"usage_rate": "high"},
    ],
)
def test_sustainability_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Sustainability(**kwargs)  # type: ignore[arg-type]


def test_assessment_configuration_errors() -> None:
    with pytest.raises(ValidationError) as info:
        InclusiveAssessment(checklist=[item("A-01"), item("A-01"), "x", FAIRNESS_ITEM])  # type: ignore[list-item]
    assert len(info.value.problems) == 3
    with pytest.raises(ValidationError, match="at least one"):
        InclusiveAssessment(checklist=())
    with pytest.raises(ValidationError, match="checklist"):
        InclusiveAssessment(checklist="ACC-01")  # type: ignore[arg-type]
    for bad in (0, -3, True, 2.5):
        with pytest.raises(ValidationError, match="min_sample"):
            InclusiveAssessment(min_sample=bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="min_sample"):
        assess_fairness({}, min_sample=0)


def test_assess_errors() -> None:
    a = InclusiveAssessment()
    with pytest.raises(ValidationError) as info:
        a.assess(profile(ev("NOPE-01", "pass"), ev("ACC-01", "pass"), ev("ZZZ-9", "fail")))
    assert info.value.problems == (
        "evidence item_id='NOPE-01': not in the checklist",
        "evidence item_id='ZZZ-9': not in the checklist",
    )
    with pytest.raises(ValidationError, match="computed from outcomes"):
        a.assess(profile(ev("EQU-FAIRNESS", "pass")))
    with pytest.raises(ValidationError, match="timezone-aware"):
        a.assess(profile(), at=datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="profile"):
        a.assess("profile")  # type: ignore[arg-type]


# --- weights -------------------------------------------------------------------------------------


def test_weights_default_mapping_and_normalisation() -> None:
    assert dict(InclusiveAssessment().criterion_weights) == dict.fromkeys(Criterion, 0.25)
    mixed: dict[Criterion | str, float] = {
        "accessibility": 1,
        Criterion.USABILITY: 1,
        "security": 2,
        "equity": 4,
    }
    a = InclusiveAssessment(weights=mixed)
    assert a.criterion_weights[Criterion.EQUITY] == 0.5
    assert a.consistency_ratio is None
    assert isinstance(a.weights, Mapping)
    assert dict(a.weights) == {"accessibility": 1, "usability": 1, "security": 2, "equity": 4}


def test_weights_mapping_errors_are_collected() -> None:
    bad: dict[Criterion | str, float] = {
        "beauty": 1,
        "accessibility": -1,
        "usability": True,
    }
    with pytest.raises(ValidationError) as info:
        InclusiveAssessment(weights=bad)
    problems = info.value.problems
    assert any("unknown criterion" in p for p in problems)
    assert any("'usability'" in p for p in problems)
    assert any("missing security, equity" in p for p in problems)
    with pytest.raises(ValidationError, match="AHP matrix"):
        InclusiveAssessment(weights=5)  # type: ignore[arg-type]
    twice: dict[Criterion | str, float] = {"equity": 1, Criterion.EQUITY: 2}
    with pytest.raises(ValidationError, match="equity is given twice"):
        InclusiveAssessment(weights=twice)


def consistent_matrix(w: Sequence[float]) -> list[list[float]]:
    return [[a / b for b in w] for a in w]


def test_ahp_consistent_matrix_recovers_weights() -> None:
    w = (0.1, 0.2, 0.3, 0.4)
    result = ahp_weights(consistent_matrix(w))
    assert isinstance(result, AHPWeights)
    assert result.weights == pytest.approx(w, abs=1e-9)
    assert result.lambda_max == pytest.approx(4.0)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert result.consistent
    a = InclusiveAssessment(weights=consistent_matrix(w))
    assert [a.criterion_weights[c] for c in Criterion] == pytest.approx(w, abs=1e-9)
    assert a.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert isinstance(a.weights, tuple)


def test_ahp_saaty_example() -> None:
    # A slightly inconsistent but acceptable judgement matrix.
    m: list[list[float]] = [
        [1, 3, 5, 1],
        [1 / 3, 1, 2, 1 / 3],
        [1 / 5, 1 / 2, 1, 1 / 5],
        [1, 3, 5, 1],
    ]
    result = ahp_weights(m)
    assert sum(result.weights) == pytest.approx(1.0)
    assert 0 < result.consistency_ratio < 0.10
    assert result.weights[0] == pytest.approx(result.weights[3])
    # Independent check: λmax from the returned vector equals the mean of (A·w)_i / w_i.
    aw = [sum(a * w for a, w in zip(row, result.weights, strict=True)) for row in m]
    lam = sum(x / w for x, w in zip(aw, result.weights, strict=True)) / 4
    assert result.lambda_max == pytest.approx(lam)
    assert result.consistency_index == pytest.approx((lam - 4) / 3)
    assert result.consistency_ratio == pytest.approx((lam - 4) / 3 / 0.90)


def test_ahp_inconsistent_matrix_is_rejected() -> None:
    m: list[list[float]] = [
        [1, 9, 1 / 9, 1],
        [1 / 9, 1, 9, 1],
        [9, 1 / 9, 1, 1],
        [1, 1, 1, 1],
    ]
    assert ahp_weights(m).consistency_ratio >= 0.10
    with pytest.raises(ValidationError, match="consistency ratio"):
        InclusiveAssessment(weights=m)


def test_ahp_small_orders() -> None:
    assert ahp_weights([[1]]).weights == (1.0,)
    two = ahp_weights([[1, 4], [0.25, 1]])
    assert two.weights == pytest.approx((0.8, 0.2)) and two.consistency_ratio == 0.0


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([], "1 to 10 rows"),
        ([[1.0] * 11 for _ in range(11)], "1 to 10 rows"),
        ("abc", "sequence of rows"),
        ([[1, 2], [0.5]], "square"),
        ([[1, 2], "ab"], "square"),
        ([[1, 0], [0, 1]], "> 0"),
        ([[1, math.inf], [0.5, 1]], "> 0"),
        ([[2, 2], [0.5, 1]], "diagonal"),
        ([[1, 2], [2, 1]], "reciprocal"),
    ],
)
def test_ahp_bad_matrices(matrix: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ahp_weights(matrix)  # type: ignore[arg-type]


def test_ahp_matrix_must_match_criteria() -> None:
    with pytest.raises(ValidationError, match="4×4"):
        InclusiveAssessment(weights=consistent_matrix((1, 2, 3)))
    with pytest.raises(ValidationError, match="square"):
        InclusiveAssessment(weights=[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], 7])  # type: ignore[list-item]


# --- scoring -------------------------------------------------------------------------------------


def test_weighted_sum_arithmetic() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    r = a.assess(
        profile(
            *all_pass("A-CR", "A-MA", "A-MI"),
            ev("A-CR", "pass"),
            ev("A-MA", "partial"),
            ev("A-MI", "fail"),
        )
    )
    assert r.scores["accessibility"] == pytest.approx((10 + 3.5) / 20)
    acc = r.criteria[0]
    assert acc.criterion is Criterion.ACCESSIBILITY
    assert (acc.applicable_weight, acc.earned, acc.capped_by) == (20, 13.5, ())
    assert dict(acc.counts)["partial"] == 1
    assert "13.5" in acc.reason and "20" in acc.reason_en
    assert r.scores["usability"] == 1.0


def test_not_applicable_weighs_nothing_and_unknown_counts_zero() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    r = a.assess(
        profile(*all_pass("A-CR", "A-MA", "A-MI"), ev("A-CR", "pass"), ev("A-MA", "not_applicable"))
    )
    # A-MI has no evidence: unknown, 0 in the score, 1 in the optimistic bound.
    assert r.scores["accessibility"] == pytest.approx(10 / 13)
    assert r.optimistic_scores["accessibility"] == 1.0
    assert r.unknown == ("A-MI",)
    total = 20 * 3 + 13
    assert r.coverage == pytest.approx((total - 3) / total)
    assert r.criteria[0].coverage == pytest.approx(10 / 13)
    assert any(f.item_id == "A-MI" and f.status is Status.UNKNOWN for f in r.findings)
    assert r.advice[-1].items == ("A-MI",) and "补充" in r.recommendations[-1]


def test_explicit_unknown_evidence_counts_as_unknown() -> None:
    r = InclusiveAssessment(checklist=SMALL).assess(
        profile(*all_pass("E-MI"), ev("E-MI", "unknown"))
    )
    assert r.unknown == ("E-MI",)
    assert r.optimistic_scores["equity"] == 1.0


def test_failed_critical_caps_criterion_and_fails_verdict() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    r = a.assess(profile(*all_pass("S-CR"), ev("S-CR", "fail", note="无单独同意")))
    assert r.scores["security"] == 0.39  # (7 + 3) / 20 = 0.5, capped
    r = a.assess(profile(*all_pass("E-CR", "E-MA"), ev("E-CR", "fail"), ev("E-MA", "pass")))
    assert r.scores["equity"] == 0.39
    assert r.criteria[3].capped_by == ("E-CR",)
    assert r.verdict is Verdict.FAIL
    assert "E-CR" in r.verdict_reason and "veto" in r.verdict_reason_en
    # A partial critical item does not cap.
    r = a.assess(profile(*all_pass("E-CR"), ev("E-CR", "partial")))
    assert r.scores["equity"] == pytest.approx(15 / 20)
    assert r.criteria[3].capped_by == ()


def test_all_not_applicable_criterion_is_left_out() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    na = [ev(i, "not_applicable") for i in ("S-CR", "S-MA", "S-MI")]
    r = a.assess(profile(*all_pass("S-CR", "S-MA", "S-MI"), *na))
    assert "security" not in r.scores and "security" not in r.optimistic_scores
    sec = r.criteria[2]
    assert sec.score is None and sec.coverage is None and "不适用" in sec.reason
    assert r.overall == 1.0 and r.verdict is Verdict.PASS


def test_geometric_mean_with_weights() -> None:
    weights = {"accessibility": 1, "usability": 2, "security": 3, "equity": 4}
    a = InclusiveAssessment(checklist=SMALL, weights=weights)
    r = a.assess(
        profile(
            *all_pass("A-MA", "U-MI", "S-MA"),
            ev("A-MA", "partial"),
            ev("U-MI", "fail"),
            ev("S-MA", "fail"),
        )
    )
    s = r.scores
    expected = math.prod(s[c] ** (w / 10) for c, w in weights.items())
    assert r.overall == pytest.approx(expected, abs=1e-11)
    assert dict(r.weights) == pytest.approx({c: w / 10 for c, w in weights.items()})
    # A zero anywhere makes the overall zero.
    r = a.assess(
        profile(
            *all_pass("A-CR", "A-MA", "A-MI"), *(ev(i, "fail") for i in ("A-CR", "A-MA", "A-MI"))
        )
    )
    assert r.scores["accessibility"] == 0.0 and r.overall == 0.0


def test_verdict_order() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    # Failed critical wins over low coverage.
    r = a.assess(profile(ev("A-CR", "fail")))
    assert r.coverage < 0.6 and r.verdict is Verdict.FAIL
    # Low coverage, no critical failure.
    r = a.assess(profile(ev("A-CR", "pass")))
    assert r.verdict is Verdict.INSUFFICIENT_EVIDENCE
    assert "证据覆盖率" in r.verdict_reason and "evidence covers" in r.verdict_reason_en
    # Full coverage, high score.
    r = a.assess(profile(*all_pass()))
    assert r.verdict is Verdict.PASS and r.overall == 1.0
    assert "≥ 0.60" in r.verdict_reason and "≥ 0.60" in r.verdict_reason_en
    # Full coverage, low score.
    majors = [i.id for i in SMALL if i.severity is not Severity.CRITICAL]
    r = a.assess(profile(*all_pass(*majors), *(ev(i, "fail") for i in majors)))
    assert r.overall == pytest.approx(10 / 20)
    assert r.verdict is Verdict.FAIL and "低于及格线" in r.verdict_reason
    assert "below the pass line" in r.verdict_reason_en


def test_nothing_applicable_is_insufficient() -> None:
    a = InclusiveAssessment(checklist=[item("A-01")])
    r = a.assess(profile(ev("A-01", "not_applicable")))
    assert r.scores == {} and r.overall == 0.0 and r.coverage == 0.0
    assert r.verdict is Verdict.INSUFFICIENT_EVIDENCE
    assert "没有适用" in r.verdict_reason


def test_pass_line_is_inclusive() -> None:
    # One criterion at exactly 0.6 (3 majors... use weights 10 pass, 7+3 partial... ) -> 0.6 flat.
    a = InclusiveAssessment(
        checklist=[item("A-01", severity="critical"), item("A-02", severity="critical")]
    )
    r = a.assess(profile(ev("A-01", "pass"), ev("A-02", "partial")))
    assert r.overall == 0.75
    checklist = [item(f"A-0{i}", severity="minor") for i in range(1, 6)]
    a = InclusiveAssessment(checklist=checklist)
    r = a.assess(profile(*(ev(f"A-0{i}", "pass" if i <= 3 else "fail") for i in range(1, 6))))
    assert r.overall == 0.6 and r.verdict is Verdict.PASS


# --- expiry --------------------------------------------------------------------------------------


def test_expired_evidence_counts_as_unknown_only_when_at_is_given() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    stale = Evidence("A-MA", "pass", note="2024 年测评", expires=T0)
    p = profile(*all_pass("A-MA"), stale)
    r = a.assess(p)
    assert r.expired == () and r.unknown == () and not r.expiry_checked and r.at is None
    assert "未检查证据有效期" in r.render() and "expiry not checked" in r.render("en")
    r = a.assess(p, at=T0)  # valid up to and including the expiry instant
    assert r.expired == () and r.expiry_checked
    r = a.assess(p, at=T0 + timedelta(seconds=1))
    assert r.expired == ("A-MA",) and r.unknown == ("A-MA",)
    finding = next(f for f in r.findings if f.item_id == "A-MA")
    assert finding.status is Status.UNKNOWN and finding.expired
    assert "过期" in finding.why and "expired" in finding.why_en and "2024 年测评" in finding.why
    assert r.optimistic_scores["accessibility"] == 1.0
    assert r.scores["accessibility"] == pytest.approx(13 / 20)
    assert "已检查证据有效期" in r.render()
    assert "expiry checked" in r.render("en")
    # Another zone, same instant.
    east = timezone(timedelta(hours=8))
    assert a.assess(p, at=T0.astimezone(east)).expired == ()


# --- fairness ------------------------------------------------------------------------------------


def test_wilson_interval_known_values() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.27753, abs=1e-5)
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(0.72247, abs=1e-5) and high == 1.0
    low, high = wilson_interval(55, 100)
    assert (low, high) == pytest.approx((0.45245, 0.64385), abs=1e-5)
    with pytest.raises(ValidationError):
        wilson_interval(3, 2)


def test_fairness_fail_enters_equity() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    p = profile(*all_pass(), old=(55, 100), young=(95, 100))
    r = a.assess(p)
    f = r.fairness
    assert f.status is Status.FAIL and f.impact_ratio == pytest.approx(55 / 95)
    assert (f.lowest, f.highest) == ("old", "young")
    assert [g.group for g in f.groups] == ["old", "young"]
    assert "四五规则" in f.reason and "four-fifths" in f.reason_en and "不重叠" in f.reason
    assert r.scores["equity"] == pytest.approx(20 / 27)
    finding = next(x for x in r.findings if x.item_id == "EQU-FAIRNESS")
    assert finding.status is Status.FAIL and finding.severity is Severity.MAJOR
    assert "29 CFR 1607.4" in finding.source
    assert any("old" in rec and "成功率偏低" in rec for rec in r.recommendations)
    assert r.results[-1].item_id == "EQU-FAIRNESS"


def test_fairness_pass_and_overlapping_intervals() -> None:
    r = InclusiveAssessment(checklist=SMALL).assess(profile(*all_pass(), a=(40, 50), b=(45, 50)))
    assert r.fairness.status is Status.PASS
    assert r.fairness.impact_ratio == pytest.approx(40 / 45)
    assert "有重叠" in r.fairness.reason and "overlap" in r.fairness.reason_en
    assert r.scores["equity"] == 1.0


def test_fairness_not_applicable_reasons() -> None:
    none = assess_fairness({}, min_sample=30)
    assert none.status is Status.NOT_APPLICABLE and "未提供分组" in none.reason
    small = assess_fairness(
        {
            "a": GroupOutcome(successes=5, attempts=12),
            "b": GroupOutcome(successes=90, attempts=100),
        },
        min_sample=30,
    )
    assert small.status is Status.NOT_APPLICABLE and small.impact_ratio is None
    assert "a（12 次）" in small.reason and "a (12 attempts)" in small.reason_en
    assert "30" in small.reason
    one = assess_fairness({"a": GroupOutcome(successes=50, attempts=100)}, min_sample=30)
    assert one.status is Status.NOT_APPLICABLE and "样本不足" not in one.reason
    # With the same data and a lower min_sample the rule applies.
    ok = assess_fairness(
        {"a": GroupOutcome(successes=5, attempts=12), "b": GroupOutcome(successes=9, attempts=10)},
        min_sample=10,
    )
    assert ok.status is Status.FAIL


def test_fairness_not_applicable_leaves_equity_alone() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    base = a.assess(profile(*all_pass()))
    small = a.assess(profile(*all_pass(), a=(1, 10), b=(10, 10)))
    assert small.scores == base.scores
    assert small.results[-1].status is Status.NOT_APPLICABLE


def test_fairness_edge_rates() -> None:
    zero = assess_fairness(
        {"a": GroupOutcome(successes=0, attempts=40), "b": GroupOutcome(successes=0, attempts=40)},
        min_sample=30,
    )
    assert zero.impact_ratio == 1.0 and zero.status is Status.PASS
    tie = assess_fairness(
        {
            "b": GroupOutcome(successes=30, attempts=40),
            "a": GroupOutcome(successes=30, attempts=40),
        },
        min_sample=30,
    )
    assert (tie.lowest, tie.highest) == ("a", "a")
    empty = assess_fairness(
        {"a": GroupOutcome(successes=0, attempts=0), "b": GroupOutcome(successes=1, attempts=40)},
        min_sample=30,
    )
    assert empty.groups[0].rate is None and "—" in empty.groups[0].describe()
    exact = assess_fairness(
        {
            "a": GroupOutcome(successes=32, attempts=40),
            "b": GroupOutcome(successes=40, attempts=40),
        },
        min_sample=30,
    )
    assert exact.impact_ratio == 0.8 and exact.status is Status.PASS


# --- advice --------------------------------------------------------------------------------------


def test_seed_rule_equity_below_point_seven() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    low = a.assess(profile(*all_pass("E-MA"), ev("E-MA", "fail")))
    assert low.scores["equity"] == pytest.approx(13 / 20)
    assert "增加线下服务渠道" in low.recommendations
    assert "开发简易版界面" in low.recommendations
    assert "Add offline service channels" in low.recommendations_en
    assert "Build a simplified interface" in low.recommendations_en
    seed = next(x for x in low.advice if x.text == "增加线下服务渠道")
    assert "0.65" in seed.reason and "0.7" in seed.reason_en
    high = a.assess(profile(*all_pass("E-MI"), ev("E-MI", "fail")))
    assert high.scores["equity"] == pytest.approx(17 / 20)
    assert "增加线下服务渠道" not in high.recommendations


def test_recommendations_are_ordered_by_severity_and_merged() -> None:
    checklist = [
        item("A-01", severity="minor"),
        item("A-02", severity="major", recommendation="同一整改"),
        item("U-01", "usability", "major", recommendation="同一整改"),
        item("S-01", "security", "critical"),
        item("E-01", "equity", "minor"),
    ]
    r = InclusiveAssessment(checklist=checklist).assess(
        profile(
            ev("A-01", "fail"),
            ev("A-02", "partial"),
            ev("U-01", "fail"),
            ev("S-01", "fail"),
            ev("E-01", "pass"),
        )
    )
    ranks = [x.severity.rank for x in r.advice]
    assert ranks == sorted(ranks)
    assert r.advice[0].items == ("S-01",)
    merged = next(x for x in r.advice if x.text == "同一整改")
    assert set(merged.items) == {"A-02", "U-01"} and "；" in merged.reason
    assert r.recommendations.count("同一整改") == 1
    assert len(r.recommendations) == len(r.recommendations_en) == len(r.advice)
    # Findings: most severe first, FAIL before PARTIAL within a severity.
    assert [f.item_id for f in r.findings] == ["S-01", "U-01", "A-02", "A-01"]


def test_english_falls_back_to_chinese() -> None:
    bare = CheckItem(id="A-01", criterion="accessibility", severity="major",
                     requirement="中文要求", source="s", recommendation="中文整改")  # fmt: skip
    r = InclusiveAssessment(checklist=[bare]).assess(profile(ev("A-01", "fail")))
    assert r.recommendations_en == ("中文整改",)
    assert "中文要求" in r.findings[0].why_en
    r = InclusiveAssessment(checklist=[bare]).assess(profile())
    assert "中文要求" in r.findings[0].why_en and "no evidence" in r.findings[0].why_en


# --- diagnostics ---------------------------------------------------------------------------------


def test_diagnostics_are_reported_never_scored() -> None:
    a = InclusiveAssessment(checklist=SMALL)
    bare = profile(*all_pass("E-MA"), ev("E-MA", "partial"))
    signals = Sustainability(
        maintenance_staff=0, data_age_days=400, usage_rate=0.05, without_smartphone=0.4
    )
    with_signals = attrs.evolve(bare, sustainability=signals)
    r0, r1 = a.assess(bare), a.assess(with_signals)
    assert r0.diagnostics == ()
    assert (r0.scores, r0.overall, r0.verdict, r0.advice) == (
        r1.scores,
        r1.overall,
        r1.verdict,
        r1.advice,
    )
    assert [d.key for d in r1.diagnostics] == [
        "maintenance_staff",
        "data_age_days",
        "usage_rate",
        "without_smartphone",
    ]
    assert all(d.flagged for d in r1.diagnostics)
    assert "不要设使用量指标" in r1.diagnostics[2].note
    fine = Sustainability(
        maintenance_staff=3, data_age_days=5, usage_rate=0.5, without_smartphone=0.02
    )
    r2 = a.assess(attrs.evolve(bare, sustainability=fine))
    assert not any(d.flagged for d in r2.diagnostics)
    assert r2.diagnostics[0].note == "运维人员 3 人"
    partial = a.assess(attrs.evolve(bare, sustainability=Sustainability(usage_rate=0.1)))
    assert [d.key for d in partial.diagnostics] == ["usage_rate"]
    assert "未提供" in r0.render() and "none given" in r0.render("en")


# --- report --------------------------------------------------------------------------------------


def test_render_languages() -> None:
    r = InclusiveAssessment(checklist=SMALL).assess(profile(*all_pass()))
    zh, en = r.render(), r.render("en")
    assert zh.startswith("包容性数字评估：测试系统") and "结论：达标" in zh
    assert en.startswith("Inclusive digital assessment: 测试系统") and "Verdict: pass" in en
    assert "问题与发现（0 项）" in zh and "  - 无" in zh
    assert "Findings (0)" in en and "  - none" in en
    with pytest.raises(ValidationError, match="lang"):
        r.render("fr")


def test_report_serializes_and_pickles() -> None:
    r = InclusiveAssessment().assess(demo.smart_door_profile(), at=T0)
    converter = cattrs.Converter()
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))
    data = converter.unstructure(r)
    json.dumps(data, ensure_ascii=False)
    assert data["verdict"] == "fail" and data["scores"]["equity"] <= 0.39
    assert data["results"][0]["status"] in {s.value for s in Status}
    assert converter.structure(data, AssessmentReport) == r
    assert pickle.loads(pickle.dumps(r)) == r
    p = demo.smart_door_profile()
    assert converter.structure(converter.unstructure(p), SystemProfile) == p
    assert pickle.loads(pickle.dumps(p)) == p
    assert hash(r) == hash(pickle.loads(pickle.dumps(r)))


def test_frozen_map() -> None:
    m: FrozenMap[str, int] = FrozenMap({"a": 1})
    assert m == {"a": 1} and repr(m) == "{'a': 1}" and hash(m) == hash(FrozenMap([("a", 1)]))
    with pytest.raises(AttributeError):
        m._data = {}


# --- the three cases -----------------------------------------------------------------------------


def test_smart_door() -> None:
    r = InclusiveAssessment().assess(demo.smart_door_profile())
    assert r.scores["equity"] <= 0.39
    assert r.verdict is Verdict.FAIL
    assert r.fairness.status is Status.FAIL
    assert r.fairness.impact_ratio == pytest.approx(55 / 95)
    failed = {f.item_id for f in r.findings if f.status is Status.FAIL}
    assert {"EQU-02", "EQU-03", "ACC-11", "EQU-FAIRNESS"} <= failed
    recs = " ".join(r.recommendations)
    assert "非生物识别的替代方式" in recs
    assert "故障兜底方案" in recs
    assert "增加线下服务渠道" in r.recommendations and "开发简易版界面" in r.recommendations
    en = " ".join(r.recommendations_en)
    assert "non-biometric alternative" in en and "outage fallback" in en


def test_zombie_platform() -> None:
    r = InclusiveAssessment().assess(demo.zombie_platform_profile())
    assert r.verdict is Verdict.FAIL
    by_id = {f.item_id: f for f in r.findings}
    assert by_id["EQU-01"].status is Status.FAIL  # the offline-channel failure
    assert by_id["USA-11"].status is Status.FAIL  # no maintenance owner
    assert by_id["USA-12"].status is Status.FAIL  # stale data
    assert by_id["EQU-08"].status is Status.FAIL  # 40% without smartphones, never surveyed
    flagged = {d.key for d in r.diagnostics if d.flagged}
    assert flagged == {"maintenance_staff", "data_age_days", "usage_rate", "without_smartphone"}
    assert r.fairness.status is Status.NOT_APPLICABLE
    assert "增加线下服务渠道" in r.recommendations


def test_well_built_passes() -> None:
    r = InclusiveAssessment().assess(demo.well_built_profile())
    assert r.verdict is Verdict.PASS
    assert r.fairness.status is Status.PASS
    assert r.coverage == 1.0 and r.overall >= 0.9
    assert "增加线下服务渠道" not in r.recommendations


def test_demo_run_is_the_smart_door_in_chinese() -> None:
    text = demo.run()
    assert text.startswith("包容性数字评估：某小区智能门禁")
    assert "不达标" in text and "四五规则" in text and "增加线下服务渠道" in text


def test_case_data_is_plain() -> None:
    blob = json.dumps([demo.SMART_DOOR, demo.ZOMBIE_PLATFORM, demo.WELL_BUILT], ensure_ascii=False)
    assert "EQU-02" in blob
    ids = {i.id for i in DEFAULT_CHECKLIST}
    for case in (demo.SMART_DOOR, demo.ZOMBIE_PLATFORM, demo.WELL_BUILT):
        assert {row[0] for row in case["evidence"]} == ids


# --- cross-check ---------------------------------------------------------------------------------

CREDIT = {"pass": 1.0, "partial": 0.5, "fail": 0.0, "unknown": 0.0}
WEIGHT = {"critical": 10, "major": 7, "minor": 3}


def independent_scores(
    checklist: Sequence[CheckItem],
    evidence: Mapping[str, str],
    extra: Sequence[tuple[str, str, str]],
) -> dict[str, float]:
    """Recompute the weighted sums from plain strings, without the library's helpers."""
    rows = [(i.criterion.value, i.severity.value, evidence.get(i.id, "unknown")) for i in checklist]
    rows += list(extra)
    out: dict[str, float] = {}
    for criterion in ("accessibility", "usability", "security", "equity"):
        mine = [(sev, st) for c, sev, st in rows if c == criterion and st != "not_applicable"]
        if not mine:
            continue
        total = sum(WEIGHT[sev] for sev, _ in mine)
        score = sum(WEIGHT[sev] * CREDIT[st] for sev, st in mine) / total
        if any(sev == "critical" and st == "fail" for sev, st in mine):
            score = min(score, 0.39)
        out[criterion] = score
    return out


@pytest.mark.parametrize(
    "build", [demo.smart_door_profile, demo.zombie_platform_profile, demo.well_built_profile]
)
def test_cross_check_weighted_sums(build: object) -> None:
    assert callable(build)
    p = build()
    assert isinstance(p, SystemProfile)
    r = InclusiveAssessment().assess(p)
    evidence = {e.item_id: e.status.value for e in p.evidence}
    extra = []
    if r.fairness.status is not Status.NOT_APPLICABLE:
        extra.append(("equity", "major", r.fairness.status.value))
    expected = independent_scores(DEFAULT_CHECKLIST, evidence, extra)
    assert dict(r.scores) == pytest.approx(expected, abs=1e-12)
    mean = math.prod(v ** (1 / len(expected)) for v in expected.values())
    assert r.overall == pytest.approx(mean, abs=1e-9)


# --- the how-to's checklist table ----------------------------------------------------------------


def test_howto_table_lists_exactly_the_default_checklist() -> None:
    text = HOWTO.read_text(encoding="utf-8")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if re.match(r"\|\s*(ACC|USA|SEC|EQU)-\d\d\s*\|", line)
    ]
    assert [row[0] for row in rows] == [i.id for i in DEFAULT_CHECKLIST]
    for row, it in zip(rows, DEFAULT_CHECKLIST, strict=True):
        assert row[1] == it.criterion.value
        assert row[2] == it.severity.value
        assert row[3] == it.requirement
        assert row[4] == it.source


def test_round_trip_through_jiceng_serialization() -> None:
    from jiceng.serialization import from_dict, to_dict

    report = InclusiveAssessment().assess(demo.smart_door_profile(), at=T0)
    data = to_dict(report)
    json.dumps(data, ensure_ascii=False)
    assert data["verdict"] == "fail" and data["at"] == T0.isoformat()
    assert from_dict(AssessmentReport, data) == report
    p = demo.zombie_platform_profile()
    assert from_dict(SystemProfile, to_dict(p)) == p
    mixed: dict[Criterion | str, float] = {
        Criterion.ACCESSIBILITY: 1,
        "usability": 1,
        "security": 1,
        "equity": 2,
    }
    for weights in (mixed, consistent_matrix((1, 1, 1, 2))):
        a = InclusiveAssessment(weights=weights, checklist=DEFAULT_CHECKLIST[:3])
        assert from_dict(InclusiveAssessment, to_dict(a)) == a
