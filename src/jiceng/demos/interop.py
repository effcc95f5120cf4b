"""Real data in, Open311 out (数据互通): replay NYC 311 rows, then publish one as GeoReport v2.

The rows are real requests from New York City's 2011 311 export (NYC Open Data), in its own format,
plus one row with the impossible close date that the real export contains. `run` returns the text,
Chinese first, for ``python -m jiceng demo``.

>>> str(run().splitlines()[0])
'工单回放：读入 4 行，生成工单 3 件，拒收 1 行'
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from jiceng.interop.open311 import from_open311, to_open311
from jiceng.interop.records import FieldMap, from_records
from jiceng.metrics import summarize

__all__ = ["ROWS", "run"]

_COLUMNS = ("Unique Key", "Created Date", "Closed Date", "Due Date", "Agency", "Complaint Type")
ROWS: tuple[dict[str, str], ...] = tuple(
    dict(zip(_COLUMNS, values, strict=True))
    for values in (
        (
            "19937896",
            "03/01/2011 02:27:57 PM",
            "03/14/2011 03:59:20 PM",
            "03/22/2011 02:27:57 PM",
            "DOF",
            "DOF Property - Payment Issue",
        ),
        (
            "19937901",
            "03/01/2011 10:41:13 AM",
            "03/15/2011 04:14:19 PM",
            "03/15/2011 05:32:23 PM",
            "DOT",
            "Street Sign - Dangling",
        ),
        (
            "19937902",
            "03/01/2011 09:07:45 AM",
            "03/15/2011 08:26:09 AM",
            "03/15/2011 02:24:33 PM",
            "DOT",
            "Street Sign - Missing",
        ),
        ("19940001", "03/02/2011 10:40:12 AM", "01/01/1900 12:00:00 AM", "", "DOHMH", "Rodent"),
    )
)
"""Four rows in NYC 311's export format (the first three are real 2011 requests)."""


def run() -> str:
    """Replay the rows, summarise them per agency, and round-trip one through Open311."""
    result = from_records(ROWS, FieldMap.nyc_311())
    lines = [
        f"工单回放：读入 {result.rows} 行，生成工单 {len(result.tasks)} 件，"
        f"拒收 {len(result.errors)} 行",
        f"Replay: {result.rows} rows read, {len(result.tasks)} tasks, "
        f"{len(result.errors)} rows refused",
    ]
    lines += [f"  拒收 refused: 第 {e.row} 行 (row {e.row}): {e.reason}" for e in result.errors]
    now = datetime(2011, 4, 1, tzinfo=ZoneInfo("America/New_York"))
    for agency, metrics in summarize(result.tasks, now=now, by="department").items():
        mean = metrics.handling_time.mean
        lines.append(
            f"  {agency}: 结案 {metrics.closed} 件，平均办理时长 {mean} "
            f"(closed {metrics.closed}, mean handling time {mean})"
        )
    task = result.tasks[1]
    payload = to_open311(task)
    shown = {k: payload[k] for k in ("service_request_id", "status", "status_notes")}
    lines.append(f"Open311 导出 (export): {json.dumps(shown, ensure_ascii=False)}")
    back = from_open311(payload)
    same = back.status is task.status and back.handling_time == task.handling_time
    lines.append(f"Open311 导入一致 (imports back the same): {same}")
    return "\n".join(lines)
