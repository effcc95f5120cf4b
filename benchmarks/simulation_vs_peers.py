"""jiceng against SimPy, Ciw and a bare heapq loop on the same two models, in one run.

Models (μ = 1 per hour everywhere, exponential service, Poisson arrivals):

* **M/M/c**: λ = 9/h, c = 10 — one department.
* **five departments**: λ = 7/5/4/2.4/1.6 per hour, c = 8/6/5/3/2 — reports arrive in one stream
  and a routing step sends each category to its department.

Implementations:

* **jiceng**: ``simulate`` with a real ``CategoryPolicy``, ``keep_tasks=False``, the full DESIGN §6
  metrics (streaming accumulator) included;
* **SimPy**: idiomatic — a ``Resource`` per department, a source process, one process per
  customer, waits appended to a list;
* **Ciw**: a network; for five departments a routing node (zero service, infinite servers) sends
  customers on with the category probabilities;
* **bare**: a hand-written heapq loop of the same model (the pure-Python floor), and the same loop
  feeding the same ``MetricsAccumulator`` (to show what the metrics cost).

Each figure is the median of ``--repeats`` interleaved runs; the order rotates to spread machine
noise. Run:  python benchmarks/simulation_vs_peers.py [--hours 20000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import functools
import heapq
import platform
import random
import statistics
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import accumulate

import ciw
import simpy

from jiceng.dispatch import CategoryPolicy
from jiceng.metrics import CLOSED, MetricsAccumulator
from jiceng.simulation import DepartmentModel, Exponential, PoissonArrivals, Scenario, simulate

MODELS = {
    "M/M/c": ((9.0,), (10,)),
    "five departments": ((7.0, 5.0, 4.0, 2.4, 1.6), (8, 6, 5, 3, 2)),
}


def jiceng_run(lams: tuple[float, ...], servers: tuple[int, ...], hours: float, seed: int) -> int:
    names = [f"部门{i}" for i in range(len(lams))]
    cats = [f"类别{i}" for i in range(len(lams))]
    scenario = Scenario(
        departments=[
            DepartmentModel(n, handlers=c, service=Exponential(mean=timedelta(hours=1)))
            for n, c in zip(names, servers, strict=True)
        ],
        arrivals=PoissonArrivals(per_hour=sum(lams), mix=dict(zip(cats, lams, strict=True))),
        policy=CategoryPolicy(dict(zip(cats, names, strict=True))),
        start=datetime(2024, 1, 1, tzinfo=timezone.utc),
        duration=timedelta(hours=hours),
    )
    return simulate(scenario, seed=seed).metrics.arrived


def simpy_run(lams: tuple[float, ...], servers: tuple[int, ...], hours: float, seed: int) -> int:
    rng = random.Random(seed)
    env = simpy.Environment()
    resources = [simpy.Resource(env, capacity=c) for c in servers]
    waits: list[list[float]] = [[] for _ in lams]
    total = sum(lams)
    weights = list(lams)
    departments = range(len(lams))

    def customer(d: int) -> simpy.events.ProcessGenerator:
        arrived = env.now
        with resources[d].request() as request:
            yield request
            waits[d].append(env.now - arrived)
            yield env.timeout(rng.expovariate(1.0))

    def source() -> simpy.events.ProcessGenerator:
        while True:
            yield env.timeout(rng.expovariate(total))
            d = rng.choices(departments, weights)[0]
            env.process(customer(d))

    env.process(source())
    env.run(until=hours)
    return sum(len(w) for w in waits)


def ciw_run(lams: tuple[float, ...], servers: tuple[int, ...], hours: float, seed: int) -> int:
    ciw.seed(seed)
    if len(lams) == 1:
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=lams[0])],
            service_distributions=[ciw.dists.Exponential(rate=1.0)],
            number_of_servers=[servers[0]],
        )
    else:
        total = sum(lams)
        k = len(lams)
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=total)] + [None] * k,
            service_distributions=[ciw.dists.Deterministic(value=0.0)]
            + [ciw.dists.Exponential(rate=1.0) for _ in range(k)],
            number_of_servers=[float("inf"), *servers],
            routing=[[0.0] + [lam / total for lam in lams]] + [[0.0] * (k + 1) for _ in range(k)],
        )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(hours)
    records = sim.get_all_records()
    return sum(1 for r in records if len(lams) == 1 or r.node > 1)


def bare_run(
    lams: tuple[float, ...],
    servers: tuple[int, ...],
    hours: float,
    seed: int,
    *,
    metrics: bool = False,
) -> int:
    rng = random.Random(seed)
    expo = rng.expovariate
    uniform = rng.random
    cum = list(accumulate(lams))
    total = cum[-1]
    free = list(servers)
    queues: list[deque[float]] = [deque() for _ in lams]
    heap: list[tuple[float, int, int, float, float]] = []
    push, pop = heapq.heappush, heapq.heappop
    accs = [MetricsAccumulator(now=datetime(2025, 1, 1, tzinfo=timezone.utc)) for _ in lams]
    adders = [a.add_values for a in accs]
    t = expo(total)
    seq = served = 0
    while True:
        if heap and heap[0][0] <= t:
            end, _, d, arrived, started = pop(heap)
            if metrics:
                adders[d](
                    CLOSED,
                    started - arrived,
                    end - arrived,
                    None,
                    False,
                    True,
                    False,
                    True,
                    False,
                    None,
                    None,
                    None,
                )
            q = queues[d]
            if q:
                a = q.popleft()
                seq += 1
                push(heap, (end + expo(1.0), seq, d, a, end))
            else:
                free[d] += 1
            continue
        if t > hours:
            break
        d = bisect_right(cum, uniform() * total) if len(cum) > 1 else 0
        served += 1
        if free[d]:
            free[d] -= 1
            seq += 1
            push(heap, (t + expo(1.0), seq, d, t, t))
        else:
            queues[d].append(t)
        t += expo(total)
    return served


def measure(run: Callable[[], int]) -> tuple[float, int]:
    t0 = time.perf_counter()
    n = run()
    return n / (time.perf_counter() - t0), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=20_000, help="simulated hours per run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, simpy {simpy.__version__}, ciw {ciw.__version__}"
    )
    print(f"# {args.hours:g} simulated hours per run, median of {args.repeats}")
    print("| model | engine | tasks/s | jiceng ÷ engine (throughput) |")
    print("|---|---|---:|---:|")
    for model, (lams, servers) in MODELS.items():
        engines: dict[str, Callable[[int], int]] = {
            "jiceng": lambda s, lams=lams, servers=servers: jiceng_run(
                lams, servers, args.hours, s
            ),
            "SimPy": lambda s, lams=lams, servers=servers: simpy_run(lams, servers, args.hours, s),
            "Ciw": lambda s, lams=lams, servers=servers: ciw_run(lams, servers, args.hours, s),
            "bare heapq": lambda s, lams=lams, servers=servers: bare_run(
                lams, servers, args.hours, s
            ),
            "bare heapq + metrics": lambda s, lams=lams, servers=servers: bare_run(
                lams, servers, args.hours, s, metrics=True
            ),
        }
        rates: dict[str, list[float]] = {name: [] for name in engines}
        names = list(engines)
        for r in range(args.repeats):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                rate, _ = measure(functools.partial(engines[name], r + 1))
                rates[name].append(rate)
        medians = {name: statistics.median(v) for name, v in rates.items()}
        for name in names:
            ratio = medians["jiceng"] / medians[name]
            print(f"| {model} | {name} | {medians[name]:,.0f} | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
