"""Duplicate detection (重复件识别): which open tasks a new report probably repeats, and why (private).

12345 platforms receive the same problem many times (a burst pipe reported by ten neighbours).
:func:`find_duplicates` ranks earlier tasks by how alike they are: same category, same grid, close
in time, and similar location and description text (character bigrams, so Chinese needs no
segmenter). It only suggests; a person confirms with :meth:`~jiceng.models.Task.mark_duplicate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta, timezone

from attrs import field, frozen

from jiceng.dispatch._classifier import normalize_text
from jiceng.errors import ValidationError
from jiceng.models import Task, TaskStatus

__all__ = ["DuplicateMatch", "find_duplicates"]

_UTC = timezone.utc


@frozen
class DuplicateMatch:
    """An earlier task that a report probably repeats.

    Attributes:
        task_id: The earlier task's id.
        score: Similarity in [0, 1]: 0.6 × description similarity + 0.4 × location similarity.
        reason: Why, in Chinese; ``reason_en`` in English.
    """

    task_id: str = field(kw_only=True)
    score: float = field(kw_only=True)
    reason: str = field(kw_only=True)
    reason_en: str = field(kw_only=True)


def _bigrams(text: str) -> frozenset[str]:
    text = normalize_text(text)
    if len(text) < 2:
        return frozenset({text}) if text else frozenset()
    return frozenset(map(str.__add__, text, text[1:]))


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two bigram sets (1.0 when both are empty)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def find_duplicates(
    task: Task,
    candidates: Iterable[Task],
    *,
    within: timedelta = timedelta(days=3),
    threshold: float = 0.5,
    limit: int = 5,
) -> list[DuplicateMatch]:
    """Rank the candidates that ``task`` probably duplicates, best first.

    A candidate counts only if it is another task of the same category, is not cancelled, was
    reported no more than ``within`` before or after ``task``, lies in the same grid when both
    have one, and scores at least ``threshold``.

    Args:
        task: The new report.
        candidates: Earlier tasks to compare with (any iterable; ``task`` itself is skipped).
        within: The time window around ``task``'s report.
        threshold: The lowest score that still counts, in [0, 1].
        limit: At most this many matches.

    Raises:
        ValidationError: A negative window, a threshold outside [0, 1], or a limit below 1.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2026, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    >>> first = Task.report(
    ...     category="供水",
    ...     description="3号楼水管爆裂，楼道积水",
    ...     location="幸福小区3号楼",
    ...     grid="G1",
    ...     at=t0,
    ...     id="T1",
    ... )
    >>> again = Task.report(
    ...     category="供水",
    ...     description="3号楼水管爆了，楼道里全是水",
    ...     location="幸福小区3号楼",
    ...     grid="G1",
    ...     at=t0 + timedelta(hours=2),
    ...     id="T2",
    ... )
    >>> [(m.task_id, m.reason) for m in find_duplicates(again, [first], threshold=0.4)]
    [('T1', '疑似重复：同类“供水”、同网格G1、相隔2.0小时，地点相似度1.00，描述相似度0.41')]
    """
    if within < timedelta(0):
        raise ValidationError.for_field("within", within, "must not be negative")
    if not 0.0 <= threshold <= 1.0:
        raise ValidationError.for_field("threshold", threshold, "must be in [0, 1]")
    if type(limit) is not int or limit < 1:  # bools are refused too
        raise ValidationError.for_field("limit", limit, "must be a whole number ≥ 1")
    when = task.reported_at.astimezone(_UTC)
    text = _bigrams(task.description)
    place = _bigrams(task.location)
    matches: list[DuplicateMatch] = []
    for other in candidates:
        if other.id == task.id or other.category != task.category:
            continue
        if other.status is TaskStatus.CANCELLED:
            continue
        if task.grid is not None and other.grid is not None and other.grid != task.grid:
            continue
        gap = abs(other.reported_at.astimezone(_UTC) - when)
        if gap > within:
            continue
        described = _similarity(text, _bigrams(other.description))
        located = _similarity(place, _bigrams(other.location))
        score = round(0.6 * described + 0.4 * located, 4)
        if score < threshold:
            continue
        hours = gap.total_seconds() / 3600
        grid = f"、同网格{task.grid}" if task.grid is not None and other.grid is not None else ""
        grid_en = f", same grid {task.grid}" if grid else ""
        matches.append(
            DuplicateMatch(
                task_id=other.id,
                score=score,
                reason=(
                    f"疑似重复：同类“{task.category}”{grid}、相隔{hours:.1f}小时，"
                    f"地点相似度{located:.2f}，描述相似度{described:.2f}"
                ),
                reason_en=(
                    f"likely duplicate: same category {task.category!r}{grid_en}, "
                    f"{hours:.1f} h apart, location similarity {located:.2f}, "
                    f"description similarity {described:.2f}"
                ),
            )
        )
    matches.sort(key=lambda m: (-m.score, m.task_id))
    return matches[:limit]
