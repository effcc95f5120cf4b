"""One-call summaries: :func:`summarize` (private)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import overload

from jiceng.errors import ValidationError
from jiceng.metrics._accumulator import GroupedAccumulator, MeasuredTask, MetricsAccumulator
from jiceng.metrics._values import Metrics

__all__ = ["GROUP_KEYS", "summarize"]

GROUP_KEYS = ("category", "department", "grid")
"""The values :func:`summarize` accepts for ``by``."""


def _department(task: MeasuredTask) -> str | None:
    return getattr(task, "department", None)


def _grid(task: MeasuredTask) -> str | None:
    return getattr(task, "grid", None)


def _category(task: MeasuredTask) -> str | None:
    return getattr(task, "category", None)


_KEY_OF: dict[str, Callable[[MeasuredTask], str | None]] = {
    "category": _category,
    "department": _department,
    "grid": _grid,
}


@overload
def summarize(
    tasks: Iterable[MeasuredTask],
    *,
    now: datetime,
    by: None = None,
    basically_satisfied: float = 0.9,
) -> Metrics: ...
@overload
def summarize(
    tasks: Iterable[MeasuredTask],
    *,
    now: datetime,
    by: str,
    basically_satisfied: float = 0.9,
) -> dict[str | None, Metrics]: ...
def summarize(
    tasks: Iterable[MeasuredTask],
    *,
    now: datetime,
    by: str | None = None,
    basically_satisfied: float = 0.9,
) -> Metrics | dict[str | None, Metrics]:
    """Summarise tasks (统计汇总) in one streaming pass.

    Args:
        tasks: Any iterable of tasks; a generator is read once and never stored.
        now: When "overdue" is judged (timezone-aware).
        by: ``None`` for one :class:`Metrics`, or ``"department"``, ``"grid"`` or ``"category"``
            for ``{key: Metrics}`` (keys sorted, tasks with no department/grid under ``None``,
            last).
        basically_satisfied: The weight of a 基本满意 callback in 满意率.

    Raises:
        ValidationError: ``by`` is not one of those values, or ``now`` is naive.

    >>> from datetime import datetime, timezone
    >>> summarize([], now=datetime(2024, 1, 1, tzinfo=timezone.utc)).arrived
    0
    """
    if by is None:
        acc = MetricsAccumulator(now=now, basically_satisfied=basically_satisfied)
        for task in tasks:
            acc.add(task)
        return acc.result()
    if by not in GROUP_KEYS:
        raise ValidationError.for_field(
            "by", by, f"must be None or one of {', '.join(repr(k) for k in GROUP_KEYS)}"
        )
    grouped: GroupedAccumulator[str | None] = GroupedAccumulator(
        now=now, key_of=_KEY_OF[by], basically_satisfied=basically_satisfied
    )
    for task in tasks:
        grouped.add(task)
    return grouped.result()
