"""Demo: a staffing what-if (仿真推演) — 城管局 with 10 or 12 handlers at 9 reports an hour."""

from __future__ import annotations

from jiceng.simulation import erlang_c_wait, mmc_scenario, sweep

__all__ = ["run"]


def run() -> str:
    """Simulate both staffing levels (5 replications × 60 days each) and compare with theory.

    >>> text = run()
    >>> "12" in text and "Erlang C" in text
    True
    """
    base = mmc_scenario(per_hour=9, handlers=10, days=60)
    result = sweep(base, {"departments.城管局.handlers": [10, 12]}, seeds=range(1, 6))
    lines = [
        "仿真推演：城管局每小时受理 9 件，平均办理 1 小时，签收等待（响应时长）会怎样？",
        "What-if: 9 reports an hour, 1 hour each — how long do tasks wait to be accepted?",
        "",
    ]
    for point, (_, est) in zip(result.points, result.table("response_time.mean"), strict=True):
        handlers = point.scenario.departments[0].handlers
        theory = erlang_c_wait(9, 1, handlers) * 60
        assert est.mean is not None  # every run has accepted tasks
        half = (est.half_width or 0.0) / 60
        closed = point.result.estimate("closed").mean or 0.0
        lines.append(
            f"{handlers} 名办理人员：平均等待 {est.mean / 60:.1f} ± {half:.1f} 分钟"
            f"（Erlang C 理论值 {theory:.1f} 分钟），每次仿真平均结案 {closed:,.0f} 件"
        )
        lines.append(
            f"{handlers} handlers: mean wait {est.mean / 60:.1f} ± {half:.1f} min "
            f"(Erlang C theory {theory:.1f} min), {closed:,.0f} tasks closed per run"
        )
    lines += [
        "",
        "结论：增加 2 名人员，平均等待时间大幅缩短（利用率从 90% 降到 75%）。",
        "Two more handlers cut the wait sharply (utilisation falls from 90% to 75%).",
    ]
    return "\n".join(lines)
