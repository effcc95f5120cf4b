"""The seed's first scenario: a report runs the whole closed loop, through 结案 and 回访."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from jiceng.dispatch import SEED_FALLBACK, SEED_TABLE, Dispatcher
from jiceng.models import Actor, Reporter, Satisfaction

__all__ = ["run"]


def run() -> str:
    """Dispatch two reports with the seed's table, run one through the loop, and show its history."""
    beijing = ZoneInfo("Asia/Shanghai")
    t0 = datetime(2026, 5, 6, 9, 0, tzinfo=beijing)
    desk = Dispatcher.from_table(SEED_TABLE, fallback=SEED_FALLBACK)
    task = desk.receive_report(
        "环境卫生",
        "小区垃圾堆积未清理",
        "幸福小区3号楼",
        at=t0,
        grid="110105001002003",
        reporter=Reporter(name="李女士", phone="13812345678", resident="R-0001"),
    )
    other = desk.receive_report(
        "噪音扰民", "夜间施工噪音", "幸福小区5号楼", at=t0 + timedelta(minutes=5)
    )
    lead = Actor.department(task.department or "")
    task.accept(at=t0 + timedelta(minutes=18), by=lead)
    task.resolve(at=t0 + timedelta(hours=3), by=lead, note="已清运垃圾 2 车，并增设分类桶")
    task.close(
        at=t0 + timedelta(hours=4),
        by=Actor.grid_worker("网格员-王", grid="110105001002003"),
        note="现场核查已清理",
    )
    desk.release(task)
    task.record_callback(
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
        at=t0 + timedelta(days=1),
        by=Actor.platform(),
    )
    lines = [
        "【工单闭环】Closed loop of a 12345 task",
        f"  上报: {task.category} / {task.description} / {task.location}  (报告人: {task.reporter})",
        f"  派遣: {task.id} → {task.department}  理由: {task.history[2].note}",
        f"  派遣: {other.id} {other.category} → {other.department}  理由: {other.history[2].note}",
        f"  响应时长 response time: {task.response_time}   办理时长 handling time: {task.handling_time}",
        f"  状态 status: {task.status.label} ({task.status.value})",
        "  历史 history:",
        *("    " + line for line in task.timeline().splitlines()),
    ]
    return "\n".join(lines)
