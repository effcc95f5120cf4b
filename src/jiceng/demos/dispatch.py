"""Dispatch demo (派单演示): a policy chain places six reports and says why, then a return and an urge.

The chain tries, in order: a keyword rule for emergencies, the seed's category table, territory
and ownership (部件/事件), and a text classifier; what none can place goes to 综合协调.

>>> text = run()
>>> "按权责清单：环境卫生 → 城管局" in text and "按关键词规则" in text
True
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from jiceng.calendar import WorkCalendar
from jiceng.dispatch import (
    EXAMPLE_DEADLINES,
    SEED_FALLBACK,
    SEED_TABLE,
    CategoryPolicy,
    Chain,
    Dispatcher,
    KeywordPolicy,
    TerritoryPolicy,
    TextClassifierPolicy,
)
from jiceng.models import Actor, Department, Level

__all__ = ["build", "run"]

_CST = timezone(timedelta(hours=8))
START = datetime(2024, 5, 6, 9, 0, tzinfo=_CST)  # a Monday morning

_EXAMPLES = [
    ("隔壁装修噪音太吵", "司法所"),
    ("邻居吵架 噪音扰民", "司法所"),
    ("补办身份证 户口迁移", "便民服务中心"),
    ("居住证办理 证件", "便民服务中心"),
    ("垃圾没人清运 卫生差", "城管局"),
    ("道路脏乱 垃圾", "城管局"),
    ("电线裸露 火灾隐患", "应急管理局"),
    ("消防通道堵塞 隐患", "应急管理局"),
]

REPORTS = [
    ("环境卫生", "小区垃圾堆积未清理", "幸福小区3号楼", None),
    ("其他", "楼道里闻到燃气味", "幸福小区5号楼", None),
    ("井盖", "人行道井盖缺失", "东大街12号", "G1"),
    ("占道经营", "商贩占道摆摊", "西大街8号", "G2"),
    ("其他", "楼上装修噪音太吵", "和平里2号楼", None),
    ("其他", "想咨询一下政策", "和平里2号楼", None),
    ("暴露垃圾", "路口垃圾成堆无人清理", "东大街口", "G1"),
]


def build() -> Dispatcher:
    """The demo's dispatcher: six departments, two street offices, the chain, example deadlines."""
    departments = [
        *(Department(name) for name in dict.fromkeys([*SEED_TABLE.values(), SEED_FALLBACK])),
        Department("水务局"),
        Department("东街道", level=Level.STREET, jurisdiction={"G1"}),
        Department("西街道", level=Level.STREET, jurisdiction={"G2"}),
    ]
    chain = Chain(
        KeywordPolicy([("燃气", "应急管理局")]),
        CategoryPolicy(SEED_TABLE),
        TerritoryPolicy(
            owners={"井盖": "水务局"},
            territory={"G1": "东街道", "G2": "西街道"},
            components={"井盖"},
        ),
        TextClassifierPolicy(threshold=0.7).fit(_EXAMPLES),
    )
    return Dispatcher(
        departments,
        chain,
        coordinator=SEED_FALLBACK,
        deadlines=EXAMPLE_DEADLINES,
        calendar=WorkCalendar(),
    )


def run() -> str:
    """Place the demo reports, return one, urge a late one; the story as text, Chinese first."""
    # 暴露垃圾 has 4 working hours (EXAMPLE_DEADLINES); 东街道 lets it run late.
    desk = build()
    zh = ["派单演示（策略链：关键词 → 权责清单 → 属地/权属 → 文本分类 → 综合协调）"]
    en = [
        "Dispatch demo (chain: keyword → category list → territory/owner → classifier → coordinator)"
    ]
    tasks = []
    for category, description, location, grid in REPORTS:
        task = desk.receive_report(category, description, location, at=START, grid=grid)
        tasks.append(task)
        event = task.history[-1]
        where = f"，网格{grid}" if grid else ""
        zh.append(f"{task.id} {category}｜{description}{where} → {task.department}：{event.note}")
        en.append(f"{task.id} {category} / {description} → {task.department}")
    first = tasks[0]
    desk.send_back(
        first,
        at=START + timedelta(minutes=20),
        by=Actor.department("城管局"),
        reason="属物业管理范围",
    )
    zh.append(
        f"{first.id} 被城管局回退（属物业管理范围），改派 → {first.department}：{first.history[-1].note}"
    )
    en.append(f"{first.id} was sent back by 城管局 and re-dispatched to {first.department}")
    for task in tasks[1:6]:  # the others are handled within the hour
        department = Actor.department(task.department or "")
        task.accept(at=START + timedelta(minutes=30), by=department)
        task.resolve(at=START + timedelta(hours=1), by=department, note="已处置")
    desk.refresh()
    for days in (1, 2):
        for escalation in desk.supervise(START + timedelta(days=days)):
            zh.append(f"第{days}天巡查：{escalation.reason}")
            en.append(f"day {days} check: {escalation.reason_en}")
    zh.append(f"在办负荷：{'，'.join(f'{k} {v}' for k, v in desk.loads.items() if v)}")
    return "\n".join([*zh, "", *en])
