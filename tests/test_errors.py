"""Tests for the error hierarchy: builtin bases, attributes, and messages that name field and value."""

from __future__ import annotations

import pytest

from jiceng.errors import (
    InvalidDecisionError,
    InvalidTransitionError,
    JicengError,
    Open311Error,
    PermissionDeniedError,
    UnknownPolicyError,
    UnresolvedLeadError,
    ValidationError,
)
from jiceng.models import Actor, TaskStatus


def test_hierarchy() -> None:
    assert issubclass(ValidationError, JicengError) and issubclass(ValidationError, ValueError)
    assert issubclass(InvalidTransitionError, ValueError)
    assert issubclass(PermissionDeniedError, PermissionError)
    assert issubclass(UnknownPolicyError, LookupError)
    for sub in (InvalidDecisionError, UnresolvedLeadError, Open311Error):
        assert issubclass(sub, ValidationError)


def test_validation_error() -> None:
    err = ValidationError.for_field("handlers", -1, "must be ≥ 1")
    assert str(err) == "handlers=-1: must be ≥ 1"
    assert (err.field, err.value, err.problems) == ("handlers", -1, ("handlers=-1: must be ≥ 1",))
    plain = ValidationError("bad")
    assert plain.field is None and plain.value is None and plain.problems == ("bad",)
    many = ValidationError.collect(["a is bad", "b is bad"], what="scenario")
    assert many.problems == ("a is bad", "b is bad")
    assert str(many).startswith("scenario has 2 problems:") and "- b is bad" in str(many)
    assert str(ValidationError.collect(["only"])).startswith("input has 1 problem:")


def test_transition_and_permission_messages() -> None:
    err = InvalidTransitionError(task="T1", current=TaskStatus.CLOSED, requested="accept")
    assert str(err) == "task 'T1': cannot accept while CLOSED (已结案)"
    assert (
        str(InvalidTransitionError(task="T1", current="odd", requested="x"))
        == "task 'T1': cannot x while odd"
    )
    denied = PermissionDeniedError(
        actor=Actor.resident("R9"), action="close", task="T1", why="only staff"
    )
    assert str(denied) == "task 'T1': actor=resident:R9 may not close (only staff)"
    assert str(PermissionDeniedError(actor="x", action="blow")) == "actor=x may not blow"


def test_policy_and_decision_errors() -> None:
    unknown = UnknownPolicyError("magic", ["round_robin", "category"])
    assert unknown.known == ("category", "round_robin")
    assert str(unknown) == "policy='magic': unknown; known policies: category, round_robin"
    bad = InvalidDecisionError(policy="keyword", department="火星局", why="unknown department")
    assert bad.field == "department" and bad.value == "火星局" and "keyword" in str(bad)
    lead = UnresolvedLeadError("no lead", rationale=["规则1", "规则2"])
    assert lead.rationale == ("规则1", "规则2") and lead.field == "departments"
    assert lead.rationale_en == ()
    assert UnresolvedLeadError("x", rationale=["甲"], rationale_en=["A"]).rationale_en == ("A",)


def test_open311_error_payload() -> None:
    err = Open311Error("service_code 99 not found", code=404, field="service_code", value="99")
    assert err.to_payload() == {"code": 404, "description": "service_code 99 not found"}
    assert Open311Error("bad").code == 400


def test_errors_are_catchable_as_builtins() -> None:
    with pytest.raises(ValueError, match="x=1"):
        raise ValidationError.for_field("x", 1, "no")
