"""Shared pieces of ``jiceng.participation`` (private): readable reasons and input checks."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Literal

from jiceng.errors import ValidationError
from jiceng.models._validate import (
    aware,
    check_aware,
    check_items,
    check_text,
    non_empty,
    of_type,
    optional_aware,
)

__all__ = [
    "Lang",
    "Reason",
    "aware",
    "check_aware",
    "check_fraction",
    "check_items",
    "check_number",
    "check_text",
    "elapsed",
    "fmt",
    "non_empty",
    "of_type",
    "optional_aware",
    "pct",
]

Lang = Literal["zh", "en"]
"""The languages every reason and report is available in: Chinese first, English on request."""


class Reason(str):
    """A readable reason: the string itself is the Chinese text, ``.en`` is the English one.

    Because a reason *is* a ``str`` (its Chinese text), it compares, hashes and prints like one, so
    ``selection.rejected["p7"] == "超过单项上限"`` works; ``.code`` is a stable machine-readable tag
    and ``.detail`` adds figures in Chinese.

    >>> r = Reason("超过单项上限", "over the per-award cap", code="over_cap")
    >>> r == "超过单项上限", r.en, r.code, r.text("en")
    (True, 'over the per-award cap', 'over_cap', 'over the per-award cap')
    """

    # A str subclass cannot declare non-empty __slots__, so the extra text lives in __dict__.
    en: str
    code: str
    detail: str

    def __new__(cls, zh: str, en: str = "", *, code: str = "", detail: str = "") -> Reason:
        """Build a reason from its Chinese text, English text, code and optional Chinese detail."""
        self = super().__new__(cls, zh)
        self.en = en or zh
        self.code = code
        self.detail = detail
        return self

    @property
    def zh(self) -> str:
        """The Chinese text (the string value itself)."""
        return str.__str__(self)

    def text(self, lang: Lang = "zh") -> str:
        """The reason in ``lang`` (``"zh"`` or ``"en"``); the Chinese text has its detail appended."""
        if lang == "en":
            return self.en
        return f"{self.zh}（{self.detail}）" if self.detail else self.zh

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the English text and code through pickle and copy.
        return (_rebuild_reason, (self.zh, self.en, self.code, self.detail))


def _rebuild_reason(zh: str, en: str, code: str, detail: str) -> Reason:
    return Reason(zh, en, code=code, detail=detail)


def check_number(name: str, value: object, *, minimum: float = 0.0, integer: bool = False) -> float:
    """Return ``value`` if it is a finite real number ≥ ``minimum`` (bools refused).

    Args:
        name: The field named in the error.
        value: The value to check.
        minimum: The smallest allowed value (inclusive).
        integer: Require a whole number (counts such as meetings or jobs).

    Raises:
        ValidationError: naming ``name`` and ``value``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError.for_field(name, value, "must be a number")
    if not math.isfinite(value):
        raise ValidationError.for_field(name, value, "must be finite")
    if value < minimum:
        why = "must not be negative" if minimum == 0 else f"must be ≥ {minimum:g}"
        raise ValidationError.for_field(name, value, why)
    if integer and value != int(value):
        raise ValidationError.for_field(name, value, "must be a whole number")
    return value


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` if it is a number in [0, 1] (a share or a rate), else raise."""
    check_number(name, value)
    assert isinstance(value, (int, float))  # for mypy; check_number refused everything else
    if value > 1:
        raise ValidationError.for_field(name, value, "is a share and must be ≤ 1 (100%)")
    return value


def elapsed(start: datetime, end: datetime) -> float:
    """Elapsed seconds between two aware datetimes, on instants (DST-safe)."""
    return (end.astimezone(timezone.utc) - start.astimezone(timezone.utc)).total_seconds()


def fmt(value: float) -> str:
    """A number for reports: whole numbers without decimals, with thousands separators."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def pct(value: float) -> str:
    """A share as a percentage with one decimal, e.g. ``'83.3%'``."""
    return f"{value * 100:.1f}%"
