"""The inputs of an assessment: enums, checklist items, evidence, group outcomes and profiles."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Generic, TypeGuard, TypeVar

import attrs
from attrs import field, frozen

from jiceng.errors import ValidationError

__all__ = [
    "CheckItem",
    "Criterion",
    "Evidence",
    "FrozenMap",
    "GroupOutcome",
    "Severity",
    "Status",
    "Sustainability",
    "SystemProfile",
]

K = TypeVar("K")
V = TypeVar("V")
E = TypeVar("E", bound=enum.Enum)

_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """A read-only, hashable, picklable mapping (used for mapping fields of frozen classes).

    >>> m = FrozenMap({"b": 2, "a": 1})
    >>> m["a"], len(m), m == {"a": 1, "b": 2}
    (1, 2, True)
    """

    __slots__ = ("_data",)
    _data: dict[K, V]

    def __init__(self, data: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        object.__setattr__(self, "_data", dict(data))

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return repr(self._data)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        return (type(self), (self._data,))


class Criterion(enum.Enum):
    """The four criteria (评估维度) of the inclusive assessment, in report order."""

    ACCESSIBILITY = "accessibility"
    USABILITY = "usability"
    SECURITY = "security"
    EQUITY = "equity"

    @property
    def label(self) -> str:
        """The Chinese name: 无障碍, 易用与适老, 安全与隐私, 公平可及."""
        return _CRITERION_LABELS[self]

    @property
    def label_en(self) -> str:
        """The English name."""
        return self.value.capitalize()


_CRITERION_LABELS = {
    Criterion.ACCESSIBILITY: "无障碍",
    Criterion.USABILITY: "易用与适老",
    Criterion.SECURITY: "安全与隐私",
    Criterion.EQUITY: "公平可及",
}


class Severity(enum.Enum):
    """How much a checklist item weighs (critical 10, major 7, minor 3)."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"

    @property
    def label(self) -> str:
        """The Chinese name: 严重, 主要, 次要."""
        return {"critical": "严重", "major": "主要", "minor": "次要"}[self.value]

    @property
    def label_en(self) -> str:
        """The English name."""
        return self.value

    @property
    def weight(self) -> int:
        """The item weight: critical 10, major 7, minor 3 (after Lighthouse/axe impact levels)."""
        return {"critical": 10, "major": 7, "minor": 3}[self.value]

    @property
    def rank(self) -> int:
        """0 for critical, 1 for major, 2 for minor (for sorting, most severe first)."""
        return {"critical": 0, "major": 1, "minor": 2}[self.value]


class Status(enum.Enum):
    """The status evidence gives an item. PASS 1, PARTIAL 0.5, FAIL and UNKNOWN 0; N/A weighs 0."""

    PASS = "pass"
    PARTIAL = "partial"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The Chinese name: 通过, 部分通过, 不通过, 不适用, 未知."""
        return _STATUS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """The English name."""
        return _STATUS_LABELS[self][1]

    @property
    def value_score(self) -> float:
        """The credit an item earns: PASS 1, PARTIAL 0.5, everything else 0."""
        return {"pass": 1.0, "partial": 0.5}.get(self.value, 0.0)

    @property
    def is_known(self) -> bool:
        """Whether the status is backed by evidence (PASS, PARTIAL or FAIL)."""
        return self in (Status.PASS, Status.PARTIAL, Status.FAIL)


_STATUS_LABELS = {
    Status.PASS: ("通过", "pass"),
    Status.PARTIAL: ("部分通过", "partial"),
    Status.FAIL: ("不通过", "fail"),
    Status.NOT_APPLICABLE: ("不适用", "not applicable"),
    Status.UNKNOWN: ("未知", "unknown"),
}


# --- checks shared by the private modules (typed on ``object`` so that they run on any input) ----


def is_int(value: object) -> TypeGuard[int]:
    """Whether ``value`` is an int and not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[float]:
    """Whether ``value`` is a finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_sequence(value: object) -> TypeGuard[Sequence[object]]:
    """Whether ``value`` is a sequence other than a string."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def is_aware(value: object) -> TypeGuard[datetime]:
    """Whether ``value`` is a timezone-aware datetime."""
    return isinstance(value, datetime) and value.utcoffset() is not None


def is_text(value: object) -> bool:
    """Whether ``value`` is a non-blank string."""
    return isinstance(value, str) and bool(value.strip())


# --- converters and validators ------------------------------------------------------------------


def _to_member(kind: type[E], name: str, value: E | str) -> E:
    """``kind(value)``, or a ``ValidationError`` on ``name`` listing the known values."""
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise ValidationError.for_field(name, value, f"unknown; use one of {known}") from None


def _to_criterion(value: Criterion | str) -> Criterion:
    return _to_member(Criterion, "criterion", value)


def _to_severity(value: Severity | str) -> Severity:
    return _to_member(Severity, "severity", value)


def _to_status(value: Status | str) -> Status:
    return _to_member(Status, "status", value)


def _text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError.for_field(attribute.name, value, "must be a string")


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.for_field(attribute.name, value, "must be a non-empty string")


def _aware(instance: object, attribute: attrs.Attribute[datetime | None], value: object) -> None:
    if value is not None and not is_aware(value):
        raise ValidationError.for_field(
            attribute.name, value, "must be a timezone-aware datetime or None"
        )


def _check_count(name: str, value: object) -> None:
    if not is_int(value) or value < 0:
        raise ValidationError.for_field(name, value, "must be an integer ≥ 0")


def _count(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    _check_count(attribute.name, value)


def _optional_count(
    instance: object, attribute: attrs.Attribute[int | None], value: object
) -> None:
    if value is not None:
        _check_count(attribute.name, value)


def _optional_number(instance: object, name: str, value: object, high: float | None) -> None:
    if value is None:
        return
    if not is_number(value):
        raise ValidationError.for_field(name, value, "must be a finite number or None")
    if value < 0 or (high is not None and value > high):
        bound = f"between 0 and {high:g}" if high is not None else "≥ 0"
        raise ValidationError.for_field(name, value, f"must be {bound}")


def _share(instance: object, attribute: attrs.Attribute[float | None], value: object) -> None:
    _optional_number(instance, attribute.name, value, 1.0)


def _days(instance: object, attribute: attrs.Attribute[float | None], value: object) -> None:
    _optional_number(instance, attribute.name, value, None)


# --- the classes ---------------------------------------------------------------------------------


@frozen
class CheckItem:
    """One checklist item (检查项): a requirement in our own words, its source and the fix.

    Args:
        id: A stable id such as ``"ACC-01"`` (upper-case letters and digits joined by hyphens).
        criterion: The `Criterion` it scores under (or its string value).
        severity: Its `Severity` (or its string value).
        requirement: What the system must do, in Chinese.
        source: The standard or rule it comes from.
        recommendation: What to do when it fails, in Chinese.
        requirement_en: The requirement in English (the report falls back to Chinese).
        recommendation_en: The recommendation in English.

    >>> item = CheckItem(
    ...     id="X-01",
    ...     criterion="equity",
    ...     severity="major",
    ...     requirement="保留人工窗口",
    ...     source="本地规定",
    ...     recommendation="开设人工窗口",
    ... )
    >>> item.criterion, item.severity.weight
    (<Criterion.EQUITY: 'equity'>, 7)
    """

    id: str = field(kw_only=True, validator=_non_empty)
    criterion: Criterion = field(kw_only=True, converter=_to_criterion)
    severity: Severity = field(kw_only=True, converter=_to_severity)
    requirement: str = field(kw_only=True, validator=_non_empty)
    source: str = field(kw_only=True, validator=_non_empty)
    recommendation: str = field(kw_only=True, validator=_non_empty)
    requirement_en: str = field(default="", kw_only=True, validator=_text)
    recommendation_en: str = field(default="", kw_only=True, validator=_text)

    @id.validator
    def _check_id(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not _ID.match(value):
            raise ValidationError.for_field(
                "id", value, "must look like 'ACC-01': upper-case letters/digits joined by '-'"
            )


@frozen
class Evidence:
    """What an assessor found for one checklist item (证据).

    Args:
        item_id: The checklist item's id, e.g. ``"EQU-01"``.
        status: The `Status` found (or its string value).
        note: What was seen, so a finding can say why.
        source: Where it was seen: a test report, a site visit, a document.
        expires: When the evidence stops counting (timezone-aware). Evidence is valid up to and
            including ``expires``; after it, the item counts as UNKNOWN. Expiry is only checked when
            `InclusiveAssessment.assess` is given ``at``.

    Raises:
        ValidationError: An empty id, an unknown status, or a naive ``expires``.

    >>> Evidence("EQU-01", "fail", note="只能在 App 上办理").status
    <Status.FAIL: 'fail'>
    """

    item_id: str = field(validator=_non_empty)
    status: Status = field(converter=_to_status)
    note: str = field(default="", kw_only=True, validator=_text)
    source: str = field(default="", kw_only=True, validator=_text)
    expires: datetime | None = field(default=None, kw_only=True, validator=_aware)

    def is_expired(self, at: datetime | None) -> bool:
        """Whether the evidence no longer counts at ``at`` (never, when ``at`` is None)."""
        return at is not None and self.expires is not None and at > self.expires


@frozen
class GroupOutcome:
    """How one group of users fared with the system: ``successes`` out of ``attempts``.

    >>> GroupOutcome(successes=55, attempts=100).rate
    0.55
    """

    successes: int = field(kw_only=True, validator=_count)
    attempts: int = field(kw_only=True, validator=_count)

    def __attrs_post_init__(self) -> None:
        if self.successes > self.attempts:
            raise ValidationError.for_field(
                "successes", self.successes, f"must not exceed attempts={self.attempts}"
            )

    @property
    def rate(self) -> float | None:
        """The success rate, or None with no attempts."""
        return self.successes / self.attempts if self.attempts else None


@frozen
class Sustainability:
    """Signals about whether a system is alive (可持续性), reported as diagnostics, never scored.

    These numbers go into the report's ``diagnostics`` section only. They never change a score or
    the verdict: a number that becomes a target stops measuring anything (Goodhart's law), and
    usage quotas are exactly what the 2024 rules against "指尖上的形式主义" forbid. What is scored is
    the practice behind them, through checklist items (a maintenance owner, a data-update duty, a
    plan for residents without smartphones) that an assessor marks with evidence.

    Args:
        maintenance_staff: People whose job includes keeping the system running.
        data_age_days: Days since the data residents see was last updated.
        usage_rate: Share of the intended users who used it in the last period (0–1).
        without_smartphone: Share of the intended users who have no smartphone (0–1).
        note: Where the figures come from.
    """

    maintenance_staff: int | None = field(default=None, kw_only=True, validator=_optional_count)
    data_age_days: float | None = field(default=None, kw_only=True, validator=_days)
    usage_rate: float | None = field(default=None, kw_only=True, validator=_share)
    without_smartphone: float | None = field(default=None, kw_only=True, validator=_share)
    note: str = field(default="", kw_only=True, validator=_text)


def _to_evidence(value: Iterable[Evidence]) -> tuple[Evidence, ...]:
    if isinstance(value, (str, bytes, Mapping)):
        raise ValidationError.for_field("evidence", value, "must be an iterable of Evidence")
    return tuple(value)


def _to_outcomes(value: Mapping[str, GroupOutcome]) -> FrozenMap[str, GroupOutcome]:
    if not isinstance(value, Mapping):
        raise ValidationError.for_field("outcomes", value, "must map group names to GroupOutcome")
    return FrozenMap(value)


@frozen
class SystemProfile:
    """A system under assessment: its evidence, its per-group outcomes and its vital signs.

    Args:
        name: The system's name.
        evidence: `Evidence` for checklist items; at most one per item. Items without evidence
            count as UNKNOWN. The order does not matter.
        outcomes: Group name → `GroupOutcome` (e.g. ``{"60岁以上": ..., "其他": ...}``), for the
            group-fairness check.
        sustainability: Optional `Sustainability` signals, reported as diagnostics only.

    Raises:
        ValidationError: An empty name, something that is not `Evidence` in ``evidence``, two pieces
            of evidence for one item, or a bad group name or outcome. All problems are listed.

    >>> p = SystemProfile("门禁", evidence=[Evidence("EQU-02", "fail")])
    >>> p.evidence, dict(p.outcomes)
    ((Evidence(item_id='EQU-02', status=<Status.FAIL: 'fail'>, note='', source='', expires=None),), {})
    """

    name: str = field(validator=_non_empty)
    evidence: tuple[Evidence, ...] = field(default=(), kw_only=True, converter=_to_evidence)
    outcomes: Mapping[str, GroupOutcome] = field(
        factory=FrozenMap, kw_only=True, converter=_to_outcomes
    )
    sustainability: Sustainability | None = field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        problems: list[str] = []
        seen: set[str] = set()
        for index, piece in enumerate(self.evidence):
            if not isinstance(piece, Evidence):
                problems.append(f"evidence[{index}]={piece!r}: must be an Evidence")
            elif piece.item_id in seen:
                problems.append(
                    f"evidence[{index}].item_id={piece.item_id!r}: duplicate evidence for one "
                    "item; give one piece per item (merge the notes)"
                )
            else:
                seen.add(piece.item_id)
        for group, outcome in self.outcomes.items():
            if not is_text(group):
                problems.append(f"outcomes key {group!r}: must be a non-empty string")
            if not isinstance(outcome, GroupOutcome):
                problems.append(f"outcomes[{group!r}]={outcome!r}: must be a GroupOutcome")
        if self.sustainability is not None and not isinstance(self.sustainability, Sustainability):
            problems.append(f"sustainability={self.sustainability!r}: must be a Sustainability")
        if problems:
            raise ValidationError.collect(problems, what=f"SystemProfile {self.name!r}")
