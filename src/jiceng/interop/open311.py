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

import re
from collections.abc import Collection, Mapping
from datetime import datetime

from attrs import frozen

from jiceng.errors import JicengError, Open311Error
from jiceng.interop._common import check_coordinates, format_location, split_location
from jiceng.interop._open311_services import (
    DATATYPES,
    Receipt,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    service_definition,
    services_from_responsibilities,
)
from jiceng.interop._open311_wire import (
    MAX_DESCRIPTION,
    JSONValue,
    error_payload,
    errors_from_open311,
    float_field,
    iso,
    lenient_json,
    loads_lenient,
    optional_id,
    optional_time,
    parse_datetime,
    problem,
    required_id,
    text_field,
)
from jiceng.models import (
    Actor,
    ActorRole,
    Channel,
    EventKind,
    Priority,
    Reporter,
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
_APP_CHANNELS = frozenset({"android", "iphone", "ios", "mobile", "web", "app"})


def _coordinates(payload: Mapping[str, object]) -> tuple[float, float] | None:
    lat, long = float_field(payload, "lat"), float_field(payload, "long")
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
            raise problem("location", geometry, "must be a GeoJSON Point [longitude, latitude]")
        long, lat = float(points[0]), float(points[1])
    if lat is None and long is None:
        return None
    if lat is None or long is None:
        raise problem("lat" if lat is None else "long", None, "give both lat and long, or neither")
    why = check_coordinates(lat, long)
    if why is not None:
        raise problem("lat", (lat, long), why)
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
        raise problem("task", task, "must be a Task")
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
        "updated_datetime": iso(updated),
        "expected_datetime": iso(task.resolve_due),
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
            "response_due": iso(task.response_due),
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
    raise problem(name, value, "must be an actor {role, id[, grid]} or 'role:id'")


def _note_event(note: object, index: int) -> tuple[EventKind, TaskEvent | None, Actor | None]:
    """Read one ``notes[]`` entry: its kind, and the event to replay (``None`` for the report)."""
    name = f"notes[{index}]"
    if not isinstance(note, Mapping):
        raise problem(name, note, "must be an object with datetime, type and description")
    kind_text = note.get("type")
    kind = _NOTE_ALIASES.get(str(kind_text))
    if kind is None:
        try:
            kind = EventKind(kind_text)
        except ValueError:
            raise problem(f"{name}.type", kind_text, "not a step jiceng knows") from None
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
        raise problem(f"{name}.cooperating", cooperating, "must be a list of department names")
    try:
        event = TaskEvent(
            at=at,
            kind=kind,
            status=S.REPORTED,  # replaced by the replay's own status
            actor=actor or Actor.system(),
            note=text,
            department=optional_id(note, "department"),
            cooperating=tuple(str(c) for c in cooperating),
            response_due=optional_time(note, "response_due"),
            resolve_due=optional_time(note, "resolve_due"),
            until=optional_time(note, "until"),
            level=None if level is None else UrgeLevel(level),
            contacted=note.get("contacted"),
            resolved=note.get("resolved"),
            satisfaction=None if satisfaction is None else Satisfaction(satisfaction),
            duplicate_of=optional_id(note, "duplicate_of"),
        )
    except (ValueError, TypeError) as exc:
        raise problem(name, note, f"malformed note: {exc}") from None
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
    ident = required_id(payload, "service_request_id")
    code = optional_id(payload, "service_code")
    name = text_field(payload, "service_name").strip()
    if code is None and not name:
        raise problem("service_code", None, "service_code or service_name is required")
    category = (categories or {}).get(code or "", "") or name or code or ""
    description = text_field(payload, "description")
    if len(description) > MAX_DESCRIPTION:
        raise problem(
            "description",
            description,
            f"longer than {MAX_DESCRIPTION} characters ({len(description)})",
        )
    status_text = payload.get("status")
    if status_text is None or status_text == "":
        status_text = "open"
    if not isinstance(status_text, str) or status_text.lower() not in _FMS_IMPORT:
        raise problem("status", status_text, "must be open or closed (or a FixMyStreet status)")
    is_open, hint = _FMS_IMPORT[status_text.lower()]
    notes_text = text_field(payload, "status_notes")
    detail = notes_text
    fine = _fine_status(notes_text)
    if fine is not None and (not fine[0].is_terminal) == is_open:
        hint, detail = fine
    requested = parse_datetime(payload.get("requested_datetime"), "requested_datetime")
    updated = optional_time(payload, "updated_datetime")
    expected = optional_time(payload, "expected_datetime")
    if updated is not None and updated < requested:
        raise problem(
            "updated_datetime", payload.get("updated_datetime"), "earlier than requested_datetime"
        )
    address = text_field(payload, "address") or text_field(payload, "address_string")
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
            raise problem(
                "extended_attributes.priority", attributes["priority"], "not a jiceng Priority"
            ) from None
    grid = attributes.get("grid")
    if grid is not None and (not isinstance(grid, str) or not grid.strip()):
        raise problem("extended_attributes.grid", grid, "must be a grid id")
    raw_notes = payload.get("notes") or []
    if not isinstance(raw_notes, list):
        raise problem("notes", raw_notes, "must be a list")
    read = [_note_event(note, i) for i, note in enumerate(raw_notes)]
    reported_by = next((actor for kind, _, actor in read if kind is K.REPORTED), None)
    events = tuple((event, actor is not None) for _, event, actor in read if event is not None)
    first, last = text_field(payload, "first_name"), text_field(payload, "last_name")
    phone = text_field(payload, "phone")
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
    agency = optional_id(payload, "agency_responsible")
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
        raise problem(
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
        raise problem("request", payload, "must be an object (a JSON dict)")
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
        raise problem(name, getattr(exc, "value", None), str(exc)) from None
    index = 0
    try:
        for index, (event, named) in enumerate(request.notes):  # noqa: B007 -- read in except
            _apply_note(task, event, named, request.agency)
    except JicengError as exc:
        kind = request.notes[index][0].kind.value
        raise problem(f"notes[{index}]", kind, str(exc)) from None
    try:
        _advance(task, _target(request), request)
    except Open311Error:
        raise
    except JicengError as exc:
        raise problem("status", request.status_notes or request.open, str(exc)) from None
    return task
