"""The commitment ledger for community partners (社区合伙人): deliveries, fulfilment, overdue."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TypeVar

from attrs import define, field, frozen
from dateutil.relativedelta import relativedelta

from jiceng.errors import ValidationError
from jiceng.models import Commitment, CommitmentKind, Partner
from jiceng.participation._common import (
    Lang,
    Reason,
    check_aware,
    check_number,
    check_text,
    elapsed,
    fmt,
    pct,
)

__all__ = [
    "CommitmentLedger",
    "CommunityContribution",
    "ContributionKind",
    "Correction",
    "Delivery",
    "Enrolment",
    "Exchange",
    "Fulfilment",
    "LedgerEntry",
    "Overdue",
    "ProfitReport",
]

_UNITS: dict[CommitmentKind, tuple[str, str]] = {
    CommitmentKind.MEETINGS: ("次", "meetings"),
    CommitmentKind.JOBS: ("个", "jobs"),
    CommitmentKind.PROFIT_SHARE: ("元", "yuan"),
    CommitmentKind.SPACE_HOURS: ("小时", "hours"),
    CommitmentKind.SERVICE_HOURS: ("小时", "hours"),
    CommitmentKind.DONATION: ("元", "yuan"),
}
_COUNTED = frozenset({CommitmentKind.MEETINGS, CommitmentKind.JOBS})


def _en(kind: enum.Enum) -> str:
    return kind.name.lower().replace("_", " ")


class ContributionKind(enum.Enum):
    """What the community gives a partner (the community's side of the exchange)."""

    SPACE = "space"
    PUBLICITY = "publicity"
    FUNDING = "funding"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The Chinese name."""
        return {"space": "场地", "publicity": "宣传推广", "funding": "资金", "other": "其他"}[
            self.value
        ]

    @property
    def unit(self) -> str:
        """The Chinese unit of ``amount`` (小时 for space, 次 for publicity, 元 for funding)."""
        return {"space": "小时", "publicity": "次", "funding": "元", "other": "项"}[self.value]

    @property
    def unit_en(self) -> str:
        """The English unit of ``amount``."""
        return {"space": "hours", "publicity": "times", "funding": "yuan", "other": "items"}[
            self.value
        ]


@frozen
class Enrolment:
    """A partner joins the ledger on ``since``; its commitments run from then."""

    partner: Partner = field(kw_only=True)
    since: datetime = field(kw_only=True)


@frozen
class Delivery:
    """Something a partner delivered: meetings held, jobs filled, yuan shared or donated, hours.

    Attributes:
        partner: The partner's name.
        kind: What was delivered (a ``CommitmentKind``). For ``PROFIT_SHARE`` the amount is the
            yuan paid into the community fund.
        amount: How much (≥ 0; whole numbers for meetings and jobs).
        at: When (timezone-aware).
        beneficiaries: Residents who benefited (人次), for the exchange report.
        note: Free text.
    """

    partner: str = field(kw_only=True)
    kind: CommitmentKind = field(kw_only=True)
    amount: float = field(kw_only=True)
    at: datetime = field(kw_only=True)
    beneficiaries: int = field(default=0, kw_only=True)
    note: str = field(default="", kw_only=True)


@frozen
class ProfitReport:
    """A partner's reported profit for a period; a ``PROFIT_SHARE`` commitment is due on it.

    A loss (negative profit) is allowed and makes nothing due.
    """

    partner: str = field(kw_only=True)
    profit: float = field(kw_only=True)
    start: datetime = field(kw_only=True)
    end: datetime = field(kw_only=True)
    note: str = field(default="", kw_only=True)


@frozen
class CommunityContribution:
    """What the community gave a partner: space (hours), publicity (times), funding (yuan)."""

    partner: str = field(kw_only=True)
    kind: ContributionKind = field(kw_only=True)
    amount: float = field(kw_only=True)
    at: datetime = field(kw_only=True)
    note: str = field(default="", kw_only=True)


@frozen
class Correction:
    """A correction of an earlier entry (by its index in ``entries``); the original stays.

    Attributes:
        target: The index of the corrected entry.
        amount: The corrected amount (profit, for a profit report).
        at: When the correction was recorded.
        note: Why (required).
        beneficiaries: The corrected beneficiaries of a delivery, or ``None`` to keep them.
    """

    target: int = field(kw_only=True)
    amount: float = field(kw_only=True)
    at: datetime = field(kw_only=True)
    note: str = field(kw_only=True)
    beneficiaries: int | None = field(default=None, kw_only=True)


LedgerEntry = Enrolment | Delivery | ProfitReport | CommunityContribution | Correction
"""Any entry of a :class:`CommitmentLedger`."""


_Figures = Delivery | CommunityContribution | ProfitReport
_E = TypeVar("_E", Enrolment, Delivery, ProfitReport, CommunityContribution, Correction)


@frozen
class Fulfilment:
    """How far one commitment was met in a window ``[start, end)``.

    Attributes:
        partner: The partner's name.
        commitment: The commitment.
        start: The window's start.
        end: The window's end.
        due: What was due (periods × amount; a one-off is due once; a profit share is the
            fraction of the profit reported for the window).
        delivered: What was delivered in the window (for a one-off: by ``end``).
        ratio: ``min(delivered / due, 1)`` in [0, 1]; 1 when nothing was due.
        reason: A readable account, Chinese first (``.en`` for English).
    """

    partner: str = field(kw_only=True)
    commitment: Commitment = field(kw_only=True)
    start: datetime = field(kw_only=True)
    end: datetime = field(kw_only=True)
    due: float = field(kw_only=True)
    delivered: float = field(kw_only=True)
    ratio: float = field(kw_only=True)
    reason: Reason = field(kw_only=True)


@frozen
class Overdue:
    """A commitment behind schedule at ``as_of``, with the reason."""

    partner: str = field(kw_only=True)
    commitment: Commitment = field(kw_only=True)
    as_of: datetime = field(kw_only=True)
    due: float = field(kw_only=True)
    delivered: float = field(kw_only=True)
    reason: Reason = field(kw_only=True)

    @property
    def shortfall(self) -> float:
        """How much is missing."""
        return self.due - self.delivered


@frozen
class Exchange:
    """The three-way exchange (三方互惠) in a window: community → partner → residents.

    Attributes:
        partner: The partner's name, or ``None`` for every partner.
        start: The window's start.
        end: The window's end.
        community: What the community gave, by kind (space hours, publicity, funding).
        partner_gave: What partners delivered, by commitment kind.
        beneficiaries: What residents got: beneficiaries (人次) by commitment kind.
    """

    partner: str | None = field(kw_only=True)
    start: datetime = field(kw_only=True)
    end: datetime = field(kw_only=True)
    community: dict[ContributionKind, float] = field(kw_only=True, hash=False)
    partner_gave: dict[CommitmentKind, float] = field(kw_only=True, hash=False)
    beneficiaries: dict[CommitmentKind, int] = field(kw_only=True, hash=False)

    @property
    def residents_served(self) -> int:
        """Total beneficiaries (人次)."""
        return sum(self.beneficiaries.values())

    def render(self, lang: Lang = "zh") -> str:
        """Three lines: what the community gave, what the partner gave, what residents got."""
        if lang == "en":
            gave = "; ".join(f"{_en(k)} {fmt(v)} {k.unit_en}" for k, v in self.community.items())
            got = "; ".join(
                f"{_en(k)} {fmt(v)} {_UNITS[k][1]}" for k, v in self.partner_gave.items()
            )
            served = "; ".join(f"{_en(k)} {v}" for k, v in self.beneficiaries.items())
            return (
                f"community gave: {gave or 'nothing recorded'}\n"
                f"partner gave: {got or 'nothing recorded'}\n"
                f"residents got: {self.residents_served} served ({served or 'none recorded'})"
            )
        gave = "；".join(f"{k.label} {fmt(v)} {k.unit}" for k, v in self.community.items())
        got = "；".join(f"{k.label} {fmt(v)} {_UNITS[k][0]}" for k, v in self.partner_gave.items())
        served = "；".join(f"{k.label} {v} 人次" for k, v in self.beneficiaries.items())
        return (
            f"社区提供：{gave or '无记录'}\n"
            f"合伙人提供：{got or '无记录'}\n"
            f"居民受益：共 {self.residents_served} 人次（{served or '无记录'}）"
        )


def _check_window(start: object, end: object) -> tuple[datetime, datetime]:
    s = check_aware("start", start)
    e = check_aware("end", end)
    if e < s:
        raise ValidationError.for_field("end", e, f"ends before it starts ({s.isoformat()})")
    return s, e


def _boundary(start: datetime, per: relativedelta, n: int) -> datetime:
    # Always from the anchor, so month ends do not drift (Jan 31 → Feb 29 → Mar 31).
    return start + per * n


def _periods(start: datetime, end: datetime, per: relativedelta) -> tuple[int, float]:
    """Whole periods in ``[start, end)`` and the fraction of the next one that has elapsed."""
    n = 0
    while _boundary(start, per, n + 1) <= end:
        n += 1
    here = _boundary(start, per, n)
    if here >= end:
        return n, 0.0
    return n, elapsed(here, end) / elapsed(here, _boundary(start, per, n + 1))


def _check_commitment(c: object, since: datetime, index: int) -> None:
    where = f"commitments[{index}]"
    if not isinstance(c, Commitment):
        raise ValidationError.for_field(where, c, "must be a Commitment")
    check_number(f"{where}.amount", c.amount)
    if c.kind is CommitmentKind.PROFIT_SHARE and c.amount > 1:
        raise ValidationError.for_field(
            f"{where}.amount", c.amount, "a profit share is a fraction and must be ≤ 1 (100%)"
        )
    if c.per is not None and not since + c.per > since:
        raise ValidationError.for_field(f"{where}.per", c.per, "must be a positive period")


@define
class CommitmentLedger:
    """An append-only ledger of partners' commitments, deliveries and the community's contributions.

    Entries can be added, never removed or edited; a correction is a new :class:`Correction` entry
    that names the corrected entry's index and says why. All figures use the latest correction.

    Args:
        grace: How long after joining a one-off commitment (``per=None``) falls due for
            :meth:`overdue`; one month by default.

    >>> from datetime import datetime, timezone
    >>> from dateutil.relativedelta import relativedelta
    >>> from jiceng.models import Commitment, CommitmentKind, Partner, PartnerKind
    >>> monthly = relativedelta(months=1)
    >>> cafe = Partner(
    ...     "街角咖啡",
    ...     kind=PartnerKind.ENTERPRISE,
    ...     commitments=[Commitment(kind=CommitmentKind.MEETINGS, amount=2, per=monthly)],
    ... )
    >>> ledger = CommitmentLedger()
    >>> q1 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> _ = ledger.enrol(cafe, since=q1)
    >>> for day in (5, 19, 6, 20, 8):  # Jan, Jan, Feb, Feb, Mar: one meeting missed in March
    ...     month = 1 if day in (5, 19) else 2 if day in (6, 20) else 3
    ...     _ = ledger.deliver(cafe, CommitmentKind.MEETINGS, at=q1.replace(month=month, day=day))
    >>> (f,) = ledger.fulfilment(cafe, start=q1, end=q1 + relativedelta(months=3))
    >>> f.due, f.delivered, round(f.ratio, 3)
    (6.0, 5, 0.833)
    """

    grace: relativedelta = field(factory=lambda: relativedelta(months=1), kw_only=True)
    _entries: list[LedgerEntry] = field(factory=list, init=False)
    _partners: dict[str, Enrolment] = field(factory=dict, init=False)

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        """Every entry, in the order recorded (the ledger never loses one)."""
        return tuple(self._entries)

    @property
    def partners(self) -> tuple[Partner, ...]:
        """The enrolled partners, in enrolment order."""
        return tuple(e.partner for e in self._partners.values())

    def _append(self, entry: _E) -> _E:
        self._entries.append(entry)
        return entry

    def _enrolment(self, partner: object) -> Enrolment:
        name = partner.name if isinstance(partner, Partner) else partner
        if not isinstance(name, str) or name not in self._partners:
            raise ValidationError.for_field("partner", name, "is not enrolled in this ledger")
        return self._partners[name]

    def enrol(self, partner: Partner, *, since: datetime) -> Enrolment:
        """Enrol a partner; its commitments run from ``since``.

        Raises:
            ValidationError: not a ``Partner``, a name already enrolled, a naive ``since``, or a
                commitment with a negative amount, a share above 100% or a non-positive period.
        """
        if not isinstance(partner, Partner):
            raise ValidationError.for_field("partner", partner, "must be a Partner")
        check_aware("since", since)
        if partner.name in self._partners:
            raise ValidationError.for_field("partner", partner.name, "is already enrolled")
        for i, c in enumerate(partner.commitments):
            _check_commitment(c, since, i)
        entry = Enrolment(partner=partner, since=since)
        self._partners[partner.name] = entry
        return self._append(entry)

    def deliver(
        self,
        partner: Partner | str,
        kind: CommitmentKind,
        amount: float = 1,
        *,
        at: datetime,
        beneficiaries: int = 0,
        note: str = "",
    ) -> Delivery:
        """Record a delivery (one meeting by default) and return the entry.

        Raises:
            ValidationError: an unknown partner or kind, a negative or fractional count, a naive
                ``at`` or one before the partner joined, negative beneficiaries.
        """
        joined = self._enrolment(partner)
        if not isinstance(kind, CommitmentKind):
            raise ValidationError.for_field("kind", kind, "must be a CommitmentKind")
        check_number("amount", amount, integer=kind in _COUNTED)
        self._check_time(at, joined)
        check_number("beneficiaries", beneficiaries, integer=True)
        _check_note(note)
        entry = Delivery(
            partner=joined.partner.name,
            kind=kind,
            amount=amount,
            at=at,
            beneficiaries=int(beneficiaries),
            note=note,
        )
        return self._append(entry)

    def report_profit(
        self,
        partner: Partner | str,
        profit: float,
        *,
        start: datetime,
        end: datetime,
        note: str = "",
    ) -> ProfitReport:
        """Record a partner's profit for ``[start, end)`` (a loss may be negative).

        Raises:
            ValidationError: an unknown partner, a non-number, naive datetimes, or ``end`` before
                ``start``.
        """
        joined = self._enrolment(partner)
        check_number("profit", profit, minimum=-float("inf"))
        _check_window(start, end)
        _check_note(note)
        entry = ProfitReport(
            partner=joined.partner.name, profit=profit, start=start, end=end, note=note
        )
        return self._append(entry)

    def contribute(
        self,
        partner: Partner | str,
        kind: ContributionKind,
        amount: float,
        *,
        at: datetime,
        note: str = "",
    ) -> CommunityContribution:
        """Record what the community gave the partner (space hours, publicity, funding).

        Raises:
            ValidationError: an unknown partner or kind, a negative amount, a naive ``at``.
        """
        joined = self._enrolment(partner)
        if not isinstance(kind, ContributionKind):
            raise ValidationError.for_field("kind", kind, "must be a ContributionKind")
        check_number("amount", amount)
        check_aware("at", at)
        _check_note(note)
        entry = CommunityContribution(
            partner=joined.partner.name, kind=kind, amount=amount, at=at, note=note
        )
        return self._append(entry)

    def correct(
        self,
        target: int,
        *,
        amount: float,
        at: datetime,
        note: str,
        beneficiaries: int | None = None,
    ) -> Correction:
        """Correct an earlier delivery, contribution or profit report by appending a correction.

        Args:
            target: The index of the entry in :attr:`entries`.
            amount: The corrected amount (the corrected profit, for a profit report).
            at: When the correction is recorded.
            note: Why; required.
            beneficiaries: The corrected beneficiaries of a delivery, or ``None`` to keep them.

        Raises:
            ValidationError: an index that is not a delivery, contribution or profit report, an
                amount the original could not have had, an empty note, a naive ``at``.
        """
        if isinstance(target, bool) or not isinstance(target, int):
            raise ValidationError.for_field("target", target, "must be an entry index")
        if not 0 <= target < len(self._entries):
            raise ValidationError.for_field("target", target, "is not an entry of this ledger")
        original = self._entries[target]
        if isinstance(original, Delivery):
            check_number("amount", amount, integer=original.kind in _COUNTED)
        elif isinstance(original, CommunityContribution):
            check_number("amount", amount)
        elif isinstance(original, ProfitReport):
            check_number("amount", amount, minimum=-float("inf"))
        else:
            raise ValidationError.for_field(
                "target", target, f"a {type(original).__name__} cannot be corrected"
            )
        if beneficiaries is not None:
            if not isinstance(original, Delivery):
                raise ValidationError.for_field(
                    "beneficiaries", beneficiaries, "only deliveries have beneficiaries"
                )
            check_number("beneficiaries", beneficiaries, integer=True)
        check_aware("at", at)
        check_text("note", note)
        entry = Correction(
            target=target,
            amount=amount,
            at=at,
            note=note,
            beneficiaries=None if beneficiaries is None else int(beneficiaries),
        )
        return self._append(entry)

    @staticmethod
    def _check_time(at: object, joined: Enrolment) -> None:
        when = check_aware("at", at)
        if when < joined.since:
            raise ValidationError.for_field(
                "at", when, f"is before {joined.partner.name} joined ({joined.since.isoformat()})"
            )

    # Reading ----------------------------------------------------------------------------------

    def _effective(self) -> list[tuple[_Figures, float, int]]:
        """Deliveries, contributions and profit reports with their latest corrected figures."""
        fixed: dict[int, Correction] = {}
        for entry in self._entries:
            if isinstance(entry, Correction):
                fixed[entry.target] = entry
        out: list[tuple[_Figures, float, int]] = []
        for i, entry in enumerate(self._entries):
            if isinstance(entry, (Delivery, CommunityContribution, ProfitReport)):
                amount = entry.profit if isinstance(entry, ProfitReport) else entry.amount
                served = entry.beneficiaries if isinstance(entry, Delivery) else 0
                latest = fixed.get(i)
                if latest is not None:
                    amount = latest.amount
                    served = served if latest.beneficiaries is None else latest.beneficiaries
                out.append((entry, amount, served))
        return out

    def _delivered(
        self, name: str, kind: CommitmentKind, start: datetime | None, end: datetime
    ) -> float:
        total: float = 0
        for entry, amount, _ in self._effective():
            if (
                isinstance(entry, Delivery)
                and entry.partner == name
                and entry.kind is kind
                and (start is None or entry.at >= start)
                and entry.at < end
            ):
                total += amount
        return total

    def _profit_due(self, name: str, share: float, start: datetime, end: datetime) -> float:
        """``share`` × the profit reported for the part of each report's period inside the window."""
        total = 0.0
        for entry, amount, _ in self._effective():
            if isinstance(entry, ProfitReport) and entry.partner == name and amount > 0:
                lo, hi = max(entry.start, start), min(entry.end, end)
                span = elapsed(entry.start, entry.end)
                if span == 0:
                    inside = 1.0 if start <= entry.start < end else 0.0
                else:
                    inside = max(elapsed(lo, hi), 0.0) / span
                total += share * amount * inside
        return total

    def fulfilment(
        self, partner: Partner | str, *, start: datetime, end: datetime
    ) -> tuple[Fulfilment, ...]:
        """Fulfilment of each of the partner's commitments in the window ``[start, end)``.

        A recurring commitment is due ``amount`` per period, periods counted from ``start``; a part
        period counts pro rata (2 meetings a month over a quarter: 6 due). A one-off commitment is
        due once, and everything delivered before ``end`` counts. A profit share is due on the
        profit reported for the window, and the yuan paid in the window count.

        Raises:
            ValidationError: an unknown partner, naive datetimes, or ``end`` before ``start``.
        """
        joined = self._enrolment(partner)
        _check_window(start, end)
        name = joined.partner.name
        out: list[Fulfilment] = []
        for c in joined.partner.commitments:
            if c.kind is CommitmentKind.PROFIT_SHARE:
                due = self._profit_due(name, c.amount, start, end)
                delivered = self._delivered(name, c.kind, start, end)
            elif c.per is None:
                due = float(c.amount)
                delivered = self._delivered(name, c.kind, None, end)
            else:
                whole, part = _periods(start, end, c.per)
                due = c.amount * (whole + part)
                delivered = self._delivered(name, c.kind, start, end)
            ratio = 1.0 if due <= 0 else min(delivered / due, 1.0)
            out.append(
                Fulfilment(
                    partner=name,
                    commitment=c,
                    start=start,
                    end=end,
                    due=due,
                    delivered=delivered,
                    ratio=ratio,
                    reason=_fulfilment_reason(c, due, delivered, ratio),
                )
            )
        return tuple(out)

    def overdue(self, now: datetime) -> tuple[Overdue, ...]:
        """Commitments behind schedule at ``now``, each with a reason.

        A recurring commitment is behind when, over the whole periods completed since the partner
        joined, less was delivered than due (a make-up delivery in a later period counts). A
        one-off is behind once ``grace`` has passed since joining. A profit share is behind when
        the yuan paid so far fall short of the share of the profit reported so far.

        Raises:
            ValidationError: a naive ``now``.
        """
        check_aware("now", now)
        out: list[Overdue] = []
        for joined in self._partners.values():
            if joined.since >= now:
                continue
            for c in joined.partner.commitments:
                found = self._behind(joined, c, now)
                if found is not None:
                    out.append(found)
        return tuple(out)

    def _behind(self, joined: Enrolment, c: Commitment, now: datetime) -> Overdue | None:
        name = joined.partner.name
        unit_zh, unit_en = _UNITS[c.kind]
        short_zh = ""
        short_en = ""
        if c.kind is CommitmentKind.PROFIT_SHARE:
            due = self._profit_due(name, c.amount, joined.since, now)
            delivered = self._delivered(name, c.kind, joined.since, now)
            until = now
        elif c.per is None:
            until = joined.since + self.grace
            if until > now:
                return None
            due = float(c.amount)
            delivered = self._delivered(name, c.kind, None, now)
        else:
            whole, _ = _periods(joined.since, now, c.per)
            if whole == 0:
                return None
            until = _boundary(joined.since, c.per, whole)
            due = float(c.amount * whole)
            delivered = self._delivered(name, c.kind, joined.since, until)
            missed = []
            for k in range(whole):
                lo = _boundary(joined.since, c.per, k)
                got = self._delivered(name, c.kind, lo, _boundary(joined.since, c.per, k + 1))
                if got < c.amount:
                    missed.append((lo, got))
            short_zh = "；未达标周期：" + "、".join(
                f"{lo:%Y-%m-%d} 起（{fmt(got)}/{fmt(c.amount)}）" for lo, got in missed
            )
            short_en = "; short periods: " + ", ".join(
                f"from {lo:%Y-%m-%d} ({fmt(got)}/{fmt(c.amount)})" for lo, got in missed
            )
        if delivered >= due:
            return None
        gap = due - delivered
        reason = Reason(
            f"{name}「{c.kind.label}」落后：截至 {until:%Y-%m-%d} 应 {fmt(due)} {unit_zh}，"
            f"实 {fmt(delivered)} {unit_zh}，差 {fmt(gap)} {unit_zh}{short_zh}",
            f"{name} is behind on {_en(c.kind)}: {fmt(due)} {unit_en} due by "
            f"{until:%Y-%m-%d}, {fmt(delivered)} delivered, {fmt(gap)} short{short_en}",
            code="behind",
        )
        return Overdue(
            partner=name,
            commitment=c,
            as_of=now,
            due=due,
            delivered=delivered,
            reason=reason,
        )

    def exchange(
        self, partner: Partner | str | None = None, *, start: datetime, end: datetime
    ) -> Exchange:
        """The three-way exchange in ``[start, end)``: community → partner → residents.

        Args:
            partner: One partner, or ``None`` for every partner.
            start: The window's start.
            end: The window's end.
        """
        name = None if partner is None else self._enrolment(partner).partner.name
        _check_window(start, end)
        community: dict[ContributionKind, float] = {}
        gave: dict[CommitmentKind, float] = {}
        served: dict[CommitmentKind, int] = {}
        for entry, amount, people in self._effective():
            if isinstance(entry, ProfitReport) or (name is not None and entry.partner != name):
                continue
            if not start <= entry.at < end:
                continue
            if isinstance(entry, CommunityContribution):
                community[entry.kind] = community.get(entry.kind, 0) + amount
            else:
                assert isinstance(entry, Delivery)
                gave[entry.kind] = gave.get(entry.kind, 0) + amount
                if people:
                    served[entry.kind] = served.get(entry.kind, 0) + people
        return Exchange(
            partner=name,
            start=start,
            end=end,
            community=community,
            partner_gave=gave,
            beneficiaries=served,
        )

    def statement(
        self, partner: Partner | str, *, start: datetime, end: datetime, lang: Lang = "zh"
    ) -> str:
        """A readable fulfilment report and exchange for one partner and window."""
        rows = self.fulfilment(partner, start=start, end=end)
        name = rows[0].partner if rows else self._enrolment(partner).partner.name
        if lang == "en":
            head = f"{name}: commitments {start:%Y-%m-%d} to {end:%Y-%m-%d}"
        else:
            head = f"{name}：{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 履约情况"
        lines = [head] + [f"  {r.reason.text(lang)}" for r in rows]
        lines.append(self.exchange(partner, start=start, end=end).render(lang))
        return "\n".join(lines)


def _check_note(note: object) -> None:
    if not isinstance(note, str):
        raise ValidationError.for_field("note", note, "must be a string")


def _fulfilment_reason(c: Commitment, due: float, delivered: float, ratio: float) -> Reason:
    unit_zh, unit_en = _UNITS[c.kind]
    if c.kind is CommitmentKind.PROFIT_SHARE:
        what_zh = f"{c.kind.label}（利润的 {pct(c.amount)}）"
        what_en = f"profit share ({pct(c.amount)} of profit)"
    else:
        what_zh, what_en = c.kind.label, _en(c.kind)
    if due <= 0:
        return Reason(
            f"{what_zh}：本期无应履行量",
            f"{what_en}: nothing due in the window",
            code="nothing_due",
        )
    code = "met" if ratio >= 1 else "short"
    return Reason(
        f"{what_zh}：应 {fmt(due)} {unit_zh}，实 {fmt(delivered)} {unit_zh}，履约率 {pct(ratio)}",
        f"{what_en}: {fmt(due)} {unit_en} due, {fmt(delivered)} delivered, fulfilment {pct(ratio)}",
        code=code,
    )
