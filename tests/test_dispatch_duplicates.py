"""Tests for duplicate detection (重复件识别)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from jiceng.dispatch import DuplicateMatch, find_duplicates
from jiceng.errors import ValidationError
from jiceng.models import Actor, Task

T0 = datetime(2026, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def report(
    id: str,
    *,
    hours: float = 0,
    category: str = "供水",
    description: str = "3号楼水管爆裂，楼道积水",
    location: str = "幸福小区3号楼",
    grid: str | None = "G1",
) -> Task:
    return Task.report(
        category=category,
        description=description,
        location=location,
        grid=grid,
        at=T0 + timedelta(hours=hours),
        id=id,
    )


def test_the_same_problem_reported_again_is_found_with_a_reason() -> None:
    new = report("T9", hours=2, description="3号楼水管爆了，楼道里全是水")
    matches = find_duplicates(new, [report("T1"), new], threshold=0.4)
    assert [m.task_id for m in matches] == ["T1"]
    match = matches[0]
    assert isinstance(match, DuplicateMatch)
    assert 0.4 <= match.score <= 1.0
    assert "同类“供水”" in match.reason and "同网格G1" in match.reason
    assert "same grid G1" in match.reason_en


def test_exact_repeat_scores_one_and_ranks_first() -> None:
    new = report("T9", hours=1)
    similar = report("T2", description="3号楼水管漏水")
    matches = find_duplicates(new, [similar, report("T1")], threshold=0.0)
    assert [m.task_id for m in matches] == ["T1", "T2"]
    assert matches[0].score == 1.0


@pytest.mark.parametrize(
    "other",
    [
        report("X1", category="噪音扰民"),  # another category
        report("X2", grid="G2"),  # another grid
        report("X3", hours=-100),  # outside the window
        report("X4", description="路灯不亮", location="和平街口"),  # not alike
    ],
)
def test_unrelated_tasks_are_not_matched(other: Task) -> None:
    assert find_duplicates(report("T9", hours=1), [other]) == []


def test_cancelled_tasks_are_skipped_and_missing_grids_still_compare() -> None:
    cancelled = report("T1")
    cancelled.cancel(at=T0, by=Actor.platform(), reason="测试")
    no_grid = report("T2", grid=None)
    matches = find_duplicates(report("T9", hours=1), [cancelled, no_grid])
    assert [m.task_id for m in matches] == ["T2"]
    assert "同网格" not in matches[0].reason


def test_limit_and_empty_texts() -> None:
    new = report("T9", description="", location="")
    others = [report(f"T{i}", description="", location="") for i in range(4)]
    matches = find_duplicates(new, others, limit=2)
    assert [m.task_id for m in matches] == ["T0", "T1"]
    assert all(m.score == 1.0 for m in matches)
    one_char = find_duplicates(report("T9", description="水"), [report("T1", description="水")])
    assert one_char[0].score == 1.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"within": timedelta(hours=-1)}, "within"),
        ({"threshold": 1.5}, "threshold"),
        ({"limit": 0}, "limit"),
        ({"limit": True}, "limit"),
    ],
)
def test_bad_arguments_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        find_duplicates(report("T9"), [], **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
