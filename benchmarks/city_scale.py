"""City scale: a year of Beijing 12345 volume (21.43 M reports) in bounded memory.

The model: 24 categories (12 部件 owned by 8 city bureaus, 12 事件 handled by the street office
where they happen) over 48 streets, so 56 departments; a ``TerritoryPolicy`` routes each
``(category, grid)``. Reports arrive at Beijing's 2023 average rate (21.43 M / 8760 h ≈ 2446 per
hour) with log-normal service times; each department has enough handlers for a load near 0.85.

Each size runs in its own subprocess so that peak RSS (``resource.getrusage``) is that size's own:

    python benchmarks/city_scale.py                   # 1 M, 4 M and 21.43 M tasks
    python benchmarks/city_scale.py --tasks 1000000   # one size, prints one JSON line

Peak memory must not grow with the number of tasks (``keep_tasks=False``).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from jiceng.dispatch import TerritoryPolicy
from jiceng.simulation import DepartmentModel, LogNormal, PoissonArrivals, Scenario, simulate

YEAR_TASKS = 21_430_000
PER_HOUR = YEAR_TASKS / 8760
BUREAUS = [
    "城管委",
    "水务局",
    "交通委",
    "住建委",
    "园林绿化局",
    "市场监管局",
    "生态环境局",
    "供电公司",
]
STREETS = [f"街道{i:02d}" for i in range(48)]
COMPONENTS = [f"部件{i:02d}" for i in range(12)]
EVENTS = [f"事件{i:02d}" for i in range(12)]


def scenario(tasks: int) -> Scenario:
    """The city model, run long enough for about ``tasks`` reports."""
    categories = COMPONENTS + EVENTS
    cat_weight = {c: 1.0 / (rank + 1) ** 0.8 for rank, c in enumerate(categories)}  # Zipf-like
    grid_weight = {f"G{i:02d}": 1.0 + (i % 7) / 3 for i in range(len(STREETS))}
    mix = {(c, g): cat_weight[c] * grid_weight[g] for c in categories for g in grid_weight}
    owners = {c: BUREAUS[i % len(BUREAUS)] for i, c in enumerate(categories)}
    territory = {g: STREETS[i] for i, g in enumerate(grid_weight)}
    policy = TerritoryPolicy(owners=owners, territory=territory, components=set(COMPONENTS))
    mean_hours = {c: 1.0 + (i % 5) for i, c in enumerate(categories)}
    # Offered load (in handlers) per department, to size each for utilisation ~0.85.
    total = sum(mix.values())
    load: dict[str, float] = {}
    hours: dict[str, float] = {}
    for (c, g), w in mix.items():
        dept = owners[c] if c in COMPONENTS else territory[g]
        rate = PER_HOUR * w / total
        load[dept] = load.get(dept, 0.0) + rate * mean_hours[c]
        hours[dept] = hours.get(dept, 0.0) + rate
    departments = [
        DepartmentModel(
            name,
            handlers=max(1, math.ceil(load[name] / 0.85)),
            service=LogNormal(mean=timedelta(hours=load[name] / hours[name]), sigma=0.8),
        )
        for name in BUREAUS + STREETS
    ]
    return Scenario(
        departments=departments,
        arrivals=PoissonArrivals(per_hour=PER_HOUR, mix=mix),
        policy=policy,
        start=datetime(2023, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
        duration=timedelta(hours=tasks / PER_HOUR),
        warmup=timedelta(days=1),
    )


def one(tasks: int) -> dict[str, object]:
    built = scenario(tasks)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = simulate(built, seed=2023)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    m = result.metrics
    return {
        "target_tasks": tasks,
        "arrivals": result.counts.arrivals,
        "departments": len(built.departments),
        "categories": len(COMPONENTS + EVENTS),
        "wall_s": round(wall, 1),
        "tasks_per_s": round(result.counts.arrivals / wall),
        "rss_before_run_mib": round(before / 1024, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "open_at_end": result.counts.open,
        "mean_response_h": m.response_time.mean.total_seconds() / 3600
        if m.response_time.mean
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, help="one size in this process")
    args = parser.parse_args()
    if args.tasks:
        print(json.dumps(one(args.tasks), ensure_ascii=False), flush=True)
        return
    for tasks in (1_000_000, 4_000_000, YEAR_TASKS):
        subprocess.run([sys.executable, __file__, "--tasks", str(tasks)], check=True)


if __name__ == "__main__":
    main()
