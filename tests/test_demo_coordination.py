"""The coordination demo and the seed's Beijing Chaoyang consistency check."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiceng.coordination import LeadRule, Punctuality, evaluate
from jiceng.demos.coordination import (
    CHAOYANG,
    START,
    chaoyang_tasks,
    department_tasks,
    resolver,
    run,
    scorecard_table,
    whistle,
)
from jiceng.errors import ValidationError
from jiceng.metrics import MetricsAccumulator, summarize


def test_run_shows_the_three_scenes_chinese_first() -> None:
    text = run()
    assert text.startswith("（一）牵头部门认定")
    assert text.index("（二）街乡吹哨") < text.index("（三）三率考核")
    assert "牵头：住建委（权责清单）；配合：和平街街道、城管委" in text
    assert "生态环境局：超时" in text
    assert "lead: 住建委 (responsibility_list)" in text
    assert run() == text  # deterministic


def test_demo_builders() -> None:
    r = resolver().resolve("占道经营", ["市场监管局", "城管委"], grid="G2")
    assert (r.lead, r.rule) == ("城管委", LeadRule.TERRITORY)
    outcome = whistle().outcome(START + timedelta(days=4))
    assert outcome.late == ("生态环境局",)
    assert [d.result for d in outcome.details].count(Punctuality.ON_TIME) == 2
    cards = evaluate(department_tasks())
    assert [c.key for c in cards] == ["市场监管局", "城管委", "住建委", "生态环境局", "交通委"]
    table = scorecard_table(cards).splitlines()
    assert table[0].startswith("名次")
    assert table[2].split()[:2] == ["1", "市场监管局"]


def test_chaoyang_figures_come_back_exactly() -> None:
    """23,000 tasks over 128 grids, 98.5% resolution, 4.2 h mean response (the seed's figures)."""
    now = START + timedelta(days=400)
    whole = MetricsAccumulator(now=now)
    grids = set()
    for task in chaoyang_tasks():  # streamed: no list of 23,000 tasks is kept
        whole.add(task)
        grids.add(task.grid)
    m = whole.result()
    assert m.arrived == CHAOYANG["tasks"] == 23_000
    assert len(grids) == CHAOYANG["grids"] == 128
    assert m.resolution_rate == CHAOYANG["resolution"] == 0.985
    assert m.resolved_callbacks == 22_655
    assert m.response_time.mean == timedelta(hours=CHAOYANG["mean_response_hours"])
    assert m.response_time.count == 23_000
    assert m.closed == 23_000


def test_chaoyang_by_grid_and_odd_sizes() -> None:
    now = START + timedelta(days=30)
    by_grid = summarize(
        chaoyang_tasks(tasks=1_001 * 2, grids=16, resolution=0.5), now=now, by="grid"
    )
    assert len(by_grid) == 16
    assert sum(g.resolved_callbacks for g in by_grid.values()) == 1_001
    odd = summarize(chaoyang_tasks(tasks=5, grids=5, resolution=0.8), now=now)
    assert odd.response_time.mean == timedelta(hours=4.2)
    assert odd.resolution_rate == 0.8


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"tasks": 10, "resolution": 0.985}, "resolution"),
        ({"tasks": 10, "grids": 11, "resolution": 0.9}, "grids"),
        ({"grids": 0}, "grids"),
        ({"mean_response": timedelta(hours=1)}, "mean_response"),
    ],
)
def test_chaoyang_builder_checks_its_inputs(kw: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        next(chaoyang_tasks(**kw))  # type: ignore[arg-type]
    assert info.value.field == field
