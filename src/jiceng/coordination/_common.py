"""Small helpers shared by the coordination modules (private)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from jiceng.errors import ValidationError
from jiceng.models import Department
from jiceng.models._validate import check_aware

__all__ = ["check_aware", "check_name", "fail", "name_of", "names_of"]


def check_name(field: str, value: object) -> str:
    """Return a non-blank string, else raise ``ValidationError`` naming ``field``."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.for_field(field, value, "must be a non-empty name")
    return value


def name_of(field: str, value: object) -> str:
    """A department's name, from a name or a :class:`~jiceng.models.Department`."""
    if isinstance(value, Department):
        return value.name
    return check_name(field, value)


def names_of(field: str, values: object) -> tuple[str, ...]:
    """Names from an iterable of names or departments: non-empty, no duplicates, in input order.

    Every problem is reported at once.
    """
    if isinstance(values, str | Department) or not isinstance(values, Iterable):
        raise ValidationError.for_field(
            field, values, "must be a list of department names or Department objects"
        )
    items = list(values)
    problems: list[str] = []
    names: list[str] = []
    for item in items:
        try:
            names.append(name_of(field, item))
        except ValidationError as exc:  # noqa: PERF203 -- collect every problem at once
            problems.append(str(exc))
    if not items:
        problems.append(f"{field}=[]: at least one department is needed")
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        problems.append(f"{field}: duplicate department(s) {', '.join(map(repr, duplicates))}")
    fail(problems, field=field, value=items)
    return tuple(names)


def fail(problems: list[str], *, field: str, value: object, what: str = "input") -> None:
    """Raise one ``ValidationError`` listing every problem, or do nothing when there is none."""
    if len(problems) == 1:
        raise ValidationError(problems[0], field=field, value=value)
    if problems:
        error = ValidationError.collect(problems, what=what)
        error.field = field
        error.value = value
        raise error
