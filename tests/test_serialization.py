"""Tests for jiceng.serialization: plain-data output, exact round trips, PII masking, clear errors."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from jiceng.errors import ValidationError
from jiceng.models import (
    Actor,
    Commitment,
    CommitmentKind,
    Department,
    Duty,
    Grid,
    GridStandard,
    Level,
    Partner,
    PartnerKind,
    Reporter,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
    UrgeLevel,
)
from jiceng.serialization import from_dict, make_converter, to_dict

T0 = datetime(2026, 5, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
P = Actor.platform()
D = Actor.department("城管局")


def every_event_task() -> Task:
    """A task whose history holds every kind of event."""
    t = Task.report(
        category="环境卫生",
        description="垃圾",
        at=T0,
        id="T1",
        grid="G1",
        reporter=Reporter(
            name="张三", phone="13812345678", id_number="110105199001011234", resident="R1"
        ),
    )
    m = timedelta(minutes=1)
    t.register(at=T0 + m, by=P)
    t.dispatch(to="司法所", at=T0 + 2 * m, by=P, resolve_due=T0 + 60 * m, response_due=T0 + 10 * m)
    t.send_back(at=T0 + 3 * m, by=Actor.department("司法所"), reason="非本部门职责")
    t.dispatch(
        to="城管局",
        at=T0 + 4 * m,
        by=P,
        cooperating=["街道办"],
        reason="改派",
        resolve_due=T0 + 90 * m,
    )
    t.accept(at=T0 + 5 * m, by=D)
    t.extend(until=T0 + 300 * m, at=T0 + 6 * m, by=P, reason="需协调")
    t.urge(at=T0 + 7 * m, by=P, level=UrgeLevel.SUPERVISE)
    t.add_cooperating("住建局", at=T0 + 8 * m, by=P, reason="加派")
    t.park(at=T0 + 9 * m, by=D, reason="等待资金")
    t.resume(at=T0 + 10 * m, by=D)
    t.resolve(at=T0 + 11 * m, by=D, note="已清运")
    t.rework(at=T0 + 12 * m, by=Actor.grid_worker("W1", grid="G1"), reason="未清理干净")
    t.resolve(at=T0 + 13 * m, by=D)
    t.close(at=T0 + 14 * m, by=P, note="核查通过")
    t.record_callback(
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
        at=T0 + 15 * m,
        by=Actor.resident("R1"),
    )
    return t


def test_task_round_trip_with_every_event_kind() -> None:
    task = every_event_task()
    data = to_dict(task, reveal_pii=True)
    json.dumps(data)  # JSON-ready
    assert data["history"][2]["resolve_due"] == "2026-05-06T10:00:00+08:00"
    assert from_dict(Task, data) == task
    cancelled = Task.report(category="x", description="", at=T0, id="T2")
    cancelled.mark_duplicate(of="T1", at=T0, by=P)
    assert from_dict(Task, to_dict(cancelled)) == cancelled
    other = Task.report(category="x", description="", at=T0, id="T3")
    other.cancel(at=T0, by=P, reason="超出受理范围")
    assert from_dict(Task, to_dict(other)) == other


def test_pii_is_masked_unless_asked() -> None:
    task = every_event_task()
    masked = json.dumps(to_dict(task), ensure_ascii=False)
    assert "13812345678" not in masked and "110105199001011234" not in masked
    assert "138****5678" in masked
    revealed = json.dumps(to_dict(task, reveal_pii=True), ensure_ascii=False)
    assert "13812345678" in revealed
    reporter = Reporter(phone="13812345678")
    assert to_dict(reporter)["phone"] == "138****5678"
    assert from_dict(Reporter, to_dict(reporter, reveal_pii=True)) == reporter


@pytest.mark.parametrize(
    "obj",
    [
        Department("街道办", level=Level.STREET, handlers=3, jurisdiction={"G2", "G1"}),
        ResponsibilityList(
            [
                Duty("占道经营", "城管局", grids={"G1"}),
                Duty("占道经营", "街道办", role=Role.SUPPORT),
            ]
        ),
        Grid(
            "110105001002003",
            households=420,
            population=1200,
            workers=("W1", "W2"),
            street="朝外街道",
        ),
        GridStandard(households=(200, 400)),
        Partner(
            "街角咖啡",
            kind=PartnerKind.ENTERPRISE,
            commitments=[
                Commitment(kind=CommitmentKind.MEETINGS, amount=2, per=relativedelta(months=1)),
                Commitment(kind=CommitmentKind.DONATION, amount=5000.5, note="一次性"),
                Commitment(
                    kind=CommitmentKind.SERVICE_HOURS, amount=10, per=relativedelta(weeks=1, days=1)
                ),
            ],
        ),
        Actor.grid_worker("W1", grid="G1"),
    ],
)
def test_value_round_trips(obj: Any) -> None:
    data = to_dict(obj)
    assert json.loads(json.dumps(data)) == data
    assert from_dict(type(obj), data) == obj


def test_plain_values() -> None:
    assert to_dict(Department("x", jurisdiction={"b", "a"}))["jurisdiction"] == ["a", "b"]

    @attrs.frozen
    class Sample:
        when: datetime
        day: date
        clock: time
        span: timedelta
        zone: Any

    conv = make_converter()
    sample = Sample(
        T0,
        date(2026, 5, 1),
        time(9, 30),
        timedelta(hours=1, seconds=1),
        timezone(timedelta(hours=8)),
    )
    data = conv.unstructure(sample)
    assert data == {
        "when": "2026-05-06T09:00:00+08:00",
        "day": "2026-05-01",
        "clock": "09:30:00",
        "span": 3601.0,
        "zone": "UTC+08:00",
    }
    assert conv.unstructure(ZoneInfo("Asia/Shanghai"), ZoneInfo) == "Asia/Shanghai"
    assert conv.unstructure(timezone.utc, timezone) == "UTC"


@attrs.frozen
class Clocked:
    when: datetime
    day: date
    clock: time
    span: timedelta


def structure_tz(conv: Any, value: object, kind: object) -> object:
    """Structure a time zone (tzinfo is abstract, so mypy needs the call made loosely)."""
    return conv.structure(value, kind)


def test_structuring_plain_values() -> None:
    data = {
        "when": "2026-05-06T09:00:00+08:00",
        "day": "2026-05-01",
        "clock": "09:30:00",
        "span": 60,
    }
    assert from_dict(Clocked, data) == Clocked(
        T0.replace(tzinfo=timezone(timedelta(hours=8))),
        date(2026, 5, 1),
        time(9, 30),
        timedelta(minutes=1),
    )
    conv = make_converter()

    assert structure_tz(conv, "UTC+08:00", tzinfo) == timezone(timedelta(hours=8))
    assert structure_tz(conv, "UTC-05:30", tzinfo) == timezone(-timedelta(hours=5, minutes=30))
    assert structure_tz(conv, "Asia/Shanghai", tzinfo) == ZoneInfo("Asia/Shanghai")
    with pytest.raises(ValidationError, match="tz"):
        structure_tz(conv, "Mars/Olympus", tzinfo)
    with pytest.raises(ValidationError, match="tz"):
        structure_tz(conv, 8, tzinfo)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (
            {"when": "2026-05-06T09:00:00", "day": "2026-05-01", "clock": "09:30", "span": 1},
            "offset",
        ),
        ({"when": "yesterday", "day": "2026-05-01", "clock": "09:30", "span": 1}, "ISO"),
        ({"when": 5, "day": "2026-05-01", "clock": "09:30", "span": 1}, "ISO"),
        ({"when": "2026-05-06T09:00:00+08:00", "day": "May 1", "clock": "09:30", "span": 1}, "ISO"),
        ({"when": "2026-05-06T09:00:00+08:00", "day": 1, "clock": "09:30", "span": 1}, "ISO"),
        (
            {
                "when": "2026-05-06T09:00:00+08:00",
                "day": "2026-05-01",
                "clock": "09:30",
                "span": "1h",
            },
            "seconds",
        ),
        (
            {
                "when": "2026-05-06T09:00:00+08:00",
                "day": "2026-05-01",
                "clock": "09:30",
                "span": True,
            },
            "seconds",
        ),
    ],
)
def test_bad_plain_values_name_the_problem(data: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        from_dict(Clocked, data)


def test_bad_data_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="name"):
        from_dict(Department, {"name": ""})
    with pytest.raises(ValidationError, match="problem"):
        from_dict(Department, {"name": "x", "level": "galaxy"})
    with pytest.raises(ValidationError, match="problem"):
        from_dict(Department, {"name": "x", "colour": "red"})
    with pytest.raises(ValidationError, match="period"):
        from_dict(Commitment, {"kind": "jobs", "amount": 3, "per": {"fortnights": 1}, "note": ""})
    with pytest.raises(ValidationError, match="malformed"):
        from_dict(Department, None)
    with pytest.raises(ValidationError, match="mapping"):
        from_dict(Task, ["not", "a", "task"])
    data = to_dict(every_event_task())
    data["status"] = "reported"
    with pytest.raises(ValidationError, match="status"):
        from_dict(Task, data)


def test_naive_datetimes_cannot_be_serialised() -> None:
    @attrs.frozen
    class Naive:
        when: datetime

    with pytest.raises(ValidationError, match="timezone-aware"):
        to_dict(Naive(datetime(2026, 1, 1)))


def test_unorderable_set_members_still_serialise() -> None:
    @attrs.frozen
    class Bag:
        items: frozenset[Any]

    conv = make_converter()
    out = conv.unstructure(Bag(frozenset({Actor.platform(), Actor.system()})))
    assert len(out["items"]) == 2


def test_live_entities_are_refused_not_silently_emptied() -> None:
    from jiceng.coordination import Whistle, WhistleLevel
    from jiceng.dispatch import SEED_FALLBACK, SEED_TABLE, Dispatcher
    from jiceng.participation import (
        CommitmentLedger,
        ImplementationTracker,
        Proposal,
        ProposalRound,
        SageCouncil,
    )

    selection = ProposalRound(budget=10_000).select([Proposal("p1", "健身角", 5_000, 80)])
    whistle = Whistle(
        matter="消防通道被占",
        street="和平街街道",
        departments=["城管委"],
        level=WhistleLevel.ROUTINE,
        blown_by=Actor.department("和平街街道"),
        at=T0,
    )
    live = [
        Dispatcher.from_table(SEED_TABLE, fallback=SEED_FALLBACK),
        whistle,
        CommitmentLedger(),
        SageCouncil("溪口村乡贤理事会"),
        ImplementationTracker(selection),
    ]
    for entity in live:
        with pytest.raises(ValidationError, match="not plain data"):
            to_dict(entity)
        with pytest.raises(ValidationError, match="not plain data"):
            from_dict(type(entity), {})
