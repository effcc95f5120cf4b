"""Coordination demo (协同与考核演示): a lead resolution, a whistle, and a ranked scorecard table.

Builders shared by ``examples/``, the docs and the tests:

- :func:`resolver`: a responsibility list (权责清单) with a support line, an overlap (多头) and a
  district coordinator;
- :func:`whistle`: a routine whistle (工作推进哨) from 和平街街道 in which one department signs late;
- :func:`department_tasks`: closed tasks with callbacks for five departments, dispatched by the
  :class:`~jiceng.dispatch.Dispatcher`;
- :func:`chaoyang_tasks`: the seed's Beijing Chaoyang figures as tasks (23,000 over 128 grids,
  98.5% resolution, a 4.2 h mean response), which :func:`~jiceng.metrics.summarize` reports back
  exactly.

>>> text = run()
>>> "牵头：住建委" in text and "超时" in text and "综合" in text
True
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from jiceng.coordination import (
    EvaluationWeights,
    LeadResolver,
    Scorecard,
    ThirdPartyResult,
    Whistle,
    WhistleLevel,
    evaluate,
)
from jiceng.dispatch import CategoryPolicy, Dispatcher
from jiceng.errors import ValidationError
from jiceng.models import (
    Actor,
    Department,
    Duty,
    Level,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
)

__all__ = [
    "CHAOYANG",
    "START",
    "chaoyang_tasks",
    "department_tasks",
    "resolver",
    "run",
    "scorecard_table",
    "whistle",
]

_CST = timezone(timedelta(hours=8))
START = datetime(2024, 5, 6, 9, 0, tzinfo=_CST)  # a Monday morning

CHAOYANG = {"tasks": 23_000, "grids": 128, "resolution": 0.985, "mean_response_hours": 4.2}
"""The seed's Beijing Chaoyang figures: tasks (events), grids, resolution rate, mean response."""

_DEPARTMENTS = (
    Department("住建委"),
    Department("城管委", jurisdiction={"G1", "G2", "G3"}),
    Department("市场监管局"),
    Department("生态环境局"),
    Department("交通委"),
    Department("和平街街道", level=Level.STREET, jurisdiction={"G1", "G2"}),
    Department("区城市管理委员会"),
)


def resolver() -> LeadResolver:
    """The demo's lead resolver: 住建委 leads 老旧小区改造 (城管委 and 和平街街道 support);
    城管委 and 市场监管局 both claim 占道经营 (多头); 区城市管理委员会 coordinates."""
    rl = ResponsibilityList(
        [
            Duty("老旧小区改造", "住建委"),
            Duty("老旧小区改造", "城管委", role=Role.SUPPORT),
            Duty("老旧小区改造", "和平街街道", role=Role.SUPPORT),
            Duty("占道经营", "城管委"),
            Duty("占道经营", "市场监管局"),
        ]
    )
    return LeadResolver(rl, directory=_DEPARTMENTS, coordinator="区城市管理委员会")


def whistle() -> Whistle:
    """A routine whistle over a blocked fire lane: 城管委 and 交通委 sign and report on time;
    生态环境局 signs 40 minutes late. Both answering departments rate the street (双考核)."""
    w = Whistle(
        matter="消防通道被占、堆物堆料",
        street="和平街街道",
        departments=["城管委", "交通委", "生态环境局"],
        level=WhistleLevel.ROUTINE,
        blown_by=Actor.department("和平街街道"),
        at=START,
    )
    w.sign("城管委", at=START + timedelta(minutes=15))
    w.sign("交通委", at=START + timedelta(minutes=45))
    w.sign("生态环境局", at=START + timedelta(minutes=100))
    w.report("城管委", at=START + timedelta(hours=5), note="现场清理堆物")
    w.report("交通委", at=START + timedelta(days=1), note="施划禁停标线")
    w.report("生态环境局", at=START + timedelta(days=1, hours=2), note="核查油烟")
    w.rate_street("城管委", score=92, at=START + timedelta(days=2))
    w.rate_street("交通委", score=85, at=START + timedelta(days=2))
    return w


# (department, category, tasks, contacted, resolved, satisfied, basically satisfied)
_OUTCOMES = (
    ("城管委", "暴露垃圾", 40, 39, 38, 33, 4),
    ("住建委", "物业服务", 30, 28, 24, 18, 5),
    ("市场监管局", "食品安全", 25, 25, 24, 22, 2),
    ("生态环境局", "噪声扰民", 20, 18, 15, 11, 3),
    ("交通委", "违章停车", 10, 0, 0, 0, 0),
)


def department_tasks() -> list[Task]:
    """Closed tasks with callbacks (回访) for five departments, dispatched by the Dispatcher.

    交通委's callbacks all fail to reach anyone, so it has valid callbacks but zero rates.
    """
    table = {category: department for department, category, *_ in _OUTCOMES}
    dispatcher = Dispatcher(
        _DEPARTMENTS,
        CategoryPolicy(table, fallback="区城市管理委员会"),
        coordinator="区城市管理委员会",
        id_prefix="CY",
    )
    system = Actor.system()
    made: list[Task] = []
    at = START
    for department, category, count, contacted, resolved, satisfied, basic in _OUTCOMES:
        for i in range(count):
            at += timedelta(minutes=7)
            task = dispatcher.receive_report(category, f"{category}诉求 {i + 1}", "朝阳区", at=at)
            actor = Actor.department(department)
            task.accept(at=at + timedelta(minutes=30), by=actor)
            task.resolve(at=at + timedelta(hours=6), by=actor)
            task.close(at=at + timedelta(hours=8), by=system)
            reached = i < contacted
            rating: Satisfaction | None = None
            if reached:
                rating = (
                    Satisfaction.SATISFIED
                    if i < satisfied
                    else Satisfaction.BASICALLY_SATISFIED
                    if i < satisfied + basic
                    else Satisfaction.DISSATISFIED
                )
            task.record_callback(
                contacted=reached,
                resolved=(i < resolved) if reached else None,
                satisfaction=rating,
                at=at + timedelta(days=1),
                by=system,
            )
            made.append(task)
    return made


def _spread(index: int, chosen: int, total: int) -> bool:
    """Whether item ``index`` of ``total`` is one of ``chosen`` spread evenly (Bresenham)."""
    return (index + 1) * chosen // total > index * chosen // total


def chaoyang_tasks(
    *,
    tasks: int = 23_000,
    grids: int = 128,
    resolution: float = 0.985,
    mean_response: timedelta = timedelta(hours=4.2),
    start: datetime = START,
) -> Iterator[Task]:
    """Yield the seed's Beijing Chaoyang figures as tasks: a consistency check for the metrics.

    Every task is reported in one of ``grids`` grids (``CY001`` …), dispatched, accepted after a
    response time, resolved, closed and called back. Response times pair up around
    ``mean_response`` (± up to 2 h), so their mean is exactly ``mean_response``; exactly
    ``tasks × resolution`` callbacks say the matter was resolved, spread evenly. So
    :func:`~jiceng.metrics.summarize` reports ``arrived == tasks``, ``resolution_rate ==
    resolution`` and ``response_time.mean == mean_response`` exactly, over ``grids`` grids.

    Raises:
        ValidationError: ``tasks × resolution`` is not a whole number, ``grids`` is not in
            [1, tasks], or ``mean_response`` is under 2 hours.

    >>> from jiceng.metrics import summarize
    >>> m = summarize(chaoyang_tasks(tasks=200, grids=8), now=START + timedelta(days=400))
    >>> m.arrived, m.resolution_rate, m.response_time.mean
    (200, 0.985, datetime.timedelta(seconds=15120))
    """
    resolved_count = round(tasks * resolution)
    if abs(resolved_count - tasks * resolution) > 1e-6:
        raise ValidationError.for_field(
            "resolution", resolution, f"tasks × resolution must be a whole number ({tasks})"
        )
    if not 1 <= grids <= tasks:
        raise ValidationError.for_field("grids", grids, f"must be between 1 and tasks ({tasks})")
    if mean_response < timedelta(hours=2):
        raise ValidationError.for_field("mean_response", mean_response, "must be at least 2 h")
    names = [d.name for d in _DEPARTMENTS[:5]]
    system = Actor.system()
    for i in range(tasks):
        at = start + timedelta(minutes=i)
        department = names[i % len(names)]
        # Pairs (2k, 2k + 1) get mean ± offset; an odd last task gets the mean itself.
        offset = timedelta(minutes=(i // 2) % 121)
        if i == tasks - 1 and tasks % 2:
            offset = timedelta(0)
        response = mean_response + offset if i % 2 == 0 else mean_response - offset
        task = Task.report(
            category="城市管理",
            description="接诉即办诉求",
            at=at,
            grid=f"CY{i % grids + 1:03d}",
            id=f"CY{i + 1:06d}",
        )
        task.register(at=at, by=system)
        task.dispatch(to=department, at=at, by=system)
        actor = Actor.department(department)
        task.accept(at=at + response, by=actor)
        task.resolve(at=at + response + timedelta(hours=3), by=actor)
        task.close(at=at + response + timedelta(hours=4), by=system)
        solved = not _spread(i, tasks - resolved_count, tasks)
        task.record_callback(
            contacted=True,
            resolved=solved,
            satisfaction=Satisfaction.SATISFIED if solved else Satisfaction.DISSATISFIED,
            at=at + response + timedelta(days=1),
            by=system,
        )
        yield task


def scorecard_table(cards: list[Scorecard]) -> str:
    """A plain-text table of scorecards: rank, key, valid callbacks, three rates, composite."""

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    rows = [
        ("名次", "部门", "有效回访", "响应率", "解决率", "满意率", "综合"),
        ("rank", "key", "valid", "response", "resolution", "satisfaction", "composite"),
    ]
    rows.extend(
        (
            "-" if card.rank is None else str(card.rank),
            str(card.key),
            str(card.valid_callbacks),
            pct(card.response_rate),
            pct(card.resolution_rate),
            pct(card.satisfaction_rate),
            "—" if card.composite is None else f"{card.composite:.4f}",
        )
        for card in cards
    )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell + " " * (width - _width(cell)) if i == 1 else " " * (width - _width(cell)) + cell
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def run() -> str:
    """Build the three scenes and return the text, Chinese first."""
    out: list[str] = ["（一）牵头部门认定 Lead resolution"]
    lead = resolver()
    for matter, given, grid in (
        ("老旧小区改造", ["城管委", "住建委", "和平街街道"], None),
        ("占道经营", ["市场监管局", "城管委"], "G2"),
        ("占道经营", ["市场监管局", "城管委"], "G9"),
        ("楼道堆物", ["生态环境局", "和平街街道"], None),
    ):
        resolution = lead.resolve(matter, given, grid=grid)
        where = f"（网格 {grid}）" if grid else ""
        out.append(f"事项：{matter}{where}")
        out.append(resolution.describe())
        out.append(resolution.describe("en"))
        out.append("")

    out.append("（二）街乡吹哨、部门报到 The whistle")
    w = whistle()
    clock = w.clocks[w.level]
    out.append(
        f"{w.street}吹响{w.level.label}：{w.matter}；签收时限 {clock.sign.describe()}，"
        f"报到时限 {clock.report.describe()}"
    )
    result = w.outcome(START + timedelta(days=4))
    out.append(result.describe())
    out.append(result.describe("en"))
    score = w.street_score
    out.append(f"双考核：部门对街道吹哨的评分 {dict(w.ratings)}，平均 {score:.1f}")
    out.append("")

    out.append("（三）三率考核 Scorecards (0.1 响应率 + 0.5 解决率 + 0.4 满意率)")
    tasks = department_tasks()
    cards = evaluate(tasks, weights=EvaluationWeights())
    out.append(scorecard_table(cards))
    out.append(f"第一名计算过程：{cards[0].reason}")
    out.append(f"How no. 1 was computed: {cards[0].reason_en}")
    survey = ThirdPartyResult(
        response_rate=0.9, resolution_rate=0.8, satisfaction_rate=0.85, weight=0.5, sample=120
    )
    blended = evaluate(tasks, third_party={"交通委": survey})
    traffic = next(c for c in blended if c.key == "交通委")
    out.append(f"第三方评估（与回访各半）后，交通委：{traffic.reason}")
    return "\n".join(out)
