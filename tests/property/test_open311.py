"""Property: from_open311(to_open311(task)) keeps everything Open311 can carry."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.interop.open311 import MAX_DESCRIPTION, from_open311, to_open311
from jiceng.models import EventKind, Task, TaskStatus
from jiceng.testing import tasks

ASSIGNED = frozenset(
    {TaskStatus.DISPATCHED, TaskStatus.ACCEPTED, TaskStatus.PARKED, TaskStatus.RESOLVED}
)


@settings(max_examples=80)
@given(tasks(), st.booleans())
def test_core_fields_survive(task: Task, extended: bool) -> None:
    payload = json.loads(json.dumps(to_open311(task, extended=extended)))
    back = from_open311(payload)
    assert back.id == task.id
    assert back.category == task.category
    assert back.description == task.description[:MAX_DESCRIPTION]
    assert back.location == task.location
    assert back.reported_at == task.reported_at
    assert back.status is task.status
    if task.status in ASSIGNED or task.status is TaskStatus.CLOSED:
        assert back.department == task.department
        assert back.resolve_due == task.resolve_due
    if task.status is TaskStatus.CLOSED:
        assert back.closed_at == task.closed_at
    if task.status in (TaskStatus.CANCELLED, TaskStatus.PARKED):
        # the cancellation or parking reason travels in status_notes
        kinds = {EventKind.CANCELLED, EventKind.DUPLICATE, EventKind.PARKED}
        assert [e.note for e in back.history if e.kind in kinds][-1:] == [
            e.note for e in task.history if e.kind in kinds
        ][-1:]


@settings(max_examples=80)
@given(tasks(), st.booleans())
def test_extensions_carry_the_whole_task(task: Task, extended: bool) -> None:
    payload = json.loads(json.dumps(to_open311(task, extended=extended, extensions=True)))
    back = from_open311(payload)
    assert back.history == task.history
    assert (back.id, back.category, back.description, back.location) == (
        task.id,
        task.category,
        task.description,
        task.location,
    )
    assert (back.grid, back.channel, back.priority) == (task.grid, task.channel, task.priority)
    assert (back.department, back.cooperating) == (task.department, task.cooperating)
    assert (back.response_due, back.resolve_due, back.callback) == (
        task.response_due,
        task.resolve_due,
        task.callback,
    )
