"""Property tests for jiceng.assessment: bounds, monotonicity, separability, order independence."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import attrs
from hypothesis import given
from hypothesis import strategies as st

from jiceng.assessment import (
    DEFAULT_CHECKLIST,
    AssessmentReport,
    Criterion,
    Evidence,
    GroupOutcome,
    InclusiveAssessment,
    Status,
    SystemProfile,
    Verdict,
)

ASSESSMENT = InclusiveAssessment()
IDS = [item.id for item in DEFAULT_CHECKLIST]
CRITERION_OF = {item.id: item.criterion for item in DEFAULT_CHECKLIST}
T0 = datetime(2026, 6, 1, tzinfo=timezone.utc)

statuses = st.sampled_from(list(Status))


@st.composite
def evidence_lists(draw: st.DrawFn) -> list[Evidence]:
    chosen = draw(st.lists(st.sampled_from(IDS), unique=True))
    out = []
    for item_id in chosen:
        expires = draw(st.none() | st.integers(-5, 5).map(lambda d: T0 + timedelta(days=d)))
        out.append(Evidence(item_id, draw(statuses), note=f"note {item_id}", expires=expires))
    return out


@st.composite
def outcome_maps(draw: st.DrawFn) -> dict[str, GroupOutcome]:
    names = draw(st.lists(st.sampled_from(["60+", "<60", "残障", "外来"]), unique=True, max_size=4))
    out = {}
    for name in names:
        attempts = draw(st.integers(0, 120))
        out[name] = GroupOutcome(successes=draw(st.integers(0, attempts)), attempts=attempts)
    return out


@st.composite
def profiles(draw: st.DrawFn) -> SystemProfile:
    return SystemProfile("系统", evidence=draw(evidence_lists()), outcomes=draw(outcome_maps()))


times = st.none() | st.just(T0)


def all_scores(report: AssessmentReport) -> list[float]:
    return [
        *report.scores.values(),
        *report.optimistic_scores.values(),
        report.overall,
        report.optimistic,
        report.coverage,
    ]


@given(profiles(), times)
def test_every_score_is_in_unit_interval(profile: SystemProfile, at: datetime | None) -> None:
    report = ASSESSMENT.assess(profile, at=at)
    assert all(0.0 <= s <= 1.0 for s in all_scores(report))
    for key, score in report.scores.items():
        assert score <= report.optimistic_scores[key]
    assert report.overall <= report.optimistic
    assert set(report.scores) <= {c.value for c in Criterion}
    if any(f.status is Status.FAIL and f.severity.rank == 0 for f in report.results):
        assert report.verdict is Verdict.FAIL


@given(profiles(), times, st.data())
def test_turning_a_fail_into_a_pass_never_lowers_a_score(
    profile: SystemProfile, at: datetime | None, data: st.DataObject
) -> None:
    fails = [i for i, e in enumerate(profile.evidence) if e.status is Status.FAIL]
    if not fails:
        fails_added = data.draw(st.sampled_from(IDS))
        evidence = [e for e in profile.evidence if e.item_id != fails_added]
        profile = attrs.evolve(profile, evidence=[*evidence, Evidence(fails_added, "fail")])
        fails = [len(profile.evidence) - 1]
    index = data.draw(st.sampled_from(fails))
    evidence = list(profile.evidence)
    evidence[index] = attrs.evolve(evidence[index], status=Status.PASS)
    before = ASSESSMENT.assess(profile, at=at)
    after = ASSESSMENT.assess(attrs.evolve(profile, evidence=evidence), at=at)
    assert set(before.scores) == set(after.scores)
    for key, score in before.scores.items():
        assert after.scores[key] >= score
        assert after.optimistic_scores[key] >= before.optimistic_scores[key]
    assert after.overall >= before.overall
    assert after.optimistic >= before.optimistic
    assert after.coverage == before.coverage


@given(profiles(), st.sampled_from(list(Criterion)), evidence_lists(), times)
def test_one_criterion_never_moves_another(
    profile: SystemProfile,
    criterion: Criterion,
    replacement: list[Evidence],
    at: datetime | None,
) -> None:
    keep = [e for e in profile.evidence if CRITERION_OF[e.item_id] is not criterion]
    mine = [e for e in replacement if CRITERION_OF[e.item_id] is criterion]
    changed = attrs.evolve(profile, evidence=[*keep, *mine])
    before = ASSESSMENT.assess(profile, at=at)
    after = ASSESSMENT.assess(changed, at=at)
    for other in Criterion:
        if other is criterion:
            continue
        assert before.scores.get(other.value) == after.scores.get(other.value)
        assert before.optimistic_scores.get(other.value) == after.optimistic_scores.get(other.value)


@given(profiles(), times, st.randoms(use_true_random=False))
def test_evidence_order_does_not_matter(
    profile: SystemProfile, at: datetime | None, rnd: random.Random
) -> None:
    shuffled = list(profile.evidence)
    rnd.shuffle(shuffled)
    outcomes = list(profile.outcomes.items())
    rnd.shuffle(outcomes)
    other = attrs.evolve(profile, evidence=shuffled, outcomes=dict(outcomes))
    assert ASSESSMENT.assess(profile, at=at) == ASSESSMENT.assess(other, at=at)
