"""Open311 GeoReport v2 (开放311接口): service requests, services, definitions and errors.

Open311 is the open standard that many cities' 311 systems, FixMyStreet and apps speak. This module
turns a task into a GeoReport v2 service request and back, lists services from a responsibility list
(权责清单), describes their attributes, and reports every problem as an :class:`Open311Error` that a
server can send unchanged as ``[{"code": ..., "description": ...}]``.

The mapping, in short (``docs/howto/import-open311.md`` has the whole of it):

- ``service_request_id`` ↔ ``Task.id``; ``service_name`` ↔ ``Task.category`` (``service_code`` is
  the category too, or the code you give); ``description`` ↔ ``Task.description`` (at most 4000
  characters); ``address`` and ``lat``/``long`` ↔ ``Task.location`` (``"<address> @<lat>,<long>"``).
- ``status`` is ``open`` or ``closed``; the finer status goes in ``status_notes``, e.g.
  ``"已签收 (accepted)"``. FixMyStreet's extended statuses are an option (``extended=True``).
- ``requested_datetime`` ↔ the report time; ``updated_datetime`` is the close time of a closed request
  (the last event's time otherwise); ``expected_datetime`` ↔ ``resolve_due``; ``agency_responsible``
  ↔ the lead department. Every timestamp must carry a UTC offset.
- With ``extensions=True``, ``notes[]`` holds the whole history and ``extended_attributes`` the
  channel, priority, grid and cooperating departments, as the GeoReport v2 extensions do.

>>> from datetime import datetime, timedelta, timezone
>>> from jiceng.models import Actor, Task
>>> t0 = datetime(2026, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))
>>> task = Task.report(category="环境卫生", description="垃圾堆积", at=t0, id="T1")
>>> task.register(at=t0, by=Actor.platform())
>>> task.dispatch(to="城管局", at=t0, by=Actor.platform())
>>> payload = to_open311(task)
>>> payload["status"], payload["status_notes"], payload["agency_responsible"]
('open', '已派遣 (dispatched)', '城管局')
>>> back = from_open311(payload)
>>> back.status.name, back.department, back.reported_at == t0
('DISPATCHED', '城管局', True)
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeAlias

from attrs import field, frozen

from jiceng.errors import JicengError, Open311Error
from jiceng.interop._common import check_coordinates, format_location, split_location
from jiceng.models import (
    Actor,
    ActorRole,
    Channel,
    EventKind,
    Priority,
    Reporter,
    ResponsibilityList,
    Satisfaction,
    Task,
    TaskEvent,
    TaskStatus,
    UrgeLevel,
)

__all__ = [
    "DATATYPES",
    "FIXMYSTREET_STATUSES",
    "MAX_DESCRIPTION",
    "JSONValue",
    "Open311Error",
    "Receipt",
    "Service",
    "ServiceAttribute",
    "ServiceDefinition",
    "error_payload",
    "errors_from_open311",
    "from_open311",
    "lenient_json",
    "loads_lenient",
    "parse_datetime",
    "service_definition",
    "services_from_responsibilities",
    "to_open311",
]

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
"""A value as :func:`json.loads` returns it."""

MAX_DESCRIPTION = 4000
"""The longest ``description`` GeoReport v2 allows (characters)."""

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
"""The six attribute datatypes of a GeoReport v2 service definition."""

_LIST_TYPES = frozenset({"singlevaluelist", "multivaluelist"})

S = TaskStatus
K = EventKind

FIXMYSTREET_STATUSES: Mapping[TaskStatus, str] = {
    S.REPORTED: "open",
    S.REGISTERED: "open",
    S.DISPATCHED: "investigating",
    S.ACCEPTED: "in_progress",
    S.PARKED: "action_scheduled",
    S.RESOLVED: "fixed",
    S.CLOSED: "closed",
    S.CANCELLED: "no_further_action",
}
"""The FixMyStreet-style extended status written for each task status (``extended=True``).

A task cancelled as a duplicate (重复件) is written ``duplicate``.
"""

# Reading FixMyStreet statuses: (open?, the status they suggest).
_FMS_IMPORT: dict[str, tuple[bool, TaskStatus | None]] = {
    "open": (True, None),
    "investigating": (True, S.DISPATCHED),
    "in_progress": (True, S.ACCEPTED),
    "action_scheduled": (True, S.PARKED),
    "planned": (True, S.PARKED),
    "internal_referral": (True, S.REGISTERED),
    "reopen": (True, None),
    "for_triage": (True, S.REGISTERED),
    "closed": (False, None),
    "fixed": (False, S.RESOLVED),
    "duplicate": (False, S.CANCELLED),
    "not_councils_responsibility": (False, S.CANCELLED),
    "no_further_action": (False, S.CANCELLED),
}

# Note types from other servers that mean a jiceng step (San Francisco's notes[] use these).
_NOTE_ALIASES = {"submitted": K.REPORTED, "opened": K.REGISTERED}
_DEPARTMENT_STEPS = frozenset({K.ACCEPTED, K.RETURNED, K.PARKED, K.RESUMED, K.RESOLVED})
_FINE = re.compile(r"^(?P<label>\S+) \((?P<value>[a-z_]+)\)(?:: (?P<detail>.*))?$", re.DOTALL)
_MAIN_LINE = (S.REPORTED, S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.RESOLVED, S.CLOSED)
_APP_CHANNELS = frozenset({"android", "iphone", "ios", "mobile", "web", "app"})


# -- errors -----------------------------------------------------------------------------------


def _problem(name: str, value: object, why: str, *, code: int = 400) -> Open311Error:
    shown = value if not isinstance(value, str) or len(value) <= 80 else value[:77] + "..."
    return Open311Error(f"{name}={shown!r}: {why}", code=code, field=name, value=value)


def error_payload(*errors: Open311Error) -> list[dict[str, object]]:
    """The GeoReport v2 error body for ``errors``: ``[{"code": ..., "description": ...}, ...]``.

    >>> error_payload(Open311Error("service_code='x': unknown service", code=404))
    [{'code': 404, 'description': "service_code='x': unknown service"}]
    """
    return [error.to_payload() for error in errors]


def errors_from_open311(payload: object) -> list[Open311Error]:
    """Read a GeoReport v2 error body (a list of ``{code, description}``, or one of them).

    >>> [(e.code, e.description) for e in errors_from_open311([{"code": 403, "description": "no"}])]
    [(403, 'no')]

    Raises:
        Open311Error: The body is not an error body (code 400).
    """
    items = [payload] if isinstance(payload, Mapping) else payload
    if not isinstance(items, list) or not items:
        raise _problem(
            "errors", payload, "an error body is a non-empty list of {code, description}"
        )
    found: list[Open311Error] = []
    for index, item in enumerate(items):
        name = f"errors[{index}]"
        if not isinstance(item, Mapping):
            raise _problem(name, item, "must be an object with code and description")
        code = item.get("code")
        if isinstance(code, str) and code.strip().isdigit():
            code = int(code)
        if isinstance(code, bool) or not isinstance(code, int):
            raise _problem(f"{name}.code", code, "must be an integer HTTP status")
        description = item.get("description")
        if not isinstance(description, str):
            raise _problem(f"{name}.description", description, "must be a string")
        found.append(Open311Error(description, code=code))
    return found


# -- leniency ---------------------------------------------------------------------------------

_LEADING_ZERO = re.compile(r"-?0\d+$")


def lenient_json(text: str) -> str:
    """Make the GeoReport v2 spec's non-strict JSON strict: quote numbers with leading zeros.

    The spec's own examples write codes as ``"service_code":006``, which strict JSON refuses.
    Servers send strings, so this is the one leniency applied: an integer literal with a leading
    zero becomes the string holding its digits, zeros kept. Everything else, strings included, is
    left exactly as it is. Pure string processing; nothing is read or fetched.

    >>> lenient_json('{"service_code":006, "n": 0, "s": "007", "x": 1.05}')
    '{"service_code":"006", "n": 0, "s": "007", "x": 1.05}'
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif char == "-" or char.isdigit():
            j = i + 1
            while j < n and (text[j].isdigit() or text[j] in ".eE+-"):
                j += 1
            token = text[i:j]
            out.append(f'"{token}"' if _LEADING_ZERO.match(token) else token)
            i = j
        else:
            out.append(char)
            i += 1
    return "".join(out)


def loads_lenient(text: str) -> JSONValue:
    """Parse GeoReport v2 JSON, accepting the spec's leading-zero codes (see :func:`lenient_json`).

    >>> loads_lenient('[{"service_code":006,"service_request_id":638344}]')
    [{'service_code': '006', 'service_request_id': 638344}]

    Raises:
        Open311Error: The text is not JSON even after the leniency (code 400).
    """
    try:
        value: JSONValue = json.loads(lenient_json(text))
    except json.JSONDecodeError as exc:
        raise _problem("body", text, f"not JSON: {exc.msg} at line {exc.lineno}") from None
    return value


# -- reading fields ---------------------------------------------------------------------------


def _required_id(payload: Mapping[str, object], name: str) -> str:
    """A required id or code: a string, or an integer converted to one."""
    text = _text_id(payload, name, required=True)
    assert text is not None  # required=True never returns None
    return text


def _text_id(payload: Mapping[str, object], name: str, *, required: bool) -> str | None:
    """An id or code: a string, or an integer converted to one."""
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise _problem(name, value, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _problem(name, value, "must be a string (or an integer, converted)")
    text = str(value).strip()
    if not text:
        if required:
            raise _problem(name, value, "is required")
        return None
    return text


def _text(payload: Mapping[str, object], name: str) -> str:
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _problem(name, value, "must be a string")
    return value


def parse_datetime(value: object, name: str) -> datetime:
    """Read a W3C / ISO 8601 timestamp that carries its UTC offset (``Z`` or ``±HH:MM``).

    >>> parse_datetime("2010-04-14T06:37:38-08:00", "requested_datetime").isoformat()
    '2010-04-14T06:37:38-08:00'
    >>> parse_datetime("2010-04-14T06:37:38", "requested_datetime")
    Traceback (most recent call last):
    ...
    jiceng.errors.Open311Error: requested_datetime='2010-04-14T06:37:38': must carry a UTC offset ...
    """
    if not isinstance(value, str):
        raise _problem(name, value, "must be an ISO 8601 timestamp string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _problem(name, value, "not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _problem(
            name, value, "must carry a UTC offset (Z or ±HH:MM); naive times are ambiguous"
        )
    return parsed


def _optional_time(payload: Mapping[str, object], name: str) -> datetime | None:
    value = payload.get(name)
    if value is None or value == "":
        return None
    return parse_datetime(value, name)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _float(payload: Mapping[str, object], name: str) -> float | None:
    value = payload.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _problem(name, value, "must be a number") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _problem(name, value, "must be a number")
    return float(value)


def _coordinates(payload: Mapping[str, object]) -> tuple[float, float] | None:
    lat, long = _float(payload, "lat"), _float(payload, "long")
    geometry = payload.get("location")
    if lat is None and long is None and isinstance(geometry, Mapping):
        # FIWARE smart-data-models: a GeoJSON Point, [longitude, latitude].
        points = geometry.get("coordinates")
        if (
            geometry.get("type") != "Point"
            or not isinstance(points, list)
            or len(points) != 2
            or not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in points)
        ):
            raise _problem("location", geometry, "must be a GeoJSON Point [longitude, latitude]")
        long, lat = float(points[0]), float(points[1])
    if lat is None and long is None:
        return None
    if lat is None or long is None:
        raise _problem("lat" if lat is None else "long", None, "give both lat and long, or neither")
    why = check_coordinates(lat, long)
    if why is not None:
        raise _problem("lat", (lat, long), why)
    return lat, long


# -- status -----------------------------------------------------------------------------------


def _status_notes(task: Task) -> str:
    status = task.status
    head = f"{status.label} ({status.value})"
    detail = ""
    last = _last_of(task, _STATUS_EVENT[status]) if status in _STATUS_EVENT else None
    if last is not None:
        detail = last.note
    return f"{head}: {detail}" if detail else head


_STATUS_EVENT = {
    S.CANCELLED: frozenset({K.CANCELLED, K.DUPLICATE}),
    S.PARKED: frozenset({K.PARKED}),
    S.RESOLVED: frozenset({K.RESOLVED}),
    S.CLOSED: frozenset({K.CLOSED}),
}


def _last_of(task: Task, kinds: Collection[EventKind]) -> TaskEvent | None:
    for event in reversed(task.history):
        if event.kind in kinds:
            return event
    return None


def _fine_status(notes: str) -> tuple[TaskStatus, str] | None:
    match = _FINE.match(notes)
    if match is None:
        return None
    try:
        status = TaskStatus(match["value"])
    except ValueError:
        return None
    if status.label != match["label"]:
        return None
    return status, match["detail"] or ""


# -- export -----------------------------------------------------------------------------------


def _actor_payload(actor: Actor) -> dict[str, JSONValue]:
    data: dict[str, JSONValue] = {"role": actor.role.value, "id": actor.id}
    if actor.grid is not None:
        data["grid"] = actor.grid
    return data


def _note_payload(event: TaskEvent) -> dict[str, JSONValue]:
    note: dict[str, JSONValue] = {
        "datetime": event.at.isoformat(),
        "type": event.kind.value,
        "description": event.note or event.kind.label,
        "note": event.note,
        "status": event.status.value,
        "actor": _actor_payload(event.actor),
    }
    if event.department is not None:
        note["department"] = event.department
    if event.cooperating:
        note["cooperating"] = list(event.cooperating)
    for name in ("response_due", "resolve_due", "until"):
        value: datetime | None = getattr(event, name)
        if value is not None:
            note[name] = value.isoformat()
    if event.level is not None:
        note["level"] = int(event.level)
    if event.contacted is not None:
        note["contacted"] = event.contacted
    if event.kind is K.CALLBACK:
        note["resolved"] = event.resolved
        note["satisfaction"] = None if event.satisfaction is None else event.satisfaction.value
    if event.duplicate_of is not None:
        note["duplicate_of"] = event.duplicate_of
    return note


def to_open311(
    task: Task,
    *,
    extended: bool = False,
    extensions: bool = False,
    service_codes: Mapping[str, str] | None = None,
    geojson: bool = False,
) -> dict[str, JSONValue]:
    """Write a task as a GeoReport v2 service request (a JSON-ready dict).

    Args:
        task: The task.
        extended: Write FixMyStreet-style extended statuses (:data:`FIXMYSTREET_STATUSES`) instead
            of ``open``/``closed``. ``status_notes`` keeps the exact status either way.
        extensions: Add the GeoReport v2 extensions: ``notes[]`` with one entry per history event,
            and ``extended_attributes`` with the channel, priority, grid and cooperating departments.
            :func:`from_open311` then rebuilds the task exactly.
        service_codes: ``{category: service_code}``; a category not listed is its own code.
        geojson: Write coordinates as a GeoJSON ``location`` Point and the address as
            ``address_string`` (the FIWARE smart-data-models form) instead of ``lat``/``long`` and
            ``address``.

    Returns:
        The request. Descriptions are truncated to :data:`MAX_DESCRIPTION` characters. The
        reporter's contact details are never written.

    Raises:
        Open311Error: ``task`` is not a Task (code 400).
    """
    if not isinstance(task, Task):
        raise _problem("task", task, "must be a Task")
    status = task.status
    if extended:
        text = FIXMYSTREET_STATUSES[status]
        if status is S.CANCELLED and task.history[-1].kind is K.DUPLICATE:
            text = "duplicate"
    else:
        text = "closed" if status.is_terminal else "open"
    codes = service_codes or {}
    address, coordinates = split_location(task.location)
    updated = task.closed_at if status is S.CLOSED else task.history[-1].at
    payload: dict[str, JSONValue] = {
        "service_request_id": task.id,
        "status": text,
        "status_notes": _status_notes(task),
        "service_name": task.category,
        "service_code": codes.get(task.category, task.category),
        "description": task.description[:MAX_DESCRIPTION],
        "agency_responsible": task.department,
        "service_notice": None,
        "requested_datetime": task.reported_at.isoformat(),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(task.resolve_due),
    }
    if geojson:
        payload["address_string"] = address or None
        if coordinates is not None:
            payload["location"] = {"type": "Point", "coordinates": [coordinates[1], coordinates[0]]}
    else:
        payload["address"] = address or None
        payload["lat"] = None if coordinates is None else coordinates[0]
        payload["long"] = None if coordinates is None else coordinates[1]
    if extensions:
        payload["extended_attributes"] = {
            "channel": task.channel.value,
            "priority": int(task.priority),
            "grid": task.grid,
            "cooperating": list(task.cooperating),
            "response_due": _iso(task.response_due),
        }
        payload["notes"] = [_note_payload(event) for event in task.history]
    return payload


# -- import -----------------------------------------------------------------------------------


@frozen
class _Request:
    """A service request's fields, validated (private)."""

    id: str
    open: bool
    hint: TaskStatus | None
    detail: str
    status_notes: str
    category: str
    description: str
    agency: str | None
    requested: datetime
    updated: datetime | None
    expected: datetime | None
    location: str
    channel: Channel
    priority: Priority
    grid: str | None
    reporter: Reporter | None
    notes: tuple[tuple[TaskEvent, bool], ...]  # (event, whether the note named its actor)
    reported_by: Actor | None


def _actor(value: object, name: str) -> Actor | None:
    if value is None:
        return None
    try:
        if isinstance(value, Mapping):
            role, ident, grid = value.get("role"), value.get("id"), value.get("grid")
            if isinstance(ident, str) and (grid is None or isinstance(grid, str)):
                return Actor(role=ActorRole(role), id=ident, grid=grid)
        if isinstance(value, str) and ":" in value:
            role_text, _, ident = value.partition(":")
            return Actor(role=ActorRole(role_text), id=ident)
    except (ValueError, JicengError):
        pass
    raise _problem(name, value, "must be an actor {role, id[, grid]} or 'role:id'")


def _note_event(note: object, index: int) -> tuple[EventKind, TaskEvent | None, Actor | None]:
    """Read one ``notes[]`` entry: its kind, and the event to replay (``None`` for the report)."""
    name = f"notes[{index}]"
    if not isinstance(note, Mapping):
        raise _problem(name, note, "must be an object with datetime, type and description")
    kind_text = note.get("type")
    kind = _NOTE_ALIASES.get(str(kind_text))
    if kind is None:
        try:
            kind = EventKind(kind_text)
        except ValueError:
            raise _problem(f"{name}.type", kind_text, "not a step jiceng knows") from None
    at = parse_datetime(note.get("datetime"), f"{name}.datetime")
    actor = _actor(note.get("actor"), f"{name}.actor")
    if kind is K.REPORTED:
        return kind, None, actor
    # jiceng writes the exact note in "note" (the description falls back to the step's label);
    # other servers' notes have only a description.
    raw = note["note"] if "note" in note else note.get("description") or kind.label
    text = raw if isinstance(raw, str) else ""
    level = note.get("level")
    satisfaction = note.get("satisfaction")
    cooperating = note.get("cooperating") or ()
    if isinstance(cooperating, str) or not isinstance(cooperating, (list, tuple)):
        raise _problem(f"{name}.cooperating", cooperating, "must be a list of department names")
    try:
        event = TaskEvent(
            at=at,
            kind=kind,
            status=S.REPORTED,  # replaced by the replay's own status
            actor=actor or Actor.system(),
            note=text,
            department=_text_id(note, "department", required=False),
            cooperating=tuple(str(c) for c in cooperating),
            response_due=_optional_time(note, "response_due"),
            resolve_due=_optional_time(note, "resolve_due"),
            until=_optional_time(note, "until"),
            level=None if level is None else UrgeLevel(level),
            contacted=note.get("contacted"),
            resolved=note.get("resolved"),
            satisfaction=None if satisfaction is None else Satisfaction(satisfaction),
            duplicate_of=_text_id(note, "duplicate_of", required=False),
        )
    except (ValueError, TypeError) as exc:
        raise _problem(name, note, f"malformed note: {exc}") from None
    return kind, event, actor


def _channel(value: object, default: Channel) -> Channel:
    if isinstance(value, str):
        if value.lower() in _APP_CHANNELS:
            return Channel.APP
        try:
            return Channel(value)
        except ValueError:
            return default
    return default


def _read(
    payload: Mapping[str, object],
    categories: Mapping[str, str] | None,
    channel: Channel,
) -> _Request:
    ident = _required_id(payload, "service_request_id")
    code = _text_id(payload, "service_code", required=False)
    name = _text(payload, "service_name").strip()
    if code is None and not name:
        raise _problem("service_code", None, "service_code or service_name is required")
    category = (categories or {}).get(code or "", "") or name or code or ""
    description = _text(payload, "description")
    if len(description) > MAX_DESCRIPTION:
        raise _problem(
            "description",
            description,
            f"longer than {MAX_DESCRIPTION} characters ({len(description)})",
        )
    status_text = payload.get("status")
    if status_text is None or status_text == "":
        status_text = "open"
    if not isinstance(status_text, str) or status_text.lower() not in _FMS_IMPORT:
        raise _problem("status", status_text, "must be open or closed (or a FixMyStreet status)")
    is_open, hint = _FMS_IMPORT[status_text.lower()]
    notes_text = _text(payload, "status_notes")
    detail = notes_text
    fine = _fine_status(notes_text)
    if fine is not None and (not fine[0].is_terminal) == is_open:
        hint, detail = fine
    requested = parse_datetime(payload.get("requested_datetime"), "requested_datetime")
    updated = _optional_time(payload, "updated_datetime")
    expected = _optional_time(payload, "expected_datetime")
    if updated is not None and updated < requested:
        raise _problem(
            "updated_datetime", payload.get("updated_datetime"), "earlier than requested_datetime"
        )
    address = _text(payload, "address") or _text(payload, "address_string")
    extra = payload.get("extended_attributes")
    attributes: Mapping[str, object] = extra if isinstance(extra, Mapping) else {}
    priority = Priority.NORMAL
    if "priority" in attributes:
        level = attributes["priority"]
        try:
            if isinstance(level, bool) or not isinstance(level, int):
                raise ValueError(level)
            priority = Priority(level)
        except ValueError:
            raise _problem(
                "extended_attributes.priority", attributes["priority"], "not a jiceng Priority"
            ) from None
    grid = attributes.get("grid")
    if grid is not None and (not isinstance(grid, str) or not grid.strip()):
        raise _problem("extended_attributes.grid", grid, "must be a grid id")
    raw_notes = payload.get("notes") or []
    if not isinstance(raw_notes, list):
        raise _problem("notes", raw_notes, "must be a list")
    read = [_note_event(note, i) for i, note in enumerate(raw_notes)]
    reported_by = next((actor for kind, _, actor in read if kind is K.REPORTED), None)
    events = tuple((event, actor is not None) for _, event, actor in read if event is not None)
    first, last = _text(payload, "first_name"), _text(payload, "last_name")
    phone = _text(payload, "phone")
    residents = {
        e.actor.id
        for e, named in events
        if named and e.kind is K.CALLBACK and e.actor.role is ActorRole.RESIDENT
    }
    if reported_by is not None and reported_by.role is ActorRole.RESIDENT:
        residents.add(reported_by.id)
    reporter = None
    if first or last or phone or residents:
        reporter = Reporter(
            name=" ".join(p for p in (first, last) if p),
            phone=phone,
            resident=min(residents) if residents else None,
        )
    agency = _text_id(payload, "agency_responsible", required=False)
    return _Request(
        id=ident,
        open=is_open,
        hint=hint,
        detail=detail,
        status_notes=notes_text,
        category=category,
        description=description,
        agency=agency,
        requested=requested,
        updated=updated,
        expected=expected,
        location=format_location(address, _coordinates(payload)),
        channel=_channel(attributes.get("channel"), channel),
        priority=priority,
        grid=grid,
        reporter=reporter,
        notes=events,
        reported_by=reported_by,
    )


def _target(request: _Request) -> TaskStatus:
    """The status the imported task should end in."""
    hint = request.hint
    if request.open:
        if hint is None:
            hint = S.ACCEPTED if request.agency else S.REPORTED
        if request.agency is None and hint not in (S.REPORTED, S.REGISTERED):
            hint = S.REGISTERED
        return hint
    if hint is None:
        hint = S.CLOSED
    if request.agency is None and hint is not S.CANCELLED:
        hint = S.CANCELLED
    return hint


def _apply_note(task: Task, event: TaskEvent, named: bool, agency: str | None) -> None:
    actor = event.actor
    if not named:
        if event.kind in _DEPARTMENT_STEPS:
            actor = Actor.department(task.department or agency or "")
        else:
            actor = Actor.system()
    department = event.department
    if event.kind is K.DISPATCHED and department is None:
        department = agency
    task.apply(
        TaskEvent(
            at=event.at,
            kind=event.kind,
            status=event.status,
            actor=actor,
            note=event.note,
            department=department,
            cooperating=event.cooperating,
            response_due=event.response_due,
            resolve_due=event.resolve_due,
            until=event.until,
            level=event.level,
            contacted=event.contacted,
            resolved=event.resolved,
            satisfaction=event.satisfaction,
            duplicate_of=event.duplicate_of,
        )
    )


def _advance(task: Task, target: TaskStatus, request: _Request) -> None:
    """Take the task from where it stands to ``target`` along the lifecycle, as a record replay."""
    system = Actor.system()
    last = task.history[-1].at

    def later(when: datetime | None) -> datetime:
        return when if when is not None and when >= last else last

    start = later(request.requested)
    end = later(request.updated or request.requested)
    reason = request.detail or request.status_notes
    for _ in range(8):  # the main line is at most six steps long
        status = task.status
        if status is target:
            return
        if target is S.CANCELLED and status in (S.REPORTED, S.REGISTERED):
            task.cancel(at=end, by=system, reason=reason or "closed without an agency_responsible")
        elif status is S.REPORTED:
            task.register(at=start, by=system)
        elif status is S.REGISTERED and request.agency is not None:
            task.dispatch(to=request.agency, at=start, by=system, resolve_due=request.expected)
        elif status is S.DISPATCHED:
            task.accept(at=start, by=Actor.department(task.department or ""))
        elif status is S.ACCEPTED and target is S.PARKED:
            task.park(at=end, by=Actor.department(task.department or ""), reason=reason or "挂账")
        elif status is S.PARKED:
            task.resume(at=end, by=Actor.department(task.department or ""))
        elif status is S.ACCEPTED and target in (S.RESOLVED, S.CLOSED):
            note = request.detail if target is S.RESOLVED else ""
            task.resolve(at=end, by=Actor.department(task.department or ""), note=note)
        elif status is S.RESOLVED and target is S.CLOSED:
            task.close(at=end, by=system, note=request.detail)
        else:
            break
    # When notes[] took the task elsewhere, the history is the more detailed account and stands,
    # unless it contradicts the request's open/closed status.
    if task.status is not target and task.status.is_terminal == request.open:
        raise _problem(
            "status",
            "open" if request.open else "closed",
            f"notes[] end with the task {task.status.value}, which contradicts it",
        )


def from_open311(
    payload: Mapping[str, object],
    *,
    categories: Mapping[str, str] | None = None,
    channel: Channel = Channel.APP,
) -> Task:
    """Read a GeoReport v2 service request into a task with a valid history.

    Required: ``service_request_id``, ``requested_datetime``, and ``service_code`` or
    ``service_name``. Ids and codes may be numbers; they become strings. The task is reported at
    ``requested_datetime``, then:

    - with ``notes[]`` (the extensions' update history), each note of a known type is replayed: the
      types jiceng writes (its event kinds), plus ``submitted`` (the report itself) and ``opened``
      (立案). Notes without an actor are taken by the system, or by the agency for its own steps;
    - then the task is brought to the request's status: an ``open`` request with an
      ``agency_responsible`` is registered, dispatched to it (``expected_datetime`` becomes
      ``resolve_due``) and accepted at ``requested_datetime``, one without stays REPORTED; a
      ``closed`` request with an agency is also resolved and closed at ``updated_datetime``; one
      without becomes CANCELLED with ``status_notes`` as the reason. A finer status written by
      :func:`to_open311` in ``status_notes`` (``"已签收 (accepted)"``), or a FixMyStreet status,
      picks the exact step.

    Args:
        payload: One service request (a mapping, as JSON decodes it).
        categories: ``{service_code: category}``; by default the category is ``service_name``, or
            the code when there is no name.
        channel: The channel recorded when ``extended_attributes`` names none jiceng knows.

    Returns:
        The task.

    Raises:
        Open311Error: Any problem, with code 400 and a description naming the field: a missing
            field, a timestamp without an offset, a description over 4000 characters, a bad
            status or coordinate, or a history the lifecycle refuses.
    """
    if not isinstance(payload, Mapping):
        raise _problem("request", payload, "must be an object (a JSON dict)")
    request = _read(payload, categories, channel)
    try:
        task = Task.report(
            category=request.category,
            description=request.description,
            at=request.requested,
            location=request.location,
            grid=request.grid,
            channel=request.channel,
            priority=request.priority,
            reporter=request.reporter,
            id=request.id,
            by=request.reported_by,
        )
    except JicengError as exc:  # pragma: no cover - _read has checked every field already
        name = getattr(exc, "field", None) or "request"
        raise _problem(name, getattr(exc, "value", None), str(exc)) from None
    index = 0
    try:
        for index, (event, named) in enumerate(request.notes):  # noqa: B007 -- read in except
            _apply_note(task, event, named, request.agency)
    except JicengError as exc:
        kind = request.notes[index][0].kind.value
        raise _problem(f"notes[{index}]", kind, str(exc)) from None
    try:
        _advance(task, _target(request), request)
    except Open311Error:
        raise
    except JicengError as exc:
        raise _problem("status", request.status_notes or request.open, str(exc)) from None
    return task


# -- receipts ---------------------------------------------------------------------------------


@frozen
class Receipt:
    """The answer to ``POST /requests`` (or ``GET /tokens``): an id, or a token to look it up by.

    >>> Receipt.from_payload(
    ...     [{"service_request_id": 293944, "service_notice": "", "account_id": None}]
    ... )
    Receipt(service_request_id='293944', token=None, service_notice='', account_id=None)
    """

    service_request_id: str | None = field(default=None, kw_only=True)
    token: str | None = field(default=None, kw_only=True)
    service_notice: str = field(default="", kw_only=True)
    account_id: str | None = field(default=None, kw_only=True)

    @classmethod
    def for_task(cls, task: Task, *, service_notice: str = "") -> Receipt:
        """The receipt for a task just created from a request."""
        return cls(service_request_id=task.id, service_notice=service_notice)

    @classmethod
    def from_payload(cls, payload: object) -> Receipt:
        """Read a receipt (a one-element list, as servers send it, or the object itself).

        Raises:
            Open311Error: Neither an id nor a token (code 400).
        """
        item = payload[0] if isinstance(payload, list) and len(payload) == 1 else payload
        if not isinstance(item, Mapping):
            raise _problem("receipt", payload, "must be an object, or a list of one")
        ident = _text_id(item, "service_request_id", required=False)
        token = _text_id(item, "token", required=False)
        if ident is None and token is None:
            raise _problem(
                "service_request_id", None, "a receipt needs service_request_id or token"
            )
        return cls(
            service_request_id=ident,
            token=token,
            service_notice=_text(item, "service_notice"),
            account_id=_text_id(item, "account_id", required=False),
        )

    def to_payload(self) -> list[dict[str, JSONValue]]:
        """The body a server sends: a list of one object."""
        item: dict[str, JSONValue] = {"service_request_id": self.service_request_id}
        if self.token is not None:
            item["token"] = self.token
        else:
            item["service_notice"] = self.service_notice or None
            item["account_id"] = self.account_id
        return [item]


# -- services ---------------------------------------------------------------------------------


def _keywords(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(k.strip() for k in value.split(",") if k.strip())
    return tuple(str(k) for k in value)  # type: ignore[attr-defined]  # any iterable of words


@frozen
class Service:
    """One entry of ``GET /services``: a kind of request a resident can make.

    Attributes:
        service_code: Its code (a string).
        service_name: Its readable name; jiceng uses the category.
        description: What it covers.
        metadata: Whether it has a service definition (extra attributes).
        type: ``realtime``, ``batch`` or ``blackbox``.
        keywords: Search words.
        group: A group name; jiceng writes the lead department(s).
    """

    service_code: str
    service_name: str = field(kw_only=True)
    description: str = field(default="", kw_only=True)
    metadata: bool = field(default=False, kw_only=True)
    type: str = field(default="realtime", kw_only=True)
    keywords: tuple[str, ...] = field(default=(), kw_only=True, converter=_keywords)
    group: str = field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.type not in ("realtime", "batch", "blackbox"):
            raise _problem("type", self.type, "must be realtime, batch or blackbox")

    @classmethod
    def from_payload(cls, payload: object) -> Service:
        """Read one service from ``GET /services``.

        Raises:
            Open311Error: A missing code or name, or a bad type (code 400).
        """
        if not isinstance(payload, Mapping):
            raise _problem("service", payload, "must be an object")
        code = _required_id(payload, "service_code")
        metadata = payload.get("metadata", False)
        if isinstance(metadata, str):
            metadata = metadata.lower() == "true"
        return cls(
            code,
            service_name=_text(payload, "service_name") or code,
            description=_text(payload, "description"),
            metadata=bool(metadata),
            type=_text(payload, "type") or "realtime",
            keywords=_keywords(payload.get("keywords")),
            group=_text(payload, "group"),
        )

    def to_payload(self) -> dict[str, JSONValue]:
        """The service as ``GET /services`` lists it."""
        return {
            "service_code": self.service_code,
            "service_name": self.service_name,
            "description": self.description,
            "metadata": self.metadata,
            "type": self.type,
            "keywords": ", ".join(self.keywords),
            "group": self.group,
        }


def services_from_responsibilities(
    responsibilities: ResponsibilityList,
    *,
    codes: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
    definitions: Collection[str] = (),
    keywords: Mapping[str, Iterable[str]] | None = None,
) -> list[dict[str, JSONValue]]:
    """List the services of ``GET /services``: one per category of a responsibility list.

    Each service's name is the category, its code the category or ``codes[category]``, and its
    group the lead department(s) for it (joined with "、"), so a client can see who will handle it.

    Args:
        responsibilities: The 权责清单.
        codes: ``{category: service_code}``.
        descriptions: ``{category: description}``.
        definitions: The categories (or codes) that have a service definition (``metadata: true``).
        keywords: ``{category: words}``.

    >>> from jiceng.models import ResponsibilityList
    >>> rl = ResponsibilityList.from_mapping({"占道经营": "城管局", "噪音扰民": "生态环境局"})
    >>> [(s["service_code"], s["group"]) for s in services_from_responsibilities(rl)]
    [('占道经营', '城管局'), ('噪音扰民', '生态环境局')]
    """
    if not isinstance(responsibilities, ResponsibilityList):
        raise _problem("responsibilities", responsibilities, "must be a ResponsibilityList")
    codes = codes or {}
    descriptions = descriptions or {}
    keywords = keywords or {}
    services: list[dict[str, JSONValue]] = []
    for category in responsibilities.categories:
        code = codes.get(category, category)
        service = Service(
            code,
            service_name=category,
            description=descriptions.get(category, ""),
            metadata=category in definitions or code in definitions,
            keywords=tuple(keywords.get(category, ())),
            group="、".join(responsibilities.leads_for(category)),
        )
        services.append(service.to_payload())
    return services


# -- service definitions ----------------------------------------------------------------------


def _values(value: object) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    pairs: list[tuple[str, str]] = []
    for item in items:  # type: ignore[attr-defined]  # checked item by item below
        if isinstance(item, Mapping):
            key, name = item.get("key"), item.get("name")
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            key, name = item
        else:
            raise _problem("values", item, "each value is {key, name} or a (key, name) pair")
        if isinstance(key, bool) or not isinstance(key, (str, int)) or str(key) == "":
            raise _problem("values.key", key, "must be a string (or an integer, converted)")
        pairs.append((str(key), str(name)))
    return tuple(pairs)


@frozen
class ServiceAttribute:
    """One attribute of a service definition: an extra question asked with a request.

    Attributes:
        code: The attribute's code (a string).
        datatype: One of :data:`DATATYPES`.
        description: The question shown to the resident.
        required: Whether an answer is required.
        variable: ``False`` for an informational attribute that takes no answer.
        order: Its position in the form.
        datatype_description: A hint about the expected format.
        values: ``(key, name)`` pairs, for the two list datatypes (and only for them).

    >>> ServiceAttribute(
    ...     "WHISHETN", datatype="singlevaluelist", description="Make?", values={"123": "Ford"}
    ... ).values
    (('123', 'Ford'),)
    """

    code: str
    datatype: str = field(kw_only=True)
    description: str = field(kw_only=True)
    required: bool = field(default=False, kw_only=True)
    variable: bool = field(default=True, kw_only=True)
    order: int | None = field(default=None, kw_only=True)
    datatype_description: str | None = field(default=None, kw_only=True)
    values: tuple[tuple[str, str], ...] = field(default=(), kw_only=True, converter=_values)

    def __attrs_post_init__(self) -> None:
        code: object = self.code
        if not isinstance(code, str) or not code:
            raise _problem("code", code, "must be a non-empty string")
        if self.datatype not in DATATYPES:
            raise _problem("datatype", self.datatype, f"must be one of {', '.join(DATATYPES)}")
        if self.datatype in _LIST_TYPES and not self.values:
            raise _problem("values", self.values, f"a {self.datatype} needs values")
        if self.datatype not in _LIST_TYPES and self.values:
            raise _problem("values", self.values, f"a {self.datatype} takes no values")

    @classmethod
    def from_payload(cls, payload: object) -> ServiceAttribute:
        """Read one attribute of a service definition (codes and keys may be numbers)."""
        if not isinstance(payload, Mapping):
            raise _problem("attribute", payload, "must be an object")
        code = _required_id(payload, "code")
        order = payload.get("order")
        if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
            raise _problem("order", order, "must be an integer")
        hint = payload.get("datatype_description")
        return cls(
            code,
            datatype=_text(payload, "datatype"),
            description=_text(payload, "description"),
            required=payload.get("required") is True,
            variable=payload.get("variable", True) is not False,
            order=order,
            datatype_description=hint if isinstance(hint, str) else None,
            values=_values(payload.get("values")),
        )

    def to_payload(self) -> dict[str, JSONValue]:
        """The attribute as the service definition lists it."""
        data: dict[str, JSONValue] = {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": self.order,
            "description": self.description,
        }
        if self.values:
            data["values"] = [{"key": key, "name": name} for key, name in self.values]
        return data

    def check(self, answer: object) -> None:
        """Check a resident's answer to this attribute, as a server must on ``POST /requests``.

        Raises:
            Open311Error: A missing required answer, or one of the wrong type or not in the list.
        """
        name = f"attribute[{self.code}]"
        if answer is None or answer in ("", []):
            if self.required and self.variable:
                raise _problem(name, answer, "is required")
            return
        if self.datatype == "multivaluelist":
            answers = answer if isinstance(answer, (list, tuple)) else [answer]
        else:
            if isinstance(answer, (list, tuple)):
                raise _problem(name, answer, f"a {self.datatype} takes one value")
            answers = [answer]
        keys = {key for key, _ in self.values}
        for one in answers:
            text = str(one)
            if self.datatype in _LIST_TYPES and text not in keys:
                raise _problem(name, one, f"must be one of {', '.join(sorted(keys))}")
            if self.datatype == "number":
                try:
                    number = float(text)
                except ValueError:
                    raise _problem(name, one, "must be a number") from None
                if not math.isfinite(number):
                    raise _problem(name, one, "must be a finite number")
            if self.datatype == "datetime":
                parse_datetime(text, name)


def _attribute_tuple(value: Iterable[ServiceAttribute]) -> tuple[ServiceAttribute, ...]:
    attributes = tuple(value)
    for attribute in attributes:
        if not isinstance(attribute, ServiceAttribute):
            raise _problem("attributes", attribute, "must be ServiceAttribute objects")
    return attributes


@frozen
class ServiceDefinition:
    """``GET /services/{service_code}``: the attributes asked for one service.

    >>> d = ServiceDefinition.from_payload(
    ...     {
    ...         "service_code": "DMV66",
    ...         "attributes": [
    ...             {
    ...                 "code": "WHISHETN",
    ...                 "datatype": "string",
    ...                 "description": "Plate number?",
    ...                 "required": True,
    ...             }
    ...         ],
    ...     }
    ... )
    >>> d.check({"WHISHETN": "京A12345"})
    >>> d.check({})
    Traceback (most recent call last):
    ...
    jiceng.errors.Open311Error: attribute[WHISHETN]=None: is required
    """

    service_code: str
    attributes: tuple[ServiceAttribute, ...] = field(
        default=(), kw_only=True, converter=_attribute_tuple
    )

    def __attrs_post_init__(self) -> None:
        codes = [a.code for a in self.attributes]
        if len(set(codes)) != len(codes):
            raise _problem("attributes", codes, "attribute codes must be unique")

    @classmethod
    def from_payload(cls, payload: object) -> ServiceDefinition:
        """Read a service definition."""
        if not isinstance(payload, Mapping):
            raise _problem("service_definition", payload, "must be an object")
        code = _required_id(payload, "service_code")
        attributes = payload.get("attributes") or []
        if not isinstance(attributes, list):
            raise _problem("attributes", attributes, "must be a list")
        return cls(code, attributes=tuple(ServiceAttribute.from_payload(a) for a in attributes))

    def to_payload(self) -> dict[str, JSONValue]:
        """The definition as ``GET /services/{service_code}`` returns it."""
        return {
            "service_code": self.service_code,
            "attributes": [a.to_payload() for a in self.attributes],
        }

    def check(self, answers: Mapping[str, object]) -> None:
        """Check every answer of a request against the attributes (unknown codes are refused).

        Raises:
            Open311Error: The first problem found (code 400).
        """
        known = {a.code for a in self.attributes}
        for code in sorted(set(answers) - known):
            raise _problem(f"attribute[{code}]", answers[code], "not an attribute of this service")
        for attribute in self.attributes:
            attribute.check(answers.get(attribute.code))


def service_definition(
    service_code: str, attributes: Sequence[ServiceAttribute] = ()
) -> dict[str, JSONValue]:
    """The body of ``GET /services/{service_code}`` for ``attributes``.

    >>> service_definition(
    ...     "占道经营",
    ...     [
    ...         ServiceAttribute(
    ...             "TYPE",
    ...             datatype="singlevaluelist",
    ...             description="类型",
    ...             values=[("1", "流动摊贩")],
    ...         )
    ...     ],
    ... )
    ... # doctest: +NORMALIZE_WHITESPACE
    {'service_code': '占道经营', 'attributes': [{'variable': True, 'code': 'TYPE',
     'datatype': 'singlevaluelist', 'required': False, 'datatype_description': None, 'order': None,
     'description': '类型', 'values': [{'key': '1', 'name': '流动摊贩'}]}]}
    """
    return ServiceDefinition(service_code, attributes=attributes).to_payload()
