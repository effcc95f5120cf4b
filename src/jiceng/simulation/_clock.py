"""The working clock: maps wall seconds to working seconds and back, for a WorkCalendar (private).

With a calendar, the queues run on *working time*: a handler's service of ``d`` working seconds
started at working instant ``τ`` ends at ``τ + d``. Wall time ``t`` (seconds since the scenario's
start) maps to ``W(t)``, the working seconds elapsed since the start, which is flat outside working
periods. Its inverses are used the two natural ways:

* a service **starts** at the first working instant with ``W = τ`` (after the night, not at
  17:30): :meth:`start_wall`;
* a service **ends**, and a working-time deadline **falls**, at the earliest instant with
  ``W = τ`` (17:30, not the next morning), exactly as :meth:`WorkCalendar.add_working_time` does:
  :meth:`end_wall`.

The spans are built from the calendar's public fields with the calendar's own rules (periods read as
wall-clock times in its zone, start included, end excluded, clamped inside daylight-saving gaps).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from datetime import datetime, time, timedelta, timezone

from jiceng.calendar import WorkCalendar

__all__ = ["WorkClock"]

_UTC = timezone.utc
_MAX_SEARCH_DAYS = 3660


class WorkClock:
    """Working time on ``[0, horizon]`` seconds after ``start`` for ``calendar`` (private)."""

    __slots__ = ("_cum", "_ends", "_lengths", "_starts", "horizon_work")

    def __init__(self, calendar: WorkCalendar, start: datetime, horizon: float) -> None:
        zone = calendar.tz
        origin = start.astimezone(_UTC)
        day = start.astimezone(zone).date() - timedelta(days=1)
        spans: list[tuple[float, float]] = []
        searched = 0
        while True:
            if calendar.is_working_day(day):
                lo = (datetime.combine(day, time(), tzinfo=zone) - origin).total_seconds()
                hi = (
                    datetime.combine(day + timedelta(days=1), time(), tzinfo=zone) - origin
                ).total_seconds()
                previous = lo
                for s, e in calendar.periods:
                    a = (datetime.combine(day, s, tzinfo=zone) - origin).total_seconds()
                    end_day = day + timedelta(days=1) if e == time(0) else day
                    b = (datetime.combine(end_day, e, tzinfo=zone) - origin).total_seconds()
                    a = min(max(a, previous), hi)
                    b = min(max(b, a), hi)
                    previous = b
                    if b > max(a, 0.0):
                        spans.append((max(a, 0.0), b))
            if spans and spans[-1][0] > horizon:
                break
            day += timedelta(days=1)
            searched += 1
            if searched > horizon / 86_400 + _MAX_SEARCH_DAYS:
                break
        self._starts = [a for a, _ in spans]
        self._ends = [b for _, b in spans]
        self._lengths = [b - a for a, b in spans]
        cum = [0.0]
        for length in self._lengths:
            cum.append(cum[-1] + length)
        self._cum = cum
        self.horizon_work = self.work(horizon)

    def work(self, t: float) -> float:
        """``W(t)``: working seconds from the start to wall second ``t``."""
        i = bisect_right(self._starts, t) - 1
        if i < 0:
            return 0.0
        return self._cum[i] + min(t - self._starts[i], self._lengths[i])

    def start_wall(self, tau: float) -> float:
        """The first working wall second at which ``W = tau`` (``inf`` if beyond the spans)."""
        i = bisect_right(self._cum, tau) - 1
        if i >= len(self._starts):
            return math.inf
        return self._starts[i] + (tau - self._cum[i])

    def end_wall(self, tau: float) -> float:
        """The earliest wall second at which ``W = tau`` (``inf`` if beyond the spans)."""
        i = max(bisect_left(self._cum, tau) - 1, 0)
        if i >= len(self._starts):
            return math.inf
        return self._starts[i] + (tau - self._cum[i])
