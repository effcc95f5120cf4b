"""Participation and partnership (共建共治共享): partners, proposals, deliberation, sage councils.

The seed treats residents and partners as co-governors, not only as reporters. This package models
the four forms it names:

- the commitment ledger of community partners (社区合伙人, Shanghai): :class:`CommitmentLedger`;
- proposal rounds (社区提案大赛, Chengdu): :class:`ProposalRound`, :class:`Selection`,
  :class:`ImplementationTracker`;
- deliberation meetings (议事会) and why few come: :class:`Meeting`, :func:`diagnose`;
- sage councils (乡贤理事会, Fujian): :class:`SageCouncil`, :func:`record_mediation_on_task`.

Every reason is a :class:`Reason`: a ``str`` holding the Chinese text, with ``.en`` for English.

Greedy-by-score funds the top proposal and then runs out of money; the exact selection does not:

>>> rnd = ProposalRound(budget=100_000)
>>> ps = [
...     Proposal("p1", "停车棚", 50_000, 90),
...     Proposal("p2", "健身角", 45_000, 62),
...     Proposal("p3", "花园", 40_000, 60),
...     Proposal("p4", "楼道灯", 10_000, 20),
... ]
>>> rnd.greedy_select(ps).awarded_ids, rnd.greedy_select(ps).score
(('p1', 'p2'), 152)
>>> best = rnd.select(ps)
>>> best.awarded_ids, best.score, best.total
(('p1', 'p3', 'p4'), 170, 100000)
>>> best.rejected["p2"].code
'not_selected'
"""

from __future__ import annotations

from jiceng.participation._common import Reason
from jiceng.participation._council import (
    Background,
    CaseUpdate,
    CouncilEntry,
    CouncilMember,
    CouncilSummary,
    Disclosure,
    MediationCase,
    MediationOutcome,
    Pledge,
    Receipt,
    SageCouncil,
    record_mediation_on_task,
)
from jiceng.participation._deliberation import (
    AgeBand,
    Cause,
    Diagnosis,
    Finding,
    HasCategory,
    Meeting,
    Opinion,
    ParticipationThresholds,
    SlotKind,
    TimeSlot,
    diagnose,
    participation_rate,
    top_categories,
)
from jiceng.participation._ledger import (
    CommitmentLedger,
    CommunityContribution,
    ContributionKind,
    Correction,
    Delivery,
    Enrolment,
    Exchange,
    Fulfilment,
    LedgerEntry,
    Overdue,
    ProfitReport,
)
from jiceng.participation._proposals import (
    ImplementationRecord,
    ImplementationStatus,
    ImplementationTracker,
    Proposal,
    ProposalRound,
    Selection,
)

__all__ = [
    "AgeBand",
    "Background",
    "CaseUpdate",
    "Cause",
    "CommitmentLedger",
    "CommunityContribution",
    "ContributionKind",
    "Correction",
    "CouncilEntry",
    "CouncilMember",
    "CouncilSummary",
    "Delivery",
    "Diagnosis",
    "Disclosure",
    "Enrolment",
    "Exchange",
    "Finding",
    "Fulfilment",
    "HasCategory",
    "ImplementationRecord",
    "ImplementationStatus",
    "ImplementationTracker",
    "LedgerEntry",
    "MediationCase",
    "MediationOutcome",
    "Meeting",
    "Opinion",
    "Overdue",
    "ParticipationThresholds",
    "Pledge",
    "ProfitReport",
    "Proposal",
    "ProposalRound",
    "Reason",
    "Receipt",
    "SageCouncil",
    "Selection",
    "SlotKind",
    "TimeSlot",
    "diagnose",
    "participation_rate",
    "record_mediation_on_task",
    "top_categories",
]
