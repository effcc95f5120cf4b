"""Tests for jiceng.testing: the strategies give valid objects; check_policy catches broken policies."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from datetime import timedelta
from typing import ClassVar

import pytest
from hypothesis import given, settings

from jiceng import testing
from jiceng.dispatch import (
    CategoryPolicy,
    Chain,
    Decision,
    DispatchContext,
    KeywordPolicy,
    LeastLoadedPolicy,
    RoundRobinPolicy,
    TaskView,
    TerritoryPolicy,
    TextClassifierPolicy,
)
from jiceng.interop.open311 import from_open311
from jiceng.models import Department, Grid, ResponsibilityList, Task, TaskStatus
from jiceng.simulation import Scenario, simulate
from jiceng.testing import (
    check_policy,
    departments,
    grids,
    open311_payloads,
    responsibility_lists,
    tasks,
)

NAMES = ["城管局", "水务局", "东街道", "综合协调"]


@settings(max_examples=40)
@given(tasks())
def test_tasks_have_ordered_histories_ending_in_their_status(task: Task) -> None:
    history = task.history
    assert history[0].kind.value == "reported"
    assert history[-1].status is task.status
    times = [e.at for e in history]
    assert times == sorted(times)
    # the history replays through the model's own rules
    rebuilt = Task.from_history(
        history,
        id=task.id,
        category=task.category,
        description=task.description,
        location=task.location,
        grid=task.grid,
        channel=task.channel,
        priority=task.priority,
        reporter=task.reporter,
    )
    assert rebuilt == task


@settings(max_examples=15)
@given(tasks(statuses={TaskStatus.CLOSED}, categories=["井盖"], departments=["水务局"]))
def test_tasks_can_be_asked_for_a_status(task: Task) -> None:
    assert task.status is TaskStatus.CLOSED
    assert task.department == "水务局"


@settings(max_examples=20)
@given(departments(), grids(), responsibility_lists())
def test_value_strategies(dept: Department, grid: Grid, rl: ResponsibilityList) -> None:
    assert dept.name in testing.DEPARTMENT_NAMES
    assert 1 <= dept.handlers <= 5
    assert grid.id in testing.GRID_IDS
    assert set(rl.categories) <= set(testing.CATEGORIES)


@settings(max_examples=20)
@given(open311_payloads())
def test_open311_payloads_import(payload: dict[str, object]) -> None:
    assert from_open311(payload).id == payload["service_request_id"]


def test_names_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="at least one"):
        departments(names=[])


@settings(max_examples=5)
@given(testing.scenarios())
def test_scenarios_are_small_valid_and_fast(scenario: Scenario) -> None:
    assert scenario.duration <= timedelta(hours=48)
    assert len(scenario.departments) <= 3
    result = simulate(scenario, seed=1)
    assert result.metrics.arrived >= 0


# -- check_policy ----------------------------------------------------------------------------


def builtin_policies() -> list[object]:
    table = {"环境卫生": "城管局", "井盖": "水务局"}
    rl = ResponsibilityList.from_mapping(table)
    classifier = TextClassifierPolicy().fit(
        [("垃圾 环境卫生", "城管局"), ("井盖 丢失", "水务局"), ("路灯 不亮", "东街道")]
    )
    return [
        CategoryPolicy(table),
        CategoryPolicy(rl, fallback="综合协调"),
        KeywordPolicy([("垃圾", "城管局"), ("井盖", "水务局")], fallback="综合协调"),
        TerritoryPolicy(owners={"井盖": "水务局"}, territory={"G1": "东街道"}, components={"井盖"}),
        LeastLoadedPolicy({"环境卫生": ["城管局", "东街道"], "井盖": ["水务局"]}),
        RoundRobinPolicy({"环境卫生": ["城管局", "东街道"]}),
        classifier,
        Chain(CategoryPolicy(table), LeastLoadedPolicy({"噪声扰民": ["东街道", "综合协调"]})),
    ]


@pytest.mark.parametrize("policy", builtin_policies(), ids=lambda p: type(p).__name__)
def test_every_builtin_policy_passes(policy: object) -> None:
    directory = [
        Department("城管局"),
        Department("水务局"),
        Department("东街道", jurisdiction={"G1", "G2"}),
        Department("综合协调"),
    ]
    check_policy(policy, departments=directory, max_examples=30)  # type: ignore[arg-type]


class Careless:
    """Ignores exclusions: always the first name it knows."""

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        return Decision(department="城管局", reason="总是城管局", policy="careless")


class Moody:
    """Not deterministic: alternates through a class-level counter that deep copies share."""

    calls: ClassVar[list[int]] = [0]

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        Moody.calls[0] += 1
        name = NAMES[Moody.calls[0] % 2]
        if not context.eligible(name, task.grid):
            return None
        return Decision(department=name, reason="看心情", policy="moody")


class Crashing:
    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        if task.category == "井盖":
            msg = "no manholes"
            raise KeyError(msg)
        return None


class Wrong:
    def decide(self, task: TaskView, context: DispatchContext, /) -> object:
        return "城管局"


class Locked:
    def __init__(self) -> None:
        self.lock = threading.Lock()

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        return None


class Uncopyable:
    def __deepcopy__(self, memo: dict[int, object]) -> Uncopyable:
        msg = "no copies"
        raise TypeError(msg)

    def decide(self, task: TaskView, context: DispatchContext, /) -> Decision | None:
        return None

    def cache_key(self, task: TaskView, /) -> Hashable | None:
        return None


@pytest.mark.parametrize(
    ("policy", "match"),
    [
        (Careless(), "not eligible"),
        (Moody(), "not deterministic"),
        (Crashing(), "raised KeyError"),
        (Wrong(), "not a Decision or None"),
        (Locked(), "not picklable"),
        (Uncopyable(), "not deep-copyable"),
        (object(), "no decide"),
    ],
    ids=["careless", "moody", "crashing", "wrong", "locked", "uncopyable", "no-decide"],
)
def test_check_policy_catches_broken_policies(policy: object, match: str) -> None:
    with pytest.raises(AssertionError, match=match):
        check_policy(policy, departments=NAMES, max_examples=40)  # type: ignore[arg-type]


def test_check_policy_needs_departments() -> None:
    with pytest.raises(AssertionError, match="at least one department"):
        check_policy(CategoryPolicy({"a": "b"}), departments=[])
    check_policy(CategoryPolicy({"a": "b"}), departments=["b"], grids=[], max_examples=5)
