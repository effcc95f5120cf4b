"""The metric values: :class:`TimeSummary` and :class:`Metrics` (private)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from attrs import frozen

__all__ = ["Metrics", "TimeSummary", "rate"]

# --- values -----------------------------------------------------------------------------------


@frozen
class TimeSummary:
    """A summary of durations (时长统计): count, mean, median, 90th percentile and maximum.

    ``count``, ``mean`` and ``max`` are exact (the mean rounds to the microsecond half to even, like
    ``timedelta / int``). ``median`` and ``p90`` interpolate linearly between order statistics
    (numpy's default percentile; the median equals ``statistics.median``, so the median of an even
    count is the midpoint of the two middle values), estimated from a log-bucket histogram within
    1% relative error. An empty summary has ``count=0`` and ``None`` elsewhere.

    >>> TimeSummary(0, None, None, None, None).count
    0
    """

    count: int
    mean: timedelta | None
    median: timedelta | None
    p90: timedelta | None
    max: timedelta | None


def _rate(numerator: float, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@frozen(kw_only=True)
class Metrics:
    """Task metrics (工单指标) for one group, with every count behind every rate.

    Attributes:
        arrived: Tasks counted.
        closed: Tasks closed (已结案).
        cancelled: Tasks cancelled (已注销), including duplicates.
        open: Tasks not yet closed or cancelled (a resolved, not yet closed task is open).
        overdue: Open tasks overdue (超期) at ``now``.
        valid_callbacks: Tasks with a recorded callback (有效回访), the denominator of 三率.
        contacted: Valid callbacks that reached the reporter.
        resolved_callbacks: Valid callbacks in which the reporter said the matter was resolved.
        satisfied: Valid callbacks rated 满意.
        basically_satisfied: Valid callbacks rated 基本满意.
        dissatisfied: Valid callbacks rated 不满意.
        basically_satisfied_factor: The weight of a 基本满意 in ``satisfaction_rate`` (0.9).
        response_rate: 响应率 = contacted / valid_callbacks.
        resolution_rate: 解决率 = resolved_callbacks / valid_callbacks.
        satisfaction_rate: 满意率 = (satisfied + factor × basically_satisfied) / valid_callbacks.
        on_time: Tasks resolved by their due time.
        on_time_denominator: Tasks resolved with a due time, plus unresolved tasks past due.
        on_time_rate: on_time / on_time_denominator.
        dispatched: Tasks ever dispatched (派遣).
        returned: Tasks ever sent back (回退).
        return_rate: returned / dispatched.
        resolved: Tasks ever resolved (办结).
        reworked: Tasks ever reworked (返工).
        rework_rate: reworked / resolved.
        response_time: Accepted − dispatched, over tasks accepted in their current assignment.
        handling_time: Resolved − dispatched, over tasks resolved in their current assignment.
    """

    arrived: int
    closed: int
    cancelled: int
    open: int
    overdue: int
    valid_callbacks: int
    contacted: int
    resolved_callbacks: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    basically_satisfied_factor: float
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    on_time: int
    on_time_denominator: int
    on_time_rate: float | None
    dispatched: int
    returned: int
    return_rate: float | None
    resolved: int
    reworked: int
    rework_rate: float | None
    response_time: TimeSummary
    handling_time: TimeSummary

    @property
    def late(self) -> int:
        """Tasks counted in ``on_time_denominator`` that were not on time."""
        return self.on_time_denominator - self.on_time

    def explain(self, lang: Literal["zh", "en"] = "zh") -> tuple[str, ...]:
        """Each rate as a formula with its numbers, one line per rate, so it can be recomputed.

        >>> from datetime import datetime, timezone
        >>> from jiceng.metrics import MetricsAccumulator
        >>> acc = MetricsAccumulator(now=datetime(2024, 1, 1, tzinfo=timezone.utc))
        >>> acc.result().explain()[0]
        '响应率 = 联系上 0 / 有效回访 0 = 无'
        """
        f = self.basically_satisfied_factor
        valid = self.valid_callbacks
        if lang == "zh":
            rows = [
                ("响应率", f"联系上 {self.contacted} / 有效回访 {valid}", self.response_rate),
                (
                    "解决率",
                    f"已解决 {self.resolved_callbacks} / 有效回访 {valid}",
                    self.resolution_rate,
                ),
                (
                    "满意率",
                    f"(满意 {self.satisfied} + {f:g} × 基本满意 {self.basically_satisfied})"
                    f" / 有效回访 {valid}",
                    self.satisfaction_rate,
                ),
                (
                    "按期办结率",
                    f"按期 {self.on_time} / 应计 {self.on_time_denominator}",
                    self.on_time_rate,
                ),
                ("退回率", f"回退 {self.returned} / 派遣 {self.dispatched}", self.return_rate),
                ("返工率", f"返工 {self.reworked} / 办结 {self.resolved}", self.rework_rate),
            ]
            none = "无"
        else:
            rows = [
                (
                    "response rate",
                    f"contacted {self.contacted} / valid callbacks {valid}",
                    self.response_rate,
                ),
                (
                    "resolution rate",
                    f"resolved {self.resolved_callbacks} / valid callbacks {valid}",
                    self.resolution_rate,
                ),
                (
                    "satisfaction rate",
                    f"(satisfied {self.satisfied} + {f:g} × basically satisfied "
                    f"{self.basically_satisfied}) / valid callbacks {valid}",
                    self.satisfaction_rate,
                ),
                (
                    "on-time rate",
                    f"on time {self.on_time} / due {self.on_time_denominator}",
                    self.on_time_rate,
                ),
                (
                    "return rate",
                    f"returned {self.returned} / dispatched {self.dispatched}",
                    self.return_rate,
                ),
                (
                    "rework rate",
                    f"reworked {self.reworked} / resolved {self.resolved}",
                    self.rework_rate,
                ),
            ]
            none = "n/a"
        return tuple(
            f"{name} = {formula} = {none if value is None else format(value, '.4f')}"
            for name, formula, value in rows
        )


rate = _rate
