"""Participation scenarios from the seed, as pure builders, and the demo text (Chinese first).

The builders are shared by ``examples/`` and the tests:

- :func:`cafe_ledger`: Shanghai-style community partner (社区合伙人), a café in donated space that
  commits to 2 community meetings a month, 3 local jobs and 10% of profit, over a quarter with one
  meeting missed;
- :func:`contest_proposals` / :func:`contest_round`: a Chengdu-style proposal contest
  (社区提案大赛) where greedy-by-score selection leaves money and score on the table;
- :func:`weekday_meeting`: a weekday-daytime deliberation meeting (议事会) with 15% turnout;
- :func:`county_council`: a Fujian-style sage council (乡贤理事会) year: 300+ mediations, 5 M yuan.

>>> "履约" in run() and "最优" in run()
True
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta

from jiceng.models import Commitment, CommitmentKind, Partner, PartnerKind
from jiceng.participation import (
    AgeBand,
    Background,
    CommitmentLedger,
    ContributionKind,
    CouncilMember,
    ImplementationStatus,
    ImplementationTracker,
    MediationCase,
    MediationOutcome,
    Meeting,
    Opinion,
    Proposal,
    ProposalRound,
    SageCouncil,
    Selection,
    TimeSlot,
)

__all__ = [
    "CST",
    "QUARTER_END",
    "QUARTER_START",
    "RESIDENT_REPORTS",
    "cafe_ledger",
    "cafe_partner",
    "contest_proposals",
    "contest_round",
    "contest_tracker",
    "county_council",
    "run",
    "weekday_meeting",
]

CST = timezone(timedelta(hours=8), "CST")
"""China Standard Time (UTC+8, no DST)."""

QUARTER_START = datetime(2024, 1, 1, tzinfo=CST)
"""The café scenario's quarter starts on 1 January 2024 …"""

QUARTER_END = datetime(2024, 4, 1, tzinfo=CST)
"""… and ends (exclusive) on 1 April 2024."""

_MONTHLY = relativedelta(months=1)


def cafe_partner() -> Partner:
    """The seed's café: 2 community meetings a month, 3 local jobs, 10% of profit, monthly."""
    return Partner(
        "街角咖啡馆",
        kind=PartnerKind.ENTERPRISE,
        commitments=(
            Commitment(kind=CommitmentKind.MEETINGS, amount=2, per=_MONTHLY, note="社区议事/活动"),
            Commitment(kind=CommitmentKind.JOBS, amount=3, note="优先招聘本社区居民"),
            Commitment(kind=CommitmentKind.PROFIT_SHARE, amount=0.10, per=_MONTHLY),
        ),
    )


def cafe_ledger() -> CommitmentLedger:
    """The café's first quarter (Q1 2024): one meeting missed in March, everything else kept."""
    cafe = cafe_partner()
    ledger = CommitmentLedger()
    ledger.enrol(cafe, since=QUARTER_START)
    meetings = [(1, 10, 32), (1, 24, 28), (2, 7, 25), (2, 28, 31), (3, 13, 36)]  # March: only one
    for month, day, people in meetings:
        at = datetime(2024, month, day, 19, 0, tzinfo=CST)
        ledger.deliver(cafe, CommitmentKind.MEETINGS, at=at, beneficiaries=people)
    for day, who in ((3, "社区居民A"), (3, "社区居民B"), (15, "社区居民C")):
        at = datetime(2024, 1, day, 9, 0, tzinfo=CST)
        ledger.deliver(cafe, CommitmentKind.JOBS, at=at, note=f"录用{who}")
    profits = {1: 20_000, 2: 15_000, 3: 25_000}
    for month, profit in profits.items():
        start = datetime(2024, month, 1, tzinfo=CST)
        end = start + _MONTHLY
        ledger.report_profit(cafe, profit, start=start, end=end, note=f"{month}月经营利润")
        paid = end - timedelta(hours=2)  # paid into the community fund on the month's last evening
        ledger.deliver(
            cafe,
            CommitmentKind.PROFIT_SHARE,
            profit * 0.10,
            at=paid,
            note="社区基金",
            beneficiaries=0,
        )
        ledger.contribute(
            cafe, ContributionKind.SPACE, 300, at=start, note="社区用房无偿提供（每月约 300 小时）"
        )
        ledger.contribute(cafe, ContributionKind.PUBLICITY, 2, at=start, note="公众号与公告栏推介")
    return ledger


def contest_proposals() -> list[Proposal]:
    """Ten proposals for a 200,000-yuan round; one over the 50,000 cap, one ineligible."""
    return [
        Proposal("T01", "小区停车棚改造", 48_000, 91, proposer="业委会", category="停车管理"),
        Proposal("T02", "楼道照明更新", 42_000, 88, proposer="3号楼居民", category="公共设施"),
        Proposal("T03", "老年助餐点", 45_000, 86, proposer="银发互助队", category="养老服务"),
        Proposal("T04", "儿童友好角", 40_000, 74, proposer="宝妈群", category="公共设施"),
        Proposal("T05", "垃圾分类宣传站", 30_000, 70, proposer="志愿者协会", category="垃圾分类"),
        Proposal("T06", "广场舞降噪音响", 28_000, 69, proposer="文体队", category="噪音扰民"),
        Proposal("T07", "加装电梯前期勘测", 65_000, 95, proposer="7号楼居民", category="加装电梯"),
        Proposal("T08", "商铺招牌统一", 20_000, 40, proposer="商户联盟", category="市容"),
        Proposal("T09", "雨水井清淤", 26_000, 62, proposer="网格员", category="排水"),
        Proposal("T10", "社区微菜园", 12_000, 35, proposer="园艺社", category="环境美化"),
    ]


def contest_round() -> ProposalRound:
    """A 200,000-yuan round with Chengdu's 50,000-yuan cap; commercial proposals are ineligible."""

    return ProposalRound(budget=200_000, max_award=50_000, eligibility=_public_good)


def _public_good(proposal: Proposal) -> str | None:
    """Eligibility rule: proposals serving one business's interest are not public goods."""
    if proposal.proposer == "商户联盟":
        return "商业利益项目，不属于社区公共事务"
    return None


def contest_tracker(selection: Selection) -> ImplementationTracker:
    """A year of implementation: most awarded proposals delivered, proposers often took part."""
    tracker = ImplementationTracker(selection)
    statuses = [
        ImplementationStatus.COMPLETED,
        ImplementationStatus.COMPLETED,
        ImplementationStatus.COMPLETED,
        ImplementationStatus.IN_PROGRESS,
        ImplementationStatus.COMPLETED,
        ImplementationStatus.ABANDONED,
    ]
    took_part = [True, False, True, True, True, False]
    for k, pid in enumerate(selection.awarded_ids):
        at = datetime(2024, 6, 1, tzinfo=CST) + timedelta(days=20 * k)
        tracker.record(pid, status=ImplementationStatus.IN_PROGRESS, at=at)
        tracker.record(
            pid,
            status=statuses[k % len(statuses)],
            at=at + timedelta(days=90),
            proposer_took_part=took_part[k % len(took_part)],
        )
    return tracker


RESIDENT_REPORTS: dict[str, int] = {
    "停车管理": 48,
    "噪音扰民": 30,
    "垃圾分类": 25,
    "物业服务": 22,
    "违章搭建": 10,
    "楼道堆物": 4,
    "绿化养护": 3,
}
"""What residents reported last year, by category (the community's 12345 tasks)."""


def weekday_meeting() -> Meeting:
    """A Wednesday-morning meeting: 15% turnout, mostly older residents, little follow-up."""
    slot = TimeSlot(datetime(2024, 3, 6, 9, 30, tzinfo=CST), timedelta(hours=2))
    done = datetime(2024, 3, 20, 10, 0, tzinfo=CST)
    return Meeting(
        "2024-03 居民议事会",
        slot=slot,
        eligible=400,
        attendance={AgeBand.OLDER: 45, AgeBand.MIDDLE: 12, AgeBand.YOUNG: 3},
        agenda=("楼道堆物", "绿化养护", "文明养犬"),
        opinions=(
            Opinion("清理3号楼楼道杂物", feedback_at=done, feedback="已于3月20日清理"),
            Opinion("补种中心花坛"),
            Opinion("设置宠物便袋箱"),
            Opinion("增设健身器材"),
            Opinion("延长物业值班时间", adopted=False),
        ),
    )


_BACKGROUNDS = (
    (Background.RETIRED_CADRE, 5),
    (Background.ENTREPRENEUR, 4),
    (Background.CULTURAL_FIGURE, 2),
    (Background.EDUCATOR, 2),
    (Background.PROFESSIONAL, 1),
    (Background.RESPECTED_ELDER, 1),
)
_CATEGORIES = ("邻里纠纷", "土地山林纠纷", "婚姻家庭纠纷", "宅基地纠纷", "劳务纠纷")


def county_council(*, seed: int = 2023, cases: int = 326) -> SageCouncil:
    """A county-wide sage council year shaped like the seed's: 300+ mediations, 5 M yuan raised.

    Deterministic for a given ``seed``. Outcomes: about 88% settled, the rest partial, failed,
    referred or still pending at year end. Pledges total about 5.5 M yuan, of which 5.0 M is
    received, and each month's receipts and concluded cases are published (公开监督), except in
    one month the council forgot.
    """
    rng = random.Random(seed)
    council = SageCouncil("县乡贤理事会联合会")
    names = []
    for background, count in _BACKGROUNDS:
        for k in range(count):
            name = f"{background.label[:2]}乡贤{k + 1}"
            council.add_member(CouncilMember(name, background=background))
            names.append(name)
    year = datetime(2023, 1, 1, tzinfo=CST)
    weights = (88, 4, 4, 3, 1)
    outcomes = (
        MediationOutcome.SETTLED,
        MediationOutcome.PARTIAL,
        MediationOutcome.FAILED,
        MediationOutcome.REFERRED,
        MediationOutcome.PENDING,
    )
    by_month: dict[int, list[int]] = {m: [] for m in range(1, 13)}
    for k in range(cases):
        opened = year + timedelta(days=rng.randrange(0, 350), hours=rng.randrange(8, 18))
        outcome = rng.choices(outcomes, weights)[0]
        closed = None if outcome is MediationOutcome.PENDING else opened + timedelta(days=3)
        council.record_case(
            MediationCase(
                f"TJ{k + 1:04d}",
                opened=opened,
                category=rng.choice(_CATEGORIES),
                outcome=outcome,
                closed=closed,
                mediators=rng.sample(names, 2),
            )
        )
        if closed is not None:
            by_month[opened.month].append(len(council.entries) - 1)
    donors = [f"在外乡贤企业{k + 1}" for k in range(24)]
    for k, donor in enumerate(donors):
        at = year + timedelta(days=15 * k)
        amount = 230_000 if k % 2 else 230_000 - 10_000
        council.pledge(donor, amount, at=at, purpose="村道修缮与助学基金")
        pledge_index = len(council.entries) - 1
        received = amount if k < 22 else amount // 2
        council.receive(donor, received, at=at + timedelta(days=10), pledge=pledge_index)
        by_month[(at + timedelta(days=10)).month].append(len(council.entries) - 1)
    for month, indices in by_month.items():
        if month == 7 or not indices:  # July's board was never updated
            continue
        council.disclose(
            at=datetime(2024 if month == 12 else 2023, month % 12 + 1, 5, tzinfo=CST),
            channel="村务公开栏",
            covers=indices,
            note=f"{month}月调解结果与资金到账公示",
        )
    return council


def run() -> str:
    """The participation demo: the café's quarter and a proposal round (Chinese first)."""
    ledger = cafe_ledger()
    cafe = ledger.partners[0]
    lines = ["== 社区合伙人：街角咖啡馆（2024 年第一季度）=="]
    lines.append(ledger.statement(cafe, start=QUARTER_START, end=QUARTER_END))
    lines.extend(f"  逾期：{late.reason.zh}" for late in ledger.overdue(QUARTER_END))
    lines.append("")
    lines.append("== 社区提案大赛：预算 200,000 元，单项上限 50,000 元 ==")
    rnd = contest_round()
    proposals = contest_proposals()
    best = rnd.select(proposals)
    greedy = rnd.greedy_select(proposals)
    lines.append(best.render())
    lines.append(
        f"对比：按得分贪心选择入选 {len(greedy.awarded)} 项，共 {greedy.total:,} 元，总分 "
        f"{greedy.score}；最优选择总分 {best.score}，多 {best.score - greedy.score} 分"
    )
    lines.append(contest_tracker(best).render())
    lines.append("")
    lines.append("(English) " + best.render("en").splitlines()[0])
    return "\n".join(lines)
