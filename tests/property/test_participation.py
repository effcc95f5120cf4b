"""Property tests for jiceng.participation: selection, fulfilment and append-only ledgers."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from fractions import Fraction

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from jiceng.models import Commitment, CommitmentKind, Partner, PartnerKind
from jiceng.participation import (
    Background,
    CommitmentLedger,
    ContributionKind,
    CouncilMember,
    MediationCase,
    Proposal,
    ProposalRound,
    SageCouncil,
)

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 1, 1, tzinfo=CST)

amounts = st.one_of(
    st.integers(0, 60_000),
    st.integers(0, 600).map(lambda n: n * 100),
    st.floats(0, 60_000, allow_nan=False, allow_infinity=False),
)
scores = st.one_of(
    st.integers(0, 100), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1))
)


@st.composite
def rounds(draw: st.DrawFn, max_size: int = 12) -> tuple[ProposalRound, list[Proposal]]:
    ids = draw(
        st.lists(st.text("abcdefgh", min_size=1, max_size=3), unique=True, max_size=max_size)
    )
    proposals = [Proposal(i, f"提案{i}", draw(amounts), draw(scores)) for i in ids]
    budget = draw(st.one_of(st.integers(0, 200_000), st.floats(0, 200_000, allow_nan=False)))
    cap = draw(st.sampled_from([50_000, 30_000, 60_000]))
    return ProposalRound(budget=budget, max_award=cap), proposals


def _score(ps: tuple[Proposal, ...]) -> Fraction:
    return sum((Fraction(p.score) for p in ps), Fraction(0))


def _amount(ps: tuple[Proposal, ...]) -> Fraction:
    return sum((Fraction(p.amount) for p in ps), Fraction(0))


@given(rounds(max_size=40))
def test_selection_respects_budget_and_cap_and_accounts_for_everyone(
    case: tuple[ProposalRound, list[Proposal]],
) -> None:
    rnd, proposals = case
    sel = rnd.select(proposals)
    assert _amount(sel.awarded) <= Fraction(rnd.budget)
    assert all(Fraction(p.amount) <= Fraction(rnd.max_award) for p in sel.awarded)
    assert sel.total <= rnd.budget
    awarded = set(sel.awarded_ids)
    assert awarded.isdisjoint(sel.rejected)
    assert awarded | set(sel.rejected) == {p.id for p in proposals}
    assert sel.awarded_ids == tuple(p.id for p in proposals if p.id in awarded)  # input order
    for p in proposals:
        if p.amount > rnd.max_award:
            assert sel.rejected[p.id] == "超过单项上限"


@given(rounds(max_size=40))
def test_exact_selection_is_never_worse_than_greedy(
    case: tuple[ProposalRound, list[Proposal]],
) -> None:
    rnd, proposals = case
    best, greedy = rnd.select(proposals), rnd.greedy_select(proposals)
    assert _score(best.awarded) >= _score(greedy.awarded)
    assert _amount(greedy.awarded) <= Fraction(rnd.budget)


@given(rounds(max_size=9))
def test_exact_selection_equals_brute_force_including_ties(
    case: tuple[ProposalRound, list[Proposal]],
) -> None:
    rnd, proposals = case
    pool = [p for p in proposals if p.amount <= rnd.max_award and p.score > 0]
    best_key = None
    for r in range(len(pool) + 1):
        for combo in itertools.combinations(pool, r):
            if _amount(combo) > Fraction(rnd.budget):
                continue
            key = (-_score(combo), _amount(combo), tuple(sorted(p.id for p in combo)))
            if best_key is None or key < best_key:
                best_key = key
    assert best_key is not None
    sel = rnd.select(proposals)
    assert (-_score(sel.awarded), _amount(sel.awarded), tuple(sorted(sel.awarded_ids))) == best_key


def _cafe() -> Partner:
    return Partner(
        "咖啡馆",
        kind=PartnerKind.ENTERPRISE,
        commitments=[
            Commitment(kind=CommitmentKind.MEETINGS, amount=2, per=relativedelta(months=1)),
            Commitment(kind=CommitmentKind.JOBS, amount=3),
            Commitment(kind=CommitmentKind.SERVICE_HOURS, amount=7.5, per=relativedelta(weeks=1)),
            Commitment(kind=CommitmentKind.PROFIT_SHARE, amount=0.1, per=relativedelta(months=1)),
        ],
    )


deliveries = st.lists(
    st.tuples(
        st.sampled_from(list(CommitmentKind)),
        st.integers(0, 5),
        st.integers(0, 24 * 180),  # hours after T0
    ),
    max_size=25,
)
windows = st.tuples(st.integers(0, 24 * 150), st.integers(0, 24 * 120))


def _ledger(items: list[tuple[CommitmentKind, int, int]]) -> CommitmentLedger:
    ledger = CommitmentLedger()
    ledger.enrol(_cafe(), since=T0)
    ledger.report_profit("咖啡馆", 12_000, start=T0, end=T0 + relativedelta(months=3))
    for kind, amount, hours in items:
        ledger.deliver("咖啡馆", kind, amount, at=T0 + timedelta(hours=hours))
    return ledger


@given(deliveries, deliveries, windows)
def test_fulfilment_is_in_unit_interval_and_monotonic_in_deliveries(
    first: list[tuple[CommitmentKind, int, int]],
    more: list[tuple[CommitmentKind, int, int]],
    window: tuple[int, int],
) -> None:
    start = T0 + timedelta(hours=window[0])
    end = start + timedelta(hours=window[1])
    before = _ledger(first).fulfilment("咖啡馆", start=start, end=end)
    after = _ledger(first + more).fulfilment("咖啡馆", start=start, end=end)
    for a, b in zip(before, after, strict=True):
        assert 0.0 <= a.ratio <= 1.0
        assert 0.0 <= b.ratio <= 1.0
        assert b.delivered >= a.delivered
        assert b.ratio >= a.ratio
        assert b.due == a.due


operations = st.lists(
    st.one_of(
        st.tuples(st.just("deliver"), st.sampled_from(list(CommitmentKind)), st.integers(-2, 5)),
        st.tuples(
            st.just("contribute"), st.sampled_from(list(ContributionKind)), st.integers(-2, 9)
        ),
        st.tuples(st.just("correct"), st.integers(-1, 30), st.integers(-2, 5)),
    ),
    max_size=30,
)


@given(operations)
def test_the_ledger_never_loses_an_entry(ops: list[tuple[str, object, int]]) -> None:
    ledger = CommitmentLedger()
    ledger.enrol(_cafe(), since=T0)
    seen = ledger.entries
    for step, (op, what, amount) in enumerate(ops):
        at = T0 + timedelta(days=step)
        try:
            if op == "deliver":
                assert isinstance(what, CommitmentKind)
                ledger.deliver("咖啡馆", what, amount, at=at)
            elif op == "contribute":
                assert isinstance(what, ContributionKind)
                ledger.contribute("咖啡馆", what, amount, at=at)
            else:
                assert isinstance(what, int)
                ledger.correct(what, amount=amount, at=at, note="更正")
        except ValueError:
            assert ledger.entries == seen  # a failed call records nothing
            continue
        now = ledger.entries
        assert len(now) == len(seen) + 1
        assert now[: len(seen)] == seen  # everything earlier is still there, unchanged
        seen = now


@given(st.lists(st.tuples(st.sampled_from(["case", "pledge", "receive"]), st.integers(-5, 50))))
def test_the_council_record_never_loses_an_entry(ops: list[tuple[str, int]]) -> None:
    council = SageCouncil("理事会", members=[CouncilMember("林", background=Background.EDUCATOR)])
    seen = council.entries
    for step, (op, amount) in enumerate(ops):
        at = T0 + timedelta(days=step)
        try:
            if op == "case":
                council.record_case(MediationCase(f"M{amount}", opened=at, mediators=["林"]))
            elif op == "pledge":
                council.pledge("陈", amount, at=at)
            else:
                council.receive("陈", amount, at=at)
        except ValueError:
            assert council.entries == seen
            continue
        assert council.entries[: len(seen)] == seen
        assert len(council.entries) == len(seen) + 1
        seen = council.entries
