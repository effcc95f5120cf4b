"""Arrival processes (来件): Poisson, a time-of-day/day-of-week profile, and trace replay.

Each arrival process is a frozen, picklable value. The engine asks it for the distinct task
*shapes* it can produce (category, grid and the other fields a dispatch policy may read) and for a
lazy stream of ``(seconds since start, shape index)`` pairs, so arrivals are never materialised.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from typing import Union

from attrs import field, frozen

from jiceng.errors import ValidationError
from jiceng.models import Channel, Priority

__all__ = [
    "Arrivals",
    "MixKey",
    "PoissonArrivals",
    "ProfileArrivals",
    "TraceArrivals",
]

MixKey = Union[str, tuple[str, Union[str, None]]]  # noqa: UP007 -- a runtime alias on 3.10
"""A key of an arrival mix: a category, or a ``(category, grid)`` pair."""

_UTC = timezone.utc


@frozen
class Shape:
    """What a dispatch policy may read about a generated task, except its id (private)."""

    category: str
    grid: str | None
    description: str = ""
    location: str = ""
    priority: Priority = Priority.NORMAL
    channel: Channel = Channel.HOTLINE


def _copy_mix(mix: Mapping[MixKey, float]) -> dict[MixKey, float]:
    given: object = mix
    return dict(mix) if isinstance(given, Mapping) else given  # type: ignore[return-value]  # reported by the checks


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _mix_problems(mix: object, where: str) -> list[str]:
    if not isinstance(mix, Mapping) or not mix:
        return [f"{where}.mix={mix!r}: must be a non-empty mapping of category → weight"]
    problems = []
    total = 0.0
    for key, weight in mix.items():
        category = key[0] if isinstance(key, tuple) and len(key) == 2 else key
        grid = key[1] if isinstance(key, tuple) and len(key) == 2 else None
        if not isinstance(category, str) or not category.strip():
            problems.append(f"{where}.mix key {key!r}: must be a category or (category, grid)")
        elif grid is not None and (not isinstance(grid, str) or not grid.strip()):
            problems.append(f"{where}.mix key {key!r}: the grid must be a non-empty string")
        if not _is_number(weight) or weight < 0:
            problems.append(f"{where}.mix[{key!r}]={weight!r}: must be a finite number ≥ 0")
        else:
            total += weight
    if not problems and total <= 0:
        problems.append(f"{where}.mix: the weights must sum to a positive number (got {total})")
    return problems


def _rate_problems(per_hour: object, where: str) -> list[str]:
    if not _is_number(per_hour) or per_hour < 0:  # type: ignore[operator]
        return [f"{where}.per_hour={per_hour!r}: must be a finite number ≥ 0"]
    return []


def _mix_shapes(mix: Mapping[MixKey, float]) -> tuple[list[Shape], list[float]]:
    shapes = []
    for key in mix:
        if isinstance(key, tuple):
            shapes.append(Shape(key[0], key[1]))
        else:
            shapes.append(Shape(key, None))
    return shapes, list(accumulate(float(w) for w in mix.values()))


def _chooser(cumulative: list[float], rng: random.Random) -> Iterator[int]:
    """An endless stream of shape indexes drawn by the mix weights (one ``random()`` each)."""
    if len(cumulative) == 1:
        while True:
            yield 0
    total = cumulative[-1]
    last = len(cumulative) - 1
    uniform = rng.random
    while True:
        yield min(bisect_right(cumulative, uniform() * total), last)


@frozen
class PoissonArrivals:
    """A homogeneous Poisson stream (泊松到达) of ``per_hour`` reports, split by a category mix.

    Args:
        per_hour: The mean number of reports per hour (λ); 0 gives none.
        mix: ``{category: weight}``; a key may also be ``(category, grid)`` so territorial policies
            see grids. Weights need not sum to 1; they must be ≥ 0 with a positive sum.

    Values are checked together with the whole :class:`Scenario`, so one error lists every problem.

    >>> arrivals = PoissonArrivals(per_hour=9, mix={"环境卫生": 2, "噪声扰民": 1})
    >>> arrivals.per_hour
    9
    """

    per_hour: float = field(kw_only=True)
    mix: dict[MixKey, float] = field(kw_only=True, converter=_copy_mix)

    def _problems(self, where: str) -> list[str]:
        return _rate_problems(self.per_hour, where) + _mix_problems(self.mix, where)

    def _shapes(self) -> list[Shape]:
        return _mix_shapes(self.mix)[0]

    def _stream(
        self, start: datetime, horizon: float, rng: random.Random
    ) -> Iterator[tuple[float, int]]:
        del start  # a homogeneous process does not depend on the clock
        cumulative = _mix_shapes(self.mix)[1]
        if self.per_hour <= 0:
            return
        gap = rng.expovariate
        rate = self.per_hour / 3600.0
        t = gap(rate)
        if len(cumulative) == 1:
            while t <= horizon:
                yield t, 0
                t += gap(rate)
            return
        uniform = rng.random
        total = cumulative[-1]
        last = len(cumulative) - 1
        while t <= horizon:
            yield t, min(bisect_right(cumulative, uniform() * total), last)
            t += gap(rate)


def _factors(value: Iterable[float]) -> tuple[float, ...]:
    given: object = value
    if isinstance(given, Iterable) and not isinstance(given, str):
        return tuple(value)
    return given  # type: ignore[return-value]  # reported by the checks


@frozen
class ProfileArrivals:
    """A Poisson stream whose rate follows the hour of day and the day of week (到达曲线).

    The rate in a local hour is ``per_hour × hourly[hour] × weekly[weekday]`` (weekday 0 is
    Monday), read in the scenario start's time zone. The process is exact for piecewise-constant
    rates: within each hour it draws exponential gaps at that hour's rate, and it restarts at every
    hour boundary (memorylessness makes the restart exact). To keep ``per_hour`` as the long-run mean,
    give factors that average 1.

    Args:
        per_hour: The base rate (reports per hour).
        mix: As for :class:`PoissonArrivals`.
        hourly: 24 factors, one per local hour (default all 1).
        weekly: 7 factors, Monday first (default all 1).

    >>> quiet_nights = tuple(0.2 if h < 7 else 1.3 for h in range(24))
    >>> ProfileArrivals(per_hour=10, mix={"噪声扰民": 1}, hourly=quiet_nights).hourly[0]
    0.2
    """

    per_hour: float = field(kw_only=True)
    mix: dict[MixKey, float] = field(kw_only=True, converter=_copy_mix)
    hourly: tuple[float, ...] = field(default=(1.0,) * 24, kw_only=True, converter=_factors)
    weekly: tuple[float, ...] = field(default=(1.0,) * 7, kw_only=True, converter=_factors)

    def _problems(self, where: str) -> list[str]:
        problems = _rate_problems(self.per_hour, where) + _mix_problems(self.mix, where)
        for name, factors, size in (("hourly", self.hourly, 24), ("weekly", self.weekly, 7)):
            given: object = factors
            if not isinstance(given, tuple) or len(given) != size:
                problems.append(f"{where}.{name}={factors!r}: must hold exactly {size} factors")
            elif not all(_is_number(f) and f >= 0 for f in factors):
                problems.append(f"{where}.{name}={factors!r}: factors must be finite and ≥ 0")
        return problems

    def _shapes(self) -> list[Shape]:
        return _mix_shapes(self.mix)[0]

    def _stream(
        self, start: datetime, horizon: float, rng: random.Random
    ) -> Iterator[tuple[float, int]]:
        cumulative = _mix_shapes(self.mix)[1]
        zone = start.tzinfo
        local = start
        boundary = local.replace(minute=0, second=0, microsecond=0).astimezone(_UTC)
        origin = start.astimezone(_UTC)
        gap = rng.expovariate
        choose = _chooser(cumulative, rng).__next__
        base = self.per_hour / 3600.0
        hourly, weekly = self.hourly, self.weekly
        hour = timedelta(hours=1)
        lo = 0.0
        while lo < horizon:
            wall = boundary.astimezone(zone)
            boundary += hour
            hi = min((boundary - origin).total_seconds(), horizon)
            rate = base * hourly[wall.hour] * weekly[wall.weekday()]
            if rate > 0 and hi > lo:
                t = lo + gap(rate)
                while t < hi:
                    yield t, choose()
                    t += gap(rate)
            lo = max(hi, lo)
        # The last instant (t == horizon) is included for a homogeneous stream; here it has
        # probability zero, so the profile's half-open hours are equivalent.


def _trace_record(item: object, index: int, problems: list[str]) -> tuple[datetime, Shape] | None:
    where = f"records[{index}]"
    if isinstance(item, tuple):
        if len(item) not in (2, 3):
            problems.append(f"{where}={item!r}: must be (at, category) or (at, category, grid)")
            return None
        at, category = item[0], item[1]
        grid = item[2] if len(item) == 3 else None
        fields: dict[str, object] = {}
    else:
        at = getattr(item, "reported_at", None)
        category = getattr(item, "category", None)
        grid = getattr(item, "grid", None)
        fields = {
            "description": getattr(item, "description", ""),
            "location": getattr(item, "location", ""),
            "priority": getattr(item, "priority", Priority.NORMAL),
            "channel": getattr(item, "channel", Channel.HOTLINE),
        }
    before = len(problems)
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        problems.append(f"{where}: at={at!r} must be a timezone-aware datetime")
    if not isinstance(category, str) or not category.strip():
        problems.append(f"{where}: category={category!r} must be a non-empty string")
    if grid is not None and (not isinstance(grid, str) or not grid.strip()):
        problems.append(f"{where}: grid={grid!r} must be None or a non-empty string")
    if len(problems) > before:
        return None
    assert isinstance(at, datetime)
    return at, Shape(category, grid, **fields)  # type: ignore[arg-type]


_MAX_LISTED = 20


def _trace(items: Iterable[object]) -> tuple[tuple[datetime, Shape], ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise ValidationError.for_field(
            "records", items, "must be an iterable of tasks or (at, category[, grid]) records"
        )
    problems: list[str] = []
    records = []
    for index, item in enumerate(items):
        record = _trace_record(item, index, problems)
        if record is not None:
            records.append(record)
    if problems:
        shown = problems[:_MAX_LISTED]
        if len(problems) > _MAX_LISTED:
            shown.append(f"… and {len(problems) - _MAX_LISTED} more problems")
        raise ValidationError.collect(shown, what="TraceArrivals")
    records.sort(key=lambda r: r[0].astimezone(_UTC))
    return tuple(records)


@frozen
class TraceArrivals:
    """Replay real reports (回放): their times, categories, grids and, for tasks, their text.

    Args:
        tasks_or_records: Tasks (anything with ``reported_at`` and ``category``; ``grid``,
            ``description``, ``location``, ``priority`` and ``channel`` are used when present) or
            plain ``(at, category)`` / ``(at, category, grid)`` tuples, e.g. NYC 311 ``Created
            Date`` and ``Complaint Type``. They are sorted by time (stably) and kept as
            :attr:`records`; reports before the scenario's start or after its end are skipped.

    Raises:
        ValidationError: Listing every bad record (a naive time, an empty category …) at once.

    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2024, 5, 6, 9, tzinfo=timezone.utc)
    >>> trace = TraceArrivals([(t0, "Noise - Residential"), (t0, "Illegal Parking", "MN01")])
    >>> len(trace.records)
    2
    """

    records: tuple[tuple[datetime, Shape], ...] = field(converter=_trace, alias="tasks_or_records")

    def _problems(self, where: str) -> list[str]:
        del where  # records are checked when the trace is built
        return []

    def _shapes(self) -> list[Shape]:
        seen: dict[Shape, int] = {}
        for _, shape in self.records:
            seen.setdefault(shape, len(seen))
        return list(seen)

    def _stream(
        self, start: datetime, horizon: float, rng: random.Random
    ) -> Iterator[tuple[float, int]]:
        del rng  # a replay draws no random numbers
        index = {shape: i for i, shape in enumerate(self._shapes())}
        origin = start.astimezone(_UTC)
        for at, shape in self.records:
            t = (at.astimezone(_UTC) - origin).total_seconds()
            if t < 0:
                continue
            if t > horizon:
                return
            yield t, index[shape]


Arrivals = Union[PoissonArrivals, ProfileArrivals, TraceArrivals]  # noqa: UP007 -- runtime alias
"""Any of the arrival processes a :class:`Scenario` accepts."""
