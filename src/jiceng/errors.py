"""The error hierarchy (错误类型): every error jiceng raises derives from :class:`JicengError`.

Each error also derives from the builtin that fits it, so ``except ValueError`` keeps working in
callers that do not know jiceng. Every message names the offending field and value, and each error
carries them as attributes.

>>> try:
...     raise ValidationError.for_field("category", "", "must not be empty")
... except ValueError as exc:
...     caught = exc
>>> str(caught), caught.field, caught.value
("category='': must not be empty", 'category', '')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "InvalidDecisionError",
    "InvalidTransitionError",
    "JicengError",
    "Open311Error",
    "PermissionDeniedError",
    "UnknownPolicyError",
    "UnresolvedLeadError",
    "ValidationError",
]

_MISSING = object()


class JicengError(Exception):
    """The root of every error raised by jiceng."""


class ValidationError(JicengError, ValueError):
    """Bad input: a field's value is wrong, or a configuration has problems.

    Attributes:
        field: The name of the offending field, when there is one.
        value: The offending value, when there is one.
        problems: Every problem found, one readable line each. Configuration checks report all of
            them at once, so a user can fix everything in one pass.
    """

    field: str | None
    value: object
    problems: tuple[str, ...]

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: object = _MISSING,
        problems: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.field = field
        self.value = None if value is _MISSING else value
        self.problems = tuple(problems) if problems else (message,)

    @classmethod
    def for_field(cls, field: str, value: object, why: str) -> ValidationError:
        """Build the error for one field, with a message like ``field=value: why``."""
        return cls(f"{field}={value!r}: {why}", field=field, value=value)

    @classmethod
    def collect(cls, problems: Iterable[str], *, what: str = "input") -> ValidationError:
        """Build one error that lists several problems (used by configuration checks)."""
        found = tuple(problems)
        count = len(found)
        head = f"{what} has {count} problem{'s' if count != 1 else ''}"
        return cls(head + ":\n- " + "\n- ".join(found), problems=found)


class InvalidTransitionError(JicengError, ValueError):
    """A lifecycle step that the task's current status does not allow.

    Attributes:
        task: The task id.
        current: The task's current status.
        requested: The step that was asked for.
    """

    def __init__(self, *, task: str, current: object, requested: str) -> None:
        label = getattr(current, "label", "")
        name = getattr(current, "name", str(current))
        shown = f"{name} ({label})" if label else name
        super().__init__(f"task {task!r}: cannot {requested} while {shown}")
        self.task = task
        self.current = current
        self.requested = requested


class PermissionDeniedError(JicengError, PermissionError):
    """An actor who may not take the step they tried.

    Attributes:
        actor: The actor (its ``str`` is shown).
        action: The step that was tried.
        task: The task id, or the matter's name.
    """

    def __init__(self, *, actor: object, action: str, task: str = "", why: str = "") -> None:
        where = f"task {task!r}: " if task else ""
        tail = f" ({why})" if why else ""
        super().__init__(f"{where}actor={actor} may not {action}{tail}")
        self.actor = actor
        self.action = action
        self.task = task


class UnknownPolicyError(JicengError, LookupError):
    """A dispatch policy name that the registry does not know.

    Attributes:
        name: The name asked for.
        known: The names the registry knows, sorted.
    """

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        super().__init__(f"policy={name!r}: unknown; known policies: {', '.join(self.known)}")

    def __str__(self) -> str:
        # LookupError's str() would repr() the message; keep it readable.
        return str(self.args[0])


class InvalidDecisionError(ValidationError):
    """A dispatch decision that the dispatcher refuses to apply.

    Attributes:
        policy: The name of the policy that decided.
        department: The department it chose.
    """

    def __init__(self, *, policy: str, department: str, why: str) -> None:
        super().__init__(
            f"policy={policy!r} chose department={department!r}: {why}",
            field="department",
            value=department,
        )
        self.policy = policy
        self.department = department


class UnresolvedLeadError(ValidationError):
    """No rule could name a lead department for a matter.

    Attributes:
        rationale: One line per rule tried, in Chinese.
        rationale_en: The same lines in English (empty if not given).
    """

    def __init__(
        self, message: str, *, rationale: Sequence[str], rationale_en: Sequence[str] = ()
    ) -> None:
        super().__init__(message, field="departments")
        self.rationale = tuple(rationale)
        self.rationale_en = tuple(rationale_en)


class Open311Error(ValidationError):
    """A GeoReport v2 problem, carrying the spec's error ``code`` and ``description``.

    A server can return ``[{"code": e.code, "description": e.description}]`` unchanged.
    """

    def __init__(
        self,
        description: str,
        *,
        code: int = 400,
        field: str | None = None,
        value: object = _MISSING,
    ) -> None:
        super().__init__(description, field=field, value=value)
        self.code = code
        self.description = description

    def to_payload(self) -> dict[str, object]:
        """The spec's error element: ``{"code": ..., "description": ...}``."""
        return {"code": self.code, "description": self.description}
