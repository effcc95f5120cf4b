"""Test kit for people who extend jiceng: hypothesis strategies and a one-call policy check.

It needs hypothesis, the ``testing`` extra (``pip install jiceng[testing]``); the rest of jiceng never
imports hypothesis. The strategies build real objects through their real constructors and lifecycle
methods, so everything they give obeys every rule of the model:

- :func:`tasks`: tasks in any lifecycle state, with valid, time-ordered histories;
- :func:`departments`, :func:`grids`, :func:`responsibility_lists`;
- :func:`scenarios`: small, fast simulation scenarios;
- :func:`open311_payloads`: GeoReport v2 service requests written by
  :func:`~jiceng.interop.open311.to_open311`.

:func:`check_policy` property-tests a custom :class:`~jiceng.dispatch.DispatchPolicy` in one line.

>>> from jiceng.dispatch import CategoryPolicy
>>> check_policy(
...     CategoryPolicy({"环境卫生": "城管局"}), departments=["城管局", "水务局"], max_examples=20
... )
"""

from __future__ import annotations

import copy
import pickle
import string
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st

from jiceng.dispatch import CategoryPolicy, Decision, DispatchContext, DispatchPolicy
from jiceng.interop._common import format_location
from jiceng.interop.open311 import JSONValue, to_open311
from jiceng.models import (
    Actor,
    Channel,
    Department,
    Duty,
    Grid,
    Level,
    Priority,
    Reporter,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
    TaskStatus,
    UrgeLevel,
)
from jiceng.simulation import DepartmentModel, Exponential, PoissonArrivals, Scenario

__all__ = [
    "CATEGORIES",
    "DEPARTMENT_NAMES",
    "GRID_IDS",
    "check_policy",
    "departments",
    "grids",
    "open311_payloads",
    "responsibility_lists",
    "scenarios",
    "tasks",
]

CATEGORIES = ("环境卫生", "占道经营", "噪声扰民", "物业服务", "井盖", "Street Light Condition")
"""The categories the strategies draw from by default."""

DEPARTMENT_NAMES = ("城管局", "水务局", "生态环境局", "住建委", "东街道", "综合协调")
"""The department names the strategies draw from by default."""

GRID_IDS = ("G1", "G2", "G3", "110105001002003")
"""The grid ids the strategies draw from by default."""

_ZONES = (
    timezone.utc,
    timezone(timedelta(hours=8)),
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("America/New_York"),
)
_WORDS = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + " ，。垃圾噪声井盖路灯小区"),
    min_size=0,
    max_size=40,
)
_REASONS = st.text(
    alphabet=st.sampled_from(string.ascii_letters + "重复超范围退回改派挂账待料返工不合格"),
    min_size=1,
    max_size=20,
).filter(str.strip)
_STEP = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))


def _later(when: datetime, step: timedelta) -> datetime:
    """``when`` plus ``step`` of elapsed time, in ``when``'s zone.

    Plain ``when + step`` is wall-clock arithmetic: it drops ``fold``, so from the second 01:30 of
    a fall-back night it can land an hour *earlier*.
    """
    return (when.astimezone(timezone.utc) + step).astimezone(when.tzinfo)


def _names(values: Iterable[str] | None, default: Sequence[str]) -> tuple[str, ...]:
    names = tuple(default if values is None else values)
    if not names:
        msg = "give at least one name"
        raise ValueError(msg)
    return names


def departments(
    *, names: Iterable[str] | None = None, grids: Iterable[str] | None = None
) -> st.SearchStrategy[Department]:
    """Departments with a name from ``names``, any level, 1–5 handlers, everywhere or some grids.

    >>> from hypothesis import find
    >>> find(departments(), lambda d: d.handlers > 2).handlers
    3
    """
    pool = _names(names, DEPARTMENT_NAMES)
    territory = _names(grids, GRID_IDS)
    return st.builds(
        Department,
        st.sampled_from(pool),
        level=st.sampled_from(list(Level)),
        handlers=st.integers(min_value=1, max_value=5),
        jurisdiction=st.none() | st.frozensets(st.sampled_from(territory), min_size=1),
    )


def grids(*, ids: Iterable[str] | None = None) -> st.SearchStrategy[Grid]:
    """Grids (网格) with households, population and grid workers in realistic ranges."""
    pool = _names(ids, GRID_IDS)
    return st.builds(
        Grid,
        st.sampled_from(pool),
        households=st.integers(min_value=0, max_value=800),
        population=st.integers(min_value=0, max_value=3000),
        workers=st.lists(st.sampled_from(["W1", "W2", "W3"]), unique=True, max_size=3).map(tuple),
        community=st.none() | st.sampled_from(["望京西园社区", "幸福社区"]),
    )


@st.composite
def responsibility_lists(
    draw: st.DrawFn,
    *,
    categories: Iterable[str] | None = None,
    departments: Iterable[str] | None = None,
    grids: Iterable[str] | None = None,
) -> ResponsibilityList:
    """Responsibility lists (权责清单), gaps (责任真空) and overlaps (多头) included."""
    cats = _names(categories, CATEGORIES)
    names = _names(departments, DEPARTMENT_NAMES)
    territory = _names(grids, GRID_IDS)
    duties = draw(
        st.lists(
            st.builds(
                Duty,
                st.sampled_from(cats),
                st.sampled_from(names),
                role=st.sampled_from(list(Role)),
                grids=st.none() | st.frozensets(st.sampled_from(territory), min_size=1),
            ),
            max_size=8,
            unique_by=lambda d: (d.category, d.department),
        )
    )
    return ResponsibilityList(duties)


def _actor_for_admin(draw: st.DrawFn) -> Actor:
    return draw(st.sampled_from([Actor.platform(), Actor.system(), Actor.supervisor("督办员")]))


@st.composite
def tasks(
    draw: st.DrawFn,
    *,
    categories: Iterable[str] | None = None,
    departments: Iterable[str] | None = None,
    grids: Iterable[str] | None = None,
    max_steps: int = 12,
    statuses: Iterable[TaskStatus] | None = None,
) -> Task:
    """Tasks in any lifecycle state, made by driving real :class:`Task` methods.

    Each task is reported, then takes up to ``max_steps`` random legal steps (dispatch, return,
    park, extend, urge, 加派, rework, callback …) by the right actors at non-decreasing, timezone-
    aware times, so its history passes every rule.

    Args:
        categories: Categories to draw from.
        departments: Department names to dispatch to.
        grids: Grid ids to draw from (or none).
        max_steps: The most lifecycle steps after the report.
        statuses: Keep only tasks that end in one of these (drawn tasks stop there when they can).
    """
    cats = _names(categories, CATEGORIES)
    names = _names(departments, DEPARTMENT_NAMES)
    territory = _names(grids, GRID_IDS)
    wanted = None if statuses is None else frozenset(statuses)
    zone = draw(st.sampled_from(_ZONES))
    start = draw(
        st.datetimes(
            min_value=datetime(2015, 1, 1),
            max_value=datetime(2035, 1, 1),
            timezones=st.just(zone),
            allow_imaginary=False,
        )
    )
    grid = draw(st.none() | st.sampled_from(territory))
    resident = draw(st.none() | st.just("R1"))
    place = draw(st.sampled_from(["", "幸福小区3号楼", "8TH AVE and JUDAH ST"]))
    coordinates = draw(
        st.none()
        | st.tuples(
            st.floats(min_value=-90, max_value=90, allow_nan=False),
            st.floats(min_value=-180, max_value=180, allow_nan=False),
        )
    )
    task = Task.report(
        category=draw(st.sampled_from(cats)),
        description=draw(_WORDS),
        at=start,
        location=format_location(place, coordinates),
        grid=grid,
        channel=draw(st.sampled_from(list(Channel))),
        priority=draw(st.sampled_from(list(Priority))),
        reporter=None if resident is None else Reporter(name="张三", resident=resident),
        id=draw(st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=8)),
    )
    now = start
    for _ in range(draw(st.integers(min_value=0, max_value=max_steps))):
        if wanted is not None and task.status in wanted and draw(st.booleans()):
            break
        if wanted is not None and task.status.is_terminal and task.status not in wanted:
            break
        now = _later(now, draw(_STEP))
        if not _step(draw, task, now=now, names=names, grid=grid, resident=resident):
            break
    if wanted is not None and task.status not in wanted:
        _drive(
            task, wanted, now=_later(now, timedelta(minutes=1)), lead=draw(st.sampled_from(names))
        )
    return task


_ORDER = {
    TaskStatus.REPORTED: 0,
    TaskStatus.REGISTERED: 1,
    TaskStatus.DISPATCHED: 2,
    TaskStatus.ACCEPTED: 3,
    TaskStatus.PARKED: 4,
    TaskStatus.RESOLVED: 5,
    TaskStatus.CLOSED: 6,
}


def _drive(task: Task, wanted: frozenset[TaskStatus], *, now: datetime, lead: str) -> None:
    """Take a task along the main line to a wanted status, or reject the example."""
    system = Actor.system()
    for _ in range(8):
        status = task.status
        if status in wanted:
            return
        dept = Actor.department(task.department or lead)
        if status.is_terminal:
            break
        if TaskStatus.CANCELLED in wanted and status in (
            TaskStatus.REPORTED,
            TaskStatus.REGISTERED,
        ):
            task.cancel(at=now, by=system, reason="测试注销")
        elif status is TaskStatus.REPORTED:
            task.register(at=now, by=system)
        elif status is TaskStatus.REGISTERED:
            task.dispatch(to=lead, at=now, by=system)
        elif status is TaskStatus.DISPATCHED:
            task.accept(at=now, by=dept)
        elif status is TaskStatus.PARKED:
            task.resume(at=now, by=dept)
        elif status is TaskStatus.ACCEPTED and TaskStatus.PARKED in wanted:
            task.park(at=now, by=dept, reason="测试挂账")
        elif status is TaskStatus.ACCEPTED:
            task.resolve(at=now, by=dept)
        elif max(_ORDER.get(w, -1) for w in wanted) > _ORDER[status]:
            task.close(at=now, by=system)
        else:
            task.rework(at=now, by=system, reason="测试返工")
    reject()  # a terminal task cannot reach the wanted status


def _step(
    draw: st.DrawFn,
    task: Task,
    *,
    now: datetime,
    names: Sequence[str],
    grid: str | None,
    resident: str | None,
) -> bool:
    """Take one random legal step; ``False`` when the task can go no further."""
    status = task.status
    dept = Actor.department(task.department) if task.department else None
    options: list[str] = {
        TaskStatus.REPORTED: ["register"] * 6 + ["cancel", "duplicate"],
        TaskStatus.REGISTERED: ["dispatch"] * 8 + ["cancel", "duplicate"],
        TaskStatus.DISPATCHED: ["accept", "accept", "send_back", "extend", "urge", "cooperate"],
        TaskStatus.ACCEPTED: ["resolve", "resolve", "park", "send_back", "extend", "urge"],
        TaskStatus.PARKED: ["resume", "extend", "urge", "cooperate"],
        TaskStatus.RESOLVED: ["close", "close", "rework", "callback"],
        TaskStatus.CLOSED: ["callback"],
        TaskStatus.CANCELLED: [],
    }[status]
    if not options:
        return False
    choice = draw(st.sampled_from(options))
    admin = _actor_for_admin(draw)
    if choice == "register":
        task.register(at=now, by=admin)
    elif choice == "cancel":
        task.cancel(at=now, by=admin, reason=draw(_REASONS))
    elif choice == "duplicate":
        task.mark_duplicate(of="DUP1" if task.id != "DUP1" else "DUP2", at=now, by=admin)
    elif choice == "dispatch":
        lead = draw(st.sampled_from(names))
        others = [n for n in names if n != lead]
        helpers = draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
        due = draw(st.none() | _STEP.map(lambda d: _later(now, d + timedelta(hours=1))))
        response = draw(st.none() | _STEP.map(lambda d: _later(now, d)))
        task.dispatch(
            to=lead,
            at=now,
            by=admin,
            cooperating=helpers,
            reason=draw(st.sampled_from(["", "按权责清单"])),
            response_due=response,
            resolve_due=due,
        )
    elif choice == "accept":
        assert dept is not None
        task.accept(at=now, by=dept)
    elif choice == "send_back":
        assert dept is not None
        task.send_back(at=now, by=dept, reason=draw(_REASONS))
    elif choice == "park":
        assert dept is not None
        task.park(at=now, by=dept, reason=draw(_REASONS))
    elif choice == "resume":
        assert dept is not None
        task.resume(at=now, by=dept)
    elif choice == "resolve":
        assert dept is not None
        task.resolve(at=now, by=dept, note=draw(st.sampled_from(["", "已清运"])))
    elif choice == "extend":
        base = task.resolve_due if task.resolve_due is not None else now
        task.extend(
            until=base + timedelta(days=draw(st.integers(1, 5))), at=now, by=admin, reason="延期"
        )
    elif choice == "urge":
        task.urge(at=now, by=admin, level=draw(st.sampled_from(list(UrgeLevel))))
    elif choice == "cooperate":
        others = [n for n in names if n != task.department]
        if not others:
            return True
        task.add_cooperating(draw(st.sampled_from(others)), at=now, by=admin, reason="加派")
    elif choice == "rework":
        task.rework(at=now, by=admin, reason=draw(_REASONS))
    elif choice == "close":
        checker = Actor.grid_worker("W1", grid=grid) if grid and draw(st.booleans()) else admin
        task.close(at=now, by=checker, note=draw(st.sampled_from(["", "核查通过"])))
    else:  # callback
        contacted = draw(st.booleans())
        caller = Actor.resident(resident) if resident and draw(st.booleans()) else Actor.system()
        task.record_callback(
            contacted=contacted,
            resolved=draw(st.none() | st.booleans()) if contacted else None,
            satisfaction=draw(st.none() | st.sampled_from(list(Satisfaction)))
            if contacted
            else None,
            at=now,
            by=caller,
        )
    return True


@st.composite
def open311_payloads(
    draw: st.DrawFn, *, extended: bool | None = None, extensions: bool | None = None
) -> dict[str, JSONValue]:
    """GeoReport v2 service requests, written by ``to_open311`` from :func:`tasks`.

    Args:
        extended: FixMyStreet statuses or not; ``None`` draws either.
        extensions: With ``notes[]``/``extended_attributes`` or not; ``None`` draws either.
    """
    task = draw(tasks())
    return to_open311(
        task,
        extended=draw(st.booleans()) if extended is None else extended,
        extensions=draw(st.booleans()) if extensions is None else extensions,
    )


@st.composite
def scenarios(draw: st.DrawFn, *, max_departments: int = 3) -> Scenario:
    """Small, fast simulation scenarios: 1–3 departments, a Poisson mix, a category policy, ≤ 2 days."""
    count = draw(st.integers(min_value=1, max_value=max_departments))
    names = list(DEPARTMENT_NAMES[:count])
    cats = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=4, unique=True))
    table = {c: draw(st.sampled_from(names)) for c in cats}
    return Scenario(
        departments=[
            DepartmentModel(
                name,
                handlers=draw(st.integers(min_value=1, max_value=3)),
                service=Exponential(mean=timedelta(minutes=draw(st.integers(10, 120)))),
            )
            for name in names
        ],
        arrivals=PoissonArrivals(
            per_hour=draw(st.floats(min_value=0.5, max_value=6)),
            mix={c: draw(st.integers(min_value=1, max_value=5)) for c in cats},
        ),
        policy=CategoryPolicy(table),
        start=datetime(2024, 5, 6, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        duration=timedelta(hours=draw(st.integers(min_value=1, max_value=48))),
    )


# -- check_policy -------------------------------------------------------------------------------


def _departments_of(values: Iterable[Department | str]) -> dict[str, Department]:
    found: dict[str, Department] = {}
    for value in values:
        dept = value if isinstance(value, Department) else Department(value)
        found[dept.name] = dept
    if not found:
        msg = "check_policy: give at least one department"
        raise AssertionError(msg)
    return found


def _shown(task: Task, context: DispatchContext) -> str:
    return (
        f"task(category={task.category!r}, grid={task.grid!r}, description={task.description!r}, "
        f"priority={task.priority.name}), loads={dict(context.loads)!r}, "
        f"excluded={sorted(context.excluded)!r}"
    )


def check_policy(
    policy: DispatchPolicy,
    *,
    categories: Iterable[str] = CATEGORIES,
    departments: Iterable[Department | str] = DEPARTMENT_NAMES,
    responsibilities: ResponsibilityList | None = None,
    grids: Iterable[str] = GRID_IDS,
    max_examples: int = 50,
) -> None:
    """Property-test a dispatch policy in one call; raise ``AssertionError`` saying what broke.

    On generated tasks (the given categories plus an unknown one, with or without a grid) and
    contexts (random loads, random 回退 exclusions), the policy must:

    - be picklable and deep-copyable;
    - never raise;
    - return ``None`` or a :class:`~jiceng.dispatch.Decision` whose department exists in the
      context, is not excluded and serves the task's grid;
    - be deterministic: a deep copy taken just before a call decides the same again.

    Args:
        policy: The policy under test; its own state evolves as it is called (like in production).
        categories: Categories to try (an unknown one is always added).
        departments: The departments in the context: names or :class:`Department` objects (their
            jurisdictions make grid eligibility matter).
        responsibilities: A 权责清单 to put in the context.
        grids: Grid ids to put on tasks.
        max_examples: How many examples hypothesis tries (keep it ≤ 100 in CI).

    Raises:
        AssertionError: With the first broken property and the input that broke it.
    """
    name = type(policy).__name__
    if not callable(getattr(policy, "decide", None)):
        msg = f"check_policy: {name} has no decide(task, context) method"
        raise AssertionError(msg)
    try:
        pickle.loads(pickle.dumps(policy))
    except Exception as exc:
        msg = f"check_policy: {name} is not picklable ({type(exc).__name__}: {exc})"
        raise AssertionError(msg) from exc
    try:
        copy.deepcopy(policy)
    except Exception as exc:
        msg = f"check_policy: {name} is not deep-copyable ({type(exc).__name__}: {exc})"
        raise AssertionError(msg) from exc
    directory = _departments_of(departments)
    cats = [*dict.fromkeys(categories), "未知类别-unknown"]
    territory = list(dict.fromkeys(grids))
    now = datetime(2024, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    dept_names = sorted(directory)

    @settings(
        max_examples=max_examples,
        database=None,
        derandomize=True,
        deadline=None,
        # No shrinking: the first failing input is reported as found, in well under a second.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(
        category=st.sampled_from(cats),
        grid=st.none() | st.sampled_from(territory) if territory else st.none(),
        description=_WORDS,
        priority=st.sampled_from(list(Priority)),
        loads=st.dictionaries(st.sampled_from(dept_names), st.integers(0, 50)),
        excluded=st.frozensets(st.sampled_from(dept_names), max_size=max(0, len(dept_names) - 1)),
    )
    def run(
        *,
        category: str,
        grid: str | None,
        description: str,
        priority: Priority,
        loads: dict[str, int],
        excluded: frozenset[str],
    ) -> None:
        task = Task.report(
            category=category,
            description=description,
            at=now,
            grid=grid,
            priority=priority,
            id="CHECK1",
        )
        task.register(at=now, by=Actor.system())
        context = DispatchContext(
            departments=directory,
            loads=loads,
            responsibilities=responsibilities,
            now=now,
            excluded=excluded,
        )
        twin = copy.deepcopy(policy)
        try:
            decision = policy.decide(task, context)
        except Exception as exc:
            msg = (
                f"check_policy: {name}.decide raised {type(exc).__name__}: {exc} "
                f"on {_shown(task, context)}"
            )
            raise AssertionError(msg) from exc
        if decision is not None:
            if not isinstance(decision, Decision):
                msg = (
                    f"check_policy: {name}.decide returned {decision!r}, not a Decision or None, "
                    f"on {_shown(task, context)}"
                )
                raise AssertionError(msg)
            why = context.ineligibility(decision.department, task.grid)
            if why is not None:
                msg = (
                    f"check_policy: {name} chose department={decision.department!r}, "
                    f"which is not eligible ({why}), on {_shown(task, context)}"
                )
                raise AssertionError(msg)
        try:
            again = twin.decide(task, context)
        except Exception as exc:  # pragma: no cover - the first call already ran this code
            msg = f"check_policy: a deep copy of {name} raised {type(exc).__name__}: {exc}"
            raise AssertionError(msg) from exc
        if again != decision:
            msg = (
                f"check_policy: {name} is not deterministic: {decision!r} then, from a deep copy "
                f"of the same state, {again!r}, on {_shown(task, context)}"
            )
            raise AssertionError(msg)

    run()
