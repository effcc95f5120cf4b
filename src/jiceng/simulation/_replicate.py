"""Replications and sweeps (重复试验与参数扫描) on any ``concurrent.futures`` executor."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor

import attrs
from attrs import frozen

from jiceng.errors import ValidationError
from jiceng.metrics import Metrics, TimeSummary
from jiceng.simulation._engine import Progress, SimulationResult, simulate
from jiceng.simulation._scenario import DepartmentModel, Scenario
from jiceng.simulation._stats import Estimate, estimate

__all__ = [
    "FIGURES",
    "ReplicationResult",
    "SweepPoint",
    "SweepResult",
    "figure",
    "replicate",
    "sweep",
    "vary",
]

_TIME_PARTS = ("count", "mean", "median", "p90", "max")


def _figures() -> tuple[str, ...]:
    names: list[str] = []
    for f in attrs.fields(Metrics):
        if f.name in ("response_time", "handling_time"):
            names.extend(f"{f.name}.{part}" for part in _TIME_PARTS)
        else:
            names.append(f.name)
    return tuple(names)


FIGURES: tuple[str, ...] = _figures()
"""Every figure :meth:`ReplicationResult.estimate` knows: each :class:`~jiceng.metrics.Metrics`
field, and ``response_time.mean`` etc. for the time summaries (in **seconds**)."""


def figure(metrics: Metrics, name: str) -> float | None:
    """One figure of ``metrics`` as a float (durations in seconds), or ``None`` if undefined.

    Raises:
        ValidationError: ``name`` is not in :data:`FIGURES`.

    >>> from datetime import datetime, timezone
    >>> from jiceng.metrics import MetricsAccumulator
    >>> m = MetricsAccumulator(now=datetime(2024, 1, 1, tzinfo=timezone.utc)).result()
    >>> figure(m, "arrived"), figure(m, "response_time.mean")
    (0.0, None)
    """
    if name not in FIGURES:
        raise ValidationError.for_field("figure", name, f"unknown; known: {', '.join(FIGURES)}")
    head, _, part = name.partition(".")
    value = getattr(metrics, head)
    if isinstance(value, TimeSummary):
        value = getattr(value, part)
        if value is None:
            return None
        return float(value) if isinstance(value, int) else value.total_seconds()
    return None if value is None else float(value)


def _run(scenario: Scenario, seed: int) -> SimulationResult:
    """One replication; a module-level function so process pools can pickle it."""
    return simulate(scenario, seed=seed)


@frozen(kw_only=True)
class ReplicationResult:
    """Independent replications of one scenario, with means and confidence intervals.

    Attributes:
        seeds: The seeds, in the order given.
        runs: One :class:`SimulationResult` per seed, in the same order.
        confidence: The level of every interval (default 0.95).
    """

    seeds: tuple[int, ...]
    runs: tuple[SimulationResult, ...]
    confidence: float = 0.95

    @property
    def metrics(self) -> tuple[Metrics, ...]:
        """The per-run metrics, in seed order."""
        return tuple(run.metrics for run in self.runs)

    def values(self, name: str, *, department: str | None = None) -> tuple[float | None, ...]:
        """Figure ``name`` of every run (for ``department`` when given)."""
        if department is None:
            return tuple(figure(run.metrics, name) for run in self.runs)
        found = []
        for run in self.runs:
            if department not in run.by_department:
                raise ValidationError.for_field(
                    "department", department, "is not a department of the scenario"
                )
            found.append(figure(run.by_department[department], name))
        return tuple(found)

    def estimate(self, name: str, *, department: str | None = None) -> Estimate:
        """The mean of figure ``name`` over the runs with its Student-t interval.

        Args:
            name: One of :data:`FIGURES`, e.g. ``"response_time.mean"`` (seconds) or
                ``"on_time_rate"``. Runs where the figure is undefined are left out.
            department: A department's name for its own figure; ``None`` for the whole scenario.

        Raises:
            ValidationError: An unknown figure or department.
        """
        return estimate(self.values(name, department=department), confidence=self.confidence)

    def summary(self, *, department: str | None = None) -> dict[str, Estimate]:
        """Every figure's estimate, in :data:`FIGURES` order."""
        return {name: self.estimate(name, department=department) for name in FIGURES}


def _seeds(seeds: Iterable[int]) -> tuple[int, ...]:
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Iterable):
        raise ValidationError.for_field("seeds", seeds, "must be a sequence of ints")
    found = tuple(seeds)
    bad = [s for s in found if isinstance(s, bool) or not isinstance(s, int)]
    if bad or not found:
        raise ValidationError.for_field(
            "seeds", found, "must be a non-empty sequence of ints (e.g. range(20))"
        )
    return found


def _check_common(executor: object, progress: object, confidence: object) -> None:
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ValidationError.for_field(
            "executor", executor, "must be a concurrent.futures.Executor or None"
        )
    if progress is not None and not callable(progress):
        raise ValidationError.for_field("progress", progress, "must be callable or None")
    if not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise ValidationError.for_field("confidence", confidence, "must be in (0, 1)")


def _run_all(
    jobs: Sequence[tuple[Scenario, int]],
    executor: Executor | None,
    progress: Progress | None,
) -> list[SimulationResult]:
    """Run every job, in order; results never depend on the executor."""
    total = len(jobs)
    results: list[SimulationResult] = []
    if executor is None:
        for scenario, seed in jobs:
            results.append(_run(scenario, seed))
            if progress is not None:
                progress(len(results) / total)
        return results
    futures = [executor.submit(_run, scenario, seed) for scenario, seed in jobs]
    for future in futures:
        results.append(future.result())
        if progress is not None:
            progress(len(results) / total)
    return results


def replicate(
    scenario: Scenario,
    seeds: Iterable[int],
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
    confidence: float = 0.95,
) -> ReplicationResult:
    """Run one replication per seed and estimate every figure with a confidence interval.

    Each run is ``simulate(scenario, seed=seed)``, a pure function of its seed, so the results
    are identical whether the runs happen in this process (``executor=None``), in a
    ``ThreadPoolExecutor``, a ``ProcessPoolExecutor`` or Dask's ``Client.get_executor()``. They
    are collected in seed order.

    Args:
        scenario: The scenario (and its policy) must be picklable for process pools.
        seeds: The seeds, e.g. ``range(20)``.
        executor: Any ``concurrent.futures.Executor``; ``None`` runs in this process.
        progress: Called as ``progress(fraction)`` after each run finishes (in seed order).
        confidence: The level of the Student-t intervals.

    Returns:
        A :class:`ReplicationResult`.

    Raises:
        ValidationError: Bad seeds, executor, progress or confidence.
    """
    found = _seeds(seeds)
    _check_common(executor, progress, confidence)
    if not isinstance(scenario, Scenario):
        raise ValidationError.for_field("scenario", scenario, "must be a Scenario")
    runs = _run_all([(scenario, s) for s in found], executor, progress)
    return ReplicationResult(seeds=found, runs=tuple(runs), confidence=float(confidence))


@frozen(kw_only=True)
class SweepPoint:
    """One variant of a sweep: the changes made and its replications."""

    changes: dict[str, object]
    scenario: Scenario
    result: ReplicationResult


@frozen(kw_only=True)
class SweepResult:
    """Every variant of a :func:`sweep`, in the order the grid lists them."""

    points: tuple[SweepPoint, ...]

    def table(
        self, name: str, *, department: str | None = None
    ) -> list[tuple[dict[str, object], Estimate]]:
        """``[(changes, estimate of figure name), ...]`` for every variant."""
        return [(p.changes, p.result.estimate(name, department=department)) for p in self.points]


def _set(obj: object, parts: Sequence[str], value: object, path: str) -> object:
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(obj, tuple) and obj and all(isinstance(d, DepartmentModel) for d in obj):
        for i, dept in enumerate(obj):
            if dept.name == head:
                return (*obj[:i], _set(dept, rest, value, path), *obj[i + 1 :])
        known = ", ".join(d.name for d in obj)
        raise ValidationError.for_field("changes", path, f"no department {head!r} (known: {known})")
    if isinstance(obj, dict):
        if rest and head not in obj:
            raise ValidationError.for_field("changes", path, f"no key {head!r}")
        copy = dict(obj)
        copy[head] = _set(obj.get(head), rest, value, path)
        return copy
    if attrs.has(type(obj)):
        fields = {f.name for f in attrs.fields(type(obj)) if f.init}  # type: ignore[arg-type]  # attrs.has checked
        if head not in fields:
            raise ValidationError.for_field(
                "changes", path, f"{type(obj).__name__} has no field {head!r}"
            )
        return attrs.evolve(obj, **{head: _set(getattr(obj, head), rest, value, path)})  # type: ignore[misc]
    raise ValidationError.for_field("changes", path, f"cannot follow {head!r} into {obj!r}")


def vary(scenario: Scenario, changes: Mapping[str, object]) -> Scenario:
    """A copy of ``scenario`` with each dotted path set to its value (validated again).

    Paths name fields (``"return_probability"``, ``"arrivals.per_hour"``), a department by name
    (``"departments.城管局.handlers"``) and mapping keys (``"arrivals.mix.环境卫生"``).

    Raises:
        ValidationError: A path that leads nowhere, or a variant that is not a valid scenario.

    >>> from datetime import datetime, timedelta, timezone
    >>> from jiceng.simulation import mmc_scenario
    >>> base = mmc_scenario(per_hour=9, handlers=10, days=1)
    >>> vary(base, {"departments.城管局.handlers": 12}).departments[0].handlers
    12
    """
    result: object = scenario
    for path, value in changes.items():
        given: object = path
        if not isinstance(given, str) or not path:
            raise ValidationError.for_field("changes", path, "a path must be a non-empty string")
        result = _set(result, path.split("."), value, path)
    assert isinstance(result, Scenario)
    return result


def _try_vary(scenario: Scenario, variant: Mapping[str, object]) -> Scenario | list[str]:
    try:
        return vary(scenario, variant)
    except ValidationError as exc:
        return [f"{variant}: {p}" for p in exc.problems]


def _variants(changes: object) -> list[dict[str, object]]:
    if isinstance(changes, Mapping):
        keys = list(changes)
        grids = []
        for key in keys:
            values = changes[key]
            if isinstance(values, str | bytes) or not isinstance(values, Iterable):
                raise ValidationError.for_field(
                    "changes", {key: values}, "each path maps to a sequence of values"
                )
            grids.append(list(values))
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grids)]
    if isinstance(changes, Iterable) and not isinstance(changes, str | bytes):
        found = list(changes)
        if all(isinstance(c, Mapping) for c in found):
            return [dict(c) for c in found]
    raise ValidationError.for_field(
        "changes",
        changes,
        "must be {path: [values]} (a grid) or a sequence of {path: value} variants",
    )


def sweep(
    scenario: Scenario,
    changes: Mapping[str, Iterable[object]] | Iterable[Mapping[str, object]],
    seeds: Iterable[int],
    *,
    executor: Executor | None = None,
    progress: Progress | None = None,
    confidence: float = 0.95,
) -> SweepResult:
    """Replicate variants of a scenario (参数扫描): a grid of changes, or a list of variants.

    ``changes`` is either ``{path: [values]}`` — every combination, in the order of
    ``itertools.product`` — or a sequence of ``{path: value}`` mappings, one per variant. Paths are
    as in :func:`vary`. Every variant is built (and validated) before anything runs, then all
    ``variants × seeds`` runs go to the executor together. Each variant uses the same seeds, so
    comparisons between variants share their random arrivals (common random numbers).

    Args:
        scenario: The base scenario.
        changes: The grid or the variants.
        seeds: The seeds for every variant.
        executor: Any ``concurrent.futures.Executor``; ``None`` runs in this process.
        progress: Called as ``progress(fraction)`` after each run.
        confidence: The level of the intervals.

    Raises:
        ValidationError: A bad path, or every invalid variant's problems, listed together.

    >>> from jiceng.simulation import mmc_scenario
    >>> base = mmc_scenario(per_hour=9, handlers=10, days=2)
    >>> result = sweep(base, {"departments.城管局.handlers": [10, 12]}, seeds=range(2))
    >>> [p.changes for p in result.points]
    [{'departments.城管局.handlers': 10}, {'departments.城管局.handlers': 12}]
    """
    found = _seeds(seeds)
    _check_common(executor, progress, confidence)
    variants = _variants(changes)
    scenarios: list[Scenario] = []
    problems: list[str] = []
    for variant in variants:
        built = _try_vary(scenario, variant)
        if isinstance(built, Scenario):
            scenarios.append(built)
        else:
            problems.extend(built)
    if problems:
        raise ValidationError.collect(problems, what="sweep")
    jobs = [(s, seed) for s in scenarios for seed in found]
    runs = _run_all(jobs, executor, progress)
    points = []
    for i, (variant, variant_scenario) in enumerate(zip(variants, scenarios, strict=True)):
        chunk = tuple(runs[i * len(found) : (i + 1) * len(found)])
        points.append(
            SweepPoint(
                changes=variant,
                scenario=variant_scenario,
                result=ReplicationResult(seeds=found, runs=chunk, confidence=float(confidence)),
            )
        )
    return SweepResult(points=tuple(points))
