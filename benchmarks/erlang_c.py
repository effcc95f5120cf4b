"""Validate the engine against queueing theory: mean queueing delay vs Erlang C.

* **M/M/c**: λ = 9/h, mean service 1 h, c = 10 (ρ = 0.9): W_q = 0.6687 h.
* **Five departments**: λ = 7/5/4/2.4/1.6 per hour, c = 8/6/5/3/2, μ = 1/h; one Poisson stream
  routed by a ``CategoryPolicy``; each department is its own M/M/c queue.

For each queue: the mean over ``--reps`` independent replications of ``--days`` days (after a
``--warmup``-day warm-up) with its Student-t 95% interval, and whether Erlang C lies inside it.
Replications run on a ``ProcessPoolExecutor`` (the results would be identical in-process).

    python benchmarks/erlang_c.py [--reps 20] [--days 1000] [--workers 2]

Exit status 1 if any theoretical value falls outside its interval.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone

from jiceng.dispatch import CategoryPolicy
from jiceng.simulation import (
    DepartmentModel,
    Exponential,
    PoissonArrivals,
    Scenario,
    erlang_c_wait,
    mmc_scenario,
    replicate,
)

FIVE = {"甲": (7.0, 8), "乙": (5.0, 6), "丙": (4.0, 5), "丁": (2.4, 3), "戊": (1.6, 2)}


def five_departments(days: float, warmup: float) -> Scenario:
    return Scenario(
        departments=[
            DepartmentModel(name, handlers=c, service=Exponential(mean=timedelta(hours=1)))
            for name, (_, c) in FIVE.items()
        ],
        arrivals=PoissonArrivals(
            per_hour=sum(lam for lam, _ in FIVE.values()),
            mix={f"类别{name}": lam for name, (lam, _) in FIVE.items()},
        ),
        policy=CategoryPolicy({f"类别{name}": name for name in FIVE}),
        start=datetime(2024, 1, 1, tzinfo=timezone.utc),
        duration=timedelta(days=days + warmup),
        warmup=timedelta(days=warmup),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--days", type=float, default=1000)
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = range(1, args.reps + 1)
    failures = 0
    print(f"# {args.reps} replications × {args.days:g} days (+{args.warmup:g} warm-up)")
    print(
        "| model | queue | λ/h | c | Erlang C W_q (h) | simulated mean (h) | 95% CI (h) | inside |"
    )
    print("|---|---|---:|---:|---:|---:|---|---|")
    with ProcessPoolExecutor(args.workers) as pool:
        t0 = time.perf_counter()
        mmc = mmc_scenario(
            per_hour=9,
            handlers=10,
            days=args.days + args.warmup,
            warmup=timedelta(days=args.warmup),
        )
        single = replicate(mmc, seeds, executor=pool)
        rows = [("M/M/c", "城管局", 9.0, 10, single, None)]
        five = replicate(five_departments(args.days, args.warmup), seeds, executor=pool)
        rows += [("five departments", n, lam, c, five, n) for n, (lam, c) in FIVE.items()]
        elapsed = time.perf_counter() - t0
    tasks = sum(r.counts.arrivals for r in single.runs) + sum(r.counts.arrivals for r in five.runs)
    for model, name, lam, c, result, department in rows:
        est = result.estimate("response_time.mean", department=department)
        theory = erlang_c_wait(lam, 1.0, c)
        inside = est.contains(theory * 3600)
        failures += not inside
        assert est.mean is not None
        assert est.low is not None
        assert est.high is not None
        print(
            f"| {model} | {name} | {lam:g} | {c} | {theory:.4f} | {est.mean / 3600:.4f} | "
            f"[{est.low / 3600:.4f}, {est.high / 3600:.4f}] | {'yes' if inside else 'NO'} |"
        )
    print(f"# {tasks:,} tasks in {elapsed:.0f} s wall ({args.workers} processes)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
