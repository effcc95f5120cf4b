"""Decisions per second for each built-in policy, side by side with the seed's bare dict lookup.

The seed dispatched with ``table.get(category, "综合协调")``. Each line below runs the same loop over
the same light task views, once with that lookup and once with ``policy.decide(task, context)``,
and reports decisions per second and the ratio to the lookup (best of several repeats).

Targets: ``CategoryPolicy`` within 3x of the dict lookup; ``TextClassifierPolicy`` at least 20,000
predictions per second on NYC 311 descriptors (read from ``../shared/data/nyc311`` beside the
checkout; the classifier lines are skipped when it is absent).

Run from the repository root::

    python benchmarks/dispatch.py
"""

from __future__ import annotations

import csv
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from attrs import frozen

from jiceng.dispatch import (
    SEED_FALLBACK,
    SEED_TABLE,
    CategoryPolicy,
    Chain,
    DispatchContext,
    Dispatcher,
    DispatchPolicy,
    KeywordPolicy,
    LeastLoadedPolicy,
    RoundRobinPolicy,
    TerritoryPolicy,
    TextClassifierPolicy,
)
from jiceng.models import Channel, Department, Priority

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "nyc311"
AT = datetime(2024, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))
N = 100_000
REPEATS = 5


@frozen
class View:
    """A light task view, as the simulation passes to policies."""

    id: str
    category: str
    description: str
    grid: str | None
    location: str = ""
    priority: Priority = Priority.NORMAL
    channel: Channel = Channel.HOTLINE


def best_rate(loop: Callable[[], None], count: int) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        loop()
        best = min(best, time.perf_counter() - started)
    return count / best


def seed_views(rng: random.Random) -> list[View]:
    categories = [*SEED_TABLE, "噪音扰民", "井盖缺失"]
    descriptions = ["小区垃圾堆积未清理", "楼上噪音扰民", "燃气泄漏", "补办身份证", "井盖丢失"]
    return [
        View(
            id=f"T{i:06d}",
            category=rng.choice(categories),
            description=rng.choice(descriptions),
            grid=rng.choice(["G1", "G2", "G3"]),
        )
        for i in range(N)
    ]


def line(name: str, rate: float, baseline: float, unit: str = "decisions/s") -> None:
    print(f"{name:<44} {rate:>12,.0f} {unit:<16} {baseline / rate:>6.2f}x the dict lookup's time")


def rule_policies() -> None:
    rng = random.Random(2024)
    views = seed_views(rng)
    names = [*dict.fromkeys([*SEED_TABLE.values(), SEED_FALLBACK, "东街道", "西街道", "水务局"])]
    departments = {n: Department(n, handlers=2) for n in names}
    context = DispatchContext(
        departments=departments, loads={n: rng.randrange(10) for n in names}, now=AT
    )
    table = dict(SEED_TABLE)

    def baseline() -> None:
        get = table.get
        for task in views:
            get(task.category, SEED_FALLBACK)

    base = best_rate(baseline, N)
    print(f"{'seed: dict.get(category, 综合协调)':<44} {base:>12,.0f} decisions/s")
    candidates = {
        c: ["城管局", "综合协调", "东街道"] for c in [*SEED_TABLE, "噪音扰民", "井盖缺失"]
    }
    policies: Sequence[tuple[str, DispatchPolicy]] = [
        (
            "CategoryPolicy(SEED_TABLE, fallback=…)",
            CategoryPolicy(SEED_TABLE, fallback=SEED_FALLBACK),
        ),
        (
            "KeywordPolicy (4 rules, fallback)",
            KeywordPolicy(
                [
                    ("燃气", "应急管理局"),
                    ("噪音", "司法所"),
                    ("垃圾", "城管局"),
                    ("身份证", "便民服务中心"),
                ],
                fallback=SEED_FALLBACK,
            ),
        ),
        (
            "TerritoryPolicy",
            TerritoryPolicy(
                owners={"井盖缺失": "水务局", "环境卫生": "城管局"},
                territory={"G1": "东街道", "G2": "西街道"},
                components={"井盖缺失"},
            ),
        ),
        ("LeastLoadedPolicy (3 candidates)", LeastLoadedPolicy(candidates)),
        ("RoundRobinPolicy (3 candidates)", RoundRobinPolicy(candidates)),
        (
            "Chain(Keyword, Category)",
            Chain(
                KeywordPolicy([("燃气", "应急管理局")]),
                CategoryPolicy(SEED_TABLE, fallback=SEED_FALLBACK),
            ),
        ),
    ]
    for name, policy in policies:
        decide = policy.decide

        def run(decide: Callable[..., object] = decide) -> None:
            for task in views:
                decide(task, context)

        line(name, best_rate(run, N), base)

    def dispatcher() -> None:
        desk = Dispatcher.from_table(SEED_TABLE, fallback=SEED_FALLBACK)
        for task in views[:20_000]:
            desk.receive_report(task.category, task.description, "x", at=AT)

    rate = best_rate(dispatcher, 20_000)
    line("Dispatcher.receive_report (full Task + events)", rate, base, "reports/s")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return list(csv.DictReader(handle))


def classifier() -> None:
    train_path, test_path = DATA / "311_subset.micro.csv", DATA / "311_nyc_sample.csv"
    if not (train_path.exists() and test_path.exists()):
        print(f"classifier: skipped ({DATA} not found)")
        return
    train, test = read(train_path), read(test_path)
    clf = TextClassifierPolicy().fit(
        (f"{r['Complaint Type']} {r['Descriptor']}", r["Agency"]) for r in train
    )
    views = [
        View(
            id=r["Unique Key"], category=r["Complaint Type"], description=r["Descriptor"], grid=None
        )
        for r in test
    ]
    context = DispatchContext(departments={a: Department(a) for a in clf.classes}, loads={}, now=AT)
    texts = [f"{v.category} {v.description}" for v in views]
    rounds = 20
    count = rounds * len(views)
    table = {(r["Complaint Type"], r["Descriptor"]): r["Agency"] for r in train}

    def baseline() -> None:
        get = table.get
        for _ in range(rounds):
            for view in views:
                get((view.category, view.description), "")

    base = best_rate(baseline, count)
    print(f"{'311: dict.get((type, descriptor))':<44} {base:>12,.0f} lookups/s")

    def warm() -> None:
        decide = clf.decide
        for _ in range(rounds):
            for view in views:
                decide(view, context)

    line("TextClassifierPolicy.decide (311, cached)", best_rate(warm, count), base, "predictions/s")

    def cold() -> None:
        decide = clf.decide
        for view in views:
            clf._cache.clear()  # n-gram scores
            clf._decided.clear()  # memoised decisions
            decide(view, context)

    line(
        "TextClassifierPolicy.decide (311, no cache)",
        best_rate(cold, len(views)),
        base,
        "predictions/s",
    )

    def proba_cold() -> None:
        cache = clf._cache
        for text in texts:
            cache.clear()
            clf.predict_proba(text)

    line(
        "TextClassifierPolicy.predict_proba (no cache)",
        best_rate(proba_cold, len(texts)),
        base,
        "predictions/s",
    )


def main() -> int:
    print(f"Python {sys.version.split()[0]}; best of {REPEATS}; {N:,} seed-like tasks\n")
    rule_policies()
    print()
    classifier()
    return 0


if __name__ == "__main__":
    sys.exit(main())
