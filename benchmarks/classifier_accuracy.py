"""Accuracy of TextClassifierPolicy on real NYC 311 requests (Complaint Type + Descriptor → Agency).

Trains on ``311_subset.micro.csv`` (2,000 rows) and scores ``311_nyc_sample.csv`` (999 rows),
leaving out rows whose agency never appears in training. Note that every row of the sample file
also appears in the micro file, so the headline figure measures recall of learned routes; the
script also prints a held-out figure (training on the micro rows whose ``Unique Key`` is not in the
sample).

Run from the repository root::

    python benchmarks/classifier_accuracy.py

The data is read from ``../shared/data/nyc311`` beside the checkout; the script skips cleanly when
it is absent. Exits with status 1 when the headline accuracy is below 95%.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from jiceng.dispatch import TextClassifierPolicy

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "nyc311"
TRAIN = DATA / "311_subset.micro.csv"
TEST = DATA / "311_nyc_sample.csv"
TARGET = 0.95


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return list(csv.DictReader(handle))


def text(row: dict[str, str]) -> str:
    return f"{row['Complaint Type']} {row['Descriptor']}"


def accuracy(
    train: list[dict[str, str]], test: list[dict[str, str]], *, seen_types_only: bool = False
) -> tuple[float, int, int]:
    clf = TextClassifierPolicy().fit((text(r), r["Agency"]) for r in train)
    known = set(clf.classes)
    types = {r["Complaint Type"] for r in train}
    scored = [
        r
        for r in test
        if r["Agency"] in known and (not seen_types_only or r["Complaint Type"] in types)
    ]
    right = 0
    for row in scored:
        probabilities = clf.predict_proba(text(row))
        right += max(probabilities, key=probabilities.__getitem__) == row["Agency"]
    return right / len(scored), len(scored), len(test) - len(scored)


def main() -> int:
    if not (TRAIN.exists() and TEST.exists()):
        print(f"skipped: {DATA} not found (the shared data folder sits beside the checkout)")
        return 0
    train, test = read(TRAIN), read(TEST)
    started = time.perf_counter()
    headline, scored, dropped = accuracy(train, test)
    elapsed = time.perf_counter() - started
    print(f"train: {TRAIN.name} ({len(train)} rows); test: {TEST.name} ({len(test)} rows)")
    print(
        f"accuracy: {headline:.2%} on {scored} rows ({dropped} left out: agency unseen in training)"
    )
    sample_keys = {r["Unique Key"] for r in test}
    disjoint = [r for r in train if r["Unique Key"] not in sample_keys]
    held_out, held_scored, held_dropped = accuracy(disjoint, test)
    print(
        f"held-out accuracy (train on the {len(disjoint)} micro rows not in the sample): "
        f"{held_out:.2%} on {held_scored} rows ({held_dropped} left out)"
    )
    seen, seen_scored, _ = accuracy(disjoint, test, seen_types_only=True)
    print(
        f"held-out accuracy on the {seen_scored} rows whose complaint type appears in that "
        f"training set: {seen:.2%}"
    )
    print(f"fit + predict time: {elapsed:.2f} s")
    if headline < TARGET:
        print(f"FAIL: below the {TARGET:.0%} target")
        return 1
    print(f"OK: at or above the {TARGET:.0%} target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
