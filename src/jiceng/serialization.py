"""Plain-data conversion for every public attrs class: ``to_dict`` and ``from_dict`` (序列化).

The output is JSON-ready: datetimes become ISO 8601 strings with an offset, timedeltas become
seconds, enums their values, frozensets sorted lists, and dateutil ``relativedelta`` periods a
mapping of their non-zero fields. A :class:`~jiceng.models.Task` becomes its report fields plus its
event history, and is rebuilt by replaying that history through the lifecycle, so a restored task
obeys every rule a live one does.

Reporter contact details (phone, ID number) are masked unless ``reveal_pii=True`` (PIPL). The round
trip is exact for every object without reporter contact details, and for every object serialised
with ``reveal_pii=True``.

>>> from datetime import datetime, timezone
>>> from jiceng.models import Department, Level, Task
>>> to_dict(Department("城管局", level=Level.DISTRICT, jurisdiction={"G2", "G1"}))
{'name': '城管局', 'level': 'district', 'handlers': 1, 'jurisdiction': ['G1', 'G2']}
>>> task = Task.report(
...     category="环境卫生",
...     description="垃圾",
...     at=datetime(2026, 1, 5, tzinfo=timezone.utc),
...     id="T1",
... )
>>> from_dict(Task, to_dict(task)) == task
True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import cattrs
import cattrs.gen
from dateutil.relativedelta import relativedelta

from jiceng.errors import ValidationError
from jiceng.models import Channel, Priority, Reporter, Task, TaskEvent
from jiceng.participation import Reason
from jiceng.simulation import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
)

__all__ = ["from_dict", "make_converter", "to_dict"]

T = TypeVar("T")

# ``weeks`` is not stored by relativedelta (it is days // 7), so it is accepted on input only.
_PERIOD_FIELDS = ("years", "months", "days", "hours", "minutes", "seconds", "microseconds")
_PERIOD_INPUT = frozenset({*_PERIOD_FIELDS, "weeks"})


def _sorted(items: Iterable[Any]) -> list[Any]:
    """Sets become sorted lists, so the output is stable."""
    values = list(items)
    try:
        return sorted(values)
    except TypeError:  # unorderable members (mappings): keep them, in a stable textual order
        return sorted(values, key=repr)


def _datetime_out(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError.for_field("datetime", value, "must be timezone-aware to serialise")
    return value.isoformat()


def _datetime_in(value: object, _type: object) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError.for_field("datetime", value, "is not ISO 8601") from None
    else:
        raise ValidationError.for_field("datetime", value, "must be an ISO 8601 string")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValidationError.for_field("datetime", value, "must carry a UTC offset")
    return parsed


def _timedelta_in(value: object, _type: object) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError.for_field("timedelta", value, "must be a number of seconds")
    return timedelta(seconds=value)


def _period_out(value: relativedelta) -> dict[str, int]:
    return {name: getattr(value, name) for name in _PERIOD_FIELDS if getattr(value, name)}


def _period_in(value: object, _type: object) -> relativedelta:
    if not isinstance(value, Mapping) or not set(value) <= set(_PERIOD_FIELDS):
        raise ValidationError.for_field(
            "period", value, f"must be a mapping with keys among {_PERIOD_FIELDS}"
        )
    period = relativedelta()
    for name, amount in value.items():
        period += relativedelta(**{str(name): int(amount)})  # type: ignore[arg-type]
    return period


def _tz_out(value: tzinfo) -> str:
    key = getattr(value, "key", None)
    if isinstance(key, str):
        return key
    offset = value.utcoffset(None)
    if offset is None:
        raise ValidationError.for_field(
            "tz", value, "only IANA zones and fixed offsets can be serialised"
        )
    return timezone(offset).tzname(None) if offset else "UTC"


def _tz_in(value: object, _type: object) -> tzinfo:
    if not isinstance(value, str):
        raise ValidationError.for_field("tz", value, "must be an IANA zone name or 'UTC±HH:MM'")
    if value.startswith("UTC") and len(value) > 3:
        sign = 1 if value[3] == "+" else -1
        hours, minutes = value[4:].split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError.for_field("tz", value, "is not a known time zone") from None


def _iso_in(kind: type[date] | type[time]) -> Callable[[object, object], Any]:
    def structure(value: object, _type: object) -> Any:
        if not isinstance(value, str):
            raise ValidationError.for_field(kind.__name__, value, "must be an ISO 8601 string")
        try:
            return kind.fromisoformat(value)
        except ValueError:
            raise ValidationError.for_field(kind.__name__, value, "is not ISO 8601") from None

    return structure


def _hashable_in(value: object, _type: object) -> Hashable:
    """A ``Hashable`` field (a scorecard's group key): lists come back as tuples."""
    if isinstance(value, list):
        return tuple(_hashable_in(item, _type) for item in value)
    if isinstance(value, Mapping):
        raise ValidationError.for_field("key", value, "a mapping is not a hashable key")
    return value  # str, int, float, bool, None


def _reason_out(value: Reason) -> dict[str, str]:
    return {"zh": value.zh, "en": value.en, "code": value.code, "detail": value.detail}


def _reason_in(value: object, _type: object) -> Reason:
    if isinstance(value, str):
        return value if isinstance(value, Reason) else Reason(value)
    if not isinstance(value, Mapping) or not isinstance(value.get("zh"), str):
        raise ValidationError.for_field(
            "reason", value, "must be a string or a mapping with 'zh', 'en', 'code', 'detail'"
        )
    extra = set(value) - {"zh", "en", "code", "detail"}
    if extra:
        raise ValidationError.for_field("reason", value, f"unknown keys {sorted(extra)}")
    texts = {key: value.get(key, "") for key in ("en", "code", "detail")}
    for key, text in texts.items():
        if not isinstance(text, str):
            raise ValidationError.for_field(f"reason.{key}", text, "must be a string")
    return Reason(value["zh"], texts["en"], code=texts["code"], detail=texts["detail"])


#: The built-in service-time distributions, tagged by ``"kind"`` where a field holds any of them.
_DISTRIBUTIONS: dict[str, type[Any]] = {
    "deterministic": Deterministic,
    "empirical": Empirical,
    "exponential": Exponential,
    "gamma": Gamma,
    "lognormal": LogNormal,
}
_DISTRIBUTION_KINDS = {cls: kind for kind, cls in _DISTRIBUTIONS.items()}


def make_converter(*, reveal_pii: bool = False) -> cattrs.Converter:
    """Build the cattrs converter used by :func:`to_dict` and :func:`from_dict`.

    Extenders can register hooks for their own types on the returned converter.

    Args:
        reveal_pii: Keep reporters' phone and ID numbers instead of masking them.
    """
    conv = cattrs.Converter(
        forbid_extra_keys=True,
        unstruct_collection_overrides={AbstractSet: _sorted, Sequence: list, tuple: list},
    )
    conv.register_unstructure_hook(datetime, _datetime_out)
    conv.register_structure_hook(datetime, _datetime_in)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, _iso_in(date))
    conv.register_unstructure_hook(time, time.isoformat)
    conv.register_structure_hook(time, _iso_in(time))
    conv.register_unstructure_hook(timedelta, timedelta.total_seconds)
    conv.register_structure_hook(timedelta, _timedelta_in)
    conv.register_unstructure_hook(relativedelta, _period_out)
    conv.register_structure_hook(relativedelta, _period_in)
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, tzinfo), _tz_out
    )
    conv.register_structure_hook_func(lambda t: t is tzinfo, _tz_in)
    conv.register_unstructure_hook(
        frozenset, lambda value: sorted(conv.unstructure(v) for v in value)
    )

    conv.register_structure_hook_func(lambda t: t is Hashable, _hashable_in)
    conv.register_unstructure_hook(Reason, _reason_out)
    conv.register_structure_hook(Reason, _reason_in)

    def distribution_out(value: object) -> dict[str, Any]:
        kind = _DISTRIBUTION_KINDS.get(type(value))
        if kind is None:
            raise ValidationError.for_field(
                "service", value, "only the built-in distributions can be serialised"
            )
        return {"kind": kind, **conv.unstructure(value)}

    def distribution_in(value: object, _type: object) -> Any:
        if not isinstance(value, Mapping) or value.get("kind") not in _DISTRIBUTIONS:
            raise ValidationError.for_field(
                "service", value, f"must be a mapping with 'kind' among {sorted(_DISTRIBUTIONS)}"
            )
        fields = {k: v for k, v in value.items() if k != "kind"}
        return conv.structure(fields, _DISTRIBUTIONS[str(value["kind"])])

    conv.register_unstructure_hook_func(lambda t: t is Distribution, distribution_out)
    conv.register_structure_hook_func(lambda t: t is Distribution, distribution_in)

    base_reporter = cattrs.gen.make_dict_unstructure_fn(Reporter, conv)
    if reveal_pii:
        conv.register_unstructure_hook(Reporter, base_reporter)
    else:
        conv.register_unstructure_hook(Reporter, lambda r: base_reporter(r.masked()))

    def task_out(task: Task) -> dict[str, Any]:
        return {
            "id": task.id,
            "category": task.category,
            "description": task.description,
            "location": task.location,
            "grid": task.grid,
            "channel": task.channel.value,
            "priority": task.priority.value,
            "reporter": None
            if task.reporter is None
            else conv.unstructure(task.reporter, Reporter),
            "status": task.status.value,
            "history": [conv.unstructure(e, TaskEvent) for e in task.history],
        }

    def task_in(data: object, _type: object) -> Task:
        if not isinstance(data, Mapping):
            raise ValidationError.for_field("task", data, "must be a mapping")
        fields = dict(data)
        history = conv.structure(fields.pop("history", []), list[TaskEvent])
        status = fields.pop("status", None)
        kwargs = conv.structure(fields, _TaskFields)
        task = Task.from_history(history, **kwargs.as_kwargs())
        if status is not None and task.status.value != status:
            raise ValidationError.for_field(
                "status", status, f"disagrees with the history ({task.status.value})"
            )
        return task

    conv.register_unstructure_hook(Task, task_out)
    conv.register_structure_hook(Task, task_in)
    for kind, why in _not_plain_data().items():
        _refuse(conv, kind, why)
    return conv


def _refuse(conv: cattrs.Converter, kind: type, why: str) -> None:
    """Make ``to_dict``/``from_dict`` refuse ``kind`` loudly instead of dropping its state."""
    message = f"{kind.__name__} is not plain data: {why}"

    def out(value: object) -> Any:
        raise ValidationError(message, field=kind.__name__, value=value)

    def into(value: object, _type: object) -> Any:
        raise ValidationError(message, field=kind.__name__, value=value)

    # Predicate hooks: registering by class would make cattrs resolve the entity's annotations.
    conv.register_unstructure_hook_func(lambda t: t is kind, out)
    conv.register_structure_hook_func(lambda t: t is kind, into)


def _not_plain_data() -> dict[type, str]:
    """Services and entities with live state: serialising them would silently lose that state."""
    from jiceng.coordination import Whistle
    from jiceng.dispatch import Dispatcher
    from jiceng.participation import CommitmentLedger, ImplementationTracker, SageCouncil

    return {
        Dispatcher: "it holds a lock, live loads and a policy; serialise its tasks instead",
        Whistle: "its state is built by sign/report calls; serialise its history or outcome",
        CommitmentLedger: "an append-only ledger; serialise its entries instead",
        SageCouncil: "an append-only register; serialise its entries instead",
        ImplementationTracker: "an append-only tracker; serialise its records instead",
    }


@attrs.frozen
class _TaskFields:
    """The report fields of a task, structured (and type-checked) by cattrs."""

    id: str
    category: str
    description: str
    location: str = ""
    grid: str | None = None
    channel: Channel = Channel.HOTLINE
    priority: Priority = Priority.NORMAL
    reporter: Reporter | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {a.name: getattr(self, a.name) for a in attrs.fields(_TaskFields)}


@cache
def _converter(reveal_pii: bool) -> cattrs.Converter:
    return make_converter(reveal_pii=reveal_pii)


def to_dict(obj: object, *, reveal_pii: bool = False) -> Any:
    """Convert a jiceng object (or a list/dict of them) to JSON-ready plain data.

    Args:
        obj: Any public attrs object of jiceng, or a container of them.
        reveal_pii: Keep reporters' phone and ID numbers; masked by default.
    """
    return _converter(reveal_pii).unstructure(obj)


def from_dict(cls: type[T], data: object) -> T:
    """Rebuild an object of type ``cls`` from :func:`to_dict` output.

    Raises:
        ValidationError: The data is malformed; the message names the field and value.
    """
    try:
        return _converter(True).structure(data, cls)
    except ValidationError:
        raise
    except cattrs.BaseValidationError as exc:
        leaves = _leaves(exc)
        if len(leaves) == 1 and isinstance(leaves[0], ValidationError):
            raise leaves[0] from exc
        problems = [f"{type(e).__name__}: {e}" for e in leaves]
        raise ValidationError.collect(problems, what=f"data for {cls.__name__}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"data for {cls.__name__} is malformed: {exc}", value=data) from exc


def _leaves(exc: BaseException) -> list[BaseException]:
    """The innermost errors of a (possibly nested) exception group."""
    inner: tuple[BaseException, ...] | None = getattr(exc, "exceptions", None)
    if inner is None:
        return [exc]
    return [leaf for sub in inner for leaf in _leaves(sub)]
