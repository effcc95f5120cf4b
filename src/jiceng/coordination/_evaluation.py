"""Performance evaluation (考核评价): 三率 over valid callbacks, a weighted composite, scorecards (private)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from datetime import datetime, timezone
from typing import TypeVar

from attrs import frozen

from jiceng.errors import ValidationError
from jiceng.metrics import GROUP_KEYS, GroupedAccumulator, MeasuredTask, Metrics

K = TypeVar("K", bound=Hashable)

__all__ = [
    "EvaluationWeights",
    "Scorecard",
    "ThirdPartyResult",
    "evaluate",
    "scorecards",
]

# evaluate() needs no "now": callbacks are what it reads. The accumulator wants one all the same.
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.utc)


def _number(name: str, value: object, problems: list[str], *, high: float = 1.0) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{name}={value!r}: must be a number")
    elif not (math.isfinite(value) and 0.0 <= value <= high):
        problems.append(f"{name}={value!r}: must be between 0 and {high:g}")


def _raise(problems: list[str], what: str) -> None:
    if len(problems) == 1:
        name = problems[0].split("=", 1)[0]
        raise ValidationError(problems[0], field=name)
    if problems:
        raise ValidationError.collect(problems, what=what)


@frozen(kw_only=True)
class EvaluationWeights:
    """The composite's weights over 响应率, 解决率 and 满意率, and the weight of a 基本满意.

    The defaults, 0.1 response + 0.5 resolution + 0.4 satisfaction with 基本满意 counted at 0.9,
    follow Beijing-style 12345 (接诉即办) analyses. Beijing has since varied them by unit type, so
    they are configurable.

    Raises:
        ValidationError: a weight is not a number ≥ 0, the three do not sum to 1 (± 1e-9), or
            ``basically_satisfied`` is outside [0, 1]. Every problem is reported at once.

    >>> EvaluationWeights(response=0.2, resolution=0.4, satisfaction=0.4).resolution
    0.4
    >>> EvaluationWeights(response=0.5, resolution=0.5, satisfaction=0.5)
    Traceback (most recent call last):
    ...
    jiceng.errors.ValidationError: weights: response + resolution + satisfaction = 1.5, must be 1
    """

    response: float = 0.1
    resolution: float = 0.5
    satisfaction: float = 0.4
    basically_satisfied: float = 0.9

    def __attrs_post_init__(self) -> None:
        problems: list[str] = []
        for name in ("response", "resolution", "satisfaction"):
            _number(name, getattr(self, name), problems, high=math.inf)
        _number("basically_satisfied", self.basically_satisfied, problems)
        if not problems:
            total = self.response + self.resolution + self.satisfaction
            if abs(total - 1.0) > 1e-9:
                problems.append(
                    f"weights: response + resolution + satisfaction = {total:g}, must be 1"
                )
        _raise(problems, "EvaluationWeights")

    def composite(self, response: float, resolution: float, satisfaction: float) -> float:
        """The weighted sum of the three rates."""
        return (
            self.response * response
            + self.resolution * resolution
            + self.satisfaction * satisfaction
        )


@frozen(kw_only=True)
class ThirdPartyResult:
    """A third-party assessment (第三方评估) of one group, to replace or blend with callbacks.

    Each rate the evaluation uses becomes ``(1 − weight) × callback rate + weight × third-party
    rate``: ``weight=1`` (the default) replaces the callbacks, ``0.5`` averages them. A group with
    no valid callback takes the third-party rates whole, whatever the weight.

    Attributes:
        response_rate: The third party's 响应率, in [0, 1].
        resolution_rate: Its 解决率, in [0, 1].
        satisfaction_rate: Its 满意率, in [0, 1].
        weight: Its share in the blend, in [0, 1].
        sample: How many cases it surveyed (shown, not used), or None.
        source: Who assessed, shown in the reason.

    >>> ThirdPartyResult(response_rate=1, resolution_rate=0.9, satisfaction_rate=0.8).weight
    1.0
    """

    response_rate: float
    resolution_rate: float
    satisfaction_rate: float
    weight: float = 1.0
    sample: int | None = None
    source: str = "第三方评估"

    def __attrs_post_init__(self) -> None:
        problems: list[str] = []
        for name in ("response_rate", "resolution_rate", "satisfaction_rate", "weight"):
            _number(name, getattr(self, name), problems)
        sample: object = self.sample
        if sample is not None and (
            isinstance(sample, bool) or not isinstance(sample, int) or sample < 0
        ):
            problems.append(f"sample={self.sample!r}: must be a whole number ≥ 0 or None")
        if not isinstance(self.source, str):
            problems.append(f"source={self.source!r}: must be a string")
        _raise(problems, "ThirdPartyResult")
        object.__setattr__(self, "weight", float(self.weight))


@frozen(kw_only=True)
class Scorecard:
    """One group's evaluation: 三率 over valid callbacks, the composite, and how it was computed.

    Attributes:
        key: The group (a department, grid or category; None for tasks without one).
        rank: 1 for the best composite; None when there is no composite.
        valid_callbacks: 有效回访: tasks with a recorded callback (the latest counts).
        contacted: Callbacks that reached the reporter.
        resolved: Callbacks in which the reporter said it was solved.
        satisfied: 满意 callbacks.
        basically_satisfied: 基本满意 callbacks.
        dissatisfied: 不满意 callbacks.
        response_rate: 响应率 used in the composite (after any third-party blend).
        resolution_rate: 解决率 used in the composite.
        satisfaction_rate: 满意率 used in the composite.
        composite: The weighted sum, or None with no valid callback and no third party.
        weights: The weights used.
        third_party: The third-party result blended in, or None.
        reason: The computation with its numbers, in Chinese, so a person can redo it.
        reason_en: The same in English.
    """

    key: Hashable
    rank: int | None
    valid_callbacks: int
    contacted: int
    resolved: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    composite: float | None
    weights: EvaluationWeights
    third_party: ThirdPartyResult | None
    reason: str
    reason_en: str


def _f(value: float) -> str:
    return f"{value:.4f}"


def _card(
    key: Hashable,
    metrics: Metrics | None,
    weights: EvaluationWeights,
    third: ThirdPartyResult | None,
) -> Scorecard:
    valid = metrics.valid_callbacks if metrics is not None else 0
    contacted = metrics.contacted if metrics is not None else 0
    resolved = metrics.resolved_callbacks if metrics is not None else 0
    satisfied = metrics.satisfied if metrics is not None else 0
    basic = metrics.basically_satisfied if metrics is not None else 0
    dissatisfied = metrics.dissatisfied if metrics is not None else 0
    factor = weights.basically_satisfied
    zh: list[str] = []
    en: list[str] = []
    rates: tuple[float, float, float] | None = None
    if valid:
        own = (contacted / valid, resolved / valid, (satisfied + factor * basic) / valid)
        zh.append(
            f"有效回访 {valid}：响应率 = {contacted}/{valid} = {_f(own[0])}，"
            f"解决率 = {resolved}/{valid} = {_f(own[1])}，"
            f"满意率 = ({satisfied} + {factor:g}×{basic})/{valid} = {_f(own[2])}"
        )
        en.append(
            f"{valid} valid callbacks: response = {contacted}/{valid} = {_f(own[0])}, "
            f"resolution = {resolved}/{valid} = {_f(own[1])}, "
            f"satisfaction = ({satisfied} + {factor:g}×{basic})/{valid} = {_f(own[2])}"
        )
        rates = own
    else:
        zh.append("无有效回访")
        en.append("no valid callback")
    if third is not None:
        theirs = (third.response_rate, third.resolution_rate, third.satisfaction_rate)
        sample = "" if third.sample is None else f"，样本 {third.sample}"
        sample_en = "" if third.sample is None else f", sample {third.sample}"
        w = third.weight if rates is not None else 1.0
        if rates is None or w == 1.0:
            zh.append(
                f"{third.source}{sample}：以第三方结果替代回访，响应率 {_f(theirs[0])}，"
                f"解决率 {_f(theirs[1])}，满意率 {_f(theirs[2])}"
            )
            en.append(
                f"{third.source}{sample_en}: third-party rates replace the callbacks: response "
                f"{_f(theirs[0])}, resolution {_f(theirs[1])}, satisfaction {_f(theirs[2])}"
            )
            rates = theirs
        else:
            own = rates
            rates = (
                (1 - w) * own[0] + w * theirs[0],
                (1 - w) * own[1] + w * theirs[1],
                (1 - w) * own[2] + w * theirs[2],
            )
            names = (("响应率", "response"), ("解决率", "resolution"), ("满意率", "satisfaction"))
            zh.append(
                f"{third.source}{sample}（权重 {w:g}）："
                + "，".join(
                    f"{n} = {1 - w:g}×{_f(o)} + {w:g}×{_f(t)} = {_f(r)}"
                    for (n, _), o, t, r in zip(names, own, theirs, rates, strict=True)
                )
            )
            en.append(
                f"{third.source}{sample_en} (weight {w:g}): "
                + ", ".join(
                    f"{e} = {1 - w:g}×{_f(o)} + {w:g}×{_f(t)} = {_f(r)}"
                    for (_, e), o, t, r in zip(names, own, theirs, rates, strict=True)
                )
            )
    composite: float | None = None
    if rates is not None:
        composite = weights.composite(*rates)
        zh.append(
            f"综合 = {weights.response:g}×{_f(rates[0])} + {weights.resolution:g}×{_f(rates[1])}"
            f" + {weights.satisfaction:g}×{_f(rates[2])} = {_f(composite)}"
        )
        en.append(
            f"composite = {weights.response:g}×{_f(rates[0])} + "
            f"{weights.resolution:g}×{_f(rates[1])} + {weights.satisfaction:g}×{_f(rates[2])}"
            f" = {_f(composite)}"
        )
    else:
        zh.append("无法计算综合得分，排在最后")
        en.append("no composite; ranked last")
    return Scorecard(
        key=key,
        rank=None,
        valid_callbacks=valid,
        contacted=contacted,
        resolved=resolved,
        satisfied=satisfied,
        basically_satisfied=basic,
        dissatisfied=dissatisfied,
        response_rate=None if rates is None else rates[0],
        resolution_rate=None if rates is None else rates[1],
        satisfaction_rate=None if rates is None else rates[2],
        composite=composite,
        weights=weights,
        third_party=third,
        reason="；".join(zh),
        reason_en="; ".join(en),
    )


# Composites are compared at 1e-12: the same rates computed from different counts (1.9 / 2 and
# 5.7 / 6) can differ in the last bit of a float, and equal composites must tie by key.
_TIE_DIGITS = 12


def _order(card: Scorecard) -> tuple[bool, float, bool, str]:
    composite = card.composite
    score = -round(composite, _TIE_DIGITS) if composite is not None else 0.0
    return (composite is None, score, card.key is None, str(card.key))


def _check_weights(weights: object) -> EvaluationWeights:
    if not isinstance(weights, EvaluationWeights):
        raise ValidationError.for_field("weights", weights, "must be EvaluationWeights")
    return weights


def _check_third(third_party: Mapping[K, ThirdPartyResult] | None) -> Mapping[K, ThirdPartyResult]:
    if third_party is None:
        return {}
    if not isinstance(third_party, Mapping):
        raise ValidationError.for_field(
            "third_party", third_party, "must map a group key to a ThirdPartyResult"
        )
    pairs: list[tuple[object, object]] = list(third_party.items())
    problems = [
        f"third_party[{key!r}]={value!r}: must be a ThirdPartyResult"
        for key, value in pairs
        if not isinstance(value, ThirdPartyResult)
    ]
    _raise(problems, "third_party")
    return third_party


def scorecards(
    metrics: Mapping[K, Metrics],
    *,
    weights: EvaluationWeights = EvaluationWeights(),
    third_party: Mapping[K, ThirdPartyResult] | None = None,
) -> list[Scorecard]:
    """Rank groups from metrics already computed (e.g. :func:`~jiceng.metrics.summarize` with
    ``by=``, or a simulation's grouped accumulator).

    The 满意率 is recomputed with ``weights.basically_satisfied`` from the counts, so the
    metrics' own factor does not matter. Groups that only the third party knows are included.
    Ranking: best composite first, ties by key (text order, None last); groups with no composite
    come last, by key, with ``rank=None``.

    Raises:
        ValidationError: bad ``weights`` or ``third_party``.
    """
    weights = _check_weights(weights)
    third = _check_third(third_party)
    if not isinstance(metrics, Mapping):
        raise ValidationError.for_field("metrics", metrics, "must map a group key to Metrics")
    keys = list(metrics) + [k for k in third if k not in metrics]
    cards = sorted((_card(k, metrics.get(k), weights, third.get(k)) for k in keys), key=_order)
    ranked: list[Scorecard] = []
    for position, card in enumerate(cards, start=1):
        rank = position if card.composite is not None else None
        ranked.append(
            Scorecard(
                key=card.key,
                rank=rank,
                valid_callbacks=card.valid_callbacks,
                contacted=card.contacted,
                resolved=card.resolved,
                satisfied=card.satisfied,
                basically_satisfied=card.basically_satisfied,
                dissatisfied=card.dissatisfied,
                response_rate=card.response_rate,
                resolution_rate=card.resolution_rate,
                satisfaction_rate=card.satisfaction_rate,
                composite=card.composite,
                weights=card.weights,
                third_party=card.third_party,
                reason=card.reason,
                reason_en=card.reason_en,
            )
        )
    return ranked


def evaluate(
    tasks: Iterable[MeasuredTask],
    *,
    by: str = "department",
    weights: EvaluationWeights = EvaluationWeights(),
    third_party: Mapping[str | None, ThirdPartyResult] | None = None,
) -> list[Scorecard]:
    """Evaluate groups of tasks (考核评价) by 三率 over valid callbacks, and rank them.

    A valid callback (有效回访) is a task with a recorded callback; the latest one counts. Over
    valid callbacks: 响应率 = contacted / valid, 解决率 = resolved / valid, 满意率 = (satisfied +
    0.9 × basically satisfied) / valid. The composite is the weighted sum of the three, by
    default 0.1, 0.5 and 0.4.

    Args:
        tasks: Any iterable of tasks, read once in one streaming pass.
        by: ``"department"`` (default), ``"grid"`` or ``"category"``.
        weights: The :class:`EvaluationWeights`.
        third_party: ``{key: ThirdPartyResult}`` to replace or blend a group's callbacks
            (第三方评估).

    Returns:
        The scorecards, best composite first (ties by key); groups with no valid callback and
        no third-party result come last with ``composite=None``.

    Raises:
        ValidationError: an unknown ``by``, or bad ``weights`` or ``third_party``.

    >>> evaluate([])
    []
    """
    weights = _check_weights(weights)
    third = _check_third(third_party)
    if by not in GROUP_KEYS:
        raise ValidationError.for_field(
            "by", by, f"must be one of {', '.join(repr(k) for k in GROUP_KEYS)}"
        )
    grouped: GroupedAccumulator[str | None] = GroupedAccumulator(
        now=_FAR_FUTURE,
        key_of=lambda task: getattr(task, by, None),
        basically_satisfied=weights.basically_satisfied,
    )
    for task in tasks:
        grouped.add(task)
    return scorecards(grouped.result(), weights=weights, third_party=third)
