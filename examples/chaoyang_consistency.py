"""The seed's Beijing Chaoyang figures, built as tasks and read back by the metrics.

23,000 tasks over 128 grids, 98.5% resolution (解决率) and a 4.2-hour mean response (响应时长): the
streaming accumulator must report exactly those inputs. Then the departments are ranked by the
three rates (三率) and the composite.

Run: python examples/chaoyang_consistency.py
"""

from __future__ import annotations

from datetime import timedelta

from jiceng.coordination import scorecards
from jiceng.demos.coordination import CHAOYANG, START, chaoyang_tasks, scorecard_table
from jiceng.metrics import GroupedAccumulator, MetricsAccumulator


def main() -> None:
    """Stream the tasks once into two accumulators and print what they report."""
    now = START + timedelta(days=400)
    whole = MetricsAccumulator(now=now)
    by_department: GroupedAccumulator[str | None] = GroupedAccumulator(now=now)
    grids: set[str | None] = set()
    for task in chaoyang_tasks():
        whole.add(task)
        by_department.accumulator(task.department).add(task)
        grids.add(task.grid)
    m = whole.result()
    print(f"输入 inputs:  {CHAOYANG}")
    print(f"工单 tasks:   {m.arrived}")
    print(f"网格 grids:   {len(grids)}")
    print(f"解决率 resolution rate: {m.resolution_rate}")
    print(f"平均响应 mean response: {m.response_time.mean} (median ≈ {m.response_time.median})")
    print()
    print(scorecard_table(scorecards(by_department.result())))


if __name__ == "__main__":
    main()
