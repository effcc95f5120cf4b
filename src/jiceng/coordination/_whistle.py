"""The whistle (街乡吹哨、部门报到): a street office summons departments, on the clock (private)."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

from attrs import define, field, frozen

from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.coordination._common import check_aware, check_name, name_of, names_of
from jiceng.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from jiceng.models import Actor, ActorRole, Department

__all__ = [
    "DEFAULT_CLOCKS",
    "Attendance",
    "DepartmentOutcome",
    "Punctuality",
    "Whistle",
    "WhistleClock",
    "WhistleEvent",
    "WhistleLevel",
    "WhistleOutcome",
]

_UTC = timezone.utc


class WhistleLevel(enum.Enum):
    """How serious a whistle (哨) is; each level has its own clocks.

    >>> [level.label for level in WhistleLevel]
    ['工作推进哨', '攻坚克难哨', '应急哨']
    """

    ROUTINE = "routine"
    HARD = "hard"
    EMERGENCY = "emergency"

    @property
    def label(self) -> str:
        """The level's Chinese name."""
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    WhistleLevel.ROUTINE: "工作推进哨",
    WhistleLevel.HARD: "攻坚克难哨",
    WhistleLevel.EMERGENCY: "应急哨",
}


def _limit(_inst: object, attribute: object, value: Any) -> None:
    if not isinstance(value, TimeLimit):
        name = getattr(attribute, "name", "limit")
        raise ValidationError.for_field(name, value, "must be a TimeLimit")


@frozen(kw_only=True)
class WhistleClock:
    """The two clocks of a whistle level: sign within ``sign`` (签收), report within ``report`` (报到).

    Both run from the moment the whistle is blown.

    >>> WhistleClock(sign=TimeLimit.minutes(30), report=TimeLimit.hours(24)).report.describe()
    '24 小时'
    """

    sign: TimeLimit = field(validator=_limit)
    report: TimeLimit = field(validator=_limit)


DEFAULT_CLOCKS: Mapping[WhistleLevel, WhistleClock] = MappingProxyType(
    {
        WhistleLevel.ROUTINE: WhistleClock(
            sign=TimeLimit.hours(1), report=TimeLimit.working_days(3)
        ),
        WhistleLevel.HARD: WhistleClock(sign=TimeLimit.hours(1), report=TimeLimit.working_days(5)),
        WhistleLevel.EMERGENCY: WhistleClock(
            sign=TimeLimit.minutes(30), report=TimeLimit.hours(24)
        ),
    }
)
"""The default clocks, after Nanjing Gulou district's 2023 whistle rules (鼓楼区“街道吹哨、部门报到”):
工作推进哨 sign within 1 hour and report within 3 working days; 攻坚克难哨 sign within 1 hour and
report within 5 working days; 应急哨 sign within 30 minutes and report within 24 hours."""


class Attendance(enum.Enum):
    """Where a summoned department stands: pending, signed (签收) or reported (报到)."""

    PENDING = "pending"
    SIGNED = "signed"
    REPORTED = "reported"

    @property
    def label(self) -> str:
        """The state's Chinese name."""
        return {"pending": "待签收", "signed": "已签收", "reported": "已报到"}[self.value]


class Punctuality(enum.Enum):
    """A department's result at :meth:`Whistle.outcome`: on time, late, missing or still pending."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"

    @property
    def label(self) -> str:
        """The result's Chinese name."""
        return {"on_time": "按时报到", "late": "超时", "missing": "未报到", "pending": "办理中"}[
            self.value
        ]


@frozen(kw_only=True)
class WhistleEvent:
    """One step in a whistle's history: blown, signed, reported, or rated (双考核).

    Attributes:
        at: When.
        kind: ``"blown"``, ``"signed"``, ``"reported"`` or ``"rated"``.
        department: The department concerned (None for ``"blown"``).
        note: The note given with a report.
        score: The score given with a rating.
    """

    at: datetime
    kind: str
    department: str | None = None
    note: str = ""
    score: float | None = None


@frozen(kw_only=True)
class DepartmentOutcome:
    """One summoned department's result, with the times and the reason.

    Attributes:
        department: The department.
        result: On time, late, missing or pending.
        signed_at: When it signed, or None.
        reported_at: When it reported, or None.
        sign_due: Its signing deadline.
        report_due: Its reporting deadline.
        reason: Why, in Chinese.
        reason_en: Why, in English.
    """

    department: str
    result: Punctuality
    signed_at: datetime | None
    reported_at: datetime | None
    sign_due: datetime
    report_due: datetime
    reason: str
    reason_en: str


@frozen(kw_only=True)
class WhistleOutcome:
    """How the summoned departments answered a whistle, as of ``at``.

    Attributes:
        at: The moment judged.
        on_time: Departments that signed and reported within their clocks.
        late: Departments that reported late, or signed late (reported or not yet due).
        missing: Departments that had not reported when the report clock ran out.
        pending: Departments still within both clocks.
        reporting_rate: 报到率 = departments that reported (on time or late) / summoned.
        on_time_rate: Departments on time / summoned.
        details: One :class:`DepartmentOutcome` per department, sorted by name.
    """

    at: datetime
    on_time: tuple[str, ...]
    late: tuple[str, ...]
    missing: tuple[str, ...]
    pending: tuple[str, ...]
    reporting_rate: float
    on_time_rate: float
    details: tuple[DepartmentOutcome, ...]

    def describe(self, lang: str = "zh") -> str:
        """Readable lines: the rates, then one line per department.

        Raises:
            ValidationError: ``lang`` is neither ``"zh"`` nor ``"en"``.
        """
        if lang == "zh":
            head = f"报到率 {self.reporting_rate:.0%}，按时率 {self.on_time_rate:.0%}"
            return "\n".join((head, *(f"- {d.reason}" for d in self.details)))
        if lang == "en":
            head = f"reporting rate {self.reporting_rate:.0%}, on-time rate {self.on_time_rate:.0%}"
            return "\n".join((head, *(f"- {d.reason_en}" for d in self.details)))
        raise ValidationError.for_field("lang", lang, "must be 'zh' or 'en'")


def _level(_inst: object, _attribute: object, value: Any) -> None:
    if not isinstance(value, WhistleLevel):
        raise ValidationError.for_field("level", value, "must be a WhistleLevel")


def _actor(_inst: object, _attribute: object, value: Any) -> None:
    if not isinstance(value, Actor):
        raise ValidationError.for_field("blown_by", value, "must be an Actor")


def _aware(_inst: object, _attribute: object, value: Any) -> None:
    check_aware("at", value)


def _departments(value: Iterable[str | Department]) -> tuple[str, ...]:
    return names_of("departments", value)


def _street(value: str | Department) -> str:
    return name_of("street", value)


def _matter(value: object) -> str:
    return check_name("matter", value)


def _calendar(value: WorkCalendar | None) -> WorkCalendar:
    if value is None:
        return WorkCalendar()
    if not isinstance(value, WorkCalendar):
        raise ValidationError.for_field("calendar", value, "must be a WorkCalendar or None")
    return value


def _clocks(
    value: Mapping[WhistleLevel, WhistleClock] | None,
) -> Mapping[WhistleLevel, WhistleClock]:
    if value is None:
        return DEFAULT_CLOCKS
    if not isinstance(value, Mapping):
        raise ValidationError.for_field("clocks", value, "must map WhistleLevel to WhistleClock")
    pairs: list[tuple[object, object]] = list(value.items())
    problems = [
        f"clocks[{key!r}]={clock!r}: must map a WhistleLevel to a WhistleClock"
        for key, clock in pairs
        if not isinstance(key, WhistleLevel) or not isinstance(clock, WhistleClock)
    ]
    if problems:
        raise ValidationError.collect(problems, what="clocks")
    return MappingProxyType({**DEFAULT_CLOCKS, **value})


def _span(delta: timedelta) -> tuple[str, str]:
    minutes = max(round(delta.total_seconds() / 60), 1)
    if minutes < 120:
        return f"{minutes} 分钟", f"{minutes} min"
    hours = minutes / 60
    return f"{hours:.1f} 小时", f"{hours:.1f} h"


@define
class Whistle:
    """A whistle (吹哨): a street office summons departments to report (报到) on a matter.

    Beijing's 街乡吹哨、部门报到 (2018–) lets a street or township office call district
    departments to the spot; each summoned department must sign (签收) and then report (报到)
    within the level's clocks, and the departments rate the street's whistle in turn (双考核).

    Who may blow: the street office's staff act as ``Actor.department(street)`` — the street office
    as a department, under the ``street`` name — and may blow ROUTINE and EMERGENCY whistles. A
    HARD whistle (攻坚克难哨) needs a leader, ``Actor.supervisor(...)``, who may blow any level.
    Anyone else gets :class:`~jiceng.errors.PermissionDeniedError`.

    Args:
        matter: What the whistle is about.
        street: The street office (街道/乡镇) blowing it: a name or a ``Department``.
        departments: The departments summoned: non-empty, no duplicates, not the street itself.
        level: The :class:`WhistleLevel`.
        blown_by: Who blew it.
        at: When (timezone-aware); both clocks run from here.
        calendar: The working calendar for working-day clocks. Default ``WorkCalendar()``:
            Asia/Shanghai, Monday to Friday, 09:00–12:00 and 13:30–17:30, no holidays.
        clocks: Clocks per level, replacing :data:`DEFAULT_CLOCKS` for the levels given.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> t0 = datetime(2024, 5, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    >>> w = Whistle(
    ...     matter="背街小巷堆物",
    ...     street="和平街道",
    ...     departments=["城管局", "环卫中心"],
    ...     level=WhistleLevel.ROUTINE,
    ...     blown_by=Actor.department("和平街道"),
    ...     at=t0,
    ... )
    >>> str(w.sign_due), str(w.report_due)
    ('2024-05-06 10:00:00+08:00', '2024-05-08 17:30:00+08:00')
    """

    matter: str = field(converter=_matter, kw_only=True)
    street: str = field(converter=_street, kw_only=True)
    departments: tuple[str, ...] = field(converter=_departments, kw_only=True)
    level: WhistleLevel = field(validator=_level, kw_only=True)
    blown_by: Actor = field(validator=_actor, kw_only=True)
    at: datetime = field(validator=_aware, kw_only=True)
    calendar: WorkCalendar = field(default=None, converter=_calendar, kw_only=True)
    clocks: Mapping[WhistleLevel, WhistleClock] = field(
        default=None, converter=_clocks, kw_only=True
    )
    sign_due: datetime = field(init=False)
    report_due: datetime = field(init=False)
    _signed: dict[str, datetime] = field(init=False, factory=dict)
    _reported: dict[str, datetime] = field(init=False, factory=dict)
    _ratings: dict[str, float] = field(init=False, factory=dict)
    _events: list[WhistleEvent] = field(init=False, factory=list)

    def __attrs_post_init__(self) -> None:
        if self.street in self.departments:
            raise ValidationError.for_field(
                "departments", self.departments, f"the street {self.street!r} cannot summon itself"
            )
        actor = self.blown_by
        if actor.role is ActorRole.SUPERVISOR:
            allowed = True
        elif actor.role is ActorRole.DEPARTMENT and actor.id == self.street:
            allowed = self.level is not WhistleLevel.HARD
        else:
            allowed = False
        if not allowed:
            why = (
                "a 攻坚克难哨 needs a leader (Actor.supervisor)"
                if actor.role is ActorRole.DEPARTMENT and actor.id == self.street
                else f"only the street office (Actor.department({self.street!r})) or a leader "
                "(Actor.supervisor) may blow a whistle"
            )
            raise PermissionDeniedError(
                actor=actor, action=f"blow a {self.level.name} whistle", task=self.matter, why=why
            )
        clock = self.clocks[self.level]
        self.sign_due = clock.sign.due(self.at, self.calendar)
        self.report_due = clock.report.due(self.at, self.calendar)
        self._events.append(WhistleEvent(at=self.at, kind="blown"))

    # -- state ------------------------------------------------------------------------------------

    @property
    def history(self) -> tuple[WhistleEvent, ...]:
        """Every step, oldest first (append-only)."""
        return tuple(self._events)

    def attendance(self, department: str | Department) -> Attendance:
        """Where ``department`` stands now: pending, signed or reported."""
        name = self._summoned(department)
        if name in self._reported:
            return Attendance.REPORTED
        return Attendance.SIGNED if name in self._signed else Attendance.PENDING

    @property
    def ratings(self) -> Mapping[str, float]:
        """The departments' latest scores of the street's whistle (双考核), by department."""
        return MappingProxyType(dict(sorted(self._ratings.items())))

    @property
    def street_score(self) -> float | None:
        """The mean of the latest scores the departments gave the street, or None."""
        if not self._ratings:
            return None
        return sum(self._ratings.values()) / len(self._ratings)

    # -- steps ------------------------------------------------------------------------------------

    def _summoned(self, department: object) -> str:
        name = name_of("department", department)
        if name not in self.departments:
            raise ValidationError.for_field(
                "department",
                name,
                f"was not summoned by this whistle ({', '.join(self.departments)})",
            )
        return name

    def _not_before(self, at: datetime, floor: datetime, what: str) -> None:
        if at.astimezone(_UTC) < floor.astimezone(_UTC):
            raise ValidationError.for_field(
                "at", at, f"is earlier than {what} ({floor.isoformat()}); time never runs backwards"
            )

    def sign(self, department: str | Department, *, at: datetime) -> None:
        """Record that ``department`` signed for the whistle (签收).

        Raises:
            ValidationError: a department not summoned, a naive ``at``, or ``at`` before the
                whistle was blown.
            InvalidTransitionError: it has already signed.
        """
        name = self._summoned(department)
        check_aware("at", at)
        state = self.attendance(name)
        if state is not Attendance.PENDING:
            raise InvalidTransitionError(task=self.matter, current=state, requested="sign")
        self._not_before(at, self.at, "the whistle")
        self._signed[name] = at
        self._events.append(WhistleEvent(at=at, kind="signed", department=name))

    def report(self, department: str | Department, *, at: datetime, note: str = "") -> None:
        """Record that ``department`` reported (报到): it came and took up its part.

        Raises:
            ValidationError: a department not summoned, a naive ``at``, a note that is not a
                string, or ``at`` before its signing.
            InvalidTransitionError: it has not signed yet, or has already reported.
        """
        name = self._summoned(department)
        check_aware("at", at)
        if not isinstance(note, str):
            raise ValidationError.for_field("note", note, "must be a string")
        state = self.attendance(name)
        if state is not Attendance.SIGNED:
            raise InvalidTransitionError(task=self.matter, current=state, requested="report")
        self._not_before(at, self._signed[name], "its signing")
        self._reported[name] = at
        self._events.append(WhistleEvent(at=at, kind="reported", department=name, note=note))

    def rate_street(self, department: str | Department, *, score: float, at: datetime) -> None:
        """A summoned department scores the street's whistle, 0–100 (双考核, two-way evaluation).

        A later score from the same department replaces its earlier one in :attr:`ratings`;
        both stay in the history.

        Raises:
            ValidationError: a department not summoned, a score that is not a number in
                [0, 100], a naive ``at``, or ``at`` before the whistle.
        """
        name = self._summoned(department)
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise ValidationError.for_field("score", score, "must be a number from 0 to 100")
        if not (math.isfinite(score) and 0 <= score <= 100):
            raise ValidationError.for_field("score", score, "must be from 0 to 100")
        check_aware("at", at)
        self._not_before(at, self.at, "the whistle")
        self._ratings[name] = float(score)
        self._events.append(WhistleEvent(at=at, kind="rated", department=name, score=float(score)))

    # -- outcome ----------------------------------------------------------------------------------

    def outcome(self, now: datetime) -> WhistleOutcome:
        """Judge every summoned department as of ``now``; steps recorded after ``now`` are ignored.

        - on time: signed by the sign clock and reported by the report clock;
        - late: reported after the report clock, or signed after the sign clock (or not signed
          once it ran out) while the report clock has not yet run out;
        - missing: not reported when the report clock ran out;
        - pending: within both clocks.

        Raises:
            ValidationError: ``now`` is naive or before the whistle.
        """
        check_aware("now", now)
        self._not_before(now, self.at, "the whistle")
        instant = now.astimezone(_UTC)
        details = tuple(self._judge(name, instant) for name in sorted(self.departments))
        groups: dict[Punctuality, list[str]] = {p: [] for p in Punctuality}
        for detail in details:
            groups[detail.result].append(detail.department)
        total = len(details)
        reported = sum(d.reported_at is not None for d in details)
        return WhistleOutcome(
            at=now,
            on_time=tuple(groups[Punctuality.ON_TIME]),
            late=tuple(groups[Punctuality.LATE]),
            missing=tuple(groups[Punctuality.MISSING]),
            pending=tuple(groups[Punctuality.PENDING]),
            reporting_rate=reported / total,
            on_time_rate=len(groups[Punctuality.ON_TIME]) / total,
            details=details,
        )

    def _shown(self, value: datetime) -> str:
        return value.astimezone(self.calendar.tz).strftime("%m-%d %H:%M")

    def _judge(self, name: str, now: datetime) -> DepartmentOutcome:
        signed = self._signed.get(name)
        reported = self._reported.get(name)
        signed = signed if signed is not None and signed.astimezone(_UTC) <= now else None
        reported = reported if reported is not None and reported.astimezone(_UTC) <= now else None
        sign_due = self.sign_due.astimezone(_UTC)
        report_due = self.report_due.astimezone(_UTC)
        zh: list[str] = []
        en: list[str] = []
        if signed is None:
            sign_late = now > sign_due
            if sign_late:
                span = _span(now - sign_due)
                zh.append(f"未签收（签收时限 {self._shown(self.sign_due)} 已过 {span[0]}）")
                en.append(f"not signed ({span[1]} past the sign deadline)")
            else:
                zh.append(f"待签收（时限 {self._shown(self.sign_due)}）")
                en.append(f"not yet signed (due {self._shown(self.sign_due)})")
        else:
            sign_late = signed.astimezone(_UTC) > sign_due
            if sign_late:
                span = _span(signed.astimezone(_UTC) - sign_due)
                zh.append(f"{self._shown(signed)} 签收，超时 {span[0]}")
                en.append(f"signed {self._shown(signed)}, {span[1]} late")
            else:
                zh.append(f"{self._shown(signed)} 按时签收")
                en.append(f"signed on time at {self._shown(signed)}")
        if reported is not None:
            report_late = reported.astimezone(_UTC) > report_due
            if report_late:
                span = _span(reported.astimezone(_UTC) - report_due)
                zh.append(f"{self._shown(reported)} 报到，超时 {span[0]}")
                en.append(f"reported {self._shown(reported)}, {span[1]} late")
            else:
                zh.append(f"{self._shown(reported)} 按时报到")
                en.append(f"reported on time at {self._shown(reported)}")
            result = Punctuality.LATE if report_late or sign_late else Punctuality.ON_TIME
        elif now > report_due:
            zh.append(f"报到时限 {self._shown(self.report_due)} 已过，未报到")
            en.append(f"did not report by {self._shown(self.report_due)}")
            result = Punctuality.MISSING
        else:
            zh.append(f"报到时限 {self._shown(self.report_due)}")
            en.append(f"report due {self._shown(self.report_due)}")
            result = Punctuality.LATE if sign_late else Punctuality.PENDING
        return DepartmentOutcome(
            department=name,
            result=result,
            signed_at=signed,
            reported_at=reported,
            sign_due=self.sign_due,
            report_due=self.report_due,
            reason=f"{name}：{result.label}。" + "；".join(zh),
            reason_en=f"{name}: {result.value.replace('_', ' ')}. " + "; ".join(en),
        )
