"""Discrete-event simulation (仿真) of the closed loop, for "what if" questions before a city acts.

A :class:`Scenario` names the departments (handlers and service times), the arrivals, the dispatch
policy (the same object used in production), the clock and the rules (deadlines, returns,
rework, callbacks). :func:`simulate` runs it once; :func:`replicate` and :func:`sweep` run
independent replications on any ``concurrent.futures`` executor and give means with 95%
confidence intervals. :func:`erlang_c_wait` gives the M/M/c theory the engine is checked against.
"""

from __future__ import annotations

from jiceng.simulation._arrivals import (
    Arrivals,
    MixKey,
    PoissonArrivals,
    ProfileArrivals,
    TraceArrivals,
)
from jiceng.simulation._distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
)
from jiceng.simulation._engine import Progress, RunCounts, SimulationResult, simulate
from jiceng.simulation._replicate import (
    FIGURES,
    ReplicationResult,
    SweepPoint,
    SweepResult,
    figure,
    replicate,
    sweep,
    vary,
)
from jiceng.simulation._reporting import format_metrics, format_result, mmc_scenario
from jiceng.simulation._scenario import DeadlineKey, DepartmentModel, SatisfactionModel, Scenario
from jiceng.simulation._stats import Estimate, erlang_c, erlang_c_wait, t_quantile

__all__ = [
    "FIGURES",
    "Arrivals",
    "DeadlineKey",
    "DepartmentModel",
    "Deterministic",
    "Distribution",
    "Empirical",
    "Estimate",
    "Exponential",
    "Gamma",
    "LogNormal",
    "MixKey",
    "PoissonArrivals",
    "ProfileArrivals",
    "Progress",
    "ReplicationResult",
    "RunCounts",
    "SatisfactionModel",
    "Scenario",
    "SimulationResult",
    "SweepPoint",
    "SweepResult",
    "TraceArrivals",
    "erlang_c",
    "erlang_c_wait",
    "figure",
    "format_metrics",
    "format_result",
    "mmc_scenario",
    "replicate",
    "simulate",
    "sweep",
    "t_quantile",
    "vary",
]
