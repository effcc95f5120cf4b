"""Group fairness (群体公平): success rates with Wilson intervals and the four-fifths rule."""

from __future__ import annotations

import math
from collections.abc import Mapping

from attrs import field, frozen

from jiceng.assessment._model import GroupOutcome, Status, is_int
from jiceng.errors import ValidationError

__all__ = ["FOUR_FIFTHS", "Z95", "Fairness", "GroupRate", "assess_fairness", "wilson_interval"]

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile."""

FOUR_FIFTHS = 0.8
"""The four-fifths rule (四五规则): an impact ratio below 0.8 signals adverse impact."""


def wilson_interval(successes: int, attempts: int, *, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a success rate (95% by default).

    Unlike the normal approximation it stays inside [0, 1] and behaves at 0 and n successes. With
    no attempts it is the uninformative (0, 1).

    Raises:
        ValidationError: Negative counts, or more successes than attempts.

    >>> low, high = wilson_interval(55, 100)
    >>> round(low, 4), round(high, 4)
    (0.4524, 0.6439)
    """
    GroupOutcome(successes=successes, attempts=attempts)  # validates
    if attempts == 0:
        return (0.0, 1.0)
    n = attempts
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0 or n successes the exact bound is 0 or 1; do not let rounding leave 1e-16 off it.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == attempts else min(1.0, centre + half)
    return (low, high)


@frozen
class GroupRate:
    """One group's success rate with its Wilson 95% interval.

    Attributes:
        group: The group's name.
        successes: Successful attempts.
        attempts: All attempts.
        rate: successes / attempts, or None with no attempts.
        low: The lower end of the 95% interval.
        high: The upper end of the 95% interval.
        counted: Whether the group has at least ``min_sample`` attempts and so enters the ratio.
    """

    group: str
    successes: int = field(kw_only=True)
    attempts: int = field(kw_only=True)
    rate: float | None = field(kw_only=True)
    low: float = field(kw_only=True)
    high: float = field(kw_only=True)
    counted: bool = field(kw_only=True)

    def describe(self, lang: str = "zh") -> str:
        """``"60岁以上 55.0%（95% 区间 45.2%–64.4%，n=100）"`` or its English twin."""
        shown = "—" if self.rate is None else f"{self.rate:.1%}"
        if lang == "en":
            return (
                f"{self.group} {shown} (95% CI {self.low:.1%}–{self.high:.1%}, n={self.attempts})"
            )
        return f"{self.group} {shown}（95% 区间 {self.low:.1%}–{self.high:.1%}，n={self.attempts}）"


@frozen
class Fairness:
    """The group-fairness result that feeds the computed ``EQU-FAIRNESS`` item.

    Attributes:
        groups: Every group's rate, sorted by group name.
        status: PASS (ratio ≥ 0.8), FAIL (below), or NOT_APPLICABLE (too few groups or too small
            samples; then ``reason`` says why).
        impact_ratio: Lowest rate / highest rate over the counted groups, or None when N/A. When no
            counted group succeeds at all the ratio is 1.0 (no disparity to measure).
        lowest: The counted group with the lowest rate (ties by name), or None.
        highest: The counted group with the highest rate (ties by name), or None.
        min_sample: Attempts a group needs before it counts.
        threshold: The pass line for the ratio (0.8).
        reason: Why, in Chinese.
        reason_en: Why, in English.
    """

    groups: tuple[GroupRate, ...] = field(kw_only=True)
    status: Status = field(kw_only=True)
    impact_ratio: float | None = field(kw_only=True)
    lowest: str | None = field(kw_only=True)
    highest: str | None = field(kw_only=True)
    min_sample: int = field(kw_only=True)
    threshold: float = field(kw_only=True, default=FOUR_FIFTHS)
    reason: str = field(kw_only=True)
    reason_en: str = field(kw_only=True)


def assess_fairness(outcomes: Mapping[str, GroupOutcome], *, min_sample: int) -> Fairness:
    """Rates, intervals and the impact ratio for the groups in ``outcomes``.

    >>> f = assess_fairness(
    ...     {
    ...         "60岁以上": GroupOutcome(successes=55, attempts=100),
    ...         "其他": GroupOutcome(successes=95, attempts=100),
    ...     },
    ...     min_sample=30,
    ... )
    >>> f.status, round(f.impact_ratio, 3)
    (<Status.FAIL: 'fail'>, 0.579)
    """
    if not is_int(min_sample) or min_sample < 1:
        raise ValidationError.for_field("min_sample", min_sample, "must be an integer ≥ 1")
    groups = tuple(
        GroupRate(
            name,
            successes=o.successes,
            attempts=o.attempts,
            rate=o.rate,
            low=(interval := wilson_interval(o.successes, o.attempts))[0],
            high=interval[1],
            counted=o.attempts >= min_sample,
        )
        for name, o in sorted(outcomes.items())
    )
    counted = [g for g in groups if g.counted]
    if len(counted) < 2:
        zh, en = _not_applicable(groups, min_sample)
        return Fairness(
            groups=groups,
            status=Status.NOT_APPLICABLE,
            impact_ratio=None,
            lowest=None,
            highest=None,
            min_sample=min_sample,
            reason=zh,
            reason_en=en,
        )
    lowest = min(counted, key=lambda g: (g.successes / g.attempts, g.group))
    highest = min(counted, key=lambda g: (-g.successes / g.attempts, g.group))
    low_rate = lowest.successes / lowest.attempts
    high_rate = highest.successes / highest.attempts
    ratio = 1.0 if high_rate == 0 else low_rate / high_rate
    status = Status.PASS if ratio >= FOUR_FIFTHS else Status.FAIL
    apart = lowest.high < highest.low
    if status is Status.PASS:
        verdict_zh, verdict_en = (
            "不低于 0.8（四五规则），通过",
            "at least 0.8 (four-fifths rule): pass",
        )
    else:
        verdict_zh, verdict_en = (
            "低于 0.8（四五规则），不通过",
            "below 0.8 (four-fifths rule): fail",
        )
    if apart:
        noise_zh = "两组 95% 区间不重叠，差距不太可能只是抽样波动。"
        noise_en = "The 95% intervals do not overlap, so the gap is unlikely to be sampling noise."
    else:
        noise_zh = "两组 95% 区间有重叠，差距可能部分来自抽样波动。"
        noise_en = "The 95% intervals overlap, so part of the gap may be sampling noise."
    zh = (
        f"影响比 {ratio:.3f} = {lowest.describe()} ÷ {highest.describe()}，{verdict_zh}。{noise_zh}"
    )
    en = (
        f"Impact ratio {ratio:.3f} = {lowest.describe('en')} / {highest.describe('en')}, "
        f"{verdict_en}. {noise_en}"
    )
    return Fairness(
        groups=groups,
        status=status,
        impact_ratio=ratio,
        lowest=lowest.group,
        highest=highest.group,
        min_sample=min_sample,
        reason=zh,
        reason_en=en,
    )


def _not_applicable(groups: tuple[GroupRate, ...], min_sample: int) -> tuple[str, str]:
    if not groups:
        return (
            "未提供分组结果，无法检验群体公平，EQU-FAIRNESS 不适用。",
            "No group outcomes were given, so group fairness cannot be checked; EQU-FAIRNESS is "
            "not applicable.",
        )
    small = [g for g in groups if not g.counted]
    shown = "、".join(f"{g.group}（{g.attempts} 次）" for g in small)
    shown_en = ", ".join(f"{g.group} ({g.attempts} attempts)" for g in small)
    tail_zh = f"样本不足的群体：{shown}。" if small else ""
    tail_en = f" Too small: {shown_en}." if small else ""
    return (
        f"需要至少 2 个群体各有不少于 {min_sample} 次尝试才能按四五规则判断，"
        f"EQU-FAIRNESS 暂不适用，也不据此判定不公平。{tail_zh}",
        f"The four-fifths rule needs at least 2 groups with {min_sample} or more attempts each; "
        f"EQU-FAIRNESS is not applicable and no unfairness is declared.{tail_en}",
    )
