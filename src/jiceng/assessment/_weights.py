"""Criterion weights: a plain mapping, or an AHP pairwise-comparison matrix (层次分析法)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from attrs import frozen

from jiceng.assessment._model import Criterion, FrozenMap, is_number, is_sequence
from jiceng.errors import ValidationError

__all__ = ["RANDOM_INDEX", "AHPWeights", "CriterionWeights", "ahp_weights", "resolve_weights"]

CriterionWeights = (
    Mapping[Criterion, float]
    | Mapping[str, float]
    | Mapping[Criterion | str, float]
    | Sequence[Sequence[float]]
)
"""What ``InclusiveAssessment(weights=...)`` accepts: criterion → weight, or a 4×4 AHP matrix."""

RANDOM_INDEX = (0.0, 0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
"""Saaty's random consistency index RI, indexed by matrix order n (1–10)."""

_TOLERANCE = 1e-6
_MAX_ITERATIONS = 1000
CR_LIMIT = 0.10


@frozen
class AHPWeights:
    """The result of the AHP eigenvector method.

    Attributes:
        weights: The principal eigenvector, normalised to sum to 1, in row order.
        lambda_max: The principal eigenvalue λmax.
        consistency_index: CI = (λmax − n) / (n − 1).
        consistency_ratio: CR = CI / RI (0 for n ≤ 2, which is always consistent).
    """

    weights: tuple[float, ...]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float

    @property
    def consistent(self) -> bool:
        """Whether CR < 0.10, Saaty's acceptance line."""
        return self.consistency_ratio < CR_LIMIT


def ahp_weights(matrix: Sequence[Sequence[float]]) -> AHPWeights:
    """Weights from a pairwise-comparison matrix by power iteration, with Saaty's consistency ratio.

    ``matrix[i][j]`` says how much more important item i is than item j (Saaty's 1–9 scale). The
    matrix must be square (order 1–10), positive, with ones on the diagonal and reciprocal
    (``matrix[j][i] == 1 / matrix[i][j]``, to a relative tolerance of 1e-6).

    Args:
        matrix: The comparison matrix, rows of numbers.

    Returns:
        The normalised principal eigenvector, λmax, CI and CR. An inconsistent matrix is returned,
        not rejected: the caller decides (`InclusiveAssessment` rejects CR ≥ 0.10).

    Raises:
        ValidationError: A matrix that is not square, not positive or not reciprocal (every problem
            is listed).

    >>> r = ahp_weights([[1, 3], [1 / 3, 1]])
    >>> [round(w, 3) for w in r.weights], r.consistency_ratio
    ([0.75, 0.25], 0.0)
    """
    rows = _check_matrix(matrix)
    n = len(rows)
    vector = [1.0 / n] * n
    for _ in range(_MAX_ITERATIONS):
        product = [sum(a * v for a, v in zip(row, vector, strict=True)) for row in rows]
        total = sum(product)
        new = [p / total for p in product]
        done = max(abs(a - b) for a, b in zip(new, vector, strict=True)) < 1e-13
        vector = new
        if done:
            break
    product = [sum(a * v for a, v in zip(row, vector, strict=True)) for row in rows]
    lambda_max = sum(p / v for p, v in zip(product, vector, strict=True)) / n
    ci = max(0.0, (lambda_max - n) / (n - 1)) if n > 1 else 0.0
    cr = ci / RANDOM_INDEX[n] if RANDOM_INDEX[n] else 0.0
    return AHPWeights(
        weights=tuple(vector), lambda_max=lambda_max, consistency_index=ci, consistency_ratio=cr
    )


def _check_matrix(matrix: Sequence[Sequence[float]]) -> list[list[float]]:
    if not is_sequence(matrix):
        raise ValidationError.for_field("weights", matrix, "must be a sequence of rows")
    n = len(matrix)
    if not 1 <= n <= len(RANDOM_INDEX) - 1:
        raise ValidationError.for_field("weights", matrix, "an AHP matrix must have 1 to 10 rows")
    problems: list[str] = []
    rows: list[list[float]] = []
    for i, row in enumerate(matrix):
        if not is_sequence(row) or len(row) != n:
            problems.append(f"weights[{i}]={row!r}: must be a row of {n} numbers (square matrix)")
            continue
        values: list[float] = []
        for j, cell in enumerate(row):
            if not is_number(cell) or cell <= 0:
                problems.append(f"weights[{i}][{j}]={cell!r}: must be a finite number > 0")
                values.append(math.nan)
            else:
                values.append(float(cell))
        rows.append(values)
    if problems:
        raise ValidationError.collect(problems, what="AHP matrix")
    for i in range(n):
        if not math.isclose(rows[i][i], 1.0, rel_tol=_TOLERANCE):
            problems.append(f"weights[{i}][{i}]={rows[i][i]!r}: the diagonal must be 1")
        problems.extend(
            f"weights[{j}][{i}]={rows[j][i]!r}: must be 1/weights[{i}][{j}]"
            f" = {1 / rows[i][j]:.6g} (reciprocal matrix)"
            for j in range(i + 1, n)
            if not math.isclose(rows[i][j] * rows[j][i], 1.0, rel_tol=_TOLERANCE)
        )
    if problems:
        raise ValidationError.collect(problems, what="AHP matrix")
    return rows


def resolve_weights(
    weights: CriterionWeights | None,
) -> tuple[FrozenMap[Criterion, float], float | None]:
    """Normalised criterion weights (summing to 1) and the AHP consistency ratio, if any.

    ``None`` gives equal weights. A mapping needs a finite weight > 0 for every criterion, keyed by
    `Criterion` or its value. A sequence is an AHP matrix over the criteria in `Criterion` order
    (accessibility, usability, security, equity); its CR must be below 0.10.

    Raises:
        ValidationError: Unknown or missing criteria, non-positive weights, or a bad or
            inconsistent matrix.
    """
    criteria = tuple(Criterion)
    if weights is None:
        return FrozenMap(dict.fromkeys(criteria, 1.0 / len(criteria))), None
    if isinstance(weights, Mapping):
        return _from_mapping(weights), None
    result = ahp_weights(weights)
    if len(result.weights) != len(criteria):
        raise ValidationError.for_field(
            "weights",
            weights,
            f"an AHP matrix must be {len(criteria)}×{len(criteria)}, "
            "rows and columns in Criterion order (accessibility, usability, security, equity)",
        )
    if not result.consistent:
        raise ValidationError(
            f"weights: AHP consistency ratio CR={result.consistency_ratio:.3f} ≥ {CR_LIMIT}; "
            "revise the pairwise judgements (Saaty's limit)",
            field="weights",
            value=weights,
        )
    return FrozenMap(zip(criteria, result.weights, strict=True)), result.consistency_ratio


def _from_mapping(
    weights: Mapping[Criterion, float] | Mapping[str, float] | Mapping[Criterion | str, float],
) -> FrozenMap[Criterion, float]:
    problems: list[str] = []
    found: dict[Criterion, float] = {}
    mentioned: set[Criterion] = set()
    for key, value in weights.items():
        try:
            criterion = Criterion(key)
        except ValueError:
            problems.append(f"weights key {key!r}: unknown criterion")
            continue
        mentioned.add(criterion)
        if not is_number(value) or value <= 0:
            problems.append(f"weights[{key!r}]={value!r}: must be a finite number > 0")
            continue
        found[criterion] = float(value)
    missing = [c.value for c in Criterion if c not in mentioned]
    if missing:
        problems.append(f"weights: missing {', '.join(missing)}; give every criterion a weight")
    if problems:
        raise ValidationError.collect(problems, what="weights")
    total = sum(found.values())
    return FrozenMap({c: found[c] / total for c in Criterion})
