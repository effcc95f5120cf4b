"""Tests for jiceng.participation: ledger, proposal rounds, deliberation, sage councils."""

from __future__ import annotations

import copy
import pickle
import runpy
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from jiceng.demos import participation as demo
from jiceng.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from jiceng.models import Actor, Commitment, CommitmentKind, Partner, PartnerKind, Task, TaskStatus
from jiceng.participation import (
    AgeBand,
    Background,
    CaseUpdate,
    Cause,
    CommitmentLedger,
    ContributionKind,
    Correction,
    CouncilMember,
    ImplementationStatus,
    ImplementationTracker,
    MediationCase,
    MediationOutcome,
    Meeting,
    Opinion,
    ParticipationThresholds,
    Proposal,
    ProposalRound,
    Reason,
    SageCouncil,
    SlotKind,
    TimeSlot,
    diagnose,
    participation_rate,
    record_mediation_on_task,
    top_categories,
)
from jiceng.participation._common import check_aware, check_number, check_text, fmt, pct

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 1, 1, tzinfo=CST)
MONTH = relativedelta(months=1)
ROOT = Path(__file__).resolve().parents[1]


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=CST)


# Reasons and checks ---------------------------------------------------------------------------


def test_reason_is_its_chinese_text_with_english_available() -> None:
    r = Reason("超过单项上限", "over the cap", code="over_cap", detail="申请 6 元")
    assert r == "超过单项上限"
    assert "上限" in r
    assert r.zh == "超过单项上限"
    assert r.text("en") == "over the cap"
    assert r.text() == "超过单项上限（申请 6 元）"
    assert Reason("只有中文").en == "只有中文"
    for clone in (pickle.loads(pickle.dumps(r)), copy.deepcopy(r), copy.copy(r)):
        assert (clone, clone.en, clone.code, clone.detail) == (r, r.en, r.code, r.detail)


def test_checks_name_the_field_and_value() -> None:
    with pytest.raises(ValidationError, match="start") as info:
        check_aware("start", datetime(2024, 1, 1))
    assert info.value.field == "start"
    with pytest.raises(ValidationError, match="datetime"):
        check_aware("start", "2024-01-01")
    with pytest.raises(ValidationError, match="string"):
        check_text("title", 3)
    with pytest.raises(ValidationError, match="empty"):
        check_text("title", "  ")
    with pytest.raises(ValidationError, match="number"):
        check_number("amount", True)
    with pytest.raises(ValidationError, match="number"):
        check_number("amount", "5")
    with pytest.raises(ValidationError, match="finite"):
        check_number("amount", float("nan"))
    with pytest.raises(ValidationError, match="negative") as info:
        check_number("amount", -1)
    assert (info.value.field, info.value.value) == ("amount", -1)
    with pytest.raises(ValidationError, match="≥ 1"):
        check_number("top_n", 0, minimum=1)
    with pytest.raises(ValidationError, match="whole"):
        check_number("meetings", 1.5, integer=True)
    assert fmt(1234) == "1,234"
    assert fmt(12.5) == "12.50"
    assert pct(0.8333) == "83.3%"


# Proposal rounds -------------------------------------------------------------------------------


def P(pid: str, amount: float, score: float, **kw: str) -> Proposal:  # noqa: N802 - a short factory
    return Proposal(pid, f"提案{pid}", amount, score, **kw)


def test_proposal_validation() -> None:
    with pytest.raises(ValidationError, match="amount"):
        P("a", -1, 5)
    with pytest.raises(ValidationError, match="score"):
        P("a", 1, -5)
    with pytest.raises(ValidationError, match="id"):
        Proposal("", "t", 1, 1)
    with pytest.raises(ValidationError, match="proposer"):
        Proposal("a", "t", 1, 1, proposer=3)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="budget"):
        ProposalRound(budget=-1)
    with pytest.raises(ValidationError, match="max_award"):
        ProposalRound(budget=1, max_award=-1)
    with pytest.raises(ValidationError, match="eligibility"):
        ProposalRound(budget=1, eligibility="yes")  # type: ignore[arg-type]


def test_greedy_is_wrong_and_the_exact_selection_is_not() -> None:
    rnd = ProposalRound(budget=100_000)
    ps = [P("p1", 50_000, 90), P("p2", 45_000, 62), P("p3", 40_000, 60), P("p4", 10_000, 20)]
    greedy = rnd.greedy_select(ps)
    best = rnd.select(ps)
    assert greedy.awarded_ids == ("p1", "p2")
    assert greedy.score == 152
    assert greedy.remaining == 5_000
    assert best.awarded_ids == ("p1", "p3", "p4")
    assert (best.score, best.total, best.method) == (170, 100_000, "optimal")
    assert best.rejected == {"p2": "未入选最优组合"}
    assert greedy.rejected["p3"].code == "not_selected"


def test_every_rejection_has_a_reason() -> None:
    rnd = ProposalRound(
        budget=60_000,
        eligibility=lambda p: "非公共事务" if p.category == "商业" else None,
    )
    ps = [
        P("cap", 60_000, 99),
        P("biz", 10_000, 90, category="商业"),
        P("flag", 10_000, 90),
        P("zero", 1_000, 0),
        P("ok", 50_000, 80),
        P("lost", 20_000, 10),
    ]
    sel = rnd.select(ps, ineligible={"flag": "重复申报"})
    assert sel.awarded_ids == ("ok",)
    codes = {pid: why.code for pid, why in sel.rejected.items()}
    assert codes == {
        "cap": "over_cap",
        "biz": "ineligible",
        "flag": "ineligible",
        "zero": "zero_score",
        "lost": "not_selected",
    }
    assert list(sel.rejected) == ["cap", "biz", "flag", "zero", "lost"]  # input order
    assert sel.rejected["cap"] == "超过单项上限"
    assert "60,000" in sel.rejected["cap"].en
    assert sel.rejected["flag"].detail == "重复申报"
    small = ProposalRound(budget=30_000).select([P("big", 40_000, 5)])
    assert small.rejected["big"].code == "over_budget"
    assert small.rejected["big"] == "超出预算"


def test_select_validates_its_input() -> None:
    rnd = ProposalRound(budget=10)
    with pytest.raises(ValidationError, match="duplicate") as info:
        rnd.select([P("a", 1, 1), P("a", 2, 2)])
    assert info.value.value == "a"
    with pytest.raises(ValidationError, match="Proposal"):
        rnd.select(["a"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="names no proposal"):
        rnd.select([P("a", 1, 1)], ineligible={"b": "x"})
    with pytest.raises(ValidationError, match="empty"):
        rnd.select([P("a", 1, 1)], ineligible={"a": ""})


def test_ties_go_to_the_lower_amount_then_the_smaller_sorted_ids() -> None:
    rnd = ProposalRound(budget=100)
    cheaper = rnd.select([P("a", 60, 10), P("b", 50, 10), P("c", 40, 5), P("d", 45, 5)])
    assert cheaper.awarded_ids == ("b", "c")  # score 15 at 90 beats a+c (100) despite its ids
    ids = rnd.select([P("z", 50, 10), P("y", 50, 10), P("x", 50, 10)])
    assert ids.awarded_ids == ("y", "x")  # ("x", "y") < ("x", "z") < ("y", "z")
    mixed = rnd.select([P("b", 30, 3), P("a", 70, 7), P("c", 70, 7), P("d", 30, 3)])
    assert set(mixed.awarded_ids) == {"a", "b"}


def test_selection_edge_cases() -> None:
    rnd = ProposalRound(budget=0.3)
    assert rnd.select([]).awarded == ()
    assert rnd.select([]).total == 0
    floats = rnd.select([P("a", 0.1, 1), P("b", 0.2, 1), P("c", 0.3, 1.5)])
    assert floats.awarded_ids == ("c",)  # 0.1 + 0.2 > 0.3 in binary floating point
    free = ProposalRound(budget=5).select([P("free", 0, 1), P("a", 5, 2), P("b", 5, 3)])
    assert free.awarded_ids == ("free", "b")
    everything = ProposalRound(budget=100).select([P("a", 10, 1), P("b", 20, 2)])
    assert everything.awarded_ids == ("a", "b")
    assert everything.rejected == {}


def test_selection_renders_in_both_languages() -> None:
    sel = ProposalRound(budget=100_000).select([P("a", 60_000, 9), P("b", 40_000, 5)])
    zh = sel.render()
    assert zh.startswith("最优选择")
    assert "超过单项上限" in zh
    en = sel.render("en")
    assert en.startswith("optimal selection")
    assert "over the per-award cap" in en
    assert ProposalRound(budget=1).greedy_select([]).render().startswith("贪心选择")


def test_implementation_tracking() -> None:
    sel = ProposalRound(budget=100).select(
        [P("a", 40, 9, proposer="王"), P("b", 40, 8), P("c", 40, 1)]
    )
    log = ImplementationTracker(sel)
    assert log.implementation_rate == 0.0
    assert log.status_of("a") is ImplementationStatus.NOT_STARTED
    log.record("a", status=ImplementationStatus.IN_PROGRESS, at=at(3, 1), proposer_took_part=True)
    log.record("a", status=ImplementationStatus.COMPLETED, at=at(6, 1))
    log.record("b", status=ImplementationStatus.ABANDONED, at=at(6, 1), note="选址冲突")
    assert log.implementation_rate == 0.5
    assert log.proposer_participation_rate == 0.5
    assert log.proposer_took_part("a") is True
    assert log.status_of("b") is ImplementationStatus.ABANDONED
    assert len(log.entries) == 3
    assert "落地率 50.0%" in log.render()
    assert "implementation rate 50.0%" in log.render("en")
    assert "proposer took part" in log.render("en")
    assert ImplementationStatus.COMPLETED.label == "已落地"
    with pytest.raises(ValidationError, match="not awarded"):
        log.record("c", status=ImplementationStatus.COMPLETED, at=at(6, 1))
    with pytest.raises(ValidationError, match="not awarded"):
        log.status_of("c")
    with pytest.raises(ValidationError, match="ImplementationStatus"):
        log.record("a", status="completed", at=at(7, 1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="aware"):
        log.record("a", status=ImplementationStatus.COMPLETED, at=datetime(2024, 7, 1))
    with pytest.raises(ValidationError, match="proposer_took_part"):
        log.record(
            "a",
            status=ImplementationStatus.COMPLETED,
            at=at(7, 1),
            proposer_took_part="yes",  # type: ignore[arg-type]
        )
    with pytest.raises(ValidationError, match="note"):
        log.record("a", status=ImplementationStatus.COMPLETED, at=at(7, 1), note=1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="earlier"):
        log.record("a", status=ImplementationStatus.COMPLETED, at=at(5, 1))
    assert len(log.entries) == 3  # failed calls change nothing
    empty = ImplementationTracker(ProposalRound(budget=1).select([]))
    assert (empty.implementation_rate, empty.proposer_participation_rate) == (0.0, 0.0)


# Commitment ledger -----------------------------------------------------------------------------


def cafe() -> Partner:
    return Partner(
        "咖啡馆",
        kind=PartnerKind.ENTERPRISE,
        commitments=[
            Commitment(kind=CommitmentKind.MEETINGS, amount=2, per=MONTH),
            Commitment(kind=CommitmentKind.JOBS, amount=3),
            Commitment(kind=CommitmentKind.PROFIT_SHARE, amount=0.1, per=MONTH),
        ],
    )


def ledger_with_cafe() -> tuple[CommitmentLedger, Partner]:
    ledger = CommitmentLedger()
    partner = cafe()
    ledger.enrol(partner, since=T0)
    return ledger, partner


def test_quarter_with_one_missed_meeting() -> None:
    ledger = demo.cafe_ledger()
    rows = ledger.fulfilment("街角咖啡馆", start=demo.QUARTER_START, end=demo.QUARTER_END)
    by_kind = {r.commitment.kind: r for r in rows}
    meetings = by_kind[CommitmentKind.MEETINGS]
    assert (meetings.due, meetings.delivered) == (6, 5)
    assert meetings.ratio == pytest.approx(5 / 6)
    assert meetings.reason.code == "short"
    assert by_kind[CommitmentKind.JOBS].ratio == 1.0
    assert by_kind[CommitmentKind.PROFIT_SHARE].due == pytest.approx(6_000)
    assert by_kind[CommitmentKind.PROFIT_SHARE].reason.code == "met"
    (late,) = ledger.overdue(demo.QUARTER_END)
    assert late.commitment.kind is CommitmentKind.MEETINGS
    assert late.shortfall == 1
    assert "2024-03-01" in late.reason
    assert "short periods" in late.reason.en
    text = ledger.statement("街角咖啡馆", start=demo.QUARTER_START, end=demo.QUARTER_END)
    assert "履约率 83.3%" in text
    assert "社区提供：场地 900 小时" in text
    en = ledger.statement("街角咖啡馆", start=demo.QUARTER_START, end=demo.QUARTER_END, lang="en")
    assert "fulfilment 83.3%" in en
    assert "community gave: space 900 hours" in en


def test_periods_and_one_offs() -> None:
    ledger, partner = ledger_with_cafe()
    ledger.deliver(partner, CommitmentKind.MEETINGS, 2, at=at(1, 5))
    ledger.deliver(partner, CommitmentKind.JOBS, 2, at=at(1, 5))
    half = ledger.fulfilment(partner, start=T0, end=at(1, 16, 12))
    meetings, jobs, share = half
    assert meetings.due == pytest.approx(2 * 15.5 / 31)
    assert meetings.ratio == 1.0
    assert (jobs.due, jobs.delivered) == (3.0, 2)
    assert share.reason.code == "nothing_due"
    assert share.ratio == 1.0
    later = ledger.fulfilment(partner, start=at(2, 1, 0), end=at(3, 1, 0))
    assert later[0].delivered == 0
    assert later[0].ratio == 0.0
    assert later[1].delivered == 2  # a one-off counts everything delivered before the end
    empty = ledger.fulfilment(partner, start=T0, end=T0)
    assert empty[0].due == 0
    assert empty[0].ratio == 1.0


def test_month_ends_do_not_drift() -> None:
    partner = Partner(
        "书店",
        kind=PartnerKind.ENTERPRISE,
        commitments=[Commitment(kind=CommitmentKind.SERVICE_HOURS, amount=10, per=MONTH)],
    )
    ledger = CommitmentLedger()
    start = datetime(2024, 1, 31, tzinfo=CST)
    ledger.enrol(partner, since=start)
    (row,) = ledger.fulfilment(partner, start=start, end=datetime(2024, 4, 30, tzinfo=CST))
    assert row.due == 30  # Jan 31 → Feb 29 → Mar 31 → Apr 30: three whole months


def test_profit_share_is_due_on_the_reported_profit_in_the_window() -> None:
    ledger, partner = ledger_with_cafe()
    ledger.report_profit(partner, 30_000, start=T0, end=at(4, 1, 0))  # a quarter
    ledger.report_profit(partner, -5_000, start=at(4, 1, 0), end=at(5, 1, 0))  # a loss
    ledger.report_profit(partner, 1_000, start=at(5, 1, 0), end=at(5, 1, 0), note="一次性")
    ledger.deliver(partner, CommitmentKind.PROFIT_SHARE, 1_100, at=at(1, 31))
    jan = ledger.fulfilment(partner, start=T0, end=at(2, 1, 0))[2]
    assert jan.due == pytest.approx(3_000 * 31 / 91)
    assert jan.ratio == 1.0
    year = ledger.fulfilment(partner, start=T0, end=datetime(2025, 1, 1, tzinfo=CST))[2]
    assert year.due == pytest.approx(3_100)
    assert year.ratio == pytest.approx(1_100 / 3_100)
    late = {o.commitment.kind: o for o in ledger.overdue(at(6, 1))}
    assert late[CommitmentKind.PROFIT_SHARE].due == pytest.approx(3_100)
    assert "profit share" not in late[CommitmentKind.PROFIT_SHARE].reason  # Chinese first
    assert "利润分成" in late[CommitmentKind.PROFIT_SHARE].reason


def test_overdue_rules() -> None:
    ledger = CommitmentLedger(grace=relativedelta(days=10))
    partner = cafe()
    ledger.enrol(partner, since=T0)
    ledger.enrol(Partner("新伙伴", kind=PartnerKind.SAGE), since=at(6, 1))
    assert ledger.overdue(at(1, 5)) == ()  # no whole period yet, jobs within grace
    jobs_late = ledger.overdue(at(1, 20))
    assert [o.commitment.kind for o in jobs_late] == [CommitmentKind.JOBS]
    assert "本地就业岗位" in jobs_late[0].reason
    for day in (2, 3, 4):
        ledger.deliver(partner, CommitmentKind.JOBS, at=at(1, day))
    for month in (1, 2):
        ledger.deliver(partner, CommitmentKind.MEETINGS, 2, at=at(month, 10))
    assert ledger.overdue(at(3, 1, 12)) == ()
    with pytest.raises(ValidationError, match="now"):
        ledger.overdue(datetime(2024, 3, 1))


def test_exchange_and_corrections_keep_every_entry() -> None:
    ledger, partner = ledger_with_cafe()
    other = Partner("社工站", kind=PartnerKind.SOCIAL_ORGANIZATION)
    ledger.enrol(other, since=T0)
    first = ledger.deliver(partner, CommitmentKind.MEETINGS, at=at(1, 5), beneficiaries=40)
    ledger.deliver(other, CommitmentKind.SERVICE_HOURS, 12.5, at=at(1, 6), beneficiaries=8)
    ledger.contribute(partner, ContributionKind.SPACE, 300, at=at(1, 1))
    ledger.contribute(partner, ContributionKind.FUNDING, 2_000, at=at(1, 2))
    ledger.report_profit(partner, 10_000, start=T0, end=at(2, 1, 0))
    assert ledger.entries[2] is first
    before = ledger.entries
    fix = ledger.correct(2, amount=1, beneficiaries=35, at=at(1, 7), note="签到表复核")
    assert isinstance(fix, Correction)
    assert ledger.entries[: len(before)] == before
    ledger.correct(4, amount=250, at=at(1, 7), note="实际开放 250 小时")
    ledger.correct(6, amount=8_000, at=at(1, 7), note="审计调整")
    mine = ledger.exchange(partner, start=T0, end=at(2, 1, 0))
    assert mine.community == {ContributionKind.SPACE: 250, ContributionKind.FUNDING: 2_000}
    assert mine.partner_gave == {CommitmentKind.MEETINGS: 1}
    assert mine.residents_served == 35
    everyone = ledger.exchange(start=T0, end=at(2, 1, 0))
    assert everyone.partner is None
    assert everyone.residents_served == 43
    assert "资金 2,000 元" in everyone.render()
    assert "service hours 12.50 hours" in everyone.render("en")
    nothing = ledger.exchange(other, start=at(3, 1), end=at(4, 1))
    assert "无记录" in nothing.render()
    assert "nothing recorded" in nothing.render("en")
    share = ledger.fulfilment(partner, start=T0, end=at(2, 1, 0))[2]
    assert share.due == pytest.approx(800)
    assert ledger.statement(other, start=T0, end=at(2, 1, 0)).startswith("社工站")
    assert [p.name for p in ledger.partners] == ["咖啡馆", "社工站"]


def test_ledger_validation_names_field_and_value() -> None:
    ledger, partner = ledger_with_cafe()
    n = len(ledger.entries)
    with pytest.raises(ValidationError, match="Partner"):
        ledger.enrol("咖啡馆", since=T0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="already enrolled"):
        ledger.enrol(cafe(), since=T0)
    with pytest.raises(ValidationError, match="since"):
        ledger.enrol(Partner("x", kind=PartnerKind.SAGE), since=datetime(2024, 1, 1))
    with pytest.raises(ValidationError, match="not enrolled"):
        ledger.deliver("无名", CommitmentKind.MEETINGS, at=at(1, 2))
    with pytest.raises(ValidationError, match="CommitmentKind"):
        ledger.deliver(partner, "meetings", at=at(1, 2))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="whole") as info:
        ledger.deliver(partner, CommitmentKind.MEETINGS, 1.5, at=at(1, 2))
    assert (info.value.field, info.value.value) == ("amount", 1.5)
    with pytest.raises(ValidationError, match="negative") as info:
        ledger.deliver(partner, CommitmentKind.DONATION, -100, at=at(1, 2))
    assert (info.value.field, info.value.value) == ("amount", -100)
    with pytest.raises(ValidationError, match="joined"):
        ledger.deliver(partner, CommitmentKind.MEETINGS, at=datetime(2023, 12, 1, tzinfo=CST))
    with pytest.raises(ValidationError, match="beneficiaries"):
        ledger.deliver(partner, CommitmentKind.MEETINGS, at=at(1, 2), beneficiaries=-1)
    with pytest.raises(ValidationError, match="note"):
        ledger.deliver(partner, CommitmentKind.MEETINGS, at=at(1, 2), note=None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="before it starts") as info:
        ledger.report_profit(partner, 100, start=at(2, 1), end=at(1, 1))
    assert info.value.field == "end"
    with pytest.raises(ValidationError, match="ContributionKind"):
        ledger.contribute(partner, "space", 1, at=at(1, 2))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="negative"):
        ledger.contribute(partner, ContributionKind.SPACE, -1, at=at(1, 2))
    with pytest.raises(ValidationError, match="before it starts"):
        ledger.fulfilment(partner, start=at(2, 1), end=at(1, 1))
    with pytest.raises(ValidationError, match="before it starts"):
        ledger.exchange(start=at(2, 1), end=at(1, 1))
    assert len(ledger.entries) == n  # nothing was recorded by the failed calls


def test_corrections_are_validated() -> None:
    ledger, partner = ledger_with_cafe()
    ledger.deliver(partner, CommitmentKind.MEETINGS, at=at(1, 2))
    ledger.contribute(partner, ContributionKind.PUBLICITY, 2, at=at(1, 2))
    ledger.report_profit(partner, 100, start=T0, end=at(2, 1))
    fix = ledger.correct(3, amount=-50, at=at(2, 2), note="亏损更正")
    assert fix.amount == -50
    with pytest.raises(ValidationError, match="index"):
        ledger.correct(True, amount=1, at=at(2, 2), note="x")
    with pytest.raises(ValidationError, match="not an entry"):
        ledger.correct(99, amount=1, at=at(2, 2), note="x")
    with pytest.raises(ValidationError, match="Enrolment cannot be corrected"):
        ledger.correct(0, amount=1, at=at(2, 2), note="x")
    with pytest.raises(ValidationError, match="Correction cannot be corrected"):
        ledger.correct(4, amount=1, at=at(2, 2), note="x")
    with pytest.raises(ValidationError, match="whole"):
        ledger.correct(1, amount=0.5, at=at(2, 2), note="x")
    with pytest.raises(ValidationError, match="negative"):
        ledger.correct(2, amount=-1, at=at(2, 2), note="x")
    with pytest.raises(ValidationError, match="only deliveries"):
        ledger.correct(2, amount=1, beneficiaries=3, at=at(2, 2), note="x")
    with pytest.raises(ValidationError, match="beneficiaries"):
        ledger.correct(1, amount=1, beneficiaries=-3, at=at(2, 2), note="x")
    with pytest.raises(ValidationError, match="empty"):
        ledger.correct(1, amount=1, at=at(2, 2), note=" ")
    with pytest.raises(ValidationError, match="aware"):
        ledger.correct(1, amount=1, at=datetime(2024, 2, 2), note="x")
    assert len(ledger.entries) == 5


def test_commitments_are_checked_on_enrolment() -> None:
    bad_share = Commitment(kind=CommitmentKind.PROFIT_SHARE, amount=0.5)
    object.__setattr__(bad_share, "amount", 1.5)  # bypass the model's own check
    negative = Commitment(kind=CommitmentKind.DONATION, amount=5)
    object.__setattr__(negative, "amount", -5)
    backwards = Commitment(kind=CommitmentKind.MEETINGS, amount=1, per=relativedelta(months=-1))
    cases = [(bad_share, "≤ 1"), (negative, "negative"), (backwards, "positive period")]
    for commitment, why in cases:
        partner = Partner("x", kind=PartnerKind.ENTERPRISE, commitments=[commitment])
        with pytest.raises(ValidationError, match=why) as info:
            CommitmentLedger().enrol(partner, since=T0)
        assert info.value.field is not None
        assert info.value.field.startswith("commitments[0]")
    odd = Partner("y", kind=PartnerKind.ENTERPRISE)
    object.__setattr__(odd, "commitments", ("not a commitment",))
    with pytest.raises(ValidationError, match="Commitment"):
        CommitmentLedger().enrol(odd, since=T0)
    with pytest.raises(ValidationError, match="share"):
        Commitment(kind=CommitmentKind.PROFIT_SHARE, amount=1.2)
    assert ContributionKind.SPACE.label == "场地"
    assert (ContributionKind.OTHER.unit, ContributionKind.PUBLICITY.unit_en) == ("项", "times")


# Deliberation ----------------------------------------------------------------------------------


def slot(day: int, hour: int, hours: float = 2) -> TimeSlot:
    return TimeSlot(datetime(2024, 3, day, hour, tzinfo=CST), timedelta(hours=hours))


def test_time_slots() -> None:
    assert slot(6, 9).kind() is SlotKind.WEEKDAY_DAYTIME  # Wednesday morning
    assert slot(6, 19).kind() is SlotKind.WEEKDAY_EVENING
    assert slot(6, 6, 1).kind() is SlotKind.WEEKDAY_EVENING  # early morning, before work
    assert slot(6, 7, 2).kind() is SlotKind.WEEKDAY_DAYTIME  # runs into working hours
    assert slot(9, 10).kind() is SlotKind.WEEKEND  # Saturday
    holiday = ParticipationThresholds(holidays=[date(2024, 3, 6)])
    assert slot(6, 9).kind(holiday) is SlotKind.WEEKEND
    late_day = ParticipationThresholds(daytime=(time(9), time(21)))
    assert slot(6, 19).kind(late_day) is SlotKind.WEEKDAY_DAYTIME
    assert slot(6, 9).describe() == "周三 09:00–11:00"
    assert slot(6, 9).describe("en") == "Wed 09:00–11:00"
    assert slot(6, 9).end == datetime(2024, 3, 6, 11, tzinfo=CST)
    assert SlotKind.WEEKEND.label == "周末/节假日"
    with pytest.raises(ValidationError, match="start"):
        TimeSlot(datetime(2024, 3, 6, 9), timedelta(hours=1))
    with pytest.raises(ValidationError, match="duration"):
        TimeSlot(datetime(2024, 3, 6, 9, tzinfo=CST), timedelta(0))


def test_thresholds_validation() -> None:
    with pytest.raises(ValidationError, match="daytime"):
        ParticipationThresholds(daytime=(time(18), time(8)))
    with pytest.raises(ValidationError, match="working_share"):
        ParticipationThresholds(working_share=1.5)
    with pytest.raises(ValidationError, match="top_n"):
        ParticipationThresholds(top_n=0)
    with pytest.raises(ValidationError, match="holidays"):
        ParticipationThresholds(holidays=["2024-10-01"])  # type: ignore[list-item]


def meeting(**kw: object) -> Meeting:
    base: dict[str, object] = {
        "slot": slot(6, 9),
        "eligible": 200,
        "attendance": {AgeBand.OLDER: 24, AgeBand.MIDDLE: 6},
        "agenda": ("停车管理", "绿化"),
        "opinions": (Opinion("加装充电桩"), Opinion("规范停车", adopted=False)),
    }
    base.update(kw)
    return Meeting("M1", **base)  # type: ignore[arg-type]


def test_meeting_figures_and_feedback() -> None:
    m = meeting()
    assert (m.attended, m.participation_rate) == (30, 0.15)
    assert m.share_of(AgeBand.OLDER) == 0.8
    assert m.share_of(AgeBand.YOUNG) == 0.0
    assert len(m.adopted) == 1
    closed = m.with_feedback(0, at=at(3, 20), note="已安装 4 个充电桩")
    assert closed.opinions[0].closed
    assert not m.opinions[0].closed  # the original is unchanged
    assert closed.opinions[1] == m.opinions[1]
    empty = meeting(eligible=0, attendance={})
    assert (empty.participation_rate, empty.share_of(AgeBand.OLDER)) == (0.0, 0.0)
    assert participation_rate([m, empty]) == 0.15
    assert participation_rate([]) == 0.0
    assert AgeBand.OLDER.label.startswith("老年")
    with pytest.raises(ValidationError, match="index"):
        m.with_feedback(True, at=at(3, 20), note="x")
    with pytest.raises(ValidationError, match="not an opinion"):
        m.with_feedback(5, at=at(3, 20), note="x")
    with pytest.raises(ValidationError, match="not adopted"):
        m.with_feedback(1, at=at(3, 20), note="x")
    with pytest.raises(ValidationError, match="already"):
        closed.with_feedback(0, at=at(3, 21), note="x")
    with pytest.raises(ValidationError, match="aware"):
        m.with_feedback(0, at=datetime(2024, 3, 20), note="x")
    with pytest.raises(ValidationError, match="before the meeting"):
        m.with_feedback(0, at=at(3, 1), note="x")
    with pytest.raises(ValidationError, match="empty"):
        m.with_feedback(0, at=at(3, 20), note="")


def test_meeting_validation() -> None:
    with pytest.raises(ValidationError, match="AgeBand"):
        meeting(attendance={"older": 3})
    with pytest.raises(ValidationError, match="attendance"):
        meeting(attendance={AgeBand.OLDER: -3})
    with pytest.raises(ValidationError, match="exceeds"):
        meeting(eligible=10)
    with pytest.raises(ValidationError, match="not a str"):
        meeting(agenda="停车管理")
    with pytest.raises(ValidationError, match="agenda"):
        meeting(agenda=("",))
    with pytest.raises(ValidationError, match="Opinion"):
        meeting(opinions=("x",))
    with pytest.raises(ValidationError, match="TimeSlot"):
        meeting(slot="周三上午")
    with pytest.raises(ValidationError, match="eligible"):
        meeting(eligible=-1)
    with pytest.raises(ValidationError, match="text"):
        Opinion("")


def test_the_weekday_daytime_meeting_is_flagged_with_an_evening_or_weekend_slot() -> None:
    d = diagnose(demo.weekday_meeting(), working_share=0.62, reported=demo.RESIDENT_REPORTS)
    assert d.participation_rate == 0.15
    assert d.low
    assert [f.cause for f in d.flagged] == [Cause.TIME_SLOT, Cause.TOPIC_RELEVANCE, Cause.FEEDBACK]
    slot_finding = d.findings[0]
    assert slot_finding.value == 0.62
    assert slot_finding.threshold == 0.4
    assert "工作日白天" in slot_finding.reason
    assert slot_finding.recommendation is not None
    assert "晚间" in slot_finding.recommendation
    assert "周末" in slot_finding.recommendation
    assert "evening" in slot_finding.recommendation.en
    assert len(d.recommendations) == 3
    assert "停车管理" in d.findings[1].recommendation  # type: ignore[operator]
    assert d.findings[2].value == 0.25
    assert "参与率 15.0%（偏低）" in d.render()
    assert "weekend" in d.render("en")
    assert Cause.FEEDBACK.label == "反馈闭环"


def test_diagnostics_that_pass() -> None:
    evening = meeting(
        slot=slot(6, 19),
        attendance={AgeBand.YOUNG: 40, AgeBand.MIDDLE: 40, AgeBand.OLDER: 20},
        opinions=(Opinion("加装充电桩", feedback_at=at(3, 20), feedback="已装"),),
    )
    d = diagnose(evening, working_share=0.7, reported={"停车管理": 9, "绿化": 5})
    assert d.flagged == ()
    assert d.recommendations == ()
    assert not d.low
    assert "[✓]" in d.render()
    assert "[ok]" in d.render("en")
    few_workers = diagnose(meeting(), working_share=0.2)
    assert not few_workers.findings[0].flagged
    assert few_workers.findings[1].reason.code == "no_data"
    nothing = diagnose(meeting(opinions=()), working_share=0.2)
    assert nothing.findings[2].reason.code == "nothing_adopted"
    no_agenda = diagnose(meeting(agenda=()), working_share=0.2, reported={"停车管理": 1})
    assert no_agenda.findings[1].flagged
    assert no_agenda.findings[1].value == 0.0


def test_reported_categories_from_tasks_or_counts() -> None:
    tasks = [
        Task.report(category=c, description="d", at=T0)
        for c in ["停车管理", "停车管理", "噪音扰民", "绿化", "噪音扰民", "停车管理"]
    ]
    assert top_categories(tasks, 2) == ("停车管理", "噪音扰民")
    assert top_categories({"a": 0, "b": 2}, 5) == ("b",)
    d = diagnose(meeting(agenda=("停车管理",)), working_share=0.1, reported=iter(tasks))
    assert d.findings[1].value == 1.0
    with pytest.raises(ValidationError, match="reported"):
        top_categories({"a": -1}, 2)
    with pytest.raises(ValidationError, match="category"):
        top_categories([object()], 2)  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="Meeting"):
        diagnose("M1", working_share=0.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="working_share") as info:
        diagnose(meeting(), working_share=1.2)
    assert info.value.value == 1.2
    with pytest.raises(ValidationError, match="thresholds"):
        diagnose(meeting(), working_share=0.5, thresholds="strict")  # type: ignore[arg-type]


# Sage councils ---------------------------------------------------------------------------------


def council() -> SageCouncil:
    return SageCouncil(
        "溪口村乡贤理事会",
        members=[
            CouncilMember("林书记", background=Background.RETIRED_CADRE),
            CouncilMember("陈总", background=Background.ENTREPRENEUR),
        ],
    )


def test_county_year_shaped_like_the_seed() -> None:
    s = demo.county_council().summary()
    assert s.cases >= 300
    assert s.received >= 5_000_000
    assert 0.8 < s.success_rate < 1
    assert 0 < s.fund_disclosure < 1  # July was never disclosed
    assert sum(s.members.values()) == 15
    assert "调解：受理 326 件" in s.render()
    assert "success rate" in s.render("en")
    assert demo.county_council().entries == demo.county_council().entries  # deterministic


def test_cases_updates_funds_and_disclosure() -> None:
    c = council()
    assert [m.name for m in c.members] == ["林书记", "陈总"]
    c.record_case(MediationCase("M1", opened=at(1, 2), mediators="林书记"))
    c.record_case(
        MediationCase("M2", opened=at(1, 3), outcome=MediationOutcome.FAILED, closed=at(1, 4))
    )
    assert c.case("M1").mediators == ("林书记",)
    update = c.update_case("M1", outcome=MediationOutcome.SETTLED, at=at(1, 9), note="签订协议")
    assert isinstance(update, CaseUpdate)
    assert c.case("M1").outcome is MediationOutcome.SETTLED
    assert c.case("M1").closed == at(1, 9)
    c.update_case("M2", outcome=MediationOutcome.PENDING, at=at(1, 10), note="重新调解")
    assert c.case("M2").closed is None
    pledge = len(c.entries)
    c.pledge("陈总", 100_000, at=at(1, 5), purpose="修路")
    c.receive("陈总", 60_000, at=at(1, 20), pledge=pledge)
    c.receive("林书记", 40_000, at=at(2, 1))
    c.disclose(at=at(2, 5), channel="公示栏", covers=[pledge + 1, 2])
    s = c.summary()
    assert (s.cases, s.concluded, s.settled, s.success_rate) == (2, 1, 1, 1.0)
    assert (s.pledged, s.received) == (100_000, 100_000)
    assert s.pledge_fulfilment == 1.0
    assert s.fund_disclosure == 0.6
    assert s.case_disclosure == 1.0
    jan = c.summary(start=at(1, 1), end=at(2, 1, 0))
    assert (jan.received, jan.pledged) == (60_000, 100_000)
    assert jan.pledge_fulfilment == 0.6
    empty = SageCouncil("空").summary()
    assert (empty.success_rate, empty.pledge_fulfilment, empty.fund_disclosure) == (0.0, 1.0, 1.0)
    assert [type(e).__name__ for e in c.entries][:4] == [
        "CouncilMember",
        "CouncilMember",
        "MediationCase",
        "MediationCase",
    ]
    assert len(c.cases) == 2
    assert Background.CULTURAL_FIGURE.label == "文化人士"
    assert MediationOutcome.REFERRED.label == "移交处理"


def test_council_validation() -> None:
    c = council()
    c.record_case(MediationCase("M1", opened=at(1, 2)))
    n = len(c.entries)
    with pytest.raises(ValidationError, match="CouncilMember"):
        c.add_member("王老师")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="already"):
        c.add_member(CouncilMember("陈总", background=Background.OTHER))
    with pytest.raises(ValidationError, match="CouncilMember"):
        SageCouncil("x", members=["王老师"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="Background"):
        CouncilMember("王", background="teacher")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="MediationCase"):
        c.record_case("M2")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="duplicate"):
        c.record_case(MediationCase("M1", opened=at(1, 2)))
    with pytest.raises(ValidationError, match="not a council member"):
        c.record_case(MediationCase("M3", opened=at(1, 2), mediators=["路人"]))
    with pytest.raises(ValidationError, match="close time"):
        MediationCase("M4", opened=at(1, 2), outcome=MediationOutcome.SETTLED)
    with pytest.raises(ValidationError, match="pending"):
        MediationCase("M4", opened=at(1, 2), closed=at(1, 3))
    with pytest.raises(ValidationError, match="before it starts"):
        MediationCase("M4", opened=at(1, 2), outcome=MediationOutcome.FAILED, closed=at(1, 1))
    with pytest.raises(ValidationError, match="case_id"):
        c.update_case("M9", outcome=MediationOutcome.SETTLED, at=at(1, 3))
    with pytest.raises(ValidationError, match="MediationOutcome"):
        c.update_case("M1", outcome="settled", at=at(1, 3))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="aware"):
        c.update_case("M1", outcome=MediationOutcome.SETTLED, at=datetime(2024, 1, 3))
    with pytest.raises(ValidationError, match="before"):
        c.update_case("M1", outcome=MediationOutcome.SETTLED, at=at(1, 1))
    with pytest.raises(ValidationError, match="amount"):
        c.pledge("陈总", -5, at=at(1, 3))
    with pytest.raises(ValidationError, match="donor"):
        c.receive("", 5, at=at(1, 3))
    for bad in (True, 99, 2):
        with pytest.raises(ValidationError, match="pledge"):
            c.receive("陈总", 5, at=at(1, 3), pledge=bad)
    with pytest.raises(ValidationError, match="covers"):
        c.disclose(at=at(2, 1), channel="公示栏", covers=[0])
    with pytest.raises(ValidationError, match="before entry"):
        c.disclose(at=at(1, 1), channel="公示栏", covers=[2])
    with pytest.raises(ValidationError, match="channel"):
        c.disclose(at=at(2, 1), channel="", covers=[2])
    with pytest.raises(ValidationError, match="aware"):
        c.disclose(at=datetime(2024, 2, 1), channel="公示栏", covers=[2])
    with pytest.raises(ValidationError, match="before it starts"):
        c.summary(start=at(2, 1), end=at(1, 1))
    with pytest.raises(ValidationError, match="start"):
        c.summary(start=datetime(2024, 2, 1))
    with pytest.raises(ValidationError, match="end"):
        c.summary(end=datetime(2024, 2, 1))
    assert len(c.entries) == n


def accepted_task(when: datetime) -> Task:
    task = Task.report(category="邻里纠纷", description="噪音扰邻", at=when, id="T1")
    task.register(at=when, by=Actor.platform())
    task.dispatch(to="综治中心", at=when, by=Actor.platform())
    task.accept(at=when, by=Actor.department("综治中心"))
    return task


def test_a_settled_mediation_resolves_the_task_through_its_department() -> None:
    c = council()
    c.record_case(
        MediationCase(
            "M1", opened=at(1, 3), outcome=MediationOutcome.SETTLED, closed=at(1, 4), note="和解"
        )
    )
    task = accepted_task(at(1, 2))
    why = record_mediation_on_task(task, c, "M1", at=at(1, 5))
    assert why.code == "resolved"
    assert task.status is TaskStatus.RESOLVED
    assert task.cooperating == ("溪口村乡贤理事会",)
    assert task.history[-1].actor == Actor.department("综治中心")
    assert "溪口村乡贤理事会" in task.history[-1].note
    assert "resolved by" in why.en


def test_an_unsettled_mediation_only_adds_the_council() -> None:
    c = council()
    pending = c.record_case(MediationCase("M1", opened=at(1, 3)))
    task = accepted_task(at(1, 2))
    why = record_mediation_on_task(task, c, pending, at=at(1, 5), by=Actor.supervisor("张科长"))
    assert why.code == "cooperating"
    assert task.status is TaskStatus.ACCEPTED
    events = len(task.history)
    again = record_mediation_on_task(task, c, "M1", at=at(1, 6))
    assert again.code == "cooperating"
    assert len(task.history) == events  # already cooperating: nothing added


def test_feeding_a_task_checks_everything_before_changing_it() -> None:
    c = council()
    c.record_case(
        MediationCase("M1", opened=at(1, 3), outcome=MediationOutcome.SETTLED, closed=at(1, 4))
    )
    c.record_case(MediationCase("M2", opened=at(1, 3)))
    fresh = Task.report(category="邻里纠纷", description="d", at=at(1, 2))
    with pytest.raises(InvalidTransitionError):
        record_mediation_on_task(fresh, c, "M2", at=at(1, 5))
    dispatched = Task.report(category="邻里纠纷", description="d", at=at(1, 2))
    dispatched.register(at=at(1, 2), by=Actor.platform())
    dispatched.dispatch(to="综治中心", at=at(1, 2), by=Actor.platform())
    with pytest.raises(InvalidTransitionError):
        record_mediation_on_task(dispatched, c, "M1", at=at(1, 5))
    task = accepted_task(at(1, 2))
    with pytest.raises(PermissionDeniedError):
        record_mediation_on_task(task, c, "M1", at=at(1, 5), by=Actor.resident("r1"))
    with pytest.raises(ValidationError, match="last event"):
        record_mediation_on_task(task, c, "M1", at=at(1, 1))
    with pytest.raises(ValidationError, match="case_id"):
        record_mediation_on_task(task, c, "M9", at=at(1, 5))
    with pytest.raises(ValidationError, match="aware"):
        record_mediation_on_task(task, c, "M1", at=datetime(2024, 1, 5))
    assert len(task.history) == 4
    assert len(dispatched.history) == 3
    assert task.status is TaskStatus.ACCEPTED


# Demo and examples -----------------------------------------------------------------------------


def test_demo_shows_the_cafe_ledger_and_the_proposal_round() -> None:
    text = demo.run()
    assert text.startswith("== 社区合伙人")
    assert "履约率 83.3%" in text
    assert "最优选择" in text
    assert "贪心" in text
    assert "(English)" in text


def test_demo_round_beats_greedy() -> None:
    rnd, ps = demo.contest_round(), demo.contest_proposals()
    best, greedy = rnd.select(ps), rnd.greedy_select(ps)
    assert best.score > greedy.score
    assert greedy.remaining > 0
    assert best.rejected["T07"] == "超过单项上限"
    assert best.rejected["T08"].code == "ineligible"
    assert demo.contest_tracker(best).implementation_rate > 0.6


@pytest.mark.parametrize(
    "name",
    ["community_cafe", "proposal_contest", "sage_council", "deliberation_meeting"],
)
def test_examples_run(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / f"{name}.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip()
    if name == "deliberation_meeting":
        assert "工作日晚间" in out
        assert "周末" in out
    if name == "community_cafe":
        assert "83.3%" in out


def test_layering_participation_imports_only_lower_layers() -> None:
    import ast

    allowed = {"jiceng.errors", "jiceng.calendar", "jiceng.models", "jiceng.participation"}
    for path in (ROOT / "src" / "jiceng" / "participation").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("jiceng")
            ):
                assert any(node.module.startswith(a) for a in allowed), (path.name, node.module)


def test_public_names_are_sorted_and_exported() -> None:
    import jiceng.participation as part

    assert list(part.__all__) == sorted(part.__all__)
    for name in part.__all__:
        assert hasattr(part, name)
    assert attrs.has(part.Selection)


def test_values_with_mappings_are_hashable() -> None:
    sel = ProposalRound(budget=10).select([P("a", 20, 1)])
    m = meeting()
    summary = council().summary()
    ledger, partner = ledger_with_cafe()
    exchange = ledger.exchange(partner, start=T0, end=at(2, 1))
    assert len({sel, m, summary, exchange}) == 4
    assert hash(m) == hash(attrs.evolve(m))
