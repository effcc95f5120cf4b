"""Service-time distributions (办理时长分布): timedelta in, timedelta out, with a float fast path.

Every distribution is a frozen value. :meth:`sample` draws one ``timedelta`` from an explicit
``random.Random``; the engine instead binds a private float-seconds sampler once per run
(``_sampler(rng)``), drawing the very same numbers in the very same order, without building a
``timedelta`` per task.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from itertools import chain, repeat
from typing import Protocol, runtime_checkable

from attrs import field, frozen

from jiceng.errors import ValidationError
from jiceng.simulation._stats import check_positive

__all__ = [
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "LogNormal",
    "exponential_stream",
    "sampler_for",
    "stream_sampler",
]

_ZERO = timedelta(0)


@runtime_checkable
class Distribution(Protocol):
    """Anything with ``sample(rng) -> timedelta`` can be a service-time distribution.

    The built-ins also give the engine a float-seconds fast path; a custom distribution without one
    still works (the engine converts each ``timedelta`` to seconds).
    """

    def sample(self, rng: random.Random, /) -> timedelta:
        """Draw one non-negative duration using only ``rng``."""


def _positive_duration(name: str, value: object) -> float:
    """Return ``value`` in seconds if it is a positive timedelta, else raise ``ValidationError``."""
    if not isinstance(value, timedelta):
        raise ValidationError.for_field(name, value, "must be a timedelta")
    if value <= _ZERO:
        raise ValidationError.for_field(name, value, "must be positive")
    return value.total_seconds()


def _check_all(
    what: str, checks: tuple[tuple[Callable[[str, object], float], str, object], ...]
) -> None:
    """Run every check and raise one error listing all failures."""
    problems = []
    for check, name, value in checks:
        problems.extend(_failure(check, name, value))
    if problems:
        raise ValidationError.collect(problems, what=what)


def _failure(check: Callable[[str, object], float], name: str, value: object) -> list[str]:
    try:
        check(name, value)
    except ValidationError as exc:
        return [str(exc)]
    return []


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


@frozen
class Exponential:
    """Exponentially distributed durations (the "M" in M/M/c), given their mean.

    >>> d = Exponential(mean=timedelta(hours=1))
    >>> d.sample(random.Random(1))
    datetime.timedelta(seconds=519, microseconds=447831)
    """

    mean: timedelta = field(kw_only=True)

    def __attrs_post_init__(self) -> None:
        _positive_duration("mean", self.mean)

    def sample(self, rng: random.Random, /) -> timedelta:
        """Draw one duration."""
        return _seconds(self._sampler(rng)())

    def _sampler(self, rng: random.Random) -> Callable[[], float]:
        return partial(rng.expovariate, 1.0 / self.mean.total_seconds())


@frozen
class Deterministic:
    """Always the same duration (the "D" in M/D/c); draws no random numbers.

    >>> Deterministic(value=timedelta(minutes=30)).sample(random.Random(1))
    datetime.timedelta(seconds=1800)
    """

    value: timedelta = field(kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.value, timedelta):
            raise ValidationError.for_field("value", self.value, "must be a timedelta")
        if self.value < _ZERO:
            raise ValidationError.for_field("value", self.value, "must not be negative")

    @property
    def mean(self) -> timedelta:
        """The mean, which is the value itself."""
        return self.value

    def sample(self, rng: random.Random, /) -> timedelta:
        """Return the value."""
        return self.value

    def _sampler(self, rng: random.Random) -> Callable[[], float]:
        return repeat(self.value.total_seconds()).__next__


@frozen
class LogNormal:
    """Log-normal durations given their **mean** (not the log-mean) and the log's ``sigma``.

    Handling times of real hotline work orders are right-skewed; a log-normal with ``sigma``
    around 1 fits many of them. The log-mean is ``ln(mean) - sigma**2 / 2``, so the mean of the
    samples is ``mean``.

    >>> d = LogNormal(mean=timedelta(hours=2), sigma=1.0)
    >>> d.sample(random.Random(1)) > timedelta(0)
    True
    """

    mean: timedelta = field(kw_only=True)
    sigma: float = field(kw_only=True)

    def __attrs_post_init__(self) -> None:
        _check_all(
            "LogNormal",
            (
                (_positive_duration, "mean", self.mean),
                (check_positive, "sigma", self.sigma),
            ),
        )

    def sample(self, rng: random.Random, /) -> timedelta:
        """Draw one duration."""
        return _seconds(self._sampler(rng)())

    def _sampler(self, rng: random.Random) -> Callable[[], float]:
        sigma = float(self.sigma)
        mu = math.log(self.mean.total_seconds()) - sigma * sigma / 2.0
        return partial(rng.lognormvariate, mu, sigma)


@frozen
class Gamma:
    """Gamma durations given their mean and ``shape`` (k); ``shape=1`` is the exponential.

    The scale is ``mean / shape``; the coefficient of variation is ``1 / sqrt(shape)``.

    >>> Gamma(mean=timedelta(hours=1), shape=4.0).sample(random.Random(1)) > timedelta(0)
    True
    """

    mean: timedelta = field(kw_only=True)
    shape: float = field(kw_only=True)

    def __attrs_post_init__(self) -> None:
        _check_all(
            "Gamma",
            (
                (_positive_duration, "mean", self.mean),
                (check_positive, "shape", self.shape),
            ),
        )

    def sample(self, rng: random.Random, /) -> timedelta:
        """Draw one duration."""
        return _seconds(self._sampler(rng)())

    def _sampler(self, rng: random.Random) -> Callable[[], float]:
        shape = float(self.shape)
        return partial(rng.gammavariate, shape, self.mean.total_seconds() / shape)


def _durations(values: Iterable[timedelta]) -> tuple[timedelta, ...]:
    if isinstance(values, timedelta) or not isinstance(values, Iterable):
        raise ValidationError.for_field("values", values, "must be a collection of timedeltas")
    return tuple(values)


@frozen
class Empirical:
    """Resample observed durations (bootstrap): each draw picks one value uniformly.

    Use it to replay the handling times measured in a real task log.

    >>> d = Empirical(values=[timedelta(minutes=m) for m in (10, 20, 30)])
    >>> d.mean
    datetime.timedelta(seconds=1200)
    >>> d.sample(random.Random(1)) in d.values
    True
    """

    values: tuple[timedelta, ...] = field(kw_only=True, converter=_durations)

    def __attrs_post_init__(self) -> None:
        if not self.values:
            raise ValidationError.for_field("values", self.values, "must not be empty")
        given: tuple[object, ...] = self.values
        bad = [v for v in given if not isinstance(v, timedelta) or v < _ZERO]
        if bad:
            raise ValidationError.for_field(
                "values", bad[0], f"{len(bad)} value(s) are not non-negative timedeltas"
            )

    @property
    def mean(self) -> timedelta:
        """The mean of the observed values."""
        return sum(self.values, _ZERO) / len(self.values)

    def sample(self, rng: random.Random, /) -> timedelta:
        """Draw one of the values (a single value is returned without drawing)."""
        n = len(self.values)
        return self.values[0] if n == 1 else self.values[int(rng.random() * n)]

    def _sampler(self, rng: random.Random) -> Callable[[], float]:
        seconds = [v.total_seconds() for v in self.values]
        n = len(seconds)
        uniform = rng.random
        if n == 1:
            return repeat(seconds[0]).__next__

        def draw() -> float:
            return seconds[int(uniform() * n)]

        return draw


def sampler_for(distribution: Distribution, rng: random.Random) -> Callable[[], float]:
    """A zero-argument callable drawing float seconds from ``distribution`` with ``rng``.

    Built-ins use their bound fast path; any other :class:`Distribution` is wrapped, so it draws
    exactly what its ``sample`` would.

    >>> draw = sampler_for(Deterministic(value=timedelta(seconds=5)), random.Random(0))
    >>> draw()
    5.0
    """
    fast = getattr(distribution, "_sampler", None)
    if fast is not None:
        result: Callable[[], float] = fast(rng)
        return result
    sample = distribution.sample

    def draw() -> float:
        return sample(rng).total_seconds()

    return draw


_BLOCK = 256


def _formula_matches_expovariate() -> bool:
    """Whether ``-log(1 - random()) / lambd`` is exactly what this Python's expovariate draws."""
    one, two = random.Random(2026), random.Random(2026)
    lambd = 1.0 / 3600.0
    return all(one.expovariate(lambd) == -math.log(1.0 - two.random()) / lambd for _ in range(64))


_INLINE_EXPONENTIAL = _formula_matches_expovariate()


def stream_sampler(distribution: Distribution, rng: random.Random) -> Callable[[], float]:
    """Like :func:`sampler_for`, for a generator that nothing else draws from.

    It returns the very same values in the very same order, but draws exponential ones in
    blocks of 256 inside one comprehension (no Python call per draw), so it may run ahead of
    the values it has returned. The simulation gives each department's service its own
    generator, so this changes no result.

    >>> a = stream_sampler(Exponential(mean=timedelta(hours=1)), random.Random(7))
    >>> b = sampler_for(Exponential(mean=timedelta(hours=1)), random.Random(7))
    >>> [a() for _ in range(300)] == [b() for _ in range(300)]
    True
    """
    if not (_INLINE_EXPONENTIAL and isinstance(distribution, Exponential)):
        return sampler_for(distribution, rng)
    return exponential_stream(rng, 1.0 / distribution.mean.total_seconds())


def exponential_stream(rng: random.Random, lambd: float) -> Callable[[], float]:
    """Draws of ``rng.expovariate(lambd)``, in order, computed in blocks (see :func:`stream_sampler`).

    Only for a generator that nothing else draws from.

    >>> a = exponential_stream(random.Random(3), 0.5)
    >>> b = random.Random(3)
    >>> [a() for _ in range(300)] == [b.expovariate(0.5) for _ in range(300)]
    True
    """
    if not _INLINE_EXPONENTIAL:  # pragma: no cover -- every CPython so far uses the formula
        return partial(rng.expovariate, lambd)
    draw = rng.random
    log = math.log
    count = range(_BLOCK)

    def block() -> list[float]:
        return [-log(1.0 - draw()) / lambd for _ in count]

    return chain.from_iterable(iter(block, None)).__next__
