"""The discrete-event engine behind :func:`simulate` (private; re-exported by the package).

Speed by design (DESIGN.md §8):

* a task is a small list (its id, shape, times, flags), never a ``Task`` unless asked;
* arrivals stream lazily from the arrival process; the heap holds only services in progress,
  as ``(end time, task number, department, record)`` — the task number breaks ties, and at equal
  times a service ending is handled before an arrival;
* times are float seconds (working seconds when there is a calendar);
* decisions are memoised per task shape when the policy gives a ``cache_key`` (called once per
  shape, so it must not depend on the task id); one :class:`~jiceng.dispatch.DispatchContext` per run
  with live loads;
* finished tasks go straight into :class:`~jiceng.metrics.MetricsAccumulator` (one per department),
  so memory is bounded by the open tasks.
"""

from __future__ import annotations

import copy
import math
import random
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import partial
from heapq import heappop, heappush
from itertools import accumulate
from typing import Any

from attrs import frozen

from jiceng.calendar import LimitUnit, TimeLimit
from jiceng.dispatch import Decision, DispatchContext
from jiceng.errors import InvalidDecisionError, ValidationError
from jiceng.metrics import CLOSED, OPEN, Metrics, MetricsAccumulator, Row
from jiceng.models import Actor, Channel, Priority, Satisfaction, Task
from jiceng.simulation._arrivals import PoissonArrivals, Shape
from jiceng.simulation._clock import WorkClock
from jiceng.simulation._distributions import exponential_stream, stream_sampler
from jiceng.simulation._scenario import Scenario

__all__ = ["Progress", "RunCounts", "SimulationResult", "simulate"]

Progress = Callable[[float], object]
"""A progress callback: called with the fraction of simulated time done, from 0.0 to 1.0."""

_UTC = timezone.utc
_SYSTEM = Actor.system()
_RETURN_REASON = "非本部门职责，回退改派（仿真）"
_REWORK_REASON = "核查未通过，返工（仿真）"
_BATCH = 1024  # finished tasks per metrics batch in the hot path (bounded memory)
_PROGRESS_EVERY = 4096 - 1  # a bit mask: report about every 4096 arrivals

# Record layout (a list, for speed): the indexes below.
#   0 number    the task's sequence number (its id is f"T{number:08d}")
#   1 shape     index into the shapes table
#   2 d_tau     the latest dispatch, in clock seconds (working seconds with a calendar)
#   3 d_wall    the latest dispatch, in wall seconds since the start
#   4 a_wall    acceptance in wall seconds, or None
#   5 flags     1 counted (arrived after warm-up) | 2 returned | 4 reworked
#   6 excluded  frozenset of departments that sent it back, or None
#   7 log       the event log for keep_tasks, or None
#   8 resp_due  the response deadline (clock or wall seconds, see the shape's kinds), or None
#   9 res_due   the resolution deadline, or None
_COUNTED, _RETURNED, _REWORKED = 1, 2, 4
_REWORKED_OF = (False, False, False, False, True, True, True, True)  # flags -> ever reworked
_RETURNED_OF = (False, False, True, True, False, False, True, True)  # flags -> ever returned
_UNIT_SECONDS = {
    LimitUnit.MINUTES: 60.0,
    LimitUnit.HOURS: 3600.0,
    LimitUnit.DAYS: 86_400.0,
    LimitUnit.WORKING_HOURS: 3600.0,
}
# Log entries: (code, wall seconds, department index, extra).
_DISPATCH, _ACCEPT, _RETURN, _RESOLVE, _REWORK, _CLOSE, _CALLBACK = range(7)


@frozen(kw_only=True)
class RunCounts:
    """What happened in one run, counting every task (also those in the warm-up).

    Attributes:
        arrivals: Reports that arrived.
        counted: Arrivals after the warm-up (the tasks the metrics cover).
        closed: Tasks closed.
        open: Tasks still open at the end.
        unrouted: Times the policy could not route a task (it stays REGISTERED).
        returns: Send-backs (回退).
        reworks: Failed verifications (返工).
    """

    arrivals: int
    counted: int
    closed: int
    open: int
    unrouted: int
    returns: int
    reworks: int


@frozen(kw_only=True)
class SimulationResult:
    """The outcome of one run of :func:`simulate`.

    Attributes:
        metrics: The DESIGN §6 metrics over tasks that arrived after the warm-up, judged at
            ``end``.
        by_department: The same per department (scenario order), plus ``None`` for tasks that
            no department holds (the policy could not route them).
        tasks: The counted tasks as full :class:`~jiceng.models.Task` objects when
            ``keep_tasks=True`` (in arrival order), else empty.
        counts: The run's :class:`RunCounts`.
        seed: The seed used.
        end: The instant the run stopped (``start + duration``).
    """

    metrics: Metrics
    by_department: dict[str | None, Metrics]
    tasks: tuple[Task, ...]
    counts: RunCounts
    seed: int
    end: datetime


class _View:
    """The light :class:`~jiceng.dispatch.TaskView` a policy sees for a generated task."""

    __slots__ = ("_shape", "id")

    def __init__(self, number: int, shape: Shape) -> None:
        self.id = f"T{number:08d}"
        self._shape = shape

    @property
    def category(self) -> str:
        return self._shape.category

    @property
    def description(self) -> str:
        return self._shape.description

    @property
    def location(self) -> str:
        return self._shape.location

    @property
    def grid(self) -> str | None:
        return self._shape.grid

    @property
    def priority(self) -> Priority:
        return self._shape.priority

    @property
    def channel(self) -> Channel:
        return self._shape.channel


class _LiveLoads(Mapping[str, int]):
    """A read-only, live view of the engine's open-task counts, by department name."""

    __slots__ = ("_counts", "_index")

    def __init__(self, index: dict[str, int], counts: list[int]) -> None:
        self._index = index
        self._counts = counts

    def __getitem__(self, name: str) -> int:
        return self._counts[self._index[name]]

    def get(self, name: str, default: Any = None) -> Any:
        i = self._index.get(name)
        return default if i is None else self._counts[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _rng(seed: int, stream: str) -> random.Random:
    """An independent, reproducible stream per purpose (common random numbers across variants)."""
    return random.Random(f"jiceng/{seed}/{stream}")


def _deadline_of(
    deadlines: Mapping[Hashable, tuple[Any, Any]] | None, shape: Shape
) -> tuple[Any, Any]:
    if not deadlines:
        return (None, None)
    pair = deadlines.get((shape.category, shape.priority))
    if pair is None:
        pair = deadlines.get(shape.category, (None, None))
    return pair


def simulate(
    scenario: Scenario,
    *,
    seed: int,
    keep_tasks: bool = False,
    progress: Progress | None = None,
) -> SimulationResult:
    """Run one replication of ``scenario`` (仿真一次) and return its metrics.

    Semantics:

    * A task arrives (REPORTED, then REGISTERED by the system) and is dispatched at once by a deep
      copy of the scenario's policy, which sees live open loads per department.
    * It is ACCEPTED when a handler of its department starts on it (first come, first served), so
      its response time is the queueing delay. With ``return_probability`` the department sends it
      back at that moment instead, and it is re-dispatched, excluding every department that
      returned it.
    * At the end of service it is RESOLVED; with ``rework_probability`` verification fails and it
      rejoins the same queue; otherwise the system CLOSES it (and, with a satisfaction model,
      records a callback at the same instant).
    * A task the policy cannot route stays REGISTERED and counts as open.
    * With a calendar, handlers work only in working time (services pause outside it) and
      working-unit deadlines count working time.
    * Metrics cover tasks that arrived at or after ``start + warmup``, judged at ``start +
      duration``. The same scenario and seed give identical results, whatever else runs.

    Args:
        scenario: A validated :class:`Scenario`.
        seed: An integer seed; separate streams are derived from it for arrivals, each
            department's service times, returns, reworks and callbacks.
        keep_tasks: Also build every counted task as a full :class:`~jiceng.models.Task`
            (through its lifecycle methods; slower and O(tasks) memory).
        progress: Called as ``progress(fraction)`` with the share of simulated time done (0.0 to
            1.0), about every 4096 arrivals and once with 1.0 at the end. It must not raise.

    Returns:
        A :class:`SimulationResult`.

    Raises:
        ValidationError: ``seed`` is not an int, or ``scenario`` is not a Scenario.
        InvalidDecisionError: The policy chose a department that does not exist, is excluded or
            does not serve the task's grid.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValidationError.for_field("seed", seed, "must be an int")
    if not isinstance(scenario, Scenario):
        raise ValidationError.for_field("scenario", scenario, "must be a Scenario")
    if progress is not None and not callable(progress):
        raise ValidationError.for_field("progress", progress, "must be callable or None")
    return _Run(scenario, seed, keep_tasks, progress).run()


class _Run:
    """One run's state; ``run`` holds the hot loop."""

    def __init__(
        self, scenario: Scenario, seed: int, keep: bool, progress: Progress | None
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.keep = bool(keep)
        self.progress = progress
        self.policy = copy.deepcopy(scenario.policy)
        self.names = [d.name for d in scenario.departments]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.loads = [0] * len(self.names)
        directory = scenario.directory()
        self.directory = directory
        self.context = DispatchContext(
            departments=directory, loads=_LiveLoads(self.index, self.loads), now=scenario.start
        )
        self.start_utc = scenario.start.astimezone(_UTC)
        self.zone = scenario.start.tzinfo
        self.horizon = scenario.duration.total_seconds()
        self.warm = scenario.warmup.total_seconds()
        self.clock = (
            WorkClock(scenario.calendar, scenario.start, self.horizon)
            if scenario.calendar is not None
            else None
        )
        self.shapes = scenario.arrivals._shapes()
        # Deadlines per shape: (seconds, counts working time?) or None.
        self.resp: list[tuple[float, bool] | None] = []
        self.res: list[tuple[float, bool] | None] = []
        self.limits: list[tuple[Any, Any]] = []
        for shape in self.shapes:
            pair = _deadline_of(scenario.deadlines, shape)  # type: ignore[arg-type]
            self.limits.append(pair)
            self.resp.append(self._limit_seconds(pair[0]))
            self.res.append(self._limit_seconds(pair[1]))
        self.has_deadlines = any(p is not None for p in self.resp + self.res)
        # Memoised first decisions per shape: department index, -1 for "cannot route",
        # -2 not yet known; decisions kept alongside for the task log.
        self.first: list[int] = [-2] * len(self.shapes)
        self.first_decision: list[Decision | None] = [None] * len(self.shapes)
        key_of = getattr(self.policy, "cache_key", None)
        self.key_of: Callable[[Any], Hashable | None] | None = key_of if callable(key_of) else None
        self.by_key: dict[Hashable, tuple[int, Decision | None]] = {}
        self.uncached = [False] * len(self.shapes)
        self.unrouted = self.returns = self.reworks = 0
        self.end_wall = self.horizon

    def _limit_seconds(self, limit: TimeLimit | None) -> tuple[float, bool] | None:
        """A limit as (seconds, counts working time?), the way ``TimeLimit.due`` counts it."""
        if limit is None:
            return None
        if limit.unit is LimitUnit.WORKING_DAYS:
            per = self.scenario.calendar.working_seconds_per_day  # type: ignore[union-attr]
        else:
            per = _UNIT_SECONDS[limit.unit]
        return (float(limit.amount) * per, limit.is_working)

    # -- time conversions -------------------------------------------------------------------

    def at(self, wall: float) -> datetime:
        """Wall seconds since the start as an aware datetime in the start's zone."""
        return (self.start_utc + timedelta(seconds=wall)).astimezone(self.zone)

    # -- dispatching ------------------------------------------------------------------------

    def decide(self, rec: list[Any], wall: float) -> tuple[int, Decision | None]:
        """Route ``rec`` (the slow path): memoised when possible, validated always."""
        k = rec[1]
        excluded = rec[6]
        if excluded is None and not self.uncached[k]:
            known = self.first[k]
            if known != -2:
                return known, self.first_decision[k]
        view = _View(rec[0], self.shapes[k])
        key = None
        if excluded is None and self.key_of is not None:
            key = self.key_of(view)
            if key is not None:
                hit = self.by_key.get(key)
                if hit is not None:
                    self.first[k], self.first_decision[k] = hit
                    return hit
            else:
                self.uncached[k] = True
        elif excluded is None:
            self.uncached[k] = True
        context = self.context
        context.now = self.at(wall)
        context.excluded = excluded or frozenset()
        decision = self.policy.decide(view, context)
        context.excluded = frozenset()
        if decision is None:
            result: tuple[int, Decision | None] = (-1, None)
        else:
            if not isinstance(decision, Decision):
                raise InvalidDecisionError(
                    policy=type(self.policy).__name__,
                    department=repr(decision),
                    why="a policy must return a Decision or None",
                )
            name = decision.department
            why = self._ineligible(name, view.grid, excluded)
            if why:
                raise InvalidDecisionError(policy=decision.policy, department=name, why=why)
            result = (self.index[name], decision)
        if key is not None:
            self.by_key[key] = result
            self.first[k], self.first_decision[k] = result
        return result

    def _ineligible(self, name: str, grid: str | None, excluded: frozenset[str] | None) -> str:
        dept = self.directory.get(name)
        if dept is None:
            return f"not in the scenario (known: {', '.join(self.names)})"
        if excluded and name in excluded:
            return "the department already sent this task back"
        if not dept.serves(grid):
            return f"does not serve grid {grid!r}"
        return ""

    def dues(self, rec: list[Any], tau: float, wall: float) -> None:
        k = rec[1]
        resp = self.resp[k]
        res = self.res[k]
        rec[8] = None if resp is None else (tau if resp[1] else wall) + resp[0]
        rec[9] = None if res is None else (tau if res[1] else wall) + res[0]

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> SimulationResult:
        scenario = self.scenario
        seed = self.seed
        names = self.names
        n_dept = len(names)
        keep = self.keep
        clock = self.clock
        horizon = self.horizon
        warm = self.warm
        progress = self.progress
        end_dt = self.at(horizon)
        accs = [MetricsAccumulator(now=end_dt) for _ in range(n_dept)]
        unrouted_acc = MetricsAccumulator(now=end_dt)
        adders = [acc.add_values for acc in accs]
        add_unrouted = unrouted_acc.add_values
        samplers = [
            stream_sampler(d.service, _rng(seed, f"service/{d.name}")) for d in scenario.departments
        ]
        free = [d.handlers for d in scenario.departments]
        queues: list[deque[list[Any]]] = [deque() for _ in range(n_dept)]
        loads = self.loads
        heap: list[tuple[float, int, int, list[Any]]] = []
        push = heappush
        pop = heappop
        decide = self.decide
        dues = self.dues
        has_deadlines = self.has_deadlines
        res_kinds = self.res
        ret_p = float(scenario.return_probability)
        ret_draw = _rng(seed, "returns").random
        rw_p = float(scenario.rework_probability)
        rw_draw = _rng(seed, "rework").random
        sat = scenario.satisfaction
        if not (ret_p or clock is not None or keep):
            return self._run_simple()
        tau_h = clock.horizon_work if clock is not None else horizon
        start_wall = clock.start_wall if clock is not None else None
        end_wall = clock.end_wall if clock is not None else None
        to_work = clock.work if clock is not None else None
        kept: list[list[Any]] = []
        late_starts: list[tuple[int, list[Any]]] = []
        closed = 0

        def begin(d: int, rec: list[Any], tau: float) -> bool:
            """A handler of ``d`` takes ``rec`` at clock ``tau``; False if it is sent back."""
            wall = tau if start_wall is None else start_wall(tau)
            if wall > horizon:  # with a calendar: the next working time is after the end
                late_starts.append((d, rec))
                return True
            log = rec[7]
            if rec[4] is None:
                if ret_p and ret_draw() < ret_p:
                    self.returns += 1
                    loads[d] -= 1
                    rec[5] |= _RETURNED
                    excluded = rec[6]
                    rec[6] = frozenset((names[d],)) if excluded is None else excluded | {names[d]}
                    rec[8] = rec[9] = None
                    if log is not None:
                        log.append((_RETURN, wall, d, None))
                    route(rec, tau, wall)
                    return False
                rec[4] = wall
                if log is not None:
                    log.append((_ACCEPT, wall, d, None))
            push(heap, (tau + samplers[d](), rec[0], d, rec))
            return True

        def route(rec: list[Any], tau: float, wall: float) -> None:
            """Dispatch ``rec`` at ``tau`` (the general path)."""
            d, decision = decide(rec, wall)
            if d < 0:
                self.unrouted += 1
                finish_unrouted(rec)
                return
            assign(d, rec, tau, wall, decision)

        def assign(d: int, rec: list[Any], tau: float, wall: float, decision: Any) -> None:
            loads[d] += 1
            rec[2] = tau
            rec[3] = wall
            rec[4] = None
            if has_deadlines:
                dues(rec, tau, wall)
            if rec[7] is not None:
                rec[7].append((_DISPATCH, wall, d, decision))
            if free[d]:
                if begin(d, rec, tau):
                    free[d] -= 1
            else:
                queues[d].append(rec)

        def finish_unrouted(rec: list[Any]) -> None:
            """A task that stays REGISTERED for good: count it now (it can no longer change)."""
            flags = rec[5]
            if flags & _COUNTED:
                returned = bool(flags & _RETURNED)
                add_unrouted(
                    OPEN,
                    None,
                    None,
                    None,
                    False,
                    returned,
                    returned,
                    False,
                    False,
                    None,
                    None,
                    None,
                )
                if keep:
                    kept.append(rec)

        callback = self._callback()

        stream = scenario.arrivals._stream(scenario.start, horizon, _rng(seed, "arrivals"))
        next_arrival = stream.__next__
        number = 0
        try:
            wa, k = next_arrival()
            ta = wa if to_work is None else to_work(wa)
            more = True
        except StopIteration:
            wa, k, ta, more = horizon, 0, tau_h, False
        rew_of = _REWORKED_OF
        ret_of = _RETURNED_OF
        while True:
            if heap and heap[0][0] <= ta:
                # -- a service ends ---------------------------------------------------------------
                te, _, d, rec = pop(heap)
                # With a calendar, a zero-length service started at the first instant of a
                # working period ends there, not at the end of the previous period (before it).
                we = te if end_wall is None else max(end_wall(te), rec[4])
                log = rec[7]
                if rw_p and rw_draw() < rw_p:
                    self.reworks += 1
                    rec[5] |= _REWORKED
                    if log is not None:
                        log.append((_RESOLVE, we, d, None))
                        log.append((_REWORK, we, d, None))
                    queues[d].append(rec)
                else:
                    closed += 1
                    loads[d] -= 1
                    flags = rec[5]
                    on_time = None
                    due = rec[9]
                    if due is not None:
                        on_time = (te if res_kinds[rec[1]][1] else we) <= due
                    if sat is None:
                        contacted = said = rating = None
                    else:
                        contacted, said, rating = callback(on_time)
                    if flags & 1:
                        d_wall = rec[3]
                        adders[d](
                            CLOSED,
                            rec[4] - d_wall,
                            we - d_wall,
                            on_time,
                            False,
                            True,
                            ret_of[flags],
                            True,
                            rew_of[flags],
                            contacted,
                            said,
                            rating,
                        )
                        if log is not None:
                            log.append((_RESOLVE, we, d, None))
                            log.append((_CLOSE, we, d, None))
                            if contacted is not None:
                                log.append((_CALLBACK, we, d, (contacted, said, rating)))
                            kept.append(rec)
                q = queues[d]
                while q:
                    if begin(d, q.popleft(), te):
                        break
                else:
                    free[d] += 1
                continue
            if not more:
                break
            # -- a report arrives -------------------------------------------------------------------
            number += 1
            rec = [
                number,
                k,
                ta,
                wa,
                None,
                1 if wa >= warm else 0,
                None,
                [] if keep else None,
                None,
                None,
            ]
            route(rec, ta, wa)
            if progress is not None and not number & _PROGRESS_EVERY:
                progress(min(wa / horizon, 1.0))
            try:
                wa, k = next_arrival()
            except StopIteration:
                ta, more = tau_h, False
            else:
                ta = wa if to_work is None else to_work(wa)
        open_recs = [(d, rec) for _, _, d, rec in heap]
        for d, q in enumerate(queues):
            open_recs.extend((d, rec) for rec in q)
        open_recs.extend(late_starts)
        return self._finish(
            arrivals=number,
            closed=closed,
            open_recs=open_recs,
            kept=kept,
            accs=accs,
            unrouted_acc=unrouted_acc,
            end_dt=end_dt,
        )

    def _callback(self) -> Callable[[bool | None], tuple[bool, bool | None, Satisfaction | None]]:
        """The callback draw (回访) of the satisfaction model, bound to its own stream."""
        sat = self.scenario.satisfaction
        draw = _rng(self.seed, "callbacks").random
        contact_p = resolved_p = satisfied_p = basic_p = penalty = 0.0
        if sat is not None:
            contact_p = float(sat.contact_rate)
            resolved_p = float(sat.resolved_rate)
            satisfied_p = float(sat.satisfied)
            basic_p = float(sat.basically_satisfied)
            penalty = float(sat.late_penalty)
        satisfied_v = Satisfaction.SATISFIED
        basic_v = Satisfaction.BASICALLY_SATISFIED
        dissatisfied_v = Satisfaction.DISSATISFIED

        def callback(on_time: bool | None) -> tuple[bool, bool | None, Satisfaction | None]:
            if draw() >= contact_p:
                return False, None, None
            said_resolved = draw() < resolved_p
            s_p, b_p = satisfied_p, basic_p
            if on_time is False:
                s_p *= 1.0 - penalty
                b_p *= 1.0 - penalty
            u = draw()
            rating = satisfied_v if u < s_p else basic_v if u < s_p + b_p else dissatisfied_v
            return True, said_resolved, rating

        return callback

    def _run_simple(self) -> SimulationResult:
        """The hot path: no calendar, no returns, no task log; records are flat tuples.

        It draws exactly the random numbers the general path draws, in the same order, so both
        give identical results (a test checks this through ``keep_tasks``).

        Waiting:  (number, shape, arrival wall, flags, response due, resolution due, accepted)
        Serving:  (end, number, department, shape, arrival wall, accepted, flags, response due,
                   resolution due)
        """
        scenario = self.scenario
        seed = self.seed
        horizon = self.horizon
        warm = self.warm
        progress = self.progress
        end_dt = self.at(horizon)
        accs = [MetricsAccumulator(now=end_dt) for _ in self.names]
        unrouted_acc = MetricsAccumulator(now=end_dt)
        # Finished tasks are counted in batches (MetricsAccumulator.add_rows): one tight loop per
        # batch instead of one call per task.
        batches: list[list[Row]] = [[] for _ in self.names]
        batch_size = _BATCH
        add_unrouted = unrouted_acc.add_values
        samplers = [
            stream_sampler(d.service, _rng(seed, f"service/{d.name}")) for d in scenario.departments
        ]
        free = [d.handlers for d in scenario.departments]
        queues: list[deque[tuple[Any, ...]]] = [deque() for _ in self.names]
        loads = self.loads
        heap: list[tuple[Any, ...]] = []
        push = heappush
        pop = heappop
        first = self.first
        decide = self.decide
        resp_kinds = self.resp
        res_kinds = self.res
        has_deadlines = self.has_deadlines
        rw_p = float(scenario.rework_probability)
        rw_draw = _rng(seed, "rework").random
        with_callbacks = scenario.satisfaction is not None
        callback = self._callback()
        rew_of = _REWORKED_OF
        closed = 0
        number = 0
        resp_due: float | None = None
        res_due: float | None = None
        contacted: bool | None
        said: bool | None
        rating: Satisfaction | None
        # Arrivals: Poisson streams are drawn inline (exactly as their generator would).
        arrivals = scenario.arrivals
        rng_arrivals = _rng(seed, "arrivals")
        inline = isinstance(arrivals, PoissonArrivals)
        gap = rng_arrivals.expovariate
        uniform = rng_arrivals.random
        cumulative: list[float] = []
        rate = 0.0
        if isinstance(arrivals, PoissonArrivals):
            cumulative = list(accumulate(float(w) for w in arrivals.mix.values()))
            rate = float(arrivals.per_hour) / 3600.0
        total = cumulative[-1] if cumulative else 0.0
        last = len(cumulative) - 1
        choose = inline and last > 0
        next_arrival = arrivals._stream(scenario.start, horizon, rng_arrivals).__next__
        if inline and not choose and rate > 0:
            # One category: the arrival generator draws only gaps, so they can come in blocks.
            next_gap = exponential_stream(rng_arrivals, rate)
        else:
            next_gap = partial(gap, rate)
        if inline:
            wa = next_gap() if rate > 0 else math.inf
            k = 0
        else:
            try:
                wa, k = next_arrival()
            except StopIteration:
                wa, k = math.inf, 0
        if wa > horizon:
            wa = math.inf
        ta = horizon if wa == math.inf else wa
        while True:
            if heap and heap[0][0] <= ta:
                # -- a service ends ---------------------------------------------------------------
                te, num, d, shape, arrived, accepted, flags, resp_due, res_due = pop(heap)
                if rw_p and rw_draw() < rw_p:
                    self.reworks += 1
                    queues[d].append(
                        (num, shape, arrived, flags | _REWORKED, resp_due, res_due, accepted)
                    )
                else:
                    closed += 1
                    loads[d] -= 1
                    on_time = None if res_due is None else te <= res_due
                    if with_callbacks:
                        contacted, said, rating = callback(on_time)
                    else:
                        contacted = said = rating = None
                    if flags & 1:
                        batch = batches[d]
                        batch.append(
                            (
                                0,
                                accepted - arrived,
                                te - arrived,
                                on_time,
                                False,
                                True,
                                False,
                                True,
                                rew_of[flags],
                                contacted,
                                said,
                                rating,
                            )
                        )
                        if len(batch) >= batch_size:
                            accs[d].add_rows(batch)
                            batch.clear()
                q = queues[d]
                if q:
                    num, shape, arrived, flags, resp_due, res_due, accepted = q.popleft()
                    push(
                        heap,
                        (
                            te + samplers[d](),
                            num,
                            d,
                            shape,
                            arrived,
                            te if accepted is None else accepted,
                            flags,
                            resp_due,
                            res_due,
                        ),
                    )
                else:
                    free[d] += 1
                continue
            if wa == math.inf:
                break
            # -- a report arrives -------------------------------------------------------------------
            number += 1
            if choose:
                k = min(bisect_right(cumulative, uniform() * total), last)
            d = first[k]
            if d < 0:
                d = decide([number, k, wa, wa, None, 0, None, None, None, None], wa)[0]
            flags = 1 if wa >= warm else 0
            if d < 0:
                self.unrouted += 1
                if flags:
                    add_unrouted(
                        OPEN,
                        None,
                        None,
                        None,
                        False,
                        False,
                        False,
                        False,
                        False,
                        None,
                        None,
                        None,
                    )
            else:
                loads[d] += 1
                if has_deadlines:
                    limit = resp_kinds[k]
                    resp_due = None if limit is None else wa + limit[0]
                    limit = res_kinds[k]
                    res_due = None if limit is None else wa + limit[0]
                if free[d]:
                    free[d] -= 1
                    push(
                        heap,
                        (wa + samplers[d](), number, d, k, wa, wa, flags, resp_due, res_due),
                    )
                else:
                    queues[d].append((number, k, wa, flags, resp_due, res_due, None))
            if progress is not None and not number & _PROGRESS_EVERY:
                progress(min(wa / horizon, 1.0))
            if inline:
                wa += next_gap()
            else:
                try:
                    wa, k = next_arrival()
                except StopIteration:
                    wa = math.inf
            if wa > horizon:
                wa = math.inf
            ta = horizon if wa == math.inf else wa
        open_recs: list[tuple[int, list[Any]]] = [
            (d, [num, shape, arrived, arrived, accepted, flags, None, None, resp, res])
            for _, num, d, shape, arrived, accepted, flags, resp, res in heap
        ]
        for d, q in enumerate(queues):
            open_recs.extend(
                (d, [num, shape, arrived, arrived, accepted, flags, None, None, resp, res])
                for num, shape, arrived, flags, resp, res, accepted in q
            )
        for acc, batch in zip(accs, batches, strict=True):
            acc.add_rows(batch)
        return self._finish(
            arrivals=number,
            closed=closed,
            open_recs=open_recs,
            kept=[],
            accs=accs,
            unrouted_acc=unrouted_acc,
            end_dt=end_dt,
        )

    def _finish(
        self,
        *,
        arrivals: int,
        closed: int,
        open_recs: Sequence[tuple[int, list[Any]]],
        kept: list[list[Any]],
        accs: Sequence[MetricsAccumulator],
        unrouted_acc: MetricsAccumulator,
        end_dt: datetime,
    ) -> SimulationResult:
        """Count the tasks still open at the end, merge the accumulators, build kept tasks."""
        horizon = self.horizon
        tau_h = self.clock.horizon_work if self.clock is not None else horizon
        counted = 0
        for d, rec in open_recs:
            flags = rec[5]
            if not flags & _COUNTED:
                continue
            a_wall = rec[4] if rec[4] is not None and rec[4] <= horizon else None
            res_past = self._past(rec[9], self.res[rec[1]], tau_h)
            resp_past = a_wall is None and self._past(rec[8], self.resp[rec[1]], tau_h)
            accs[d].add_values(
                OPEN,
                None if a_wall is None else a_wall - rec[3],
                None,
                False if res_past else None,
                res_past or resp_past,
                True,
                bool(flags & _RETURNED),
                bool(flags & _REWORKED),
                bool(flags & _REWORKED),
                None,
                None,
                None,
            )
            if self.keep:
                kept.append(rec)
        total = MetricsAccumulator(now=end_dt)
        by_department: dict[str | None, Metrics] = {}
        for name, acc in zip(self.names, accs, strict=True):
            total.merge(acc)
            by_department[name] = acc.result()
            counted += acc.arrived
        if unrouted_acc.arrived:
            total.merge(unrouted_acc)
            by_department[None] = unrouted_acc.result()
            counted += unrouted_acc.arrived
        tasks: tuple[Task, ...] = ()
        if self.keep:
            kept.sort(key=lambda r: r[0])
            tasks = tuple(self._task(rec) for rec in kept)
        if self.progress is not None:
            self.progress(1.0)
        counts = RunCounts(
            arrivals=arrivals,
            counted=counted,
            closed=closed,
            open=len(open_recs) + self.unrouted_open(),
            unrouted=self.unrouted,
            returns=self.returns,
            reworks=self.reworks,
        )
        return SimulationResult(
            metrics=total.result(),
            by_department=by_department,
            tasks=tasks,
            counts=counts,
            seed=self.seed,
            end=end_dt,
        )

    def unrouted_open(self) -> int:
        """Unrouted tasks never change again, so each one is open at the end."""
        return self.unrouted

    def _past(self, due: float | None, kind: tuple[float, bool] | None, tau_h: float) -> bool:
        """Whether a deadline is already past at the end of the run."""
        if due is None or kind is None:
            return False
        if not kind[1]:
            return self.horizon > due
        if due > tau_h:
            return False
        assert self.clock is not None
        return self.horizon > self.clock.end_wall(due)

    # -- building full tasks ------------------------------------------------------------------

    def _task(self, rec: list[Any]) -> Task:
        """Replay a record's log through the real :class:`Task` methods."""
        shape = self.shapes[rec[1]]
        at = self.at
        reported = at(self._arrival_wall(rec))
        task = Task.report(
            category=shape.category,
            description=shape.description,
            at=reported,
            location=shape.location,
            grid=shape.grid,
            channel=shape.channel,
            priority=shape.priority,
            id=f"T{rec[0]:08d}",
        )
        task.register(at=reported, by=_SYSTEM)
        calendar = self.scenario.calendar
        resp_limit, res_limit = self.limits[rec[1]]
        for code, wall, d, extra in rec[7]:
            when = at(wall)
            if code == _DISPATCH:
                task.dispatch(
                    to=self.names[d],
                    at=when,
                    by=_SYSTEM,
                    cooperating=extra.cooperating,
                    reason=extra.reason,
                    response_due=None if resp_limit is None else resp_limit.due(when, calendar),
                    resolve_due=None if res_limit is None else res_limit.due(when, calendar),
                )
            elif code == _ACCEPT:
                task.accept(at=when, by=Actor.department(self.names[d]))
            elif code == _RETURN:
                task.send_back(at=when, by=Actor.department(self.names[d]), reason=_RETURN_REASON)
            elif code == _RESOLVE:
                task.resolve(at=when, by=Actor.department(self.names[d]))
            elif code == _REWORK:
                task.rework(at=when, by=_SYSTEM, reason=_REWORK_REASON)
            elif code == _CLOSE:
                task.close(at=when, by=_SYSTEM)
            else:
                contacted, said, rating = extra
                task.record_callback(
                    contacted=contacted, resolved=said, satisfaction=rating, at=when, by=_SYSTEM
                )
        return task

    @staticmethod
    def _arrival_wall(rec: list[Any]) -> float:
        log = rec[7]
        if log and log[0][0] == _DISPATCH:
            # the first dispatch happens at the arrival instant
            return float(log[0][1])
        return float(rec[3])
