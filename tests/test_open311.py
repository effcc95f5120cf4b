"""Tests for jiceng.interop.open311: the spec's payloads, the mapping, and every error."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from jiceng.errors import Open311Error, ValidationError
from jiceng.interop import open311
from jiceng.interop.open311 import (
    FIXMYSTREET_STATUSES,
    MAX_DESCRIPTION,
    JSONValue,
    Receipt,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    error_payload,
    errors_from_open311,
    from_open311,
    lenient_json,
    loads_lenient,
    parse_datetime,
    service_definition,
    services_from_responsibilities,
    to_open311,
)
from jiceng.models import (
    Actor,
    Channel,
    Priority,
    Reporter,
    ResponsibilityList,
    Satisfaction,
    Task,
    TaskStatus,
    UrgeLevel,
)

DATA = Path(__file__).parent / "data" / "open311"
CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 5, 6, 9, 0, tzinfo=CST)
CITY = "城管局"


def load(name: str) -> JSONValue:
    return loads_lenient((DATA / name).read_text(encoding="utf-8"))


def requests_in(name: str) -> list[Mapping[str, object]]:
    data = load(name)
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]


def same_instant(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return parse_datetime(a, "a") == parse_datetime(b, "b")


def coordinates(payload: Mapping[str, object]) -> tuple[float, float] | None:
    location = payload.get("location")
    if isinstance(location, dict):
        long, lat = location["coordinates"]
        return float(lat), float(long)
    if payload.get("lat") is None:
        return None
    lat, long = payload["lat"], payload["long"]
    assert isinstance(lat, float)
    assert isinstance(long, float)
    return lat, long


def assert_equivalent(original: Mapping[str, object], exported: Mapping[str, object]) -> None:
    """Everything a task carries survives: ids as strings, times as instants, the place."""
    assert exported["service_request_id"] == str(original["service_request_id"])
    assert exported["status"] == original["status"]
    assert exported["service_name"] == original.get("service_name")
    assert exported["description"] == (original.get("description") or "")
    assert exported["agency_responsible"] == original.get("agency_responsible")
    assert same_instant(exported["requested_datetime"], original["requested_datetime"])
    if original["status"] == "closed":
        assert same_instant(exported["updated_datetime"], original["updated_datetime"])
    if original.get("agency_responsible"):
        assert same_instant(exported["expected_datetime"], original.get("expected_datetime"))
    address = original.get("address") or original.get("address_string")
    assert (exported.get("address") or exported.get("address_string")) == address
    assert coordinates(exported) == coordinates(original)
    notes = original.get("status_notes")
    if isinstance(notes, str) and notes:
        assert notes in str(exported["status_notes"])


# -- the payloads in tests/data --------------------------------------------------------------


def test_spec_get_requests_needs_the_documented_leniency() -> None:
    text = (DATA / "georeport_v2_spec_get_requests.json").read_text(encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    first, second = (from_open311(r) for r in requests_in("georeport_v2_spec_get_requests.json"))
    # closed, no agency: CANCELLED with status_notes as the reason
    assert first.id == "638344"
    assert first.status is TaskStatus.CANCELLED
    assert first.history[-1].note == "Duplicate request."
    assert first.category == "Sidewalk and Curb Issues"
    assert first.location == "8TH AVE and JUDAH ST @37.762221815,-122.4651145"
    # open, no agency: waits to be filed
    assert second.status is TaskStatus.REPORTED
    assert second.reported_at == datetime(2010, 4, 19, 14, 37, 38, tzinfo=timezone.utc)


def test_service_code_keeps_its_leading_zeros() -> None:
    (request, _) = requests_in("georeport_v2_spec_get_requests.json")
    assert request["service_code"] == "006"
    task = from_open311(request, categories={"006": "人行道与路缘"})
    assert task.category == "人行道与路缘"
    assert to_open311(task, service_codes={"人行道与路缘": "006"})["service_code"] == "006"


@pytest.mark.parametrize(
    "name",
    [
        "georeport_v2_spec_get_requests.json",
        "georeport_v2_extensions_sf_extended_attributes.json",
        "smartdatamodels_open311_service_request_example.json",
    ],
)
def test_every_request_imports_and_exports_back_equivalent(name: str) -> None:
    for request in requests_in(name):
        task = from_open311(request)
        geojson = "location" in request
        assert_equivalent(request, to_open311(task, geojson=geojson))
        # ... and again through the extensions, exactly
        again = from_open311(to_open311(task, extensions=True, geojson=geojson))
        assert again == task


def test_sf_notes_become_history() -> None:
    (request,) = requests_in("georeport_v2_extensions_sf_extended_attributes.json")
    task = from_open311(request)
    # "submitted" is the report itself; "opened" is 立案 at 16:24:28 -07:00
    assert [e.kind.value for e in task.history] == ["reported", "registered"]
    assert task.history[1].at == datetime(2015, 7, 27, 23, 24, 28, tzinfo=timezone.utc)
    assert task.history[1].actor == Actor.system()
    assert task.channel is Channel.APP  # extended_attributes.channel "android"
    assert task.location.endswith("@37.7797,-122.42")
    exported = to_open311(task, extensions=True)
    notes = exported["notes"]
    assert isinstance(notes, list)
    assert [n["type"] for n in notes if isinstance(n, dict)] == ["reported", "registered"]


def test_fiware_example_is_a_closed_task_with_its_agency() -> None:
    (request,) = requests_in("smartdatamodels_open311_service_request_example.json")
    task = from_open311(request)
    assert task.status is TaskStatus.CLOSED
    assert task.department == "Ayuntamiento de Ciudad"
    assert task.resolve_due == datetime(2010, 4, 15, 14, 37, 38, tzinfo=timezone.utc)
    assert task.closed_at == datetime(2010, 4, 14, 14, 37, 38, tzinfo=timezone.utc)
    assert [e.actor.role.value for e in task.history[1:]] == [
        "system",
        "system",
        "department",
        "department",
        "system",
    ]
    exported = to_open311(task, geojson=True)
    assert exported["location"] == {
        "type": "Point",
        "coordinates": [-3.164485591715449, 40.62785133667262],
    }
    assert exported["address_string"] == "Calle San Juan Bautista, 2"


def test_error_sample_round_trips() -> None:
    body = load("georeport_v2_spec_errors_403.json")
    errors = errors_from_open311(body)
    assert [(e.code, e.description) for e in errors] == [
        (403, "Invalid api_key received -- can't proceed with create_request.")
    ]
    assert isinstance(errors[0], ValidationError)
    assert error_payload(*errors) == body


def test_services_and_definition_samples_round_trip() -> None:
    services = load("georeport_v2_spec_get_services.json")
    assert isinstance(services, list)
    read = [Service.from_payload(s) for s in services]
    assert [s.service_code for s in read] == ["001", "002", "003"]
    assert read[0].keywords == ("lorem", "ipsum", "dolor")
    assert [Service.from_payload(s.to_payload()) for s in read] == read
    definition = ServiceDefinition.from_payload(load("georeport_v2_spec_service_definition.json"))
    (attribute,) = definition.attributes
    assert attribute.values == (("123", "Ford"), ("124", "Chrysler"))
    assert attribute.required
    assert ServiceDefinition.from_payload(definition.to_payload()) == definition
    definition.check({"WHISHETN": 123})
    with pytest.raises(Open311Error, match="must be one of 123, 124"):
        definition.check({"WHISHETN": "999"})


def test_receipt_samples_round_trip() -> None:
    posted = Receipt.from_payload(load("georeport_v2_spec_post_request_response.json"))
    assert posted.service_request_id == "293944"
    assert posted.service_notice.startswith("The City will inspect")
    assert Receipt.from_payload(posted.to_payload()) == posted
    token = Receipt.from_payload(load("georeport_v2_spec_token_response.json"))
    assert (token.service_request_id, token.token) == ("638344", "12345")
    assert Receipt.from_payload(token.to_payload()) == token
    task = Task.report(category="x", description="", at=T0, id="T9")
    assert Receipt.for_task(task, service_notice="ok").to_payload() == [
        {"service_request_id": "T9", "service_notice": "ok", "account_id": None}
    ]


@pytest.mark.parametrize("bad", [None, "x", [], [1, 2], [{"service_notice": "no id"}]])
def test_receipt_errors(bad: object) -> None:
    with pytest.raises(Open311Error):
        Receipt.from_payload(bad)


# -- export ----------------------------------------------------------------------------------


def closed_task() -> Task:
    task = Task.report(
        category="环境卫生",
        description="垃圾" * 2500,
        at=T0,
        id="T1",
        location="幸福小区 @39.9,116.4",
        reporter=Reporter(name="张三", phone="13812345678", resident="R1"),
    )
    task.register(at=T0, by=Actor.platform())
    task.dispatch(
        to=CITY,
        at=T0,
        by=Actor.platform(),
        cooperating=["街道"],
        resolve_due=T0 + timedelta(days=1),
        response_due=T0 + timedelta(hours=1),
    )
    task.accept(at=T0 + timedelta(minutes=5), by=Actor.department(CITY))
    task.urge(at=T0 + timedelta(minutes=6), by=Actor.supervisor("S1"), level=UrgeLevel.URGE)
    task.resolve(at=T0 + timedelta(hours=2), by=Actor.department(CITY), note="已清运")
    task.close(at=T0 + timedelta(hours=3), by=Actor.platform(), note="核查通过")
    task.record_callback(
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
        at=T0 + timedelta(hours=4),
        by=Actor.resident("R1"),
    )
    return task


def test_export_of_a_closed_task() -> None:
    task = closed_task()
    payload = to_open311(task)
    assert payload["status"] == "closed"
    assert payload["status_notes"] == "已结案 (closed): 核查通过"
    assert payload["updated_datetime"] == (T0 + timedelta(hours=3)).isoformat()
    assert payload["expected_datetime"] == (T0 + timedelta(days=1)).isoformat()
    assert payload["agency_responsible"] == CITY
    assert isinstance(payload["description"], str)
    assert len(payload["description"]) == MAX_DESCRIPTION
    assert (payload["lat"], payload["long"], payload["address"]) == (39.9, 116.4, "幸福小区")
    assert "13812345678" not in json.dumps(payload, ensure_ascii=False)
    assert "notes" not in payload
    assert to_open311(task, extended=True)["status"] == "closed"


def test_extensions_rebuild_the_task_exactly() -> None:
    task = closed_task()
    task_short = Task.report(category="c", description="短", at=T0, id="T2")
    payload = to_open311(task, extensions=True)
    text = json.dumps(payload, ensure_ascii=False)  # JSON-ready
    back = from_open311(json.loads(text))
    assert back.history == task.history
    assert back.cooperating == ("街道",)
    assert back.response_due == task.response_due
    assert back.callback == task.callback
    assert back.reporter == Reporter(resident="R1")  # contact details are never written
    assert from_open311(to_open311(task_short, extensions=True)) == task_short


@pytest.mark.parametrize(
    ("steps", "fms"),
    [
        ([], "open"),
        (["register"], "open"),
        (["register", "dispatch"], "investigating"),
        (["register", "dispatch", "accept"], "in_progress"),
        (["register", "dispatch", "accept", "park"], "action_scheduled"),
        (["register", "dispatch", "accept", "resolve"], "fixed"),
        (["register", "cancel"], "no_further_action"),
        (["duplicate"], "duplicate"),
    ],
)
def test_fixmystreet_statuses_round_trip(steps: list[str], fms: str) -> None:
    task = Task.report(category="c", description="d", at=T0, id="T3")
    dept = Actor.department(CITY)
    for step in steps:
        if step == "register":
            task.register(at=T0, by=Actor.system())
        elif step == "dispatch":
            task.dispatch(to=CITY, at=T0, by=Actor.system(), resolve_due=T0 + timedelta(days=2))
        elif step == "accept":
            task.accept(at=T0, by=dept)
        elif step == "park":
            task.park(at=T0 + timedelta(hours=1), by=dept, reason="待料")
        elif step == "resolve":
            task.resolve(at=T0 + timedelta(hours=1), by=dept, note="修好了")
        elif step == "cancel":
            task.cancel(at=T0, by=Actor.system(), reason="不属于受理范围")
        else:
            task.mark_duplicate(of="T1", at=T0, by=Actor.system())
    payload = to_open311(task, extended=True)
    assert payload["status"] == fms
    assert FIXMYSTREET_STATUSES[task.status] == fms or fms == "duplicate"
    back = from_open311(payload)
    assert back.status is task.status
    assert back.department == task.department
    assert back.resolve_due == task.resolve_due
    # a foreign server's FixMyStreet status without jiceng's status_notes
    foreign = dict(payload, status_notes=None)
    assert from_open311(foreign).status.is_terminal == task.status.is_terminal


def test_returned_task_exports_as_registered() -> None:
    task = Task.report(category="c", description="d", at=T0, id="T4")
    task.register(at=T0, by=Actor.system())
    task.dispatch(to=CITY, at=T0, by=Actor.system())
    task.send_back(at=T0, by=Actor.department(CITY), reason="不归我管")
    payload = to_open311(task)
    assert (payload["status"], payload["agency_responsible"]) == ("open", None)
    assert from_open311(payload).status is TaskStatus.REGISTERED


def test_extensions_without_a_description_fall_back_to_the_label() -> None:
    task = Task.report(category="c", description="d", at=T0, id="T5")
    task.register(at=T0, by=Actor.system())
    payload = to_open311(task, extensions=True)
    notes = payload["notes"]
    assert isinstance(notes, list)
    assert isinstance(notes[1], dict)
    assert notes[1]["description"] == "立案"
    assert notes[1]["note"] == ""


def test_to_open311_refuses_a_non_task() -> None:
    with pytest.raises(Open311Error, match="must be a Task"):
        to_open311("T1")  # type: ignore[arg-type]


# -- import rules ----------------------------------------------------------------------------

BASE: dict[str, object] = {
    "service_request_id": 42,
    "service_code": 7,
    "requested_datetime": "2026-05-06T09:00:00+08:00",
}


def request(**changes: object) -> dict[str, object]:
    data = dict(BASE)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def test_numbers_become_strings_and_code_is_the_category_without_a_name() -> None:
    task = from_open311(request())
    assert (task.id, task.category, task.status) == ("42", "7", TaskStatus.REPORTED)
    assert task.channel is Channel.APP
    assert from_open311(request(), channel=Channel.HOTLINE).channel is Channel.HOTLINE


def test_open_request_with_agency_is_accepted() -> None:
    task = from_open311(
        request(agency_responsible=CITY, expected_datetime="2026-05-07T09:00:00Z", status="open")
    )
    assert task.status is TaskStatus.ACCEPTED
    assert task.resolve_due == datetime(2026, 5, 7, 9, tzinfo=timezone.utc)


def test_closed_without_agency_or_notes_gets_a_default_reason() -> None:
    task = from_open311(request(status="closed", updated_datetime="2026-05-06T10:00:00+08:00"))
    assert task.status is TaskStatus.CANCELLED
    assert task.history[-1].note == "closed without an agency_responsible"
    assert task.history[-1].at == T0 + timedelta(hours=1)


def test_closed_with_agency_closes_at_updated_time() -> None:
    task = from_open311(
        request(
            status="closed",
            agency_responsible=CITY,
            updated_datetime="2026-05-06T12:00:00+08:00",
        )
    )
    assert task.status is TaskStatus.CLOSED
    assert task.handling_time == timedelta(hours=3)


def test_reporter_fields_of_a_post_are_kept() -> None:
    task = from_open311(request(first_name="San", last_name="Zhang", phone="13812345678"))
    assert task.reporter == Reporter(name="San Zhang", phone="13812345678")


def test_reporter_read_from_a_resident_report_note() -> None:
    note = {
        "datetime": "2026-05-06T09:00:00+08:00",
        "type": "reported",
        "actor": "resident:R7",
    }
    task = from_open311(request(notes=[note]))
    assert task.reporter == Reporter(resident="R7")
    assert task.history[0].actor == Actor.resident("R7")


def test_unattributed_department_notes_are_taken_by_the_agency() -> None:
    notes = [
        {"datetime": "2026-05-06T09:00:00+08:00", "type": "opened"},
        {"datetime": "2026-05-06T09:01:00+08:00", "type": "dispatched"},
        {"datetime": "2026-05-06T09:02:00+08:00", "type": "accepted"},
    ]
    task = from_open311(request(agency_responsible=CITY, notes=notes))
    assert [e.actor for e in task.history[1:]] == [
        Actor.system(),
        Actor.system(),
        Actor.department(CITY),
    ]
    assert task.status is TaskStatus.ACCEPTED


def test_notes_that_end_elsewhere_stand_if_consistent() -> None:
    notes = [{"datetime": "2026-05-06T09:00:00+08:00", "type": "opened"}]
    # open, with an agency: default target ACCEPTED, reached from the notes' REGISTERED
    assert from_open311(request(agency_responsible=CITY, notes=notes)).status is (
        TaskStatus.ACCEPTED
    )
    cancelled = [*notes, {"datetime": "2026-05-06T09:00:00+08:00", "type": "cancelled"}]
    with pytest.raises(Open311Error, match="contradicts"):
        from_open311(request(status="open", notes=cancelled))


def test_actor_forms() -> None:
    note = {"datetime": "2026-05-06T09:00:00+08:00", "type": "registered"}
    for actor in ({"role": "platform", "id": "platform"}, "supervisor:S1"):
        task = from_open311(request(notes=[dict(note, actor=actor)]))
        assert task.status is TaskStatus.REGISTERED
    grid = {"role": "grid_worker", "id": "W1", "grid": "G1"}
    with pytest.raises(Open311Error, match="may not register"):
        from_open311(request(notes=[dict(note, actor=grid)]))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_request_id": ...}, "service_request_id"),
        ({"service_request_id": "  "}, "service_request_id"),
        ({"service_request_id": True}, "service_request_id"),
        ({"service_request_id": 4.5}, "service_request_id"),
        ({"service_code": ...}, "service_code"),
        ({"service_code": ""}, "service_code"),
        ({"service_name": 5, "service_code": ...}, "service_name"),
        ({"requested_datetime": ...}, "requested_datetime"),
        ({"requested_datetime": "2026-05-06T09:00:00"}, "requested_datetime"),
        ({"requested_datetime": "tomorrow"}, "requested_datetime"),
        ({"requested_datetime": 1700000000}, "requested_datetime"),
        ({"updated_datetime": "2026-05-06T08:00:00+08:00"}, "updated_datetime"),
        ({"expected_datetime": "2026-05-06 09:00:00"}, "expected_datetime"),
        ({"description": "x" * (MAX_DESCRIPTION + 1)}, "description"),
        ({"status": "pending"}, "status"),
        ({"status": 1}, "status"),
        ({"lat": 91.0, "long": 0.0}, "lat"),
        ({"lat": 1.0}, "long"),
        ({"lat": "north", "long": 1.0}, "lat"),
        ({"lat": [1], "long": 1.0}, "lat"),
        ({"location": {"type": "Polygon", "coordinates": []}}, "location"),
        ({"extended_attributes": {"priority": 9}}, "extended_attributes.priority"),
        ({"extended_attributes": {"priority": "high"}}, "extended_attributes.priority"),
        ({"extended_attributes": {"grid": " "}}, "extended_attributes.grid"),
        ({"notes": {"a": 1}}, "notes"),
        ({"notes": ["x"]}, "notes[0]"),
        ({"notes": [{"type": "commented", "datetime": "2026-05-06T09:00:00Z"}]}, "notes[0].type"),
        ({"notes": [{"type": "registered", "datetime": "2026-05-06"}]}, "notes[0].datetime"),
        (
            {"notes": [{"type": "registered", "datetime": "2026-05-06T09:00Z", "actor": "x"}]},
            "notes[0].actor",
        ),
        (
            {
                "notes": [
                    {"type": "registered", "datetime": "2026-05-06T09:00Z", "actor": {"id": 1}}
                ]
            },
            "notes[0].actor",
        ),
        (
            {"notes": [{"type": "urged", "datetime": "2026-05-06T09:00Z", "level": 7}]},
            "notes[0]",
        ),
        (
            {
                "notes": [
                    {"type": "dispatched", "datetime": "2026-05-06T09:00Z", "cooperating": "a"}
                ]
            },
            "notes[0].cooperating",
        ),
        ({"notes": [{"type": "accepted", "datetime": "2026-05-06T09:00Z"}]}, "notes[0]"),
        ({"description": 12}, "description"),
    ],
)
def test_every_problem_is_an_open311_error(changes: dict[str, object], field: str) -> None:
    with pytest.raises(Open311Error) as info:
        from_open311(request(**changes))
    assert info.value.code == 400
    assert info.value.field == field
    assert info.value.description.startswith(field)
    assert info.value.to_payload()["code"] == 400


def test_payload_must_be_a_mapping_and_model_errors_are_wrapped() -> None:
    with pytest.raises(Open311Error, match="must be an object"):
        from_open311([BASE])  # type: ignore[arg-type]
    with pytest.raises(Open311Error, match="service_code or service_name is required"):
        from_open311(request(service_code=..., service_name="   "))


def test_the_model_refusing_the_final_steps_is_an_open311_error() -> None:
    notes = [
        {"datetime": "2026-05-06T09:00:00+08:00", "type": "opened"},
        {"datetime": "2026-05-06T11:00:00+08:00", "type": "dispatched", "department": CITY},
    ]
    # resolve by the agency named in the payload, not the one the notes dispatched to
    bad = request(status="closed", agency_responsible=CITY, notes=notes)
    task = from_open311(bad)
    assert task.status is TaskStatus.CLOSED
    assert task.history[-1].at == datetime(2026, 5, 6, 3, tzinfo=timezone.utc)


# -- leniency, times, errors -----------------------------------------------------------------


def test_lenient_json_touches_only_leading_zero_integers() -> None:
    text = '{"a": 006, "b": -007, "c": "0x\\"08", "d": [0, 10, 0.5, 1e3, -0], "e": null}'
    assert loads_lenient(text) == {
        "a": "006",
        "b": "-007",
        "c": '0x"08',
        "d": [0, 10, 0.5, 1000.0, 0],
        "e": None,
    }
    assert lenient_json('"unterminated 007') == '"unterminated 007'
    with pytest.raises(Open311Error, match="not JSON"):
        loads_lenient("{nope}")


def test_parse_datetime_accepts_z_and_offsets() -> None:
    assert parse_datetime("2010-04-14T14:37:38Z", "t") == datetime(
        2010, 4, 14, 14, 37, 38, tzinfo=timezone.utc
    )
    with pytest.raises(Open311Error, match="must carry a UTC offset") as info:
        parse_datetime("2010-04-14T06:37:38", "requested_datetime")
    assert info.value.field == "requested_datetime"


@pytest.mark.parametrize(
    "body",
    [None, [], "x", [1], [{"code": True, "description": "d"}], [{"code": 400, "description": 1}]],
)
def test_errors_from_open311_refuses_other_bodies(body: object) -> None:
    with pytest.raises(Open311Error):
        errors_from_open311(body)


def test_errors_from_open311_accepts_one_object_and_numeric_strings() -> None:
    (error,) = errors_from_open311({"code": "404", "description": "unknown"})
    assert (error.code, error.description) == (404, "unknown")


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(Open311Error) as info:
        from_open311(request(description="长" * (MAX_DESCRIPTION + 1)))
    assert "..." in str(info.value)
    assert "4001" in str(info.value)


# -- services --------------------------------------------------------------------------------


def test_services_from_responsibilities() -> None:
    rl = ResponsibilityList.from_mapping({"占道经营": CITY, "噪音扰民": "生态环境局"})
    services = services_from_responsibilities(
        rl,
        codes={"占道经营": "001"},
        descriptions={"占道经营": "流动摊贩、店外经营"},
        definitions={"001"},
        keywords={"噪音扰民": ["噪声", "施工"]},
    )
    by_name = {s["service_name"]: s for s in services}
    assert by_name["占道经营"] == {
        "service_code": "001",
        "service_name": "占道经营",
        "description": "流动摊贩、店外经营",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": CITY,
    }
    assert by_name["噪音扰民"]["keywords"] == "噪声, 施工"
    assert by_name["噪音扰民"]["metadata"] is False
    with pytest.raises(Open311Error):
        services_from_responsibilities({"a": "b"})  # type: ignore[arg-type]


def test_service_validation() -> None:
    with pytest.raises(Open311Error, match="realtime, batch or blackbox"):
        Service("1", service_name="x", type="sometimes")
    with pytest.raises(Open311Error, match="must be an object"):
        Service.from_payload("x")
    read = Service.from_payload({"service_code": 5, "metadata": "true", "keywords": None})
    assert (read.service_code, read.service_name, read.metadata, read.keywords) == (
        "5",
        "5",
        True,
        (),
    )


def test_service_definition_with_all_six_datatypes() -> None:
    attributes = [
        ServiceAttribute("S", datatype="string", description="s", required=True, order=1),
        ServiceAttribute("N", datatype="number", description="n"),
        ServiceAttribute("D", datatype="datetime", description="d"),
        ServiceAttribute("T", datatype="text", description="t", datatype_description="长文本"),
        ServiceAttribute("ONE", datatype="singlevaluelist", description="1", values={"a": "A"}),
        ServiceAttribute(
            "MANY", datatype="multivaluelist", description="m", values=[("a", "A"), ("b", "B")]
        ),
        ServiceAttribute("INFO", datatype="string", description="提示", variable=False),
    ]
    body = service_definition("X1", attributes)
    listed = body["attributes"]
    assert isinstance(listed, list)
    assert [a["datatype"] for a in listed if isinstance(a, dict)] == [
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
        "string",
    ]
    definition = ServiceDefinition.from_payload(body)
    assert definition.attributes == tuple(attributes)
    definition.check(
        {"S": "x", "N": "3.5", "D": "2026-05-06T09:00:00+08:00", "ONE": "a", "MANY": ["a", "b"]}
    )
    definition.check({"S": "x", "MANY": "b"})
    cases: list[tuple[dict[str, object], str]] = [
        ({}, "is required"),
        ({"S": "x", "N": "many"}, "must be a number"),
        ({"S": "x", "N": "inf"}, "finite"),
        ({"S": "x", "D": "2026-05-06"}, "UTC offset"),
        ({"S": "x", "ONE": ["a"]}, "takes one value"),
        ({"S": "x", "MANY": ["a", "z"]}, "must be one of"),
        ({"S": "x", "EXTRA": 1}, "not an attribute"),
    ]
    for answers, match in cases:
        with pytest.raises(Open311Error, match=match):
            definition.check(answers)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"datatype": "colour"}, "must be one of"),
        ({"datatype": "singlevaluelist"}, "needs values"),
        ({"datatype": "string", "values": {"a": "A"}}, "takes no values"),
        ({"datatype": "singlevaluelist", "values": ["abc"]}, "each value"),
        ({"datatype": "singlevaluelist", "values": [{"key": None, "name": "x"}]}, "values.key"),
    ],
)
def test_attribute_validation(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(Open311Error, match=match):
        ServiceAttribute("A", description="a", **kwargs)  # type: ignore[arg-type]


def test_attribute_and_definition_payload_errors() -> None:
    with pytest.raises(Open311Error, match="code"):
        ServiceAttribute("", datatype="string", description="")
    with pytest.raises(Open311Error, match="must be an object"):
        ServiceAttribute.from_payload(1)
    with pytest.raises(Open311Error, match="order"):
        ServiceAttribute.from_payload({"code": "A", "datatype": "string", "order": "1"})
    with pytest.raises(Open311Error, match="must be an object"):
        ServiceDefinition.from_payload([])
    with pytest.raises(Open311Error, match="must be a list"):
        ServiceDefinition.from_payload({"service_code": "X", "attributes": {"a": 1}})
    a = ServiceAttribute("A", datatype="string", description="")
    with pytest.raises(Open311Error, match="unique"):
        ServiceDefinition("X", attributes=[a, a])
    with pytest.raises(Open311Error, match="ServiceAttribute"):
        ServiceDefinition("X", attributes=["A"])  # type: ignore[list-item]
    assert ServiceDefinition.from_payload({"service_code": "X"}).attributes == ()


def test_module_exports() -> None:
    assert len(set(open311.__all__)) == len(open311.__all__)
    assert all(hasattr(open311, name) for name in open311.__all__)
    assert open311.Open311Error is Open311Error
    assert Priority.NORMAL is from_open311(request()).priority
