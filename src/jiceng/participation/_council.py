"""Sage councils (乡贤理事会): members, mediation cases, funds and public disclosure (公开监督)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

import attrs
from attrs import define, field, frozen

from jiceng.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from jiceng.models import Actor, ActorRole, Task, TaskStatus
from jiceng.participation._common import (
    Lang,
    Reason,
    aware,
    check_aware,
    check_items,
    check_number,
    fmt,
    non_empty,
    of_type,
    optional_aware,
    pct,
)

__all__ = [
    "Background",
    "CaseUpdate",
    "CouncilEntry",
    "CouncilMember",
    "CouncilSummary",
    "Disclosure",
    "MediationCase",
    "MediationOutcome",
    "Pledge",
    "Receipt",
    "SageCouncil",
    "record_mediation_on_task",
]


class Background(enum.Enum):
    """A council member's background (乡贤的身份)."""

    RETIRED_CADRE = "retired_cadre"
    ENTREPRENEUR = "entrepreneur"
    CULTURAL_FIGURE = "cultural_figure"
    EDUCATOR = "educator"
    PROFESSIONAL = "professional"
    RESPECTED_ELDER = "respected_elder"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The Chinese name."""
        return {
            "retired_cadre": "退休干部",
            "entrepreneur": "企业家",
            "cultural_figure": "文化人士",
            "educator": "教师",
            "professional": "专业人士（律师、医生等）",
            "respected_elder": "德高望重的长者",
            "other": "其他",
        }[self.value]


class MediationOutcome(enum.Enum):
    """Where a mediation stands; all but PENDING are concluded."""

    PENDING = "pending"
    SETTLED = "settled"
    PARTIAL = "partial"
    FAILED = "failed"
    REFERRED = "referred"

    @property
    def label(self) -> str:
        """The Chinese name."""
        return {
            "pending": "调解中",
            "settled": "调解成功",
            "partial": "部分达成",
            "failed": "调解不成",
            "referred": "移交处理",
        }[self.value]

    @property
    def is_concluded(self) -> bool:
        """Whether the mediation has ended (any outcome but PENDING)."""
        return self is not MediationOutcome.PENDING


def _amount(_inst: object, attribute: Any, value: Any) -> None:
    check_number(attribute.name, value)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@frozen
class CouncilMember:
    """A member of a sage council (乡贤): a name and a background."""

    name: str = field(validator=non_empty)
    background: Background = field(kw_only=True, validator=of_type(Background))


@frozen
class MediationCase:
    """A dispute the council mediated (矛盾纠纷调解).

    Attributes:
        id: The case id.
        opened: When mediation began.
        category: The dispute's category; ``"邻里纠纷"`` (neighbour dispute) by default.
        outcome: Where it stands (PENDING until concluded).
        closed: When it concluded (required for a concluded outcome, absent while PENDING).
        mediators: Member names who mediated.
        note: Free text.
        task: The id of a linked :class:`~jiceng.models.Task`, if the dispute came in as one.
    """

    id: str = field(validator=non_empty)
    opened: datetime = field(kw_only=True, validator=aware)
    category: str = field(default="邻里纠纷", kw_only=True, validator=non_empty)
    outcome: MediationOutcome = field(
        default=MediationOutcome.PENDING, kw_only=True, validator=of_type(MediationOutcome)
    )
    closed: datetime | None = field(default=None, kw_only=True, validator=optional_aware)
    mediators: tuple[str, ...] = field(default=(), kw_only=True, converter=_names)
    note: str = field(default="", kw_only=True)
    task: str | None = field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.outcome.is_concluded and self.closed is None:
            raise ValidationError.for_field("closed", None, "a concluded case needs a close time")
        if not self.outcome.is_concluded and self.closed is not None:
            raise ValidationError.for_field("closed", self.closed, "a pending case has no close")
        if self.closed is not None and self.closed < self.opened:
            raise ValidationError.for_field(
                "closed", self.closed, f"ends before it starts ({self.opened.isoformat()})"
            )


@frozen
class CaseUpdate:
    """A later outcome for a case (the original record stays)."""

    case_id: str = field(kw_only=True)
    outcome: MediationOutcome = field(kw_only=True)
    at: datetime = field(kw_only=True)
    note: str = field(default="", kw_only=True)


@frozen
class Pledge:
    """Money a donor pledged to the council's fund (认捐)."""

    donor: str = field(kw_only=True, validator=non_empty)
    amount: float = field(kw_only=True, validator=_amount)
    at: datetime = field(kw_only=True, validator=aware)
    purpose: str = field(default="", kw_only=True)


@frozen
class Receipt:
    """Money the council received (到账), optionally against a pledge (its entry index)."""

    donor: str = field(kw_only=True, validator=non_empty)
    amount: float = field(kw_only=True, validator=_amount)
    at: datetime = field(kw_only=True, validator=aware)
    purpose: str = field(default="", kw_only=True)
    pledge: int | None = field(default=None, kw_only=True)


@frozen
class Disclosure:
    """A public disclosure (公开监督): which receipts and cases were published, when and where.

    Attributes:
        at: When it was published.
        channel: Where (公示栏, 微信群, 村务公开栏 …).
        covers: The entry indices of the receipts and cases it discloses.
        note: Free text.
    """

    at: datetime = field(kw_only=True, validator=aware)
    channel: str = field(kw_only=True, validator=non_empty)
    covers: tuple[int, ...] = field(kw_only=True)
    note: str = field(default="", kw_only=True)


CouncilEntry = CouncilMember | MediationCase | CaseUpdate | Pledge | Receipt | Disclosure
"""Any entry of a :class:`SageCouncil`'s append-only record."""

_E = TypeVar("_E", CouncilMember, MediationCase, CaseUpdate, Pledge, Receipt, Disclosure)


@frozen
class CouncilSummary:
    """A council's record in a window.

    Attributes:
        council: The council's name.
        members: Members per background.
        cases: Cases opened in the window.
        concluded: Of those, concluded.
        settled: Of those, settled (调解成功).
        pledged: Yuan pledged in the window.
        received: Yuan received in the window.
        fund_disclosure: The share of received yuan that has been publicly disclosed (1.0 when
            nothing was received).
        case_disclosure: The share of concluded cases publicly disclosed (1.0 when none).
    """

    council: str = field(kw_only=True)
    members: dict[Background, int] = field(kw_only=True, hash=False)
    cases: int = field(kw_only=True)
    concluded: int = field(kw_only=True)
    settled: int = field(kw_only=True)
    pledged: float = field(kw_only=True)
    received: float = field(kw_only=True)
    fund_disclosure: float = field(kw_only=True)
    case_disclosure: float = field(kw_only=True)

    @property
    def success_rate(self) -> float:
        """Settled / concluded cases (0.0 when none concluded)."""
        return self.settled / self.concluded if self.concluded else 0.0

    @property
    def pledge_fulfilment(self) -> float:
        """Received / pledged, at most 1 (1.0 when nothing was pledged)."""
        return min(self.received / self.pledged, 1.0) if self.pledged else 1.0

    def render(self, lang: Lang = "zh") -> str:
        """A readable summary."""
        if lang == "en":
            who = ", ".join(f"{k.name.lower()} {v}" for k, v in self.members.items())
            return (
                f"{self.council}: {sum(self.members.values())} members ({who})\n"
                f"  mediations: {self.cases} cases, {self.concluded} concluded, {self.settled} "
                f"settled, success rate {pct(self.success_rate)}\n"
                f"  funds: {fmt(self.pledged)} yuan pledged, {fmt(self.received)} yuan received "
                f"({pct(self.pledge_fulfilment)} of pledges)\n"
                f"  public disclosure: {pct(self.fund_disclosure)} of funds, "
                f"{pct(self.case_disclosure)} of concluded cases"
            )
        who = "、".join(f"{k.label} {v} 人" for k, v in self.members.items())
        return (
            f"{self.council}：成员 {sum(self.members.values())} 人（{who}）\n"
            f"  调解：受理 {self.cases} 件，办结 {self.concluded} 件，成功 {self.settled} 件，"
            f"成功率 {pct(self.success_rate)}\n"
            f"  资金：认捐 {fmt(self.pledged)} 元，到账 {fmt(self.received)} 元"
            f"（认捐兑现 {pct(self.pledge_fulfilment)}）\n"
            f"  公开监督：资金公开 {pct(self.fund_disclosure)}，调解结果公开 "
            f"{pct(self.case_disclosure)}"
        )


def _members(value: Iterable[CouncilMember]) -> list[CouncilMember]:
    return list(check_items("members", CouncilMember, value))


@define
class SageCouncil:
    """A sage council (乡贤理事会) with an append-only record of everything it did.

    Members, mediation cases, case updates, pledges, receipts and disclosures are all entries; none
    is ever removed or edited. Fujian's councils are the model: one county's councils mediated
    300+ disputes and raised 5 M yuan in a year.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2024, 1, 8, tzinfo=timezone.utc)
    >>> council = SageCouncil(
    ...     "溪口村乡贤理事会", members=[CouncilMember("林老师", background=Background.EDUCATOR)]
    ... )
    >>> _ = council.record_case(
    ...     MediationCase(
    ...         "M1", opened=t, outcome=MediationOutcome.SETTLED, closed=t, mediators=["林老师"]
    ...     )
    ... )
    >>> i = len(council.entries)
    >>> _ = council.receive("陈总", 200_000, at=t, purpose="修桥")
    >>> _ = council.disclose(at=t, channel="村务公开栏", covers=[i])
    >>> s = council.summary()
    >>> s.cases, s.success_rate, s.received, s.fund_disclosure
    (1, 1.0, 200000, 1.0)
    """

    name: str = field(validator=non_empty)
    _entries: list[CouncilEntry] = field(factory=list, init=False)
    _initial: list[CouncilMember] = field(
        factory=list, converter=_members, alias="members", kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        initial, self._initial = self._initial, []
        for member in initial:
            self.add_member(member)

    @property
    def entries(self) -> tuple[CouncilEntry, ...]:
        """Every entry, in the order recorded."""
        return tuple(self._entries)

    @property
    def members(self) -> tuple[CouncilMember, ...]:
        """The members, in joining order."""
        return tuple(e for e in self._entries if isinstance(e, CouncilMember))

    def _entry(self, index: object) -> CouncilEntry | None:
        """The entry at ``index``, or ``None`` when ``index`` is not a valid entry index."""
        if isinstance(index, bool) or not isinstance(index, int):
            return None
        return self._entries[index] if 0 <= index < len(self._entries) else None

    def _append(self, entry: _E) -> _E:
        self._entries.append(entry)
        return entry

    def add_member(self, member: CouncilMember) -> CouncilMember:
        """Add a member (names are unique)."""
        if not isinstance(member, CouncilMember):
            raise ValidationError.for_field("member", member, "must be a CouncilMember")
        if any(m.name == member.name for m in self.members):
            raise ValidationError.for_field("member", member.name, "is already a member")
        return self._append(member)

    def _original(self, case_id: str) -> MediationCase:
        for e in self._entries:
            if isinstance(e, MediationCase) and e.id == case_id:
                return e
        raise ValidationError.for_field("case_id", case_id, "is not a case of this council")

    def record_case(self, case: MediationCase) -> MediationCase:
        """Record a mediation case; its mediators must be members, its id new."""
        if not isinstance(case, MediationCase):
            raise ValidationError.for_field("case", case, "must be a MediationCase")
        if any(isinstance(e, MediationCase) and e.id == case.id for e in self._entries):
            raise ValidationError.for_field("id", case.id, "duplicate case id")
        names = {m.name for m in self.members}
        for who in case.mediators:
            if who not in names:
                raise ValidationError.for_field("mediators", who, "is not a council member")
        return self._append(case)

    def update_case(
        self, case_id: str, *, outcome: MediationOutcome, at: datetime, note: str = ""
    ) -> CaseUpdate:
        """Append a new outcome for a case (e.g. PENDING → SETTLED, or a correction with a note).

        Raises:
            ValidationError: an unknown case, a bad outcome, a naive ``at``, or an ``at`` earlier
                than the case's last record.
        """
        current = self.case(case_id)
        if not isinstance(outcome, MediationOutcome):
            raise ValidationError.for_field("outcome", outcome, "must be a MediationOutcome")
        check_aware("at", at)
        last = current.closed or current.opened
        if at < last:
            raise ValidationError.for_field("at", at, f"is before the case's last record ({last})")
        return self._append(CaseUpdate(case_id=case_id, outcome=outcome, at=at, note=note))

    def case(self, case_id: str) -> MediationCase:
        """The case as it stands now: the original with its latest update applied."""
        case = self._original(case_id)
        for e in self._entries:
            if isinstance(e, CaseUpdate) and e.case_id == case_id:
                closed = e.at if e.outcome.is_concluded else None
                case = attrs.evolve(case, outcome=e.outcome, closed=closed)
        return case

    @property
    def cases(self) -> tuple[MediationCase, ...]:
        """Every case as it stands now, in recording order."""
        return tuple(self.case(e.id) for e in self._entries if isinstance(e, MediationCase))

    def pledge(self, donor: str, amount: float, *, at: datetime, purpose: str = "") -> Pledge:
        """Record a pledge (认捐) of ``amount`` yuan."""
        return self._append(Pledge(donor=donor, amount=amount, at=at, purpose=purpose))

    def receive(
        self,
        donor: str,
        amount: float,
        *,
        at: datetime,
        purpose: str = "",
        pledge: int | None = None,
    ) -> Receipt:
        """Record money received (到账), optionally against a pledge's entry index."""
        if pledge is not None and not isinstance(self._entry(pledge), Pledge):
            raise ValidationError.for_field("pledge", pledge, "is not a pledge entry")
        return self._append(
            Receipt(donor=donor, amount=amount, at=at, purpose=purpose, pledge=pledge)
        )

    def disclose(
        self, *, at: datetime, channel: str, covers: Iterable[int], note: str = ""
    ) -> Disclosure:
        """Record a public disclosure (公开监督) of receipts and cases, by entry index.

        Raises:
            ValidationError: an index that is not a receipt or case, or a disclosure dated before
                what it discloses.
        """
        check_aware("at", at)
        indices = tuple(covers)
        for i in indices:
            entry = self._entry(i)
            if not isinstance(entry, (Receipt, MediationCase)):
                raise ValidationError.for_field("covers", i, "is not a receipt or case entry")
            when = entry.at if isinstance(entry, Receipt) else entry.opened
            if at < when:
                raise ValidationError.for_field("at", at, f"is before entry {i} ({when})")
        return self._append(Disclosure(at=at, channel=channel, covers=indices, note=note))

    def summary(
        self, *, start: datetime | None = None, end: datetime | None = None
    ) -> CouncilSummary:
        """Cases, success rate, funds and disclosure coverage in ``[start, end)`` (all by default)."""
        if start is not None:
            check_aware("start", start)
        if end is not None:
            check_aware("end", end)
        if start is not None and end is not None and end < start:
            raise ValidationError.for_field("end", end, f"ends before it starts ({start})")

        def inside(when: datetime) -> bool:
            return (start is None or when >= start) and (end is None or when < end)

        disclosed = {i for e in self._entries if isinstance(e, Disclosure) for i in e.covers}
        members: dict[Background, int] = {}
        for m in self.members:
            members[m.background] = members.get(m.background, 0) + 1
        cases = concluded = settled = shown = 0
        pledged: float = 0
        received: float = 0
        received_shown: float = 0
        for i, e in enumerate(self._entries):
            if isinstance(e, MediationCase) and inside(e.opened):
                now = self.case(e.id)
                cases += 1
                if now.outcome.is_concluded:
                    concluded += 1
                    settled += now.outcome is MediationOutcome.SETTLED
                    shown += i in disclosed
            elif isinstance(e, Pledge) and inside(e.at):
                pledged += e.amount
            elif isinstance(e, Receipt) and inside(e.at):
                received += e.amount
                if i in disclosed:
                    received_shown += e.amount
        return CouncilSummary(
            council=self.name,
            members=members,
            cases=cases,
            concluded=concluded,
            settled=settled,
            pledged=pledged,
            received=received,
            fund_disclosure=received_shown / received if received else 1.0,
            case_disclosure=shown / concluded if concluded else 1.0,
        )


_OPEN_FOR_COOPERATION = (TaskStatus.DISPATCHED, TaskStatus.ACCEPTED, TaskStatus.PARKED)
_COORDINATORS = (ActorRole.PLATFORM, ActorRole.SUPERVISOR, ActorRole.SYSTEM)


def record_mediation_on_task(
    task: Task,
    council: SageCouncil,
    case: MediationCase | str,
    *,
    at: datetime,
    by: Actor | None = None,
) -> Reason:
    """Feed a council's mediation into a task (e.g. a 邻里纠纷 task from the 12345 hotline).

    The flow stays within the task lifecycle (DESIGN §3):

    1. ``by`` (the platform, a supervisor or the system; ``Actor.system()`` by default) adds the
       council as a cooperating party (加派) with ``Task.add_cooperating``, unless it already is one.
    2. If the case is SETTLED and the task is ACCEPTED, the task's assigned department resolves it
       (处置反馈) with a note naming the council. Closing (核查结案) stays with the supervisor or
       grid worker, as for any task.

    Everything is checked before the task changes.

    Args:
        task: The task (DISPATCHED, ACCEPTED or PARKED; ACCEPTED to be resolved).
        council: The council that mediated.
        case: The case, or its id, as recorded by the council (its current outcome is used).
        at: When (timezone-aware; not earlier than the task's last event).
        by: Who adds the cooperating party.

    Returns:
        A reason saying what was done, Chinese first.

    Raises:
        ValidationError: an unknown case, a naive or too-early ``at``.
        InvalidTransitionError: a task that cannot take a cooperating party now, or a settled case
            whose task is not ACCEPTED.
        PermissionDeniedError: a ``by`` who may not add cooperating parties.
    """
    case = council.case(case.id if isinstance(case, MediationCase) else case)
    check_aware("at", at)
    actor = by or Actor.system()
    settle = case.outcome is MediationOutcome.SETTLED
    if task.status not in _OPEN_FOR_COOPERATION:
        raise InvalidTransitionError(task=task.id, current=task.status, requested="add_cooperating")
    if settle and task.status is not TaskStatus.ACCEPTED:
        raise InvalidTransitionError(task=task.id, current=task.status, requested="resolve")
    if actor.role not in _COORDINATORS:
        raise PermissionDeniedError(
            actor=actor, action="add_cooperating", task=task.id, why="platform/supervisor/system"
        )
    if at < task.history[-1].at:
        raise ValidationError.for_field("at", at, "is earlier than the task's last event")
    joined = council.name in task.cooperating
    if not joined:
        task.add_cooperating(
            council.name, at=at, by=actor, reason=f"乡贤理事会调解（案件 {case.id}）"
        )
    if settle:
        department = task.department or ""
        task.resolve(
            at=at,
            by=Actor.department(department),
            note=f"经{council.name}调解成功（案件 {case.id}）{case.note}",
        )
        return Reason(
            f"{council.name}已列为配合方，案件 {case.id} 调解成功，由{department}办结",
            f"{council.name} added as cooperating; case {case.id} settled; resolved by "
            f"{department}",
            code="resolved",
        )
    return Reason(
        f"{council.name}已列为配合方，案件 {case.id} {case.outcome.label}，工单继续办理",
        f"{council.name} added as cooperating; case {case.id} is {case.outcome.name.lower()}; "
        "the task stays open",
        code="cooperating",
    )
