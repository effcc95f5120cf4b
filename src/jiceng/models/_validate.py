"""Small validators shared by the model classes (private)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar

from jiceng.errors import ValidationError

__all__ = [
    "aware",
    "check_aware",
    "check_items",
    "check_non_negative",
    "check_text",
    "non_empty",
    "non_negative",
    "of_type",
    "optional_aware",
    "utc",
]

_T = TypeVar("_T")


def check_aware(name: str, value: object) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise ``ValidationError``."""
    if not isinstance(value, datetime):
        raise ValidationError.for_field(name, value, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError.for_field(
            name, value, "must be timezone-aware (naive datetimes are ambiguous)"
        )
    return value


def check_text(name: str, value: object) -> str:
    """Return ``value`` if it is a non-blank string, else raise ``ValidationError``."""
    if not isinstance(value, str):
        raise ValidationError.for_field(name, value, "must be a string")
    if not value.strip():
        raise ValidationError.for_field(name, value, "must not be empty")
    return value


def check_non_negative(name: str, value: object) -> None:
    """Raise ``ValidationError`` unless ``value`` is a real number ≥ 0 (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError.for_field(name, value, "must be a number")
    if not value >= 0:  # also rejects NaN
        raise ValidationError.for_field(name, value, "must be ≥ 0")


def check_items(name: str, kind: type[_T], value: Iterable[Any]) -> tuple[_T, ...]:
    """Return ``value`` as a tuple if every item is a ``kind``, else raise ``ValidationError``."""
    items = tuple(value)
    for item in items:
        if not isinstance(item, kind):
            raise ValidationError.for_field(name, item, f"must contain {kind.__name__} objects")
    return items


def utc(value: datetime) -> datetime:
    """The same instant in UTC, so that differences are elapsed time even across DST."""
    return value.astimezone(timezone.utc)


# attrs validators -------------------------------------------------------------------------------


def aware(_inst: object, attribute: Any, value: Any) -> None:
    """attrs validator: a timezone-aware datetime."""
    check_aware(attribute.name.lstrip("_"), value)


def optional_aware(_inst: object, attribute: Any, value: Any) -> None:
    """attrs validator: ``None`` or a timezone-aware datetime."""
    if value is not None:
        check_aware(attribute.name.lstrip("_"), value)


def non_empty(_inst: object, attribute: Any, value: Any) -> None:
    """attrs validator: a non-blank string."""
    check_text(attribute.name.lstrip("_"), value)


def non_negative(_inst: object, attribute: Any, value: Any) -> None:
    """attrs validator: a number ≥ 0."""
    check_non_negative(attribute.name.lstrip("_"), value)


def of_type(kind: type[_T]) -> Callable[[object, Any, Any], None]:
    """attrs validator factory: an instance of ``kind`` (named in the error)."""

    def check(_inst: object, attribute: Any, value: Any) -> None:
        if not isinstance(value, kind):
            raise ValidationError.for_field(
                attribute.name.lstrip("_"), value, f"must be a {kind.__name__}"
            )

    return check
