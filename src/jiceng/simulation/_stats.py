"""Queueing theory and statistics helpers: Erlang C, Student t quantiles, estimates with CIs."""

from __future__ import annotations

import math
from collections.abc import Sequence

from attrs import frozen

from jiceng.errors import ValidationError

__all__ = ["Estimate", "check_positive", "erlang_c", "erlang_c_wait", "estimate", "t_quantile"]


def check_positive(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise ``ValidationError``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError.for_field(name, value, "must be a finite number")
    if value <= 0:
        raise ValidationError.for_field(name, value, "must be positive")
    return float(value)


def _servers(servers: object) -> int:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValidationError.for_field("servers", servers, "must be a whole number ≥ 1")
    return servers


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> float:
    """The probability that an arrival has to wait in an M/M/c queue (Erlang C formula).

    Args:
        arrival_rate: λ, arrivals per unit time.
        service_rate: μ, services per unit time per server (same unit as λ).
        servers: c, the number of servers (handlers).

    Returns:
        P(wait > 0), in [0, 1]; 1.0 when the queue is unstable (λ ≥ cμ).

    Raises:
        ValidationError: A rate is not positive, or ``servers`` is not a whole number ≥ 1.

    >>> round(erlang_c(9, 1, 10), 4)
    0.6687
    """
    lam = check_positive("arrival_rate", arrival_rate)
    mu = check_positive("service_rate", service_rate)
    c = _servers(servers)
    a = lam / mu
    rho = a / c
    if rho >= 1:
        return 1.0
    # Erlang B by its stable recursion, then C from B.
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b / (1 - rho * (1 - b))


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """The mean queueing delay W_q of an M/M/c queue, in the rates' time unit.

    ``W_q = C(c, λ/μ) / (cμ − λ)``, where ``C`` is :func:`erlang_c`. A simulated department with
    Poisson arrivals, exponential service and ``c`` handlers has this mean response time
    (签收等待), which makes it a check on the engine and a quick staffing estimate.

    Args:
        arrival_rate: λ, e.g. reports per hour.
        service_rate: μ, e.g. tasks one handler finishes per hour.
        servers: c, the number of handlers.

    Returns:
        The mean wait, in the unit of the rates (hours for per-hour rates); ``math.inf`` when
        λ ≥ cμ.

    Raises:
        ValidationError: A rate is not positive, or ``servers`` is not a whole number ≥ 1.

    >>> round(erlang_c_wait(9, 1, 10), 4)  # λ = 9/h, mean service 1 h, 10 handlers: hours
    0.6687
    """
    c = _servers(servers)
    lam = check_positive("arrival_rate", arrival_rate)
    mu = check_positive("service_rate", service_rate)
    if lam >= c * mu:
        return math.inf
    return erlang_c(lam, mu, c) / (c * mu - lam)


def _t_cdf_two_sided(t: float, df: int) -> float:
    """P(|T| < t) for Student's t with an integer ``df`` (exact finite series, AS 3)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    s = math.sin(theta)
    if df % 2:  # odd
        if df == 1:
            return 2 * theta / math.pi
        term = total = 1.0
        for k in range(2, df - 1, 2):
            term *= c2 * k / (k + 1)
            total += term
        return 2 / math.pi * (theta + s * math.cos(theta) * total)
    term = total = 1.0
    for k in range(1, df - 2, 2):
        term *= c2 * k / (k + 1)
        total += term
    return s * total


def t_quantile(probability: float, df: int) -> float:
    """The quantile of Student's t distribution, e.g. ``t_quantile(0.975, 9)`` ≈ 2.2622.

    Exact to about 1e-9 (bisection on the exact CDF for integer degrees of freedom), with no SciPy.

    Args:
        probability: In (0, 1).
        df: Degrees of freedom, a whole number ≥ 1.

    Raises:
        ValidationError: ``probability`` is outside (0, 1) or ``df`` < 1.

    >>> round(t_quantile(0.975, 9), 4), round(t_quantile(0.975, 1000), 4)
    (2.2622, 1.9623)
    """
    given: object = df
    if isinstance(given, bool) or not isinstance(given, int) or given < 1:
        raise ValidationError.for_field("df", df, "must be a whole number ≥ 1")
    p: object = probability
    if not isinstance(p, int | float) or not 0 < p < 1:
        raise ValidationError.for_field("probability", probability, "must be in (0, 1)")
    if probability == 0.5:
        return 0.0
    upper = probability > 0.5
    two_sided = 2 * probability - 1 if upper else 1 - 2 * probability
    lo, hi = 0.0, 1.0
    while _t_cdf_two_sided(hi, df) < two_sided:
        hi *= 2
    while hi - lo > 1e-12 * hi:
        mid = (lo + hi) / 2
        if _t_cdf_two_sided(mid, df) < two_sided:
            lo = mid
        else:
            hi = mid
    value = (lo + hi) / 2
    return value if upper else -value


@frozen(kw_only=True)
class Estimate:
    """A mean over independent replications with its Student-t confidence interval.

    Attributes:
        mean: The sample mean, or ``None`` when no run gave a value.
        low: The interval's lower end, or ``None`` with fewer than two values.
        high: The interval's upper end, or ``None`` with fewer than two values.
        n: How many runs gave a value (runs where the figure is undefined are left out).
        stdev: The sample standard deviation, or ``None`` with fewer than two values.
        confidence: The interval's level, e.g. 0.95.

    >>> e = estimate([1.0, 2.0, 3.0])
    >>> e.mean, round(e.half_width, 3), e.contains(2.5)
    (2.0, 2.484, True)
    """

    mean: float | None
    low: float | None
    high: float | None
    n: int
    stdev: float | None
    confidence: float = 0.95

    @property
    def half_width(self) -> float | None:
        """Half the interval's width, or ``None``."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the interval (False when there is no interval)."""
        if self.low is None or self.high is None:
            return False
        return self.low <= value <= self.high

    def __str__(self) -> str:
        if self.mean is None:
            return "n/a (n=0)"
        if self.half_width is None:
            return f"{self.mean:.6g} (n={self.n})"
        return f"{self.mean:.6g} ± {self.half_width:.3g} ({self.confidence:.0%} CI, n={self.n})"


def estimate(values: Sequence[float | None], *, confidence: float = 0.95) -> Estimate:
    """The mean of ``values`` (``None`` skipped) with a two-sided Student-t interval.

    Args:
        values: One figure per replication.
        confidence: The interval's level, in (0, 1).

    Raises:
        ValidationError: ``confidence`` is outside (0, 1).
    """
    level: object = confidence
    if not isinstance(level, int | float) or not 0 < level < 1:
        raise ValidationError.for_field("confidence", confidence, "must be in (0, 1)")
    xs = [float(v) for v in values if v is not None]
    n = len(xs)
    if n == 0:
        return Estimate(mean=None, low=None, high=None, n=0, stdev=None, confidence=confidence)
    mean = math.fsum(xs) / n
    if n == 1:
        return Estimate(mean=mean, low=None, high=None, n=1, stdev=None, confidence=confidence)
    stdev = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_quantile(0.5 + confidence / 2, n - 1) * stdev / math.sqrt(n)
    return Estimate(
        mean=mean, low=mean - half, high=mean + half, n=n, stdev=stdev, confidence=confidence
    )
