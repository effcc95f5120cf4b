"""Streaming task metrics (工单指标): 三率, on-time and return rates, response and handling times.

One accumulator feeds :func:`summarize`, the departmental evaluation in :mod:`jiceng.coordination`
and the simulation. It keeps counters and two bounded histograms, so its memory does not grow with
the number of tasks: a year of a city's hotline fits in a few hundred kilobytes per group.

There are two ways in:

- :meth:`MetricsAccumulator.add` reads a full :class:`~jiceng.models.Task`;
- :meth:`MetricsAccumulator.add_values` is the fast path for engines that keep no ``Task`` objects.
  It takes plain values (float seconds, booleans) in a fixed positional order, and ``add`` derives
  exactly those values from a task, so both paths agree.

The figures (all in :class:`Metrics`):

- counts: ``arrived``, ``closed`` (已结案), ``cancelled`` (已注销), ``open`` and ``overdue`` (超期);
- the three rates (三率) over valid callbacks (有效回访, a task with a recorded callback; the latest
  one counts): 响应率 ``response_rate`` = contacted / valid, 解决率 ``resolution_rate`` = resolved /
  valid, 满意率 ``satisfaction_rate`` = (satisfied + 0.9 × basically satisfied) / valid;
- ``on_time_rate`` = resolved on time / (resolved with a due time + unresolved already past due);
- ``return_rate`` = ever sent back (回退) / ever dispatched; ``rework_rate`` = ever reworked (返工) /
  ever resolved;
- ``response_time`` (accepted − dispatched) and ``handling_time`` (resolved − dispatched) as
  :class:`TimeSummary`.

A rate whose denominator is zero is ``None``. Every count behind a rate is in :class:`Metrics` too,
so a person can recompute each rate by hand.

>>> from datetime import datetime, timezone
>>> from jiceng.models import Satisfaction
>>> acc = MetricsAccumulator(now=datetime(2024, 1, 1, tzinfo=timezone.utc))
>>> acc.add_values(
...     CLOSED,
...     600.0,
...     7200.0,
...     True,
...     False,
...     True,
...     False,
...     True,
...     False,
...     True,
...     True,
...     Satisfaction.SATISFIED,
... )
>>> acc.add_values(OPEN, 1200.0, None, False, True, True, True, False, False, None, None, None)
>>> m = acc.result()
>>> m.arrived, m.closed, m.open, m.overdue, m.on_time_rate, m.return_rate
(2, 1, 1, 1, 0.5, 0.5)
>>> m.response_time.mean, m.response_time.max
(datetime.timedelta(seconds=900), datetime.timedelta(seconds=1200))
"""

from __future__ import annotations

from jiceng.metrics._accumulator import (
    CANCELLED,
    CLOSED,
    OPEN,
    GroupedAccumulator,
    MeasuredTask,
    MetricsAccumulator,
    Row,
    task_values,
)
from jiceng.metrics._summarize import GROUP_KEYS, summarize
from jiceng.metrics._values import Metrics, TimeSummary

__all__ = [
    "CANCELLED",
    "CLOSED",
    "GROUP_KEYS",
    "OPEN",
    "GroupedAccumulator",
    "MeasuredTask",
    "Metrics",
    "MetricsAccumulator",
    "Row",
    "TimeSummary",
    "summarize",
    "task_values",
]


def __dir__() -> list[str]:
    return list(__all__)
