"""Ready-made scenarios and readable summaries, so a CLI or a notebook needs only a few lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from jiceng.dispatch import CategoryPolicy
from jiceng.errors import ValidationError
from jiceng.metrics import Metrics, TimeSummary
from jiceng.simulation._arrivals import PoissonArrivals
from jiceng.simulation._distributions import Exponential
from jiceng.simulation._engine import SimulationResult
from jiceng.simulation._scenario import DepartmentModel, Scenario

__all__ = ["format_metrics", "format_result", "mmc_scenario"]

_DEFAULT_START = datetime(2024, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def mmc_scenario(
    per_hour: float,
    handlers: int,
    *,
    days: float = 30,
    mean_service: timedelta = timedelta(hours=1),
    warmup: timedelta | None = None,
    start: datetime = _DEFAULT_START,
    category: str = "市容环境",
    department: str = "城管局",
    service_mean_hours: float | None = None,
) -> Scenario:
    """An M/M/c scenario: one department, Poisson reports, exponential service, a CategoryPolicy.

    It is the model behind ``python -m jiceng simulate --per-hour 9 --handlers 10 --days 30``, and
    the one :func:`erlang_c_wait` describes exactly.

    Args:
        per_hour: Reports per hour (λ).
        handlers: Handlers (c).
        days: The run's length in days.
        mean_service: The mean service time (1/μ).
        warmup: The warm-up; default a tenth of the run.
        start: When the run starts (default 2024-01-01 00:00 in Shanghai).
        category: The single category reported.
        department: The department's name.
        service_mean_hours: The mean service time in hours, a CLI-friendly alternative to
            ``mean_service`` (it wins when given).

    Raises:
        ValidationError: As for :class:`Scenario` (every problem at once), or ``days`` not a
            positive number.

    >>> s = mmc_scenario(per_hour=9, handlers=10, days=30)
    >>> s.departments[0].handlers, s.duration.days, s.warmup.days
    (10, 30, 3)
    """
    given: object = days
    if isinstance(given, bool) or not isinstance(given, int | float) or not given > 0:
        raise ValidationError.for_field("days", days, "must be a positive number")
    duration = timedelta(days=days)
    if service_mean_hours is not None:
        hours: object = service_mean_hours
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not hours > 0:
            raise ValidationError.for_field(
                "service_mean_hours", service_mean_hours, "must be a positive number"
            )
        mean_service = timedelta(hours=service_mean_hours)
    return Scenario(
        departments=[
            DepartmentModel(department, handlers=handlers, service=Exponential(mean=mean_service))
        ],
        arrivals=PoissonArrivals(per_hour=per_hour, mix={category: 1.0}),
        policy=CategoryPolicy({category: department}),
        start=start,
        duration=duration,
        warmup=duration / 10 if warmup is None else warmup,
    )


def _hours(value: timedelta | None) -> str:
    return "—" if value is None else f"{value.total_seconds() / 3600:.3f} h"


def _times(summary: TimeSummary) -> str:
    return (
        f"n={summary.count}, mean={_hours(summary.mean)}, median={_hours(summary.median)}, "
        f"p90={_hours(summary.p90)}, max={_hours(summary.max)}"
    )


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def format_metrics(metrics: Metrics | SimulationResult, *, lang: str = "zh") -> str:
    """The metrics as a few readable lines, Chinese (``"zh"``) or English (``"en"``).

    Given a whole :class:`SimulationResult`, it formats it with :func:`format_result` (overall,
    then per department).

    Raises:
        ValidationError: An unknown ``lang``.

    >>> from datetime import datetime, timezone
    >>> from jiceng.metrics import MetricsAccumulator
    >>> m = MetricsAccumulator(now=datetime(2024, 1, 1, tzinfo=timezone.utc)).result()
    >>> str(format_metrics(m, lang="en").splitlines()[0])
    'tasks: 0 arrived, 0 closed, 0 cancelled, 0 open (0 overdue)'
    """
    if isinstance(metrics, SimulationResult):
        return format_result(metrics, lang=lang)
    m = metrics
    if lang == "zh":
        lines = [
            f"工单：到达 {m.arrived}，结案 {m.closed}，注销 {m.cancelled}，在办 {m.open}"
            f"（超期 {m.overdue}）",
            f"响应时长（签收等待）：{_times(m.response_time)}",
            f"办理时长：{_times(m.handling_time)}",
            f"按期办结率 {_rate(m.on_time_rate)}，退回率 {_rate(m.return_rate)}，"
            f"返工率 {_rate(m.rework_rate)}",
            f"三率（有效回访 {m.valid_callbacks}）：响应率 {_rate(m.response_rate)}，"
            f"解决率 {_rate(m.resolution_rate)}，满意率 {_rate(m.satisfaction_rate)}",
        ]
    elif lang == "en":
        lines = [
            f"tasks: {m.arrived} arrived, {m.closed} closed, {m.cancelled} cancelled, "
            f"{m.open} open ({m.overdue} overdue)",
            f"response time (queueing delay): {_times(m.response_time)}",
            f"handling time: {_times(m.handling_time)}",
            f"on-time rate {_rate(m.on_time_rate)}, return rate {_rate(m.return_rate)}, "
            f"rework rate {_rate(m.rework_rate)}",
            f"callbacks ({m.valid_callbacks} valid): response {_rate(m.response_rate)}, "
            f"resolution {_rate(m.resolution_rate)}, satisfaction {_rate(m.satisfaction_rate)}",
        ]
    else:
        raise ValidationError.for_field("lang", lang, "must be 'zh' or 'en'")
    return "\n".join(lines)


def format_result(result: SimulationResult, *, lang: str = "zh") -> str:
    """A run's metrics, then one block per department (``None``: tasks nobody could take).

    Raises:
        ValidationError: An unknown ``lang``.
    """
    overall = "全部" if lang == "zh" else "all"
    unrouted = "未派出" if lang == "zh" else "not routed"
    blocks = [f"== {overall} ==\n{format_metrics(result.metrics, lang=lang)}"]
    if len(result.by_department) > 1:
        for name, metrics in result.by_department.items():
            title = unrouted if name is None else name
            blocks.append(f"== {title} ==\n{format_metrics(metrics, lang=lang)}")
    return "\n".join(blocks)
