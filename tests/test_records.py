"""Tests for jiceng.interop.records: the NYC 311 replay, the Beijing preset, and every row error."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from jiceng.errors import ValidationError
from jiceng.interop.records import FieldMap, ImportResult, RecordError, from_records, local_time
from jiceng.metrics import summarize
from jiceng.models import Channel, EventKind, Satisfaction, TaskStatus

NYC_CSV = Path(__file__).parent / "data" / "nyc311_micro_replay.csv"
NY = ZoneInfo("America/New_York")
NYC_FORMAT = "%m/%d/%Y %I:%M:%S %p"


def nyc_rows() -> list[dict[str, str]]:
    with NYC_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def nyc() -> ImportResult:
    with NYC_CSV.open(encoding="utf-8", newline="") as handle:
        return from_records(csv.DictReader(handle), FieldMap.nyc_311())


def test_every_nyc_row_is_a_task_or_an_error(nyc: ImportResult) -> None:
    rows = nyc_rows()
    assert len(rows) == 2000
    assert len(nyc.tasks) + len(nyc.errors) == len(rows) == nyc.rows
    numbers = sorted([n for ns in nyc.sources.values() for n in ns] + [e.row for e in nyc.errors])
    assert numbers == list(range(1, len(rows) + 1))
    # the one malformed row: closed on 01/01/1900, before it was created
    assert [(e.row, e.field) for e in nyc.errors] == [(1603, "Closed Date")]
    assert "closed before created" in nyc.errors[0].reason
    assert rows[1602]["Closed Date"] == "01/01/1900 12:00:00 AM"


def test_closed_rows_are_closed_with_their_handling_times(nyc: ImportResult) -> None:
    by_id = {t.id: t for t in nyc.tasks}
    closed = open_ = 0
    for row in nyc_rows():
        task = by_id.get(row["Unique Key"])
        if task is None:
            continue
        created = datetime.strptime(row["Created Date"], NYC_FORMAT).replace(tzinfo=NY)
        assert task.reported_at == created
        assert task.department == row["Agency"]
        assert task.category == row["Complaint Type"]
        if row["Closed Date"]:
            closed += 1
            done = datetime.strptime(row["Closed Date"], NYC_FORMAT).replace(tzinfo=NY)
            assert task.status is TaskStatus.CLOSED
            expected = done.astimezone(timezone.utc) - created.astimezone(timezone.utc)
            assert task.handling_time == expected
            assert [e.kind for e in task.history] == [
                EventKind.REPORTED,
                EventKind.REGISTERED,
                EventKind.DISPATCHED,
                EventKind.ACCEPTED,
                EventKind.RESOLVED,
                EventKind.CLOSED,
            ]
        else:
            open_ += 1
            assert task.status is TaskStatus.ACCEPTED
        if row["Due Date"]:
            due = datetime.strptime(row["Due Date"], NYC_FORMAT).replace(tzinfo=NY)
            assert task.resolve_due == due
    assert (closed, open_) == (1957, 42)


def test_per_agency_summary_matches_an_independent_count(nyc: ImportResult) -> None:
    closures: dict[str, int] = defaultdict(int)
    seconds: dict[str, list[float]] = defaultdict(list)
    for row in nyc_rows():
        if not row["Closed Date"]:
            continue
        created = datetime.strptime(row["Created Date"], NYC_FORMAT).replace(tzinfo=NY)
        done = datetime.strptime(row["Closed Date"], NYC_FORMAT).replace(tzinfo=NY)
        if done < created:
            continue  # the refused row
        closures[row["Agency"]] += 1
        seconds[row["Agency"]].append(
            (done.astimezone(timezone.utc) - created.astimezone(timezone.utc)).total_seconds()
        )
    now = datetime(2012, 1, 1, tzinfo=NY)
    summary = summarize(nyc.tasks, now=now, by="department")
    assert {k: m.closed for k, m in summary.items() if m.closed} == dict(closures)
    for agency, values in seconds.items():
        mean = summary[agency].handling_time.mean
        assert mean is not None
        assert abs(mean.total_seconds() - sum(values) / len(values)) < 1e-3


def test_nyc_location_carries_borough_and_coordinates(nyc: ImportResult) -> None:
    by_id = {t.id: t for t in nyc.tasks}
    assert by_id["19937901"].location == "BROOKLYN @40.660811976282695,-73.99859430999363"
    assert by_id["19937896"].location == "MANHATTAN"
    assert by_id["19937901"].description == "Street Cleaning - ASP"


# -- local time ------------------------------------------------------------------------------


def test_dst_gap_moves_forward_and_ambiguous_takes_first() -> None:
    gap = local_time(datetime(2011, 3, 13, 2, 30), NY)
    assert gap.isoformat() == "2011-03-13T03:30:00-04:00"
    first = local_time(datetime(2011, 11, 6, 1, 30), NY)
    assert first.utcoffset() == timedelta(hours=-4)
    rows = [
        {
            "Unique Key": "1",
            "Created Date": "03/13/2011 02:30:00 AM",
            "Closed Date": "11/06/2011 01:30:00 AM",
            "Agency": "DOT",
            "Complaint Type": "x",
        }
    ]
    (task,) = from_records(rows, FieldMap.nyc_311()).tasks
    assert task.reported_at == gap
    assert task.closed_at == first


# -- row errors ------------------------------------------------------------------------------

ROW = {
    "Unique Key": "1",
    "Created Date": "03/01/2011 09:00:00 AM",
    "Closed Date": "",
    "Agency": "DOT",
    "Complaint Type": "Pothole",
}


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"Unique Key": ""}, "Unique Key", "missing required field"),
        ({"Agency": None}, "Agency", "missing required field"),
        ({"Complaint Type": " "}, "Complaint Type", "missing required field"),
        ({"Created Date": ""}, "Created Date", "missing required field"),
        ({"Created Date": "2011-03-01"}, "Created Date", "unparseable date"),
        ({"Closed Date": "02/28/2011 09:00:00 AM"}, "Closed Date", "closed before created"),
        ({"Due Date": "soon"}, "Due Date", "unparseable date"),
        ({"Latitude": "north", "Longitude": "1"}, "Latitude", "not a number"),
        ({"Latitude": "nan", "Longitude": "1"}, "Latitude", "not a finite number"),
        ({"Latitude": "95", "Longitude": "1"}, "Latitude", "latitude must be within"),
    ],
)
def test_malformed_rows_become_errors(
    changes: dict[str, str | None], field: str, reason: str
) -> None:
    result = from_records([dict(ROW), {**ROW, "Unique Key": "2", **changes}], FieldMap.nyc_311())
    assert [t.id for t in result.tasks] == ["1"]
    (error,) = result.errors
    assert (error.row, error.field) == (2, field)
    assert reason in error.reason


def test_duplicate_ids_keep_the_first() -> None:
    result = from_records([ROW, ROW], FieldMap.nyc_311())
    assert result.errors == [
        RecordError(2, "Unique Key='1': duplicate id (first in row 1)", field="Unique Key")
    ]


def test_model_refusal_is_a_row_error() -> None:
    rows = [{**ROW, "Complaint Type": "x", "Agency": "DOT"}]
    fm = attrs.evolve(FieldMap.nyc_311(), status_rules={"Pending": TaskStatus.CANCELLED})
    result = from_records([{**rows[0], "Status": "Pending "}], fm)  # stripped to "Pending"
    (task,) = result.tasks
    assert task.status is TaskStatus.CANCELLED
    assert task.history[-1].note == "Pending"
    blank = from_records(
        [{**rows[0], "Status": ""}], attrs.evolve(fm, status_rules={"": TaskStatus.CANCELLED})
    )
    (error,) = blank.errors
    assert "reason" in error.reason
    assert error.field == "reason"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Open", TaskStatus.REGISTERED),
        ("Assigned", TaskStatus.DISPATCHED),
        ("Started", TaskStatus.ACCEPTED),
        ("Unknown", TaskStatus.ACCEPTED),
    ],
)
def test_status_rules_decide_how_far_open_rows_go(status: str, expected: TaskStatus) -> None:
    fm = attrs.evolve(
        FieldMap.nyc_311(),
        status_rules={
            "Open": TaskStatus.REGISTERED,
            "Assigned": TaskStatus.DISPATCHED,
            "Started": TaskStatus.ACCEPTED,
        },
    )
    (task,) = from_records([{**ROW, "Status": status}], fm).tasks
    assert task.status is expected
    # a closed row is closed whatever its status text says
    (done,) = from_records(
        [{**ROW, "Status": status, "Closed Date": ROW["Created Date"]}], fm
    ).tasks
    assert done.status is TaskStatus.CLOSED


# -- the Beijing preset ----------------------------------------------------------------------

BJ = {
    "工单编号": "BJ001",
    "受理时间": "2024-05-06 09:00:00",
    "派单时间": "2024-05-06 09:30",
    "承办单位": "朝阳区城管委",
    "问题分类": "城乡建设/住房管理/物业服务",
    "诉求内容": "小区电梯长期故障",
    "被反映区": "朝阳区",
    "街乡镇": "望京街道",
    "社区": "望京西园社区",
    "办结时间": "2024/05/08 17:00",
    "是否解决": "是",
    "是否满意": "基本满意",
    "工单性质": "主办",
}


def test_beijing_rows_with_supporting_units_and_callbacks() -> None:
    support = {"工单编号": "BJ001", "承办单位": "望京街道办事处", "工单性质": "协办"}
    orphan = {"工单编号": "BJ404", "承办单位": "某单位", "工单性质": "协办"}
    result = from_records([support, BJ, orphan], FieldMap.beijing_12345())
    (task,) = result.tasks
    cst = ZoneInfo("Asia/Shanghai")
    assert task.category == "物业服务"
    assert task.location == "朝阳区 望京街道 望京西园社区"
    assert task.cooperating == ("望京街道办事处",)
    assert task.dispatched_at == datetime(2024, 5, 6, 9, 30, tzinfo=cst)
    assert task.handling_time == timedelta(days=2, hours=7, minutes=30)
    assert task.callback is not None
    assert (task.callback.resolved, task.callback.satisfaction) == (
        True,
        Satisfaction.BASICALLY_SATISFIED,
    )
    assert result.sources == {"BJ001": (2, 1)}
    assert [(e.row, e.field) for e in result.errors] == [(3, "工单编号")]
    assert result.rows == 3
    top = from_records([BJ], FieldMap.beijing_12345(category_level=0)).tasks[0]
    assert top.category == "城乡建设"
    deep = from_records([BJ], FieldMap.beijing_12345(category_level=5)).tasks[0]
    assert deep.category == "物业服务"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"派单时间": "2024-05-06 08:00"}, "派单时间"),
        ({"办结时间": "2024-05-06 09:10"}, "办结时间"),
        ({"是否解决": "也许"}, "是否解决"),
        ({"是否满意": "还行"}, "是否满意"),
        ({"问题分类": "//"}, "问题分类"),
    ],
)
def test_beijing_row_errors(changes: dict[str, str], field: str) -> None:
    result = from_records([{**BJ, **changes}], FieldMap.beijing_12345())
    assert [e.field for e in result.errors] == [field]


def test_refused_lead_row_takes_its_support_rows_along() -> None:
    fm = attrs.evolve(FieldMap.beijing_12345(), status_rules={"": TaskStatus.CANCELLED})
    lead = {**BJ, "办结时间": ""}
    support = {"工单编号": "BJ001", "承办单位": "街道", "工单性质": "协办"}
    result = from_records([lead, support], fm)
    assert result.tasks == []
    assert [e.row for e in result.errors] == [1, 2]
    assert "lead" in result.errors[1].reason


def test_open_rows_ignore_callback_answers_and_no_answers_mean_no_callback() -> None:
    (task,) = from_records([{**BJ, "办结时间": ""}], FieldMap.beijing_12345()).tasks
    assert task.status is TaskStatus.ACCEPTED
    assert task.callback is None
    quiet = {**BJ, "是否解决": "", "是否满意": ""}
    (closed,) = from_records([quiet], FieldMap.beijing_12345()).tasks
    assert closed.callback is None
    no = {**BJ, "是否解决": "否", "是否满意": "不满意"}
    (unhappy,) = from_records([no], FieldMap.beijing_12345()).tasks
    assert unhappy.callback is not None
    assert (unhappy.callback.resolved, unhappy.callback.satisfaction) == (
        False,
        Satisfaction.DISSATISFIED,
    )


def test_generated_ids_aware_formats_grid_and_channel() -> None:
    fm = FieldMap(
        created="at",
        agency="to",
        category="what",
        grid="grid",
        channel=Channel.GRID_PATROL,
        id_prefix="ROW",
    )
    rows = [{"at": "2024-05-06T09:00:00+0800", "to": "城管局", "what": "占道经营", "grid": "G1"}]
    (task,) = from_records(rows, fm).tasks
    assert (task.id, task.grid, task.channel) == ("ROW1", "G1", Channel.GRID_PATROL)
    assert task.reported_at.utcoffset() == timedelta(hours=8)
    assert task.description == "占道经营"


# -- the field map ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"tz": 8}, "tz"),
        ({"created": ""}, "created"),
        ({"closed": 3}, "closed"),
        ({"description": ["ok", ""]}, "columns"),
        ({"date_formats": []}, "date_formats"),
        ({"status_rules": {"Done": TaskStatus.CLOSED}}, "status_rules"),
        ({"channel": "hotline"}, "channel"),
        ({"category_level": "last"}, "category_level"),
        ({"category_separator": ""}, "category_separator"),
        ({"latitude": "Latitude"}, "latitude"),
    ],
)
def test_field_map_validation(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"created": "c", "agency": "a", "category": "k"}
    base.update(kwargs)
    with pytest.raises(ValidationError) as info:
        FieldMap(**base)  # type: ignore[arg-type]
    assert info.value.field == field


def test_field_map_is_frozen_and_presets_are_values() -> None:
    fm = FieldMap.nyc_311()
    assert fm == FieldMap.nyc_311()
    assert hash(fm) == hash(FieldMap.nyc_311())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fm.tz = "UTC"  # type: ignore[misc]
    assert FieldMap(
        created="c", agency="a", category="k", support_values="辅办"
    ).support_values == (frozenset({"辅办"}))
    with pytest.raises(ValidationError, match="FieldMap"):
        from_records([], "nyc")  # type: ignore[arg-type]
    assert from_records([], fm) == ImportResult()


def test_location_helpers_refuse_impossible_coordinates() -> None:
    from jiceng.interop._common import check_coordinates, format_location, split_location

    assert check_coordinates(float("inf"), 0.0) == "coordinates must be finite numbers"
    assert check_coordinates(0.0, 181.0) == "longitude must be within [-180, 180]"
    assert split_location("门牌 @95.0,1.0") == ("门牌 @95.0,1.0", None)
    assert format_location("", (1.0, 2.0)) == "@1.0,2.0"
    assert split_location("@1.0,2.0") == ("", (1.0, 2.0))
