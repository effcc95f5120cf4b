"""Replay real NYC 311 requests as jiceng tasks, then summarise and export them.

Run from the repository root:  python examples/replay_nyc311.py [path/to/311.csv]
Without an argument it reads ../shared/data/nyc311/311_nyc_sample.csv (NYC Open Data, 2011).
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import timedelta
from pathlib import Path

from jiceng.interop.open311 import to_open311
from jiceng.interop.records import FieldMap, from_records
from jiceng.metrics import summarize

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared/data/nyc311/311_nyc_sample.csv"


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if not path.exists():
        print(f"no data at {path}; pass a NYC 311 CSV export as the first argument")
        return 0
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        result = from_records(csv.DictReader(handle), FieldMap.nyc_311())
    print(f"{path.name}: {len(result.tasks)} tasks, {len(result.errors)} rows refused")
    for error in result.errors[:3]:
        print(f"  row {error.row}: {error.reason}")
    now = max(t.closed_at or t.reported_at for t in result.tasks)
    by_agency = summarize(result.tasks, now=now, by="department")
    print("agency   tasks  closed  on-time  median handling")
    for agency, metrics in sorted(by_agency.items(), key=lambda kv: -kv[1].arrived)[:6]:
        on_time = "—" if metrics.on_time_rate is None else f"{metrics.on_time_rate:.0%}"
        median = metrics.handling_time.median
        shown = "—" if median is None else str(timedelta(seconds=round(median.total_seconds())))
        print(f"{agency!s:<8} {metrics.arrived:>5} {metrics.closed:>7} {on_time:>8}  {shown}")
    closed = next(t for t in result.tasks if t.closed_at is not None)
    print("one task as Open311:", json.dumps(to_open311(closed), ensure_ascii=False)[:160], "…")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
