"""Proposal rounds (社区提案大赛): exact selection within a budget, and implementation tracking."""

from __future__ import annotations

import enum
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any

from attrs import define, field, frozen

from jiceng.errors import ValidationError
from jiceng.participation._common import (
    Lang,
    Reason,
    check_aware,
    check_number,
    check_text,
    fmt,
    non_empty,
    pct,
)

__all__ = [
    "ImplementationRecord",
    "ImplementationStatus",
    "ImplementationTracker",
    "Proposal",
    "ProposalRound",
    "Selection",
]

Eligibility = Callable[["Proposal"], "str | None"]
"""A rule that returns a reason (non-empty) when a proposal is ineligible, else ``None`` or ``""``."""


def _str(_inst: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError.for_field(attribute.name, value, "must be a string")


def _amount(_inst: object, attribute: Any, value: Any) -> None:
    check_number(attribute.name, value)


@frozen
class Proposal:
    """A resident proposal (提案) asking for ``amount`` yuan, with a review ``score`` or vote count.

    Args:
        id: A unique id within the round.
        title: What the proposal does.
        amount: The yuan requested (≥ 0).
        score: The review score or the number of votes (≥ 0); higher is better.
        proposer: Who proposed it (a resident or a resident group).
        category: The topic, e.g. the task category it answers (``"停车管理"``).

    >>> Proposal("p1", "楼道照明改造", 18_000, 86).amount
    18000
    """

    id: str = field(validator=non_empty)
    title: str = field(validator=non_empty)
    amount: float = field(validator=_amount)
    score: float = field(validator=_amount)
    proposer: str = field(default="", kw_only=True, validator=_str)
    category: str = field(default="", kw_only=True, validator=_str)


def _is_int(value: float) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sum(values: Iterable[float]) -> float:
    """An exactly rounded sum: an ``int`` when every value is one, else ``math.fsum``."""
    items = tuple(values)
    if all(_is_int(v) for v in items):
        return sum(items)
    return math.fsum(items)


@frozen
class Selection:
    """The outcome of a proposal round.

    Attributes:
        awarded: The funded proposals, in input order.
        total: The awarded amount (yuan).
        rejected: ``{proposal id: reason}`` for every proposal not awarded, in input order. Each
            reason is a :class:`Reason` (its Chinese text; ``.en``, ``.code`` and ``.detail`` add
            more). Codes: ``over_cap``, ``ineligible``, ``over_budget``, ``zero_score``,
            ``not_selected``.
        score: The awarded proposals' total score.
        budget: The round's budget.
        method: ``"optimal"`` (exact) or ``"greedy"`` (for comparison only).
    """

    awarded: tuple[Proposal, ...] = field(kw_only=True)
    total: float = field(kw_only=True)
    rejected: dict[str, Reason] = field(kw_only=True, hash=False)
    score: float = field(kw_only=True)
    budget: float = field(kw_only=True)
    method: str = field(default="optimal", kw_only=True)

    @property
    def awarded_ids(self) -> tuple[str, ...]:
        """The awarded proposals' ids, in input order."""
        return tuple(p.id for p in self.awarded)

    @property
    def remaining(self) -> float:
        """The budget left unspent."""
        return self.budget - self.total

    def render(self, lang: Lang = "zh") -> str:
        """A readable summary: awarded proposals, totals and every rejection with its reason."""
        if lang == "en":
            head = (
                f"{self.method} selection: {len(self.awarded)} awarded, total {fmt(self.total)}"
                f" of {fmt(self.budget)} yuan, score {fmt(self.score)}"
            )
            lines = [head]
            lines += [
                f"  + {p.id} {p.title}: {fmt(p.amount)} yuan, score {fmt(p.score)}"
                for p in self.awarded
            ]
            lines += [f"  - {pid}: {why.en}" for pid, why in self.rejected.items()]
            return "\n".join(lines)
        method = "最优" if self.method == "optimal" else "贪心"
        head = (
            f"{method}选择：入选 {len(self.awarded)} 项，共 {fmt(self.total)} 元"
            f"（预算 {fmt(self.budget)} 元），总分 {fmt(self.score)}"
        )
        lines = [head]
        lines += [
            f"  + {p.id} {p.title}：{fmt(p.amount)} 元，得分 {fmt(p.score)}" for p in self.awarded
        ]
        lines += [f"  - {pid}：{why.text('zh')}" for pid, why in self.rejected.items()]
        return "\n".join(lines)


def _eligibility(_inst: object, attribute: Any, value: Any) -> None:
    if value is not None and not callable(value):
        raise ValidationError.for_field(attribute.name, value, "must be a callable or None")


@frozen
class ProposalRound:
    """A round of a community proposal contest (社区提案大赛) with a budget and a per-award cap.

    :meth:`select` funds the set of proposals with the highest total score that fits the budget
    (an exact 0/1 knapsack, not a greedy pass). Ties go to the lower total amount, then to the set
    whose sorted ids compare smallest (Python tuple order). Amounts above ``max_award`` are rejected,
    never capped. The default cap, 50,000 yuan per proposal, is Chengdu's (成都社区提案大赛).

    Args:
        budget: The round's budget in yuan (≥ 0).
        max_award: The most one proposal may receive (≥ 0).
        eligibility: An optional rule ``(proposal) -> reason or None``, e.g. "must be a public
            good"; a non-empty return value makes the proposal ineligible with that reason.

    >>> rnd = ProposalRound(budget=100_000)
    >>> ps = [
    ...     Proposal("a", "加装电梯议事", 60_000, 90),
    ...     Proposal("b", "口袋公园", 50_000, 60),
    ...     Proposal("c", "老年食堂", 50_000, 60),
    ...     Proposal("d", "球场翻新", 70_000, 99),
    ... ]
    >>> sel = rnd.select(ps)
    >>> sel.awarded_ids, sel.total, sel.score
    (('b', 'c'), 100000, 120)
    >>> sel.rejected["a"], sel.rejected["a"].code
    ('超过单项上限', 'over_cap')
    """

    budget: float = field(kw_only=True, validator=_amount)
    max_award: float = field(default=50_000, kw_only=True, validator=_amount)
    eligibility: Eligibility | None = field(default=None, kw_only=True, validator=_eligibility)

    def select(
        self, proposals: Iterable[Proposal], *, ineligible: Mapping[str, str] | None = None
    ) -> Selection:
        """Choose the best set of proposals: maximum total score within the budget.

        Args:
            proposals: The round's proposals (ids must be unique).
            ineligible: ``{proposal id: reason}`` for proposals a review found ineligible (资格审查).

        Returns:
            The :class:`Selection`; every proposal is either awarded or in ``rejected``.

        Raises:
            ValidationError: a non-proposal, a duplicate id, or an ``ineligible`` entry that names an
                unknown proposal or gives no reason.
        """
        items, candidates, rejected = self._screen(proposals, ineligible)
        chosen = _optimal(candidates, self.budget)
        awarded = tuple(p for p in items if p.id in chosen)
        total = _sum(p.amount for p in awarded)
        left = self.budget - total
        for p in candidates:
            if p.id not in chosen:
                rejected[p.id] = Reason(
                    "未入选最优组合",
                    f"not in the best set: the awarded set scores higher within the budget "
                    f"({fmt(left)} yuan left, {fmt(p.amount)} requested)",
                    code="not_selected",
                    detail=f"最优组合得分更高；剩余预算 {fmt(left)} 元，申请 {fmt(p.amount)} 元",
                )
        return self._result(items, awarded, rejected, "optimal")

    def greedy_select(
        self, proposals: Iterable[Proposal], *, ineligible: Mapping[str, str] | None = None
    ) -> Selection:
        """Fund proposals by descending score while money lasts (for comparison only).

        Ties go to the lower amount, then the smaller id; a proposal that no longer fits is skipped
        and the pass goes on. This is what many rounds do by hand; :meth:`select` is never worse.
        """
        items, candidates, rejected = self._screen(proposals, ineligible)
        order = sorted(candidates, key=lambda p: (-Fraction(p.score), Fraction(p.amount), p.id))
        left = Fraction(self.budget)
        chosen: set[str] = set()
        for p in order:
            if Fraction(p.amount) <= left:
                chosen.add(p.id)
                left -= Fraction(p.amount)
            else:
                rejected[p.id] = Reason(
                    "剩余预算不足",
                    f"not enough budget left when its turn came ({fmt(float(left))} yuan left, "
                    f"{fmt(p.amount)} requested)",
                    code="not_selected",
                    detail=f"轮到时剩余 {fmt(float(left))} 元，申请 {fmt(p.amount)} 元",
                )
        awarded = tuple(p for p in items if p.id in chosen)
        return self._result(items, awarded, rejected, "greedy")

    def _result(
        self,
        items: tuple[Proposal, ...],
        awarded: tuple[Proposal, ...],
        rejected: dict[str, Reason],
        method: str,
    ) -> Selection:
        ordered = {p.id: rejected[p.id] for p in items if p.id in rejected}
        return Selection(
            awarded=awarded,
            total=_sum(p.amount for p in awarded),
            rejected=ordered,
            score=_sum(p.score for p in awarded),
            budget=self.budget,
            method=method,
        )

    def _screen(
        self, proposals: Iterable[Proposal], ineligible: Mapping[str, str] | None
    ) -> tuple[tuple[Proposal, ...], list[Proposal], dict[str, Reason]]:
        """Validate the input and reject what can never be funded; return the candidates."""
        items = tuple(proposals)
        seen: set[str] = set()
        for p in items:
            if not isinstance(p, Proposal):
                raise ValidationError.for_field("proposals", p, "must contain Proposal objects")
            if p.id in seen:
                raise ValidationError.for_field("id", p.id, "duplicate proposal id in the round")
            seen.add(p.id)
        flagged = dict(ineligible or {})
        for pid, text in flagged.items():
            if pid not in seen:
                raise ValidationError.for_field("ineligible", pid, "names no proposal in the round")
            check_text(f"ineligible[{pid!r}]", text)
        rejected: dict[str, Reason] = {}
        candidates: list[Proposal] = []
        for p in items:
            why: str | None = flagged.get(p.id) or (
                self.eligibility(p) if self.eligibility else None
            )
            if Fraction(p.amount) > Fraction(self.max_award):
                rejected[p.id] = Reason(
                    "超过单项上限",
                    f"over the per-award cap ({fmt(p.amount)} > {fmt(self.max_award)} yuan); "
                    "amounts are rejected, not capped",
                    code="over_cap",
                    detail=f"申请 {fmt(p.amount)} 元，上限 {fmt(self.max_award)} 元",
                )
            elif why:
                rejected[p.id] = Reason(
                    "不符合条件", f"ineligible: {why}", code="ineligible", detail=str(why)
                )
            elif Fraction(p.amount) > Fraction(self.budget):
                rejected[p.id] = Reason(
                    "超出预算",
                    f"out of budget: {fmt(p.amount)} requested, the whole round has "
                    f"{fmt(self.budget)} yuan",
                    code="over_budget",
                    detail=f"申请 {fmt(p.amount)} 元，本轮预算 {fmt(self.budget)} 元",
                )
            elif p.score == 0:
                rejected[p.id] = Reason(
                    "得分为零",
                    "zero score: not funded",
                    code="zero_score",
                    detail="零分提案不予资助",
                )
            else:
                candidates.append(p)
        return items, candidates, rejected


# The exact solver ---------------------------------------------------------------------------------


def _scaled(values: Iterable[float]) -> tuple[list[int], int]:
    """Exact integers proportional to ``values`` (floats are binary fractions), and the scale."""
    fractions = [Fraction(v) for v in values]
    scale = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    return [int(f * scale) for f in fractions], scale


def _optimal(candidates: list[Proposal], budget: float) -> set[str]:
    """The ids of the best subset: max score, then min amount, then smallest sorted ids.

    Every candidate has ``0 <= amount <= budget`` and ``score > 0``. The sorted-id tie-break is
    encoded in a bit mask: the smallest id gets the highest bit, so among sets with equal amount and
    score the larger mask is the one whose sorted ids compare smaller (no such set can be a proper
    subset of another, since every score is positive). The search is a Pareto-frontier dynamic
    programme (Nemhauser–Ullmann) over (amount, score), with states pruned by dominance and by the
    fractional-knapsack upper bound against the greedy lower bound. When every score is the same
    multiple of its amount (e.g. score == amount) no bound can prune, so such a round is solved as
    a subset sum over reachability bitsets instead (`_subset_sum`). All arithmetic is on exact
    integers, so no rounding can break a tie or the budget.
    """
    if not candidates:
        return set()
    ranked = sorted(candidates, key=lambda p: p.id)
    n = len(ranked)
    bits = [1 << (n - 1 - k) for k in range(n)]
    weights, wscale = _scaled([p.amount for p in ranked] + [budget])
    capacity = weights.pop()
    profits, _ = _scaled([p.score for p in ranked])
    del wscale

    free = [k for k in range(n) if weights[k] == 0]
    mask = sum(bits[k] for k in free)
    rest = [k for k in range(n) if weights[k] > 0]
    if sum(weights[k] for k in rest) <= capacity:
        mask += sum(bits[k] for k in rest)
    else:
        # Only multiples of the amounts' gcd are reachable, so the budget can be rounded down to one.
        unit = math.gcd(*(weights[k] for k in rest))
        rest_w = [weights[k] // unit for k in rest]
        rest_p = [profits[k] for k in rest]
        rest_b = [bits[k] for k in rest]
        capacity //= unit
        if _proportional(rest_w, rest_p) and capacity <= _DENSE_LIMIT:
            mask += _subset_sum(rest_w, rest_b, capacity)
        else:
            mask += _frontier(rest_w, rest_p, rest_b, capacity)
    return {ranked[k].id for k in range(n) if mask & bits[k]}


_DENSE_LIMIT = 1 << 24
"""The largest budget (in units of the amounts' gcd) solved with reachability bitsets (2 MB each)."""


def _proportional(weights: list[int], profits: list[int]) -> bool:
    """Whether every score is the same multiple of its amount (then the round is a subset sum)."""
    w0, p0 = weights[0], profits[0]
    return all(p * w0 == w * p0 for w, p in zip(weights, profits, strict=True))


def _subset_sum(weights: list[int], bits: list[int], capacity: int) -> int:
    """Solve a round whose scores are proportional to its amounts; return the winning mask.

    The best score is then the largest reachable amount ``target`` within the budget, and every set
    reaching it ties on score and amount; the tie goes to the largest mask (smallest sorted ids).
    Reachable sums are bitsets in Python ints (bit ``t`` set when some subset sums to ``t``), so a
    step is one shift-or over ``capacity`` bits. ``weights`` and ``bits`` are in id order (largest
    bit first). Walking that order, an item is taken whenever the rest of the target can still be
    reached with the items after it: the suffix bitsets that answer this are kept every
    ``√n`` items and recomputed one block at a time, so memory stays at ``O(√n)`` bitsets.
    """
    n = len(weights)
    full = (1 << (capacity + 1)) - 1
    step = max(1, math.isqrt(n))
    checkpoints: dict[int, int] = {n: 1}
    reach = 1  # sums reachable with items j.. (j counts down)
    for j in range(n - 1, -1, -1):
        reach = (reach | (reach << weights[j])) & full
        if j % step == 0:
            checkpoints[j] = reach
    target = reach.bit_length() - 1
    mask = 0
    for start in range(0, n, step):
        stop = min(start + step, n)
        # suffix[j - start] = sums reachable with items j.. for j in start+1..stop.
        suffix = [checkpoints[stop]]
        for j in range(stop - 1, start, -1):
            suffix.append((suffix[-1] | (suffix[-1] << weights[j])) & full)
        suffix.reverse()
        for k in range(start, stop):
            later = suffix[k - start]  # items k+1..
            rest = target - weights[k]
            if rest >= 0 and (later >> rest) & 1:
                mask += bits[k]
                target = rest
    return mask


def _frontier(weights: list[int], profits: list[int], bits: list[int], capacity: int) -> int:
    """Solve the 0/1 knapsack exactly with the lexicographic objective; return the winning mask."""
    n = len(weights)
    order = sorted(
        range(n), key=lambda i: (-Fraction(profits[i], weights[i]), weights[i], -bits[i])
    )
    w = [weights[i] for i in order]
    p = [profits[i] for i in order]
    b = [bits[i] for i in order]
    cum_w = [0]
    cum_p = [0]
    for k in range(n):
        cum_w.append(cum_w[-1] + w[k])
        cum_p.append(cum_p[-1] + p[k])

    # A feasible lower bound: the greedy pass in efficiency order.
    lower = 0
    room = capacity
    for k in range(n):
        if w[k] <= room:
            room -= w[k]
            lower += p[k]

    def hopeless(amount: int, score: int, start: int) -> bool:
        """True when even the fractional bound over items ``start:`` cannot reach ``lower``."""
        room = capacity - amount
        stop = bisect_right(cum_w, cum_w[start] + room) - 1  # items start..stop-1 fit whole
        gain = cum_p[stop] - cum_p[start]
        need = lower - score - gain
        if need <= 0:
            return False
        if stop >= n:
            return True
        left = room - (cum_w[stop] - cum_w[start])
        return need * w[stop] > left * p[stop]

    # States are (amount, -score, -mask): ascending sort puts, per amount, the best score first and,
    # per (amount, score), the largest mask first.
    states: list[tuple[int, int, int]] = [(0, 0, 0)]
    for k in range(n):
        wk, pk, bk = w[k], p[k], b[k]
        grown = [(a + wk, s - pk, m - bk) for a, s, m in states if a + wk <= capacity]
        merged = sorted(states + grown)
        best = -1
        states = []
        for a, s, m in merged:
            if -s > best:
                best = -s
                lower = max(lower, best)
                if not hopeless(a, best, k + 1):
                    states.append((a, s, m))
    return -states[-1][2]


# Implementation tracking ---------------------------------------------------------------------------


class ImplementationStatus(enum.Enum):
    """Where an awarded proposal's delivery stands."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        """The Chinese name."""
        return {
            "not_started": "未启动",
            "in_progress": "实施中",
            "completed": "已落地",
            "abandoned": "已终止",
        }[self.value]


@frozen
class ImplementationRecord:
    """One entry in the implementation log of an awarded proposal.

    Attributes:
        proposal_id: The awarded proposal.
        status: Its status from this moment.
        at: When (timezone-aware).
        proposer_took_part: Whether the proposer took part in delivery (``None``: not recorded).
        note: Free text (a correction says so here).
    """

    proposal_id: str = field(kw_only=True)
    status: ImplementationStatus = field(kw_only=True)
    at: datetime = field(kw_only=True)
    proposer_took_part: bool | None = field(default=None, kw_only=True)
    note: str = field(default="", kw_only=True)


@define
class ImplementationTracker:
    """An append-only implementation log for a selection's awarded proposals.

    The implementation rate is the share of awarded proposals that are COMPLETED (已落地); Chengdu's
    contest reported over 60%. The proposer participation rate is the share of awarded proposals
    whose proposer took part in delivery (the latest explicit record counts).

    >>> from datetime import datetime, timezone
    >>> sel = ProposalRound(budget=30_000).select(
    ...     [Proposal("p1", "健身角", 20_000, 80, proposer="王")]
    ... )
    >>> log = ImplementationTracker(sel)
    >>> _ = log.record(
    ...     "p1",
    ...     status=ImplementationStatus.COMPLETED,
    ...     proposer_took_part=True,
    ...     at=datetime(2024, 6, 1, tzinfo=timezone.utc),
    ... )
    >>> log.implementation_rate, log.proposer_participation_rate
    (1.0, 1.0)
    """

    selection: Selection
    _records: list[ImplementationRecord] = field(factory=list, init=False)

    @property
    def entries(self) -> tuple[ImplementationRecord, ...]:
        """Every record, oldest first (the log is append-only)."""
        return tuple(self._records)

    def record(
        self,
        proposal_id: str,
        *,
        status: ImplementationStatus,
        at: datetime,
        proposer_took_part: bool | None = None,
        note: str = "",
    ) -> ImplementationRecord:
        """Append a status record for an awarded proposal and return it.

        Raises:
            ValidationError: an id that was not awarded, a bad status, a naive ``at``, or an ``at``
                earlier than the proposal's previous record.
        """
        if proposal_id not in self.selection.awarded_ids:
            raise ValidationError.for_field("proposal_id", proposal_id, "was not awarded")
        if not isinstance(status, ImplementationStatus):
            raise ValidationError.for_field("status", status, "must be an ImplementationStatus")
        check_aware("at", at)
        if proposer_took_part is not None and not isinstance(proposer_took_part, bool):
            raise ValidationError.for_field(
                "proposer_took_part", proposer_took_part, "must be True, False or None"
            )
        if not isinstance(note, str):
            raise ValidationError.for_field("note", note, "must be a string")
        previous = [r for r in self._records if r.proposal_id == proposal_id]
        if previous and at < previous[-1].at:
            raise ValidationError.for_field(
                "at", at, f"is earlier than the previous record ({previous[-1].at.isoformat()})"
            )
        entry = ImplementationRecord(
            proposal_id=proposal_id,
            status=status,
            at=at,
            proposer_took_part=proposer_took_part,
            note=note,
        )
        self._records.append(entry)
        return entry

    def status_of(self, proposal_id: str) -> ImplementationStatus:
        """The latest status of an awarded proposal (NOT_STARTED before any record)."""
        if proposal_id not in self.selection.awarded_ids:
            raise ValidationError.for_field("proposal_id", proposal_id, "was not awarded")
        for r in reversed(self._records):
            if r.proposal_id == proposal_id:
                return r.status
        return ImplementationStatus.NOT_STARTED

    def proposer_took_part(self, proposal_id: str) -> bool:
        """Whether the latest explicit record says the proposer took part in delivery."""
        for r in reversed(self._records):
            if r.proposal_id == proposal_id and r.proposer_took_part is not None:
                return r.proposer_took_part
        return False

    @property
    def implementation_rate(self) -> float:
        """The share of awarded proposals COMPLETED (0.0 when nothing was awarded)."""
        ids = self.selection.awarded_ids
        if not ids:
            return 0.0
        done = sum(self.status_of(i) is ImplementationStatus.COMPLETED for i in ids)
        return done / len(ids)

    @property
    def proposer_participation_rate(self) -> float:
        """The share of awarded proposals whose proposer took part in delivery."""
        ids = self.selection.awarded_ids
        if not ids:
            return 0.0
        return sum(self.proposer_took_part(i) for i in ids) / len(ids)

    def render(self, lang: Lang = "zh") -> str:
        """One line per awarded proposal and the two rates."""
        ids = self.selection.awarded_ids
        if lang == "en":
            lines = [
                f"  {i}: {self.status_of(i).name.lower().replace('_', ' ')}"
                f"{', proposer took part' if self.proposer_took_part(i) else ''}"
                for i in ids
            ]
            lines.append(
                f"implementation rate {pct(self.implementation_rate)}; proposer participation "
                f"{pct(self.proposer_participation_rate)}"
            )
            return "\n".join(lines)
        lines = [
            f"  {i}：{self.status_of(i).label}{'，提案人参与实施' if self.proposer_took_part(i) else ''}"
            for i in ids
        ]
        lines.append(
            f"落地率 {pct(self.implementation_rate)}；提案人参与实施率 "
            f"{pct(self.proposer_participation_rate)}"
        )
        return "\n".join(lines)
