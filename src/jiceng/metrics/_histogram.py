"""The bounded duration histogram behind :class:`~jiceng.metrics.TimeSummary` (private)."""

from __future__ import annotations

import math
from datetime import timedelta

from jiceng.metrics._values import TimeSummary

__all__ = ["MAX_SECONDS", "Durations"]

# --- the duration histogram -------------------------------------------------------------------
# Durations are kept in whole microseconds (timedelta's resolution). Values below _EXACT
# microseconds get a bucket each (exact); larger ones fall into logarithmic buckets of ratio
# _RATIO, whose keys (floor(log_r(us)) >= 557) never collide with the exact ones. The estimate is
# the bucket's geometric midpoint, at most sqrt(1.01) - 1 < 0.5% from any value in it, clamped to
# the exact minimum and maximum. There are fewer than 3,900 keys for durations up to 142 years,
# so memory is O(buckets), never O(tasks).
#
# Counts and sums are integer-valued floats: CPython recycles floats through a free list, while an
# int above 256 is a fresh allocation each time. Log-bucket keys are the ints math.floor returns
# (cheaper than float floor division; a key is a short-lived object, never accumulated).
# Integer-valued floats add exactly below 2**53; the running sum is flushed into an exact int
# before it reaches _FLUSH, so the total (and the mean) stay exact.
_RATIO = 1.01
_EXACT = 256.0
_INV_LOG_RATIO = 1.0 / math.log(_RATIO)
_FLUSH = float(2**52)
_MAX_SECONDS = 2**52 / 1e6
"""The longest duration counted: 2**52 microseconds, about 142 years."""
_log = math.log
_floor = math.floor


def _divide_and_round(a: int, b: int) -> int:
    """Divide integers rounding half to even, exactly as ``timedelta / int`` does."""
    q, r = divmod(a, b)
    r2 = 2 * r
    if r2 > b or (r2 == b and q % 2 == 1):
        q += 1
    return q


class _Durations:
    """A streaming summary of durations: exact count, sum, min and max; bucketed quantiles."""

    __slots__ = ("buckets", "flushed", "max_us", "min_us", "total")

    def __init__(self) -> None:
        self.total = 0.0  # an integer-valued float below _FLUSH
        self.flushed = 0  # the exact int part of the sum
        self.max_us = -1.0
        self.min_us = -1.0
        self.buckets: dict[float, float] = {}  # key (exact µs, or an int log-bucket) -> count

    def __getstate__(self) -> tuple[float, int, float, float, dict[float, float]]:
        return (self.total, self.flushed, self.max_us, self.min_us, self.buckets)

    def __setstate__(self, state: tuple[float, int, float, float, dict[float, float]]) -> None:
        self.total, self.flushed, self.max_us, self.min_us, self.buckets = state

    @property
    def count(self) -> int:
        return int(sum(self.buckets.values()))

    def add(self, us: float) -> None:
        """Count one duration: a non-negative integer-valued float of microseconds (≤ 2**52)."""
        key = _floor(_log(us) * _INV_LOG_RATIO) if us >= _EXACT else us
        buckets = self.buckets
        buckets[key] = buckets.get(key, 0.0) + 1.0
        total = self.total + us
        if total >= _FLUSH:
            self.flushed += int(total)
            total = 0.0
        self.total = total
        if us > self.max_us:  # noqa: PLR1730 -- cheaper than max() on the hot path
            self.max_us = us
        if us < self.min_us or self.min_us < 0.0:
            self.min_us = us

    def add_many(self, values: list[float]) -> None:
        """Count many durations at once (microsecond floats as for :meth:`add`), in one tight loop."""
        buckets = self.buckets
        get = buckets.get
        total = self.total
        flushed = self.flushed
        high = self.max_us
        low = self.min_us
        if low < 0.0 and values:
            low = values[0]
        log = _log
        floor = _floor
        inv = _INV_LOG_RATIO
        for us in values:
            key = floor(log(us) * inv) if us >= _EXACT else us
            buckets[key] = get(key, 0.0) + 1.0
            total += us
            if total >= _FLUSH:
                flushed += int(total)
                total = 0.0
            if us > high:  # noqa: PLR1730 -- cheaper than max() on the hot path
                high = us
            if us < low:  # noqa: PLR1730 -- cheaper than min() on the hot path
                low = us
        self.total = total
        self.flushed = flushed
        self.max_us = high
        self.min_us = low

    def merge(self, other: _Durations) -> None:
        if not other.buckets:
            return
        if not self.buckets or other.min_us < self.min_us:
            self.min_us = other.min_us
        buckets = self.buckets
        for key, n in other.buckets.items():
            buckets[key] = buckets.get(key, 0.0) + n
        self.max_us = max(self.max_us, other.max_us)
        self.flushed += other.flushed + int(self.total) + int(other.total)
        self.total = 0.0

    def quantile_us(self, count: int, numerator: int, denominator: int) -> int:
        """The quantile ``numerator/denominator`` (estimated), in microseconds.

        It interpolates linearly between the order statistics around position ``q × (n − 1)``:
        numpy's default percentile, and ``statistics.median`` for ``q = 1/2`` (the median of an
        even count is the midpoint of the two middle values).
        """
        position = (count - 1) * numerator / denominator
        lower = int(position)
        fraction = position - lower
        low, high = self._order_statistics(lower, 2 if fraction else 1)
        return round(low + fraction * (high - low))

    def _order_statistics(self, first: int, how_many: int) -> tuple[float, float]:
        """Estimates of the 0-based order statistics ``first`` and ``first + how_many - 1``."""
        wanted = [first, first + how_many - 1]
        found: list[float] = []
        seen = 0.0
        for key in sorted(self.buckets):  # pragma: no branch -- both ranks are below the count
            seen += self.buckets[key]
            estimate = key if key < _EXACT else _RATIO ** (key + 0.5)
            estimate = min(max(estimate, self.min_us), self.max_us)
            while wanted and seen > wanted[0]:
                found.append(estimate)
                wanted.pop(0)
            if not wanted:
                break
        return found[0], found[1]

    def summary(self) -> TimeSummary:
        count = self.count
        if not count:
            return TimeSummary(0, None, None, None, None)
        return TimeSummary(
            count,
            timedelta(microseconds=_divide_and_round(self.flushed + int(self.total), count)),
            timedelta(microseconds=self.quantile_us(count, 1, 2)),
            timedelta(microseconds=self.quantile_us(count, 9, 10)),
            timedelta(microseconds=int(self.max_us)),
        )


MAX_SECONDS = _MAX_SECONDS
Durations = _Durations
