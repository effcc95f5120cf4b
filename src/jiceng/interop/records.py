"""Replay tabular exports of 311 / 12345 systems as tasks (工单导入与回放).

Cities publish their service requests as tables: New York's 311 open data, Beijing's 12345 工单 lists.
:func:`from_records` turns the rows of such a table into :class:`~jiceng.models.Task` objects with
full, valid histories, so the rest of jiceng (metrics, evaluation, simulation) can work on real data.
A :class:`FieldMap` says which column holds what, in which time zone and date format.

The function reads no files: pass any iterable of mappings, such as a :class:`csv.DictReader`.

>>> rows = [
...     {
...         "Unique Key": "1",
...         "Created Date": "03/01/2011 09:00:00 AM",
...         "Closed Date": "03/01/2011 11:30:00 AM",
...         "Agency": "DOT",
...         "Complaint Type": "Street Light Condition",
...         "Descriptor": "Lamp out",
...     },
...     {
...         "Unique Key": "2",
...         "Created Date": "yesterday",
...         "Agency": "DOT",
...         "Complaint Type": "Pothole",
...     },
... ]
>>> result = from_records(rows, FieldMap.nyc_311())
>>> [(t.id, t.status.value, str(t.handling_time)) for t in result.tasks]
[('1', 'closed', '2:30:00')]
>>> result.errors[0].row, result.errors[0].field
(2, 'Created Date')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import define, field, frozen

from jiceng.errors import JicengError, ValidationError
from jiceng.interop._common import check_coordinates, format_location
from jiceng.models import Actor, Channel, Satisfaction, Task, TaskStatus

__all__ = ["FieldMap", "ImportResult", "RecordError", "from_records", "local_time"]

_OPEN_TARGETS = frozenset(
    {TaskStatus.REGISTERED, TaskStatus.DISPATCHED, TaskStatus.ACCEPTED, TaskStatus.CANCELLED}
)

_YES = frozenset({"是", "已解决", "解决", "yes", "y", "true", "1"})
_NO = frozenset({"否", "未解决", "no", "n", "false", "0"})
_SATISFACTION = {
    "满意": Satisfaction.SATISFIED,
    "非常满意": Satisfaction.SATISFIED,
    "是": Satisfaction.SATISFIED,
    "基本满意": Satisfaction.BASICALLY_SATISFIED,
    "不满意": Satisfaction.DISSATISFIED,
    "否": Satisfaction.DISSATISFIED,
    "satisfied": Satisfaction.SATISFIED,
    "basically_satisfied": Satisfaction.BASICALLY_SATISFIED,
    "dissatisfied": Satisfaction.DISSATISFIED,
}


# -- the field map ----------------------------------------------------------------------------


def _zone_name(value: str) -> str:
    if not isinstance(value, str):
        raise ValidationError.for_field("tz", value, "must be an IANA time-zone name")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError.for_field("tz", value, "unknown IANA time zone") from exc
    return value


def _columns(value: str | Iterable[str]) -> tuple[str, ...]:
    names: tuple[object, ...] = (value,) if isinstance(value, str) else tuple(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValidationError.for_field(
                "columns", name, "a column name must be a non-empty string"
            )
    return tuple(str(name) for name in names)


def _formats(value: str | Iterable[str]) -> tuple[str, ...]:
    formats: tuple[object, ...] = (value,) if isinstance(value, str) else tuple(value)
    if not formats or not all(isinstance(f, str) and f for f in formats):
        raise ValidationError.for_field("date_formats", value, "give at least one strptime format")
    return tuple(str(f) for f in formats)


def _rules(value: Mapping[str, TaskStatus]) -> tuple[tuple[str, TaskStatus], ...]:
    pairs = tuple(sorted(dict(value).items()))
    for text, status in pairs:
        if status not in _OPEN_TARGETS:
            raise ValidationError.for_field(
                "status_rules",
                text,
                "an open row may map only to REGISTERED, DISPATCHED, ACCEPTED or CANCELLED",
            )
    return pairs


def _values(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def _optional_column(_inst: object, attribute: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ValidationError.for_field(attribute.name, value, "must be a column name or None")


def _column(_inst: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError.for_field(attribute.name, value, "must be a column name")


@frozen
class FieldMap:
    """Which column of an export holds what, and how to read its times (字段映射).

    Every field is keyword-only; start from a preset and change it with :func:`attrs.evolve`.

    Attributes:
        created: The column with the time the request was made (受理时间). Required.
        agency: The column naming the department that handled it (承办单位). Required.
        category: The column with the category (问题分类). Required.
        id: The column with the record's id, or ``None`` to number rows as ``f"{id_prefix}{row}"``.
        closed: The column with the close time (办结时间). A row is closed iff this cell is
            non-empty, whatever its status text says.
        due: The column with the deadline; it becomes the task's ``resolve_due``.
        dispatched: The column with the dispatch time (派单时间); when empty, the created time.
        description: The columns joined (with " / ") into the description; the category if empty.
        location: The columns joined (with spaces) into the place.
        latitude: The column with the latitude (WGS 84), if any.
        longitude: The column with the longitude (WGS 84), if any.
        grid: The column with the grid id, if any.
        status: The column with the status text, read only by ``status_rules``.
        status_rules: ``{status text: TaskStatus}`` for rows that are not closed: how far to replay
            them (REGISTERED, DISPATCHED, ACCEPTED, or CANCELLED with the text as the reason).
            Open rows whose status text is not listed are ACCEPTED.
        role: The column saying 主办 (lead) or 协办 (support), as in 工单性质.
        support_values: The role texts that mark a supporting unit's row. Such a row adds its agency
            to the cooperating departments of the lead row with the same id.
        resolved: The column with the callback's "was it resolved" answer (是否解决).
        satisfied: The column with the callback's satisfaction (是否满意).
        category_separator: When set, the category cell is a path (``城乡建设/住房管理/物业服务``) and
            ``category_level`` picks one level (``-1``, the default, is the last).
        category_level: Which level of the category path to use; beyond the path, the last.
        tz: The IANA time zone of the local times in the table.
        date_formats: :func:`datetime.strptime` formats tried in order. Formats with ``%z`` give
            aware times as written; the others are local times in ``tz``.
        channel: The channel recorded on every task.
        id_prefix: The prefix of generated ids when ``id`` is ``None``.

    >>> FieldMap.nyc_311().tz, FieldMap.beijing_12345().tz
    ('America/New_York', 'Asia/Shanghai')
    """

    created: str = field(kw_only=True, validator=_column)
    agency: str = field(kw_only=True, validator=_column)
    category: str = field(kw_only=True, validator=_column)
    id: str | None = field(default=None, kw_only=True, validator=_optional_column)
    closed: str | None = field(default=None, kw_only=True, validator=_optional_column)
    due: str | None = field(default=None, kw_only=True, validator=_optional_column)
    dispatched: str | None = field(default=None, kw_only=True, validator=_optional_column)
    description: tuple[str, ...] = field(default=(), kw_only=True, converter=_columns)
    location: tuple[str, ...] = field(default=(), kw_only=True, converter=_columns)
    latitude: str | None = field(default=None, kw_only=True, validator=_optional_column)
    longitude: str | None = field(default=None, kw_only=True, validator=_optional_column)
    grid: str | None = field(default=None, kw_only=True, validator=_optional_column)
    status: str | None = field(default=None, kw_only=True, validator=_optional_column)
    status_rules: tuple[tuple[str, TaskStatus], ...] = field(
        default=(), kw_only=True, converter=_rules
    )
    role: str | None = field(default=None, kw_only=True, validator=_optional_column)
    support_values: frozenset[str] = field(
        default=frozenset({"协办"}), kw_only=True, converter=_values
    )
    resolved: str | None = field(default=None, kw_only=True, validator=_optional_column)
    satisfied: str | None = field(default=None, kw_only=True, validator=_optional_column)
    category_separator: str | None = field(default=None, kw_only=True)
    category_level: int = field(default=-1, kw_only=True)
    tz: str = field(default="UTC", kw_only=True, converter=_zone_name)
    date_formats: tuple[str, ...] = field(
        default=("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S"), kw_only=True, converter=_formats
    )
    channel: Channel = field(default=Channel.HOTLINE, kw_only=True)
    id_prefix: str = field(default="R", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.channel, Channel):
            raise ValidationError.for_field("channel", self.channel, "must be a Channel")
        if isinstance(self.category_level, bool) or not isinstance(self.category_level, int):
            raise ValidationError.for_field("category_level", self.category_level, "must be an int")
        separator: object = self.category_separator
        if separator is not None and (not isinstance(separator, str) or not separator):
            raise ValidationError.for_field(
                "category_separator", self.category_separator, "must be a non-empty string or None"
            )
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError.for_field(
                "latitude", self.latitude, "give both latitude and longitude columns, or neither"
            )

    @property
    def zone(self) -> ZoneInfo:
        """The :class:`zoneinfo.ZoneInfo` of ``tz``."""
        return ZoneInfo(self.tz)

    @classmethod
    def nyc_311(cls) -> FieldMap:
        """New York City's 311 Service Requests (NYC Open Data), local New York time.

        Columns: Unique Key, Created Date, Closed Date, Due Date, Agency, Complaint Type, Descriptor,
        Status, Borough, Latitude/Longitude; dates like ``03/01/2011 02:27:57 PM``.
        """
        return cls(
            id="Unique Key",
            created="Created Date",
            closed="Closed Date",
            due="Due Date",
            agency="Agency",
            category="Complaint Type",
            description=("Descriptor",),
            status="Status",
            location=("Borough",),
            latitude="Latitude",
            longitude="Longitude",
            tz="America/New_York",
            date_formats=("%m/%d/%Y %I:%M:%S %p",),
        )

    @classmethod
    def beijing_12345(cls, *, category_level: int = -1) -> FieldMap:
        """A Beijing 12345 工单 export (接诉即办), Beijing time.

        Columns: 工单编号, 受理时间, 派单时间, 承办单位, 问题分类 (a three-level path such as
        ``城乡建设/住房管理/物业服务``; ``category_level`` picks the level, the last by default),
        诉求内容, 被反映区/街乡镇/社区, 办结时间, 是否解决, 是否满意, and 工单性质 (主办/协办).
        """
        return cls(
            id="工单编号",
            created="受理时间",
            dispatched="派单时间",
            closed="办结时间",
            agency="承办单位",
            category="问题分类",
            category_separator="/",
            category_level=category_level,
            description=("诉求内容",),
            location=("被反映区", "街乡镇", "社区"),
            role="工单性质",
            resolved="是否解决",
            satisfied="是否满意",
            tz="Asia/Shanghai",
            date_formats=(
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%Y/%m/%d %H:%M:%S",
                "%Y/%m/%d %H:%M",
            ),
        )


# -- results ----------------------------------------------------------------------------------


@frozen
class RecordError:
    """A row that could not become a task, with its 1-based data-row number and the reason.

    Attributes:
        row: The row's number among the data rows (the header is not counted), from 1.
        reason: Why it was refused, naming the column and the value.
        field: The offending column, when there is one.
    """

    row: int
    reason: str
    field: str | None = field(default=None, kw_only=True)


@define
class ImportResult:
    """What :func:`from_records` made: tasks, per-row errors, and where each task came from.

    Every data row is in exactly one place: among the rows of a task in ``sources``, or in ``errors``.

    Attributes:
        tasks: The replayed tasks, in the order of their (lead) rows.
        errors: One :class:`RecordError` per refused row, in row order.
        sources: For each task id, the numbers of the rows it was built from (its lead row first,
            then any 协办 rows merged into it).
    """

    tasks: list[Task] = field(factory=list)
    errors: list[RecordError] = field(factory=list)
    sources: dict[str, tuple[int, ...]] = field(factory=dict)

    @property
    def rows(self) -> int:
        """How many data rows were read."""
        return sum(len(rows) for rows in self.sources.values()) + len(self.errors)


# -- time -------------------------------------------------------------------------------------


def local_time(naive: datetime, zone: ZoneInfo) -> datetime:
    """Attach ``zone`` to a wall-clock time, the way a replay must.

    A time in a DST gap (it never existed) moves forward by the gap; an ambiguous time (it happened
    twice) takes its first occurrence (``fold=0``).

    >>> ny = ZoneInfo("America/New_York")
    >>> local_time(datetime(2011, 3, 13, 2, 30), ny).isoformat()
    '2011-03-13T03:30:00-04:00'
    >>> local_time(datetime(2011, 11, 6, 1, 30), ny).isoformat()
    '2011-11-06T01:30:00-04:00'
    """
    first = naive.replace(tzinfo=zone, fold=0)
    # Through UTC and back: a non-existent wall time comes back shifted forward by the gap.
    return first.astimezone(timezone.utc).astimezone(zone)


# -- the import -------------------------------------------------------------------------------


class _RowError(Exception):
    """One row's problem, carried to the loop that records it (private)."""

    def __init__(self, reason: str, column: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


@frozen
class _Row:
    number: int
    id: str
    agency: str
    support: bool
    category: str = ""
    description: str = ""
    location: str = ""
    grid: str | None = None
    created: datetime | None = None
    dispatched: datetime | None = None
    closed: datetime | None = None
    due: datetime | None = None
    status: str = ""
    resolved: bool | None = None
    satisfaction: Satisfaction | None = None


def _cell(row: Mapping[str, object], column: str | None) -> str:
    if column is None:
        return ""
    value = row.get(column)
    if value is None:
        return ""
    return str(value).strip()


def _required(row: Mapping[str, object], column: str) -> str:
    value = _cell(row, column)
    if not value:
        raise _RowError(f"{column}: missing required field", column)
    return value


def _time(
    row: Mapping[str, object], column: str | None, fm: FieldMap, zone: ZoneInfo
) -> datetime | None:
    text = _cell(row, column)
    if not text:
        return None
    for fmt in fm.date_formats:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is not None:
            return parsed
        return local_time(parsed, zone)
    formats = " or ".join(fm.date_formats)
    raise _RowError(f"{column}={text!r}: unparseable date (expected {formats})", column)


def _number(row: Mapping[str, object], column: str) -> float | None:
    text = _cell(row, column)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _RowError(f"{column}={text!r}: not a number", column) from None
    if not math.isfinite(value):
        raise _RowError(f"{column}={text!r}: not a finite number", column)
    return value


def _category(text: str, fm: FieldMap) -> str:
    if fm.category_separator is None:
        return text
    levels = [part.strip() for part in text.split(fm.category_separator) if part.strip()]
    if not levels:
        raise _RowError(f"{fm.category}={text!r}: empty category path", fm.category)
    try:
        return levels[fm.category_level]
    except IndexError:
        return levels[-1]


def _answer(row: Mapping[str, object], column: str | None) -> bool | None:
    text = _cell(row, column)
    if not text:
        return None
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    raise _RowError(f"{column}={text!r}: expected 是 or 否 (yes or no)", column)


def _satisfaction(row: Mapping[str, object], column: str | None) -> Satisfaction | None:
    text = _cell(row, column)
    if not text:
        return None
    try:
        return _SATISFACTION[text.lower()]
    except KeyError:
        raise _RowError(f"{column}={text!r}: expected 满意, 基本满意 or 不满意", column) from None


def _parse(number: int, row: Mapping[str, object], fm: FieldMap, zone: ZoneInfo) -> _Row:
    ident = _required(row, fm.id) if fm.id is not None else f"{fm.id_prefix}{number}"
    agency = _required(row, fm.agency)
    support = fm.role is not None and _cell(row, fm.role) in fm.support_values
    if support:
        return _Row(number=number, id=ident, agency=agency, support=True)
    category = _category(_required(row, fm.category), fm)
    created = _time(row, fm.created, fm, zone)
    if created is None:
        raise _RowError(f"{fm.created}: missing required field", fm.created)
    dispatched = _time(row, fm.dispatched, fm, zone)
    if dispatched is not None and dispatched < created:
        raise _RowError(
            f"{fm.dispatched}={_cell(row, fm.dispatched)!r}: dispatched before created "
            f"({_cell(row, fm.created)})",
            fm.dispatched,
        )
    closed = _time(row, fm.closed, fm, zone)
    start = dispatched or created
    if closed is not None and closed < start:
        what = "dispatched" if dispatched is not None else "created"
        raise _RowError(
            f"{fm.closed}={_cell(row, fm.closed)!r}: closed before {what} "
            f"({_cell(row, fm.dispatched if dispatched is not None else fm.created)})",
            fm.closed,
        )
    due = _time(row, fm.due, fm, zone)
    coordinates: tuple[float, float] | None = None
    if fm.latitude is not None and fm.longitude is not None:
        lat, long = _number(row, fm.latitude), _number(row, fm.longitude)
        if lat is not None and long is not None:
            why = check_coordinates(lat, long)
            if why is not None:
                raise _RowError(
                    f"{fm.latitude}={lat!r}, {fm.longitude}={long!r}: {why}", fm.latitude
                )
            coordinates = (lat, long)
    place = " ".join(part for part in (_cell(row, c) for c in fm.location) if part)
    description = " / ".join(part for part in (_cell(row, c) for c in fm.description) if part)
    grid = _cell(row, fm.grid) or None
    return _Row(
        number=number,
        id=ident,
        agency=agency,
        support=False,
        category=category,
        description=description or category,
        location=format_location(place, coordinates),
        grid=grid,
        created=created,
        dispatched=dispatched,
        closed=closed,
        due=due,
        status=_cell(row, fm.status),
        resolved=_answer(row, fm.resolved),
        satisfaction=_satisfaction(row, fm.satisfied),
    )


def _replay(lead: _Row, cooperating: tuple[str, ...], fm: FieldMap) -> Task:
    assert lead.created is not None
    system = Actor.system()
    department = Actor.department(lead.agency)
    task = Task.report(
        category=lead.category,
        description=lead.description,
        at=lead.created,
        location=lead.location,
        grid=lead.grid,
        channel=fm.channel,
        id=lead.id,
    )
    task.register(at=lead.created, by=system)
    target = TaskStatus.ACCEPTED
    if lead.closed is None:
        target = dict(fm.status_rules).get(lead.status, TaskStatus.ACCEPTED)
    if target is TaskStatus.REGISTERED:
        return task
    if target is TaskStatus.CANCELLED:
        task.cancel(at=lead.created, by=system, reason=lead.status)
        return task
    start = lead.dispatched or lead.created
    task.dispatch(
        to=lead.agency,
        at=start,
        by=system,
        cooperating=cooperating,
        reason=f"按记录回放 (replayed record): {fm.agency}={lead.agency}",
        resolve_due=lead.due,
    )
    if target is TaskStatus.DISPATCHED:
        return task
    task.accept(at=start, by=department)
    if lead.closed is not None:
        task.resolve(at=lead.closed, by=department)
        task.close(at=lead.closed, by=system)
        if lead.resolved is not None or lead.satisfaction is not None:
            task.record_callback(
                contacted=True,
                resolved=lead.resolved,
                satisfaction=lead.satisfaction,
                at=lead.closed,
                by=system,
            )
    return task


def from_records(rows: Iterable[Mapping[str, object]], field_map: FieldMap) -> ImportResult:
    """Replay the rows of a 311/12345 export as tasks, reporting every row it refuses.

    Each lead row becomes a task, reported and registered at its created time, then dispatched to
    its agency (at the dispatch time if the map has one, else the created time) by
    ``Actor.system()`` and accepted there by the agency. A closed row (non-empty close time) is then
    resolved by the agency and closed by the system at the close time; with 是否解决 / 是否满意
    answers, a callback follows. The due time becomes ``resolve_due``. 协办 rows add their agency
    to the cooperating departments of the lead row with the same id.

    Refused rows, each with its reason: a missing required field, an unparseable date, a close (or
    dispatch) before the created time, a duplicate id, bad coordinates or answers, a 协办 row with
    no lead row, or anything the task model itself rejects.

    Args:
        rows: The data rows, as mappings from column name to cell (strings, or ``None``).
        field_map: Which column holds what; see :meth:`FieldMap.nyc_311` and
            :meth:`FieldMap.beijing_12345`.

    Returns:
        The tasks, the errors, and which rows made each task.

    Raises:
        ValidationError: If ``field_map`` is not a :class:`FieldMap`.
    """
    if not isinstance(field_map, FieldMap):
        raise ValidationError.for_field("field_map", field_map, "must be a FieldMap")
    zone = field_map.zone
    errors: dict[int, RecordError] = {}
    leads: dict[str, _Row] = {}
    supports: list[_Row] = []
    for number, row in enumerate(rows, start=1):
        try:
            parsed = _parse(number, row, field_map, zone)
        except _RowError as exc:
            errors[number] = RecordError(number, exc.reason, field=exc.column)
            continue
        if parsed.support:
            supports.append(parsed)
        elif parsed.id in leads:
            first = leads[parsed.id].number
            column = field_map.id or "id"
            errors[number] = RecordError(
                number, f"{column}={parsed.id!r}: duplicate id (first in row {first})", field=column
            )
        else:
            leads[parsed.id] = parsed
    helpers: dict[str, list[_Row]] = {}
    for support in supports:
        if support.id in leads:
            helpers.setdefault(support.id, []).append(support)
        else:
            column = field_map.id or "id"
            errors[support.number] = RecordError(
                support.number,
                f"{column}={support.id!r}: a 协办 (support) row with no 主办 (lead) row",
                field=column,
            )
    result = ImportResult()
    for ident, lead in leads.items():
        extra = helpers.get(ident, [])
        cooperating = tuple(sorted({r.agency for r in extra} - {lead.agency}))
        try:
            task = _replay(lead, cooperating, field_map)
        except JicengError as exc:
            errors[lead.number] = RecordError(
                lead.number, str(exc), field=getattr(exc, "field", None)
            )
            for support in extra:
                errors[support.number] = RecordError(
                    support.number, f"its 主办 (lead) row {lead.number} was refused"
                )
            continue
        result.tasks.append(task)
        result.sources[ident] = (lead.number, *(r.number for r in extra))
    result.errors.extend(errors[n] for n in sorted(errors))
    return result
