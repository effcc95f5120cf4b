"""Deliberation meetings (议事会): participation and the three causes of low turnout."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, runtime_checkable

import attrs
from attrs import field, frozen

from jiceng.errors import ValidationError
from jiceng.participation._common import (
    Lang,
    Reason,
    aware,
    check_aware,
    check_fraction,
    check_items,
    check_number,
    check_text,
    non_empty,
    optional_aware,
    pct,
)

__all__ = [
    "AgeBand",
    "Cause",
    "Diagnosis",
    "Finding",
    "HasCategory",
    "Meeting",
    "Opinion",
    "ParticipationThresholds",
    "SlotKind",
    "TimeSlot",
    "diagnose",
    "participation_rate",
    "top_categories",
]

_WEEKDAYS = "一二三四五六日"


class AgeBand(enum.Enum):
    """Attendees' age bands."""

    YOUNG = "young"
    MIDDLE = "middle"
    OLDER = "older"

    @property
    def label(self) -> str:
        """The Chinese name with the ages."""
        return {
            "young": "青年（18–34岁）",
            "middle": "中年（35–59岁）",
            "older": "老年（60岁及以上）",
        }[self.value]


class SlotKind(enum.Enum):
    """When a meeting is held, as far as working residents are concerned."""

    WEEKDAY_DAYTIME = "weekday_daytime"
    WEEKDAY_EVENING = "weekday_evening"
    WEEKEND = "weekend"

    @property
    def label(self) -> str:
        """The Chinese name."""
        return {
            "weekday_daytime": "工作日白天",
            "weekday_evening": "工作日晚间",
            "weekend": "周末/节假日",
        }[self.value]


class Cause(enum.Enum):
    """The seed's three causes of low participation."""

    TIME_SLOT = "time_slot"
    TOPIC_RELEVANCE = "topic_relevance"
    FEEDBACK = "feedback"

    @property
    def label(self) -> str:
        """The Chinese name."""
        return {"time_slot": "时间安排", "topic_relevance": "议题相关性", "feedback": "反馈闭环"}[
            self.value
        ]


def _time_pair(value: Any) -> tuple[time, time]:
    pair = tuple(value)
    if len(pair) != 2 or not all(isinstance(t, time) for t in pair) or not pair[0] < pair[1]:
        raise ValidationError.for_field("daytime", value, "must be (start, end) times, start < end")
    return pair[0], pair[1]


def _fraction(_inst: object, attribute: Any, value: Any) -> None:
    check_fraction(attribute.name, value)


def _count(_inst: object, attribute: Any, value: Any) -> None:
    check_number(attribute.name, value, integer=True)


def _positive_int(_inst: object, attribute: Any, value: Any) -> None:
    check_number(attribute.name, value, minimum=1, integer=True)


def _dates(value: Iterable[date]) -> frozenset[date]:
    out = frozenset(value)
    for d in out:
        if not isinstance(d, date):
            raise ValidationError.for_field("holidays", d, "must contain dates")
    return out


@frozen
class ParticipationThresholds:
    """Configurable thresholds for :func:`diagnose` (defaults with their source).

    Attributes:
        daytime: The local working day, ``(start, end)``; a weekday meeting overlapping it is a
            weekday-daytime meeting. Default 08:00–18:00 (usual office hours).
        working_share: Flag a weekday-daytime meeting when at least this share of residents work.
            Default 0.4. Source: the seed — meetings on weekday daytimes drew 15% participation,
            mostly older residents, because working people could not come.
        top_n: How many of residents' most reported categories count as "what residents care
            about". Default 5.
        min_relevance: Flag an agenda when less than this share of its topics is among the top-N
            categories. Default 0.5.
        min_feedback: Flag when less than this share of adopted opinions has a recorded
            follow-up. Default 0.8: residents stop coming when opinions vanish (the seed's third
            cause; the share itself is a judgement call, so set your own).
        low_participation: Below this rate a meeting counts as poorly attended. Default 0.3,
            between the seed's 15% (weekday daytime) and the 45% Chengdu reached with its
            proposal contest.
        holidays: Dates treated like weekends (法定节假日).
    """

    daytime: tuple[time, time] = field(
        default=(time(8, 0), time(18, 0)), kw_only=True, converter=_time_pair
    )
    working_share: float = field(default=0.4, kw_only=True, validator=_fraction)
    top_n: int = field(default=5, kw_only=True, validator=_positive_int)
    min_relevance: float = field(default=0.5, kw_only=True, validator=_fraction)
    min_feedback: float = field(default=0.8, kw_only=True, validator=_fraction)
    low_participation: float = field(default=0.3, kw_only=True, validator=_fraction)
    holidays: frozenset[date] = field(factory=frozenset, kw_only=True, converter=_dates)


def _duration(_inst: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValidationError.for_field(attribute.name, value, "must be a positive timedelta")


@frozen
class TimeSlot:
    """When a meeting is held: a timezone-aware start and a positive duration.

    >>> from datetime import datetime, timedelta, timezone
    >>> cst = timezone(timedelta(hours=8))
    >>> TimeSlot(datetime(2024, 3, 6, 9, 30, tzinfo=cst), timedelta(hours=2)).kind().label
    '工作日白天'
    """

    start: datetime = field(validator=aware)
    duration: timedelta = field(validator=_duration)

    @property
    def end(self) -> datetime:
        """When the meeting ends."""
        return self.start + self.duration

    def kind(self, thresholds: ParticipationThresholds | None = None) -> SlotKind:
        """Weekday daytime, weekday evening, or weekend/holiday, in the start's own time zone."""
        rules = thresholds or ParticipationThresholds()
        day = self.start.date()
        if day.weekday() >= 5 or day in rules.holidays:
            return SlotKind.WEEKEND
        tz = self.start.tzinfo
        open_ = datetime.combine(day, rules.daytime[0], tzinfo=tz)
        close = datetime.combine(day, rules.daytime[1], tzinfo=tz)
        if self.start < close and self.end > open_:
            return SlotKind.WEEKDAY_DAYTIME
        return SlotKind.WEEKDAY_EVENING

    def describe(self, lang: Lang = "zh") -> str:
        """E.g. ``'周三 09:30–11:30'`` or ``'Wed 09:30–11:30'``."""
        if lang == "en":
            return f"{self.start:%a %H:%M}–{self.end:%H:%M}"
        return f"周{_WEEKDAYS[self.start.weekday()]} {self.start:%H:%M}–{self.end:%H:%M}"


@frozen
class Opinion:
    """An opinion raised at a meeting; adopted ones need a follow-up (反馈) to close the loop.

    Attributes:
        text: The opinion.
        adopted: Whether the meeting adopted it (采纳).
        feedback_at: When the follow-up was given back to residents, or ``None``.
        feedback: What was done.
    """

    text: str = field(validator=non_empty)
    adopted: bool = field(default=True, kw_only=True)
    feedback_at: datetime | None = field(default=None, kw_only=True, validator=optional_aware)
    feedback: str = field(default="", kw_only=True)

    @property
    def closed(self) -> bool:
        """Whether a follow-up has been recorded."""
        return self.feedback_at is not None


def _attendance(value: Mapping[AgeBand, int]) -> dict[AgeBand, int]:
    out: dict[AgeBand, int] = {}
    for band, count in dict(value).items():
        if not isinstance(band, AgeBand):
            raise ValidationError.for_field("attendance", band, "keys must be AgeBand members")
        check_number(f"attendance[{band.name}]", count, integer=True)
        out[band] = int(count)
    return out


def _topics(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValidationError.for_field("agenda", value, "must be an iterable of topics, not a str")
    out = tuple(value)
    for topic in out:
        check_text("agenda", topic)
    return out


def _opinions(value: Iterable[Opinion]) -> tuple[Opinion, ...]:
    return check_items("opinions", Opinion, value)


@frozen
class Meeting:
    """A deliberation meeting (议事会): time slot, agenda, eligible residents, attendance, outcomes.

    Args:
        id: The meeting's id.
        slot: When it is held.
        eligible: Residents eligible to attend (≥ 0).
        attendance: Attendees per :class:`AgeBand`; their sum may not exceed ``eligible``.
        agenda: Topics, named like the categories residents report (``"停车管理"``).
        opinions: Opinions raised, adopted or not, with their follow-up.
        title: Free text.
    """

    id: str = field(validator=non_empty)
    slot: TimeSlot = field(kw_only=True)
    eligible: int = field(kw_only=True, validator=_count)
    attendance: dict[AgeBand, int] = field(
        factory=dict, kw_only=True, converter=_attendance, hash=False
    )
    agenda: tuple[str, ...] = field(default=(), kw_only=True, converter=_topics)
    opinions: tuple[Opinion, ...] = field(default=(), kw_only=True, converter=_opinions)
    title: str = field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.slot, TimeSlot):
            raise ValidationError.for_field("slot", self.slot, "must be a TimeSlot")
        if self.attended > self.eligible:
            raise ValidationError.for_field(
                "attendance", self.attended, f"exceeds the {self.eligible} eligible residents"
            )

    @property
    def attended(self) -> int:
        """How many attended."""
        return sum(self.attendance.values())

    @property
    def participation_rate(self) -> float:
        """Attended / eligible (0.0 when nobody is eligible)."""
        return self.attended / self.eligible if self.eligible else 0.0

    def share_of(self, band: AgeBand) -> float:
        """The share of attendees in ``band`` (0.0 when nobody came)."""
        return self.attendance.get(band, 0) / self.attended if self.attended else 0.0

    @property
    def adopted(self) -> tuple[Opinion, ...]:
        """The adopted opinions."""
        return tuple(o for o in self.opinions if o.adopted)

    def with_feedback(self, index: int, *, at: datetime, note: str) -> Meeting:
        """A copy of the meeting in which adopted opinion ``index`` has its follow-up recorded.

        Raises:
            ValidationError: a bad index, an opinion not adopted or already closed, a naive ``at``
                or one before the meeting, an empty note.
        """
        if isinstance(index, bool) or not isinstance(index, int):
            raise ValidationError.for_field("index", index, "must be an opinion index")
        if not 0 <= index < len(self.opinions):
            raise ValidationError.for_field("index", index, "is not an opinion of this meeting")
        opinion = self.opinions[index]
        if not opinion.adopted:
            raise ValidationError.for_field("index", index, "the opinion was not adopted")
        if opinion.closed:
            raise ValidationError.for_field("index", index, "the opinion already has feedback")
        check_aware("at", at)
        if at < self.slot.start:
            raise ValidationError.for_field("at", at, "is before the meeting")
        check_text("note", note)
        done = attrs.evolve(opinion, feedback_at=at, feedback=note)
        return attrs.evolve(
            self, opinions=(*self.opinions[:index], done, *self.opinions[index + 1 :])
        )


@runtime_checkable
class HasCategory(Protocol):
    """Anything with a ``category`` (a :class:`~jiceng.models.Task`, or a light record)."""

    @property
    def category(self) -> str:
        """The reported category."""


def _counts(reported: Mapping[str, int] | Iterable[HasCategory]) -> Counter[str]:
    if isinstance(reported, Mapping):
        out: Counter[str] = Counter()
        for cat, n in reported.items():
            check_text("reported", cat)
            check_number(f"reported[{cat!r}]", n, integer=True)
            out[cat] += int(n)
        return out
    counts: Counter[str] = Counter()
    for item in reported:
        cat = getattr(item, "category", None)
        counts[check_text("category", cat)] += 1
    return counts


def top_categories(reported: Mapping[str, int] | Iterable[HasCategory], n: int) -> tuple[str, ...]:
    """The ``n`` most reported categories, most first (ties by name).

    >>> top_categories({"噪音扰民": 12, "停车管理": 30, "垃圾清运": 12, "路灯": 2}, 3)
    ('停车管理', '噪音扰民', '垃圾清运')
    """
    counts = _counts(reported)
    ranked = sorted((c for c in counts if counts[c] > 0), key=lambda c: (-counts[c], c))
    return tuple(ranked[:n])


@frozen
class Finding:
    """One diagnostic: the cause, whether it is flagged, the measured value and the threshold.

    Attributes:
        cause: Which of the three causes.
        flagged: Whether it likely depresses participation.
        value: The measured figure (working share; agenda relevance; feedback share).
        threshold: The threshold it was compared with.
        reason: Why, Chinese first (``.en`` for English).
        recommendation: What to do, when flagged; ``None`` otherwise.
    """

    cause: Cause = field(kw_only=True)
    flagged: bool = field(kw_only=True)
    value: float = field(kw_only=True)
    threshold: float = field(kw_only=True)
    reason: Reason = field(kw_only=True)
    recommendation: Reason | None = field(default=None, kw_only=True)


@frozen
class Diagnosis:
    """A meeting's participation rate and the three diagnostics."""

    meeting: str = field(kw_only=True)
    participation_rate: float = field(kw_only=True)
    low: bool = field(kw_only=True)
    findings: tuple[Finding, ...] = field(kw_only=True)

    @property
    def flagged(self) -> tuple[Finding, ...]:
        """The flagged findings."""
        return tuple(f for f in self.findings if f.flagged)

    @property
    def recommendations(self) -> tuple[Reason, ...]:
        """The recommendations of the flagged findings, in cause order."""
        return tuple(f.recommendation for f in self.findings if f.recommendation is not None)

    def render(self, lang: Lang = "zh") -> str:
        """A readable report: rate, each finding, and its recommendation."""
        if lang == "en":
            lines = [
                f"meeting {self.meeting}: participation {pct(self.participation_rate)}"
                f"{' (low)' if self.low else ''}"
            ]
            for f in self.findings:
                mark = "!" if f.flagged else "ok"
                lines.append(f"  [{mark}] {f.cause.name.lower()}: {f.reason.en}")
                if f.recommendation is not None:
                    lines.append(f"      -> {f.recommendation.en}")
            return "\n".join(lines)
        lines = [
            f"议事会 {self.meeting}：参与率 {pct(self.participation_rate)}"
            f"{'（偏低）' if self.low else ''}"
        ]
        for f in self.findings:
            mark = "！" if f.flagged else "✓"
            lines.append(f"  [{mark}] {f.cause.label}：{f.reason.zh}")
            if f.recommendation is not None:
                lines.append(f"      → 建议：{f.recommendation.zh}")
        return "\n".join(lines)


def participation_rate(meetings: Iterable[Meeting]) -> float:
    """Total attendance / total eligible over several meetings (0.0 when nobody is eligible)."""
    items = tuple(meetings)
    eligible = sum(m.eligible for m in items)
    return sum(m.attended for m in items) / eligible if eligible else 0.0


def _slot_finding(meeting: Meeting, working: float, rules: ParticipationThresholds) -> Finding:
    kind = meeting.slot.kind(rules)
    when_zh, when_en = meeting.slot.describe("zh"), meeting.slot.describe("en")
    older = meeting.share_of(AgeBand.OLDER)
    flagged = kind is SlotKind.WEEKDAY_DAYTIME and working >= rules.working_share
    if not flagged:
        return Finding(
            cause=Cause.TIME_SLOT,
            flagged=False,
            value=working,
            threshold=rules.working_share,
            reason=Reason(
                f"会议在{kind.label}（{when_zh}），在职居民占 {pct(working)}，时间安排不构成主要障碍",
                f"held {kind.name.lower().replace('_', ' ')} ({when_en}); {pct(working)} of "
                "residents work; the slot is not the main obstacle",
                code="slot_ok",
            ),
        )
    return Finding(
        cause=Cause.TIME_SLOT,
        flagged=True,
        value=working,
        threshold=rules.working_share,
        reason=Reason(
            f"会议在工作日白天（{when_zh}），而 {pct(working)} 的居民在职（阈值 "
            f"{pct(rules.working_share)}），上班族难以参加；到会者中老年人占 {pct(older)}",
            f"held on a weekday daytime ({when_en}) while {pct(working)} of residents work "
            f"(threshold {pct(rules.working_share)}): working people cannot come; "
            f"{pct(older)} of attendees are 60 or older",
            code="weekday_daytime",
        ),
        recommendation=Reason(
            "改在工作日晚间（19:00 以后）或周末召开，并提前一周公布时间，方便上班族参加",
            "move it to a weekday evening (after 19:00) or the weekend, announced a week ahead, "
            "so working residents can attend",
            code="evening_or_weekend",
        ),
    )


def _topic_finding(
    meeting: Meeting,
    reported: Mapping[str, int] | Iterable[HasCategory],
    rules: ParticipationThresholds,
) -> Finding:
    top = top_categories(reported, rules.top_n)
    agenda = meeting.agenda
    if not top:
        return Finding(
            cause=Cause.TOPIC_RELEVANCE,
            flagged=False,
            value=1.0,
            threshold=rules.min_relevance,
            reason=Reason(
                "没有居民诉求分类数据，无法评估议题相关性",
                "no reported categories: relevance cannot be assessed",
                code="no_data",
            ),
        )
    relevant = tuple(t for t in agenda if t in top)
    relevance = len(relevant) / len(agenda) if agenda else 0.0
    missing = tuple(c for c in top if c not in agenda)
    top_zh, top_en = "、".join(top), ", ".join(top)
    if relevance >= rules.min_relevance:
        return Finding(
            cause=Cause.TOPIC_RELEVANCE,
            flagged=False,
            value=relevance,
            threshold=rules.min_relevance,
            reason=Reason(
                f"议程 {len(agenda)} 项中 {len(relevant)} 项属于居民反映最多的问题（{top_zh}）",
                f"{len(relevant)} of {len(agenda)} agenda topics are among residents' most "
                f"reported categories ({top_en})",
                code="relevant",
            ),
        )
    suggest = missing[:3]
    return Finding(
        cause=Cause.TOPIC_RELEVANCE,
        flagged=True,
        value=relevance,
        threshold=rules.min_relevance,
        reason=Reason(
            f"议程 {len(agenda)} 项中仅 {len(relevant)} 项属于居民反映最多的 {len(top)} 类问题"
            f"（{top_zh}），相关度 {pct(relevance)}，低于 {pct(rules.min_relevance)}",
            f"only {len(relevant)} of {len(agenda)} agenda topics are among the {len(top)} most "
            f"reported categories ({top_en}): relevance {pct(relevance)}, below "
            f"{pct(rules.min_relevance)}",
            code="irrelevant_agenda",
        ),
        recommendation=Reason(
            f"把居民反映最多的问题列入议程：{'、'.join(suggest)}；会前征集议题",
            f"put residents' most reported issues on the agenda: {', '.join(suggest)}; "
            "collect topics before the meeting",
            code="agenda_from_reports",
        ),
    )


def _feedback_finding(meeting: Meeting, rules: ParticipationThresholds) -> Finding:
    adopted = meeting.adopted
    if not adopted:
        return Finding(
            cause=Cause.FEEDBACK,
            flagged=False,
            value=1.0,
            threshold=rules.min_feedback,
            reason=Reason(
                "本次会议没有采纳的意见，无需反馈",
                "no adopted opinions to follow up",
                code="nothing_adopted",
            ),
        )
    closed = sum(o.closed for o in adopted)
    share = closed / len(adopted)
    if share >= rules.min_feedback:
        return Finding(
            cause=Cause.FEEDBACK,
            flagged=False,
            value=share,
            threshold=rules.min_feedback,
            reason=Reason(
                f"采纳意见 {len(adopted)} 条，{closed} 条已反馈（{pct(share)}）",
                f"{closed} of {len(adopted)} adopted opinions have a follow-up ({pct(share)})",
                code="feedback_ok",
            ),
        )
    return Finding(
        cause=Cause.FEEDBACK,
        flagged=True,
        value=share,
        threshold=rules.min_feedback,
        reason=Reason(
            f"采纳意见 {len(adopted)} 条，仅 {closed} 条有反馈（{pct(share)}，低于 "
            f"{pct(rules.min_feedback)}），居民看不到结果",
            f"only {closed} of {len(adopted)} adopted opinions have a follow-up ({pct(share)}, "
            f"below {pct(rules.min_feedback)}): residents never see results",
            code="missing_feedback",
        ),
        recommendation=Reason(
            "逐条公开采纳意见的办理结果，在下次会议和公告栏反馈，形成闭环",
            "publish what happened to every adopted opinion, at the next meeting and on the "
            "notice board, to close the loop",
            code="close_the_loop",
        ),
    )


def diagnose(
    meeting: Meeting,
    *,
    working_share: float,
    reported: Mapping[str, int] | Iterable[HasCategory] = (),
    thresholds: ParticipationThresholds | None = None,
) -> Diagnosis:
    """Diagnose a meeting's participation against the seed's three causes.

    Args:
        meeting: The meeting.
        working_share: The share of eligible residents who work (0–1).
        reported: What residents report: ``{category: count}``, or tasks (anything with a
            ``.category``), e.g. the community's 12345 tasks.
        thresholds: The thresholds; :class:`ParticipationThresholds` defaults otherwise.

    Returns:
        A :class:`Diagnosis` with one :class:`Finding` per cause (time slot, topic relevance,
        feedback), each flagged one with a recommendation.

    >>> from datetime import datetime, timedelta, timezone
    >>> cst = timezone(timedelta(hours=8))
    >>> m = Meeting(
    ...     "2024-03",
    ...     slot=TimeSlot(datetime(2024, 3, 6, 9, 30, tzinfo=cst), timedelta(hours=2)),
    ...     eligible=200,
    ...     agenda=["停车管理"],
    ...     attendance={AgeBand.OLDER: 26, AgeBand.MIDDLE: 4},
    ... )
    >>> d = diagnose(m, working_share=0.62, reported={"停车管理": 40})
    >>> d.participation_rate, [f.cause.name for f in d.flagged]
    (0.15, ['TIME_SLOT'])
    >>> d.recommendations[0].code
    'evening_or_weekend'
    """
    if not isinstance(meeting, Meeting):
        raise ValidationError.for_field("meeting", meeting, "must be a Meeting")
    check_fraction("working_share", working_share)
    rules = thresholds or ParticipationThresholds()
    if not isinstance(rules, ParticipationThresholds):
        raise ValidationError.for_field("thresholds", thresholds, "must be ParticipationThresholds")
    findings = (
        _slot_finding(meeting, working_share, rules),
        _topic_finding(meeting, reported, rules),
        _feedback_finding(meeting, rules),
    )
    rate = meeting.participation_rate
    return Diagnosis(
        meeting=meeting.id,
        participation_rate=rate,
        low=rate < rules.low_participation,
        findings=findings,
    )
