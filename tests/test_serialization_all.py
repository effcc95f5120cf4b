"""Every public attrs class either round-trips through to_dict/from_dict or says why it cannot.

DESIGN §9: ``to_dict``/``from_dict`` work "for every public attrs class", and the round trip is exact
(with ``reveal_pii=True`` when reporter contact details are present). This test walks the ``__all__``
of every public module, so a new public attrs class fails here until it has a factory below or an
entry, with its reason, in ``NOT_PLAIN_DATA``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta

from jiceng import assessment as asm
from jiceng import coordination as coo
from jiceng import dispatch as dsp
from jiceng import metrics as met
from jiceng import participation as par
from jiceng import simulation as sim
from jiceng.calendar import TimeLimit, WorkCalendar
from jiceng.errors import ValidationError
from jiceng.interop import open311 as o311
from jiceng.interop import records as rec
from jiceng.models import (
    Actor,
    Callback,
    Channel,
    Commitment,
    CommitmentKind,
    Department,
    Duty,
    EventKind,
    Grid,
    GridCode,
    GridStandard,
    Level,
    Partner,
    PartnerKind,
    Priority,
    Reporter,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
    TaskStatus,
    UrgeLevel,
)
from jiceng.serialization import from_dict, to_dict

PUBLIC_MODULES = (
    "jiceng",
    "jiceng.models",
    "jiceng.calendar",
    "jiceng.dispatch",
    "jiceng.metrics",
    "jiceng.coordination",
    "jiceng.assessment",
    "jiceng.participation",
    "jiceng.simulation",
    "jiceng.interop.open311",
    "jiceng.interop.records",
)

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 5, 6, 9, 0, tzinfo=SH)
M = timedelta(minutes=1)
P = Actor.platform()
CG = Actor.department("城管局")


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def public_attrs_classes() -> dict[str, type]:
    """Every attrs class named in a public module's ``__all__``, keyed by its defining path."""
    found: dict[str, type] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and attrs.has(obj):
                found[_name(obj)] = obj
    return found


# Classes that are not plain data, with the reason. Everything else must round-trip.
NOT_PLAIN_DATA: dict[str, str] = {
    # Entities with a lock, live mutable state or callables: they are services, not values.
    "jiceng.dispatch._dispatcher.Dispatcher": "holds a lock, live loads and a policy object",
    "jiceng.dispatch._registry.PolicyRegistry": "maps names to factory callables",
    "jiceng.dispatch._core.DispatchContext": "holds a live, read-only loads mapping by design",
    "jiceng.coordination._whistle.Whistle": (
        "a mutable entity whose state is built by sign/report calls; its events and outcome "
        "(WhistleEvent, WhistleOutcome) are the plain data"
    ),
    # Dispatch policies: behaviour, possibly with fitted or cycling state.
    # Dispatch policies are behaviour: DESIGN §4 asks them to pickle and deep-copy, not to be data.
    # (TerritoryPolicy and LeastLoadedPolicy are pure configuration and do round-trip: see below.)
    "jiceng.dispatch._policies.CategoryPolicy": (
        "a dispatch policy; its table annotation names Department only for type checkers, so "
        "cattrs cannot resolve it"
    ),
    "jiceng.dispatch._policies.KeywordPolicy": "a dispatch policy; rules may be compiled regexes",
    "jiceng.dispatch._policies.RoundRobinPolicy": "a dispatch policy with private cycling state",
    "jiceng.dispatch._policies.Chain": "a dispatch policy holding other policy objects",
    "jiceng.dispatch._classifier.TextClassifierPolicy": (
        "a fitted model: its learnt tables are private state that to_dict does not carry"
    ),
    # Accumulating entities with private, append-only state and query methods.
    "jiceng.participation._ledger.CommitmentLedger": "an append-only ledger entity",
    "jiceng.participation._council.SageCouncil": "an append-only register entity",
    "jiceng.participation._proposals.ImplementationTracker": "an append-only tracker entity",
    "jiceng.participation._proposals.ProposalRound": "may hold an eligibility callable",
    # Simulation inputs and outputs that hold policy objects or arbitrary records.
    "jiceng.simulation._scenario.Scenario": "holds a DispatchPolicy object",
    "jiceng.simulation._arrivals.TraceArrivals": "replays arbitrary task or record objects",
    "jiceng.simulation._replicate.SweepPoint": "holds a Scenario (and so a policy object)",
    "jiceng.simulation._replicate.SweepResult": "holds SweepPoints (and so policy objects)",
}


def _task() -> Task:
    task = Task.report(
        category="环境卫生",
        description="垃圾堆积",
        at=T0,
        id="T1",
        grid="G1",
        channel=Channel.APP,
        priority=Priority.URGENT,
        reporter=Reporter(name="张三", phone="13812345678", resident="R1"),
    )
    task.register(at=T0 + M, by=P)
    task.dispatch(to="城管局", at=T0 + 2 * M, by=P, resolve_due=T0 + 90 * M, reason="按清单")
    task.accept(at=T0 + 3 * M, by=CG)
    task.resolve(at=T0 + 30 * M, by=CG, note="已清运")
    task.close(at=T0 + 40 * M, by=P)
    task.record_callback(
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASICALLY_SATISFIED,
        at=T0 + 50 * M,
        by=Actor.resident("R1"),
    )
    return task


def _calendar() -> WorkCalendar:
    return WorkCalendar(
        holidays=frozenset({date(2026, 10, 1)}),
        extra_workdays=frozenset({date(2026, 9, 27)}),
        periods=((time(8, 30), time(12)), (time(14), time(18))),
    )


def _whistle() -> coo.Whistle:
    whistle = coo.Whistle(
        matter="老旧小区加装电梯",
        street=Department("朝外街道", level=Level.STREET),
        departments=["住建局", "城管局"],
        level=coo.WhistleLevel.ROUTINE,
        blown_by=Actor.supervisor("街道书记"),
        at=T0,
        calendar=WorkCalendar(),
    )
    whistle.sign("住建局", at=T0 + 10 * M)
    whistle.report("住建局", at=T0 + 60 * M, note="已现场查看")
    whistle.rate_street("住建局", score=90, at=T0 + 70 * M)
    return whistle


def _report() -> asm.AssessmentReport:
    profile = asm.SystemProfile(
        "智慧门禁",
        evidence=[
            asm.Evidence("EQU-01", asm.Status.PASS, note="窗口可办"),
            asm.Evidence("EQU-02", "fail", expires=T0 + 100 * M),
        ],
        outcomes={
            "老年人": asm.GroupOutcome(successes=20, attempts=40),
            "青年人": asm.GroupOutcome(successes=38, attempts=40),
        },
        sustainability=asm.Sustainability(maintenance_staff=1, usage_rate=0.4),
    )
    return asm.InclusiveAssessment().assess(profile, at=T0)


def _selection() -> par.Selection:
    return par.ProposalRound(budget=100_000).select(
        [
            par.Proposal("p1", "口袋公园", 40_000, 8.5, proposer="居民A"),
            par.Proposal("p2", "适老扶手", 30_000, 9.0),
            par.Proposal("p3", "超大项目", 60_000, 9.9),
        ]
    )


def _ledger() -> par.CommitmentLedger:
    ledger = par.CommitmentLedger()
    cafe = Partner(
        "街角咖啡",
        kind=PartnerKind.ENTERPRISE,
        commitments=[
            Commitment(kind=CommitmentKind.MEETINGS, amount=2, per=relativedelta(months=1)),
        ],
    )
    ledger.enrol(cafe, since=T0)
    ledger.deliver("街角咖啡", CommitmentKind.MEETINGS, 1, at=T0 + M, beneficiaries=12)
    ledger.contribute("街角咖啡", par.ContributionKind.SPACE, 3, at=T0 + 2 * M)
    ledger.correct(1, amount=2, at=T0 + 3 * M, note="补记")
    ledger.report_profit("街角咖啡", 1000, start=T0, end=T0 + 3 * M)
    return ledger


def _council() -> par.SageCouncil:
    council = par.SageCouncil("乡贤理事会")
    council.add_member(par.CouncilMember("王老师", background=par.Background.EDUCATOR))
    council.record_case(par.MediationCase("C1", opened=T0, mediators=["王老师"]))
    council.update_case("C1", outcome=par.MediationOutcome.SETTLED, at=T0 + M)
    council.pledge("李总", 5000, at=T0, purpose="助学")
    council.receive("李总", 5000, at=T0 + M, pledge=3)
    council.disclose(at=T0 + 2 * M, channel="公示栏", covers=[1, 4])
    return council


def _meeting() -> par.Meeting:
    return par.Meeting(
        "M1",
        slot=par.TimeSlot(T0, timedelta(hours=2)),
        eligible=200,
        attendance={par.AgeBand.OLDER: 30, par.AgeBand.YOUNG: 5},
        agenda=["停车"],
        opinions=[par.Opinion("增设车位", feedback_at=T0 + M, feedback="已采纳")],
        title="议事会",
    )


def _simulation() -> sim.SimulationResult:
    scenario = sim.mmc_scenario(2.0, 2, days=0.5, warmup=timedelta(0))
    return sim.simulate(scenario, seed=1, keep_tasks=True)


def _replication() -> sim.ReplicationResult:
    scenario = sim.mmc_scenario(2.0, 2, days=0.25, warmup=timedelta(0))
    return sim.replicate(scenario, [1, 2])


Factory = Callable[[], object]


def _first(items: Any) -> Any:
    values = tuple(items)
    assert values, "the factory produced nothing to test"
    return values[0]


FACTORIES: dict[str, Factory] = {
    # models
    "jiceng.models._people.Actor": lambda: Actor.grid_worker("W1", grid="G1"),
    "jiceng.models._people.Reporter": lambda: Reporter(
        name="张三", phone="13812345678", id_number="110105199001011234", resident="R1"
    ),
    "jiceng.models._task.Task": _task,
    "jiceng.models._task.TaskEvent": lambda: _task().history[2],
    "jiceng.models._task.Callback": lambda: Callback(
        contacted=True, resolved=None, satisfaction=None, at=T0, by=P
    ),
    "jiceng.models._org.Department": lambda: Department(
        "街道办", level=Level.STREET, handlers=3, jurisdiction={"G2", "G1"}
    ),
    "jiceng.models._org.Duty": lambda: Duty("占道经营", "街道办", role=Role.SUPPORT, grids={"G1"}),
    "jiceng.models._org.ResponsibilityList": lambda: ResponsibilityList(
        [Duty("占道经营", "城管局", grids={"G1"}), Duty("占道经营", "街道办", role=Role.SUPPORT)]
    ),
    "jiceng.models._org.ResponsibilityFinding": lambda: _first(
        ResponsibilityList([Duty("占道经营", "城管局"), Duty("占道经营", "市场监管局")]).check()
    ),
    "jiceng.models._org.Grid": lambda: Grid(
        "110105001002003", households=420, population=1200, workers=("W1",), street="朝外街道"
    ),
    "jiceng.models._org.GridStandard": lambda: GridStandard(households=(200, 400), min_workers=2),
    "jiceng.models._org.GridCheck": lambda: GridStandard().check(Grid("G1", households=10)),
    "jiceng.models._org.GridSurvey": lambda: GridStandard().survey(
        [Grid("G1", households=400, workers=("W1",)), Grid("G2", households=10)]
    ),
    "jiceng.models._org.GridCode": lambda: GridCode.parse("110105001002003"),
    "jiceng.models._org.Commitment": lambda: Commitment(
        kind=CommitmentKind.SERVICE_HOURS, amount=10, per=relativedelta(weeks=1), note="每周"
    ),
    "jiceng.models._org.Partner": lambda: Partner(
        "乡贤王",
        kind=PartnerKind.SAGE,
        commitments=[Commitment(kind=CommitmentKind.JOBS, amount=3)],
    ),
    # calendar
    "jiceng.calendar.WorkCalendar": _calendar,
    "jiceng.calendar.TimeLimit": lambda: TimeLimit.working_days(1.5),
    # dispatch
    "jiceng.dispatch._duplicates.DuplicateMatch": lambda: dsp.DuplicateMatch(
        task_id="T1", score=0.75, reason="疑似重复", reason_en="likely duplicate"
    ),
    "jiceng.dispatch._core.Decision": lambda: dsp.Decision(
        department="城管局",
        cooperating=("街道办",),
        reason="按权责清单",
        reason_en="by the list",
        policy="category",
        confidence=0.75,
    ),
    "jiceng.dispatch._policies.TerritoryPolicy": lambda: dsp.TerritoryPolicy(
        owners={"井盖缺失": "水务局"},
        territory={"G1": "朝外街道"},
        components={"井盖缺失"},
    ),
    "jiceng.dispatch._policies.LeastLoadedPolicy": lambda: dsp.LeastLoadedPolicy(
        {"环境卫生": ["城管局", "街道办"]}
    ),
    "jiceng.dispatch._dispatcher.Escalation": lambda: dsp.Escalation(
        task="T1",
        department="城管局",
        level=UrgeLevel.SUPERVISE,
        lateness=timedelta(hours=5),
        reason="超期",
        reason_en="late",
    ),
    # metrics
    "jiceng.metrics._values.Metrics": lambda: met.summarize([_task()], now=T0 + 60 * M),
    "jiceng.metrics._values.TimeSummary": lambda: (
        met.summarize([_task()], now=T0 + 60 * M).handling_time
    ),
    # coordination
    "jiceng.coordination._evaluation.EvaluationWeights": lambda: coo.EvaluationWeights(
        response=0.2, resolution=0.4, satisfaction=0.4
    ),
    "jiceng.coordination._evaluation.ThirdPartyResult": lambda: coo.ThirdPartyResult(
        response_rate=0.9, resolution_rate=0.8, satisfaction_rate=0.7, weight=0.5, sample=100
    ),
    "jiceng.coordination._evaluation.Scorecard": lambda: _first(
        coo.evaluate(
            [_task()],
            third_party={
                "城管局": coo.ThirdPartyResult(
                    response_rate=0.9, resolution_rate=0.8, satisfaction_rate=0.7
                )
            },
        )
    ),
    "jiceng.coordination._lead.Resolution": lambda: coo.LeadResolver(
        ResponsibilityList(
            [Duty("占道经营", "城管局"), Duty("占道经营", "街道办", role=Role.SUPPORT)]
        )
    ).resolve("占道经营", ["城管局", "住建局"], grid="G1"),
    "jiceng.coordination._lead.LeadResolver": lambda: coo.LeadResolver(
        ResponsibilityList([Duty("占道经营", "城管局")]),
        directory=[Department("城管局"), Department("朝外街道", level=Level.STREET)],
        coordinator="朝外街道",
    ),
    "jiceng.coordination._whistle.WhistleClock": lambda: coo.WhistleClock(
        sign=TimeLimit.minutes(30), report=TimeLimit.working_days(3)
    ),
    "jiceng.coordination._whistle.WhistleEvent": lambda: _whistle().history[-1],
    "jiceng.coordination._whistle.WhistleOutcome": lambda: _whistle().outcome(T0 + 100 * M),
    "jiceng.coordination._whistle.DepartmentOutcome": lambda: _first(
        _whistle().outcome(T0 + 100 * M).details
    ),
    # assessment
    "jiceng.assessment._model.CheckItem": lambda: asm.DEFAULT_CHECKLIST[0],
    "jiceng.assessment._model.Evidence": lambda: asm.Evidence(
        "EQU-01", asm.Status.PARTIAL, note="部分", source="现场", expires=T0
    ),
    "jiceng.assessment._scoring.InclusiveAssessment": lambda: asm.InclusiveAssessment(
        checklist=asm.DEFAULT_CHECKLIST[:4], min_sample=10
    ),
    "jiceng.assessment._model.GroupOutcome": lambda: asm.GroupOutcome(successes=3, attempts=4),
    "jiceng.assessment._model.Sustainability": lambda: asm.Sustainability(
        maintenance_staff=2, data_age_days=3.5, usage_rate=0.25, without_smartphone=0.1
    ),
    "jiceng.assessment._model.SystemProfile": lambda: asm.SystemProfile(
        "门禁",
        evidence=[asm.Evidence("EQU-01", asm.Status.PASS)],
        outcomes={"老年人": asm.GroupOutcome(successes=3, attempts=4)},
    ),
    "jiceng.assessment._report.AssessmentReport": _report,
    "jiceng.assessment._report.CriterionScore": lambda: _report().criteria[0],
    "jiceng.assessment._report.Finding": lambda: _first(_report().findings),
    "jiceng.assessment._report.Recommendation": lambda: _first(_report().advice),
    "jiceng.assessment._report.Diagnostic": lambda: _first(_report().diagnostics),
    "jiceng.assessment._fairness.Fairness": lambda: _report().fairness,
    "jiceng.assessment._fairness.GroupRate": lambda: _first(_report().fairness.groups),
    "jiceng.assessment._weights.AHPWeights": lambda: asm.ahp_weights(
        [[1, 2, 3], [1 / 2, 1, 2], [1 / 3, 1 / 2, 1]]
    ),
    # participation
    "jiceng.participation._proposals.Proposal": lambda: par.Proposal(
        "p1", "口袋公园", 40_000, 8.5, proposer="居民A", category="环境"
    ),
    "jiceng.participation._proposals.Selection": _selection,
    "jiceng.participation._proposals.ImplementationRecord": lambda: par.ImplementationTracker(
        _selection()
    ).record("p2", status=par.ImplementationStatus.COMPLETED, at=T0, proposer_took_part=True),
    "jiceng.participation._ledger.Enrolment": lambda: _ledger().entries[0],
    "jiceng.participation._ledger.Delivery": lambda: _ledger().entries[1],
    "jiceng.participation._ledger.CommunityContribution": lambda: _ledger().entries[2],
    "jiceng.participation._ledger.Correction": lambda: _ledger().entries[3],
    "jiceng.participation._ledger.ProfitReport": lambda: _ledger().entries[4],
    "jiceng.participation._ledger.Fulfilment": lambda: _first(
        _ledger().fulfilment("街角咖啡", start=T0, end=T0 + timedelta(days=62))
    ),
    "jiceng.participation._ledger.Overdue": lambda: _first(
        _ledger().overdue(T0 + timedelta(days=120))
    ),
    "jiceng.participation._ledger.Exchange": lambda: _ledger().exchange(
        "街角咖啡", start=T0, end=T0 + timedelta(days=1)
    ),
    "jiceng.participation._council.CouncilMember": lambda: par.CouncilMember(
        "王老师", background=par.Background.EDUCATOR
    ),
    "jiceng.participation._council.MediationCase": lambda: par.MediationCase(
        "C1",
        opened=T0,
        outcome=par.MediationOutcome.SETTLED,
        closed=T0 + M,
        mediators=["王老师"],
        task="T1",
    ),
    "jiceng.participation._council.CaseUpdate": lambda: _council().entries[2],
    "jiceng.participation._council.Pledge": lambda: _council().entries[3],
    "jiceng.participation._council.Receipt": lambda: _council().entries[4],
    "jiceng.participation._council.Disclosure": lambda: _council().entries[5],
    "jiceng.participation._council.CouncilSummary": lambda: _council().summary(),
    "jiceng.participation._deliberation.TimeSlot": lambda: par.TimeSlot(T0, timedelta(hours=2)),
    "jiceng.participation._deliberation.Opinion": lambda: par.Opinion(
        "增设车位", adopted=False, feedback_at=T0, feedback="不可行"
    ),
    "jiceng.participation._deliberation.Meeting": _meeting,
    "jiceng.participation._deliberation.ParticipationThresholds": lambda: (
        par.ParticipationThresholds(
            daytime=(time(9), time(17)), top_n=3, holidays=frozenset({date(2026, 10, 1)})
        )
    ),
    "jiceng.participation._deliberation.Diagnosis": lambda: par.diagnose(
        _meeting(), working_share=0.6, reported={"停车": 5, "垃圾": 9}
    ),
    "jiceng.participation._deliberation.Finding": lambda: _first(
        par.diagnose(_meeting(), working_share=0.6, reported={"停车": 5}).findings
    ),
    # simulation
    "jiceng.simulation._distributions.Exponential": lambda: sim.Exponential(
        mean=timedelta(minutes=30)
    ),
    "jiceng.simulation._distributions.Deterministic": lambda: sim.Deterministic(
        value=timedelta(minutes=5)
    ),
    "jiceng.simulation._distributions.LogNormal": lambda: sim.LogNormal(
        mean=timedelta(hours=1), sigma=0.5
    ),
    "jiceng.simulation._distributions.Gamma": lambda: sim.Gamma(mean=timedelta(hours=1), shape=2.0),
    "jiceng.simulation._distributions.Empirical": lambda: sim.Empirical(
        values=[timedelta(minutes=5), timedelta(minutes=7)]
    ),
    "jiceng.simulation._arrivals.PoissonArrivals": lambda: sim.PoissonArrivals(
        per_hour=3.0, mix={"环境卫生": 2.0, "占道经营": 1.0}
    ),
    "jiceng.simulation._arrivals.ProfileArrivals": lambda: sim.ProfileArrivals(
        per_hour=3.0, mix={"环境卫生": 1.0}, hourly=[1.0] * 12 + [2.0] * 12
    ),
    "jiceng.simulation._scenario.DepartmentModel": lambda: sim.DepartmentModel(
        "城管局",
        handlers=2,
        service=sim.Exponential(mean=timedelta(hours=1)),
        level=Level.STREET,
        jurisdiction={"G1"},
    ),
    "jiceng.simulation._scenario.SatisfactionModel": lambda: sim.SatisfactionModel(
        contact_rate=0.9, resolved_rate=0.8, satisfied=0.6, basically_satisfied=0.3
    ),
    "jiceng.simulation._engine.RunCounts": lambda: _simulation().counts,
    "jiceng.simulation._engine.SimulationResult": _simulation,
    "jiceng.simulation._replicate.ReplicationResult": _replication,
    "jiceng.simulation._stats.Estimate": lambda: sim.Estimate(
        mean=1.5, low=1.0, high=2.0, n=3, stdev=0.5
    ),
    # interop
    "jiceng.interop._open311_services.Receipt": lambda: o311.Receipt(
        service_request_id="T1", service_notice="已受理"
    ),
    "jiceng.interop._open311_services.Service": lambda: o311.Service(
        "sanitation", service_name="环境卫生", keywords=("垃圾", "清运"), group="城管"
    ),
    "jiceng.interop._open311_services.ServiceAttribute": lambda: o311.ServiceAttribute(
        "where", datatype="string", description="位置", required=True, order=1
    ),
    "jiceng.interop._open311_services.ServiceDefinition": lambda: o311.ServiceDefinition(
        "sanitation",
        attributes=[o311.ServiceAttribute("where", datatype="string", description="位置")],
    ),
    "jiceng.interop.records.FieldMap": rec.FieldMap.beijing_12345,
    "jiceng.interop.records.RecordError": lambda: rec.RecordError(
        3, "日期无法解析", field="created"
    ),
    "jiceng.interop.records.ImportResult": lambda: rec.ImportResult(
        tasks=[_task()], errors=[rec.RecordError(2, "重复编号")], sources={"a.csv": (1, 2)}
    ),
}


def _deep(value: Any) -> Any:
    """A comparable picture of ``value`` that also sees what ``==`` may ignore.

    It walks attrs fields (those taking part in ``__init__``), containers, and ``str`` subclasses
    carrying extra attributes (participation's ``Reason`` compares equal on its Chinese text alone).
    """
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), tuple(_deep(getattr(value, f.name)) for f in fields if f.init))
    if isinstance(value, str) and type(value) is not str:
        return (type(value), str(value), sorted(vars(value).items()))
    if isinstance(value, dict):
        return (dict, sorted((repr(k), _deep(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value), [_deep(v) for v in value])
    if isinstance(value, (set, frozenset)):
        return (type(value), sorted(repr(_deep(v)) for v in value))
    return value


def test_every_public_attrs_class_is_covered() -> None:
    classes = set(public_attrs_classes())
    covered = set(FACTORIES) | set(NOT_PLAIN_DATA)
    assert not set(FACTORIES) & set(NOT_PLAIN_DATA), "a class is in both tables"
    assert sorted(classes - covered) == [], "new public attrs classes need a factory or a reason"
    assert sorted(covered - classes) == [], "stale entries: these classes are no longer public"


def test_the_walk_sees_the_contract_classes() -> None:
    names = {path.rsplit(".", 1)[1] for path in public_attrs_classes()}
    assert {"Task", "TaskEvent", "Decision", "Resolution", "Scorecard", "Metrics"} <= names
    assert {"TimeSummary", "WorkCalendar", "TimeLimit", "CheckItem", "Evidence"} <= names
    assert {"SystemProfile", "AssessmentReport", "Proposal", "Selection", "Scenario"} <= names


@pytest.mark.parametrize("path", sorted(FACTORIES))
def test_round_trip(path: str) -> None:
    cls = public_attrs_classes()[path]
    obj = FACTORIES[path]()
    assert type(obj) is cls
    data = to_dict(obj, reveal_pii=True)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data, "output is not JSON-ready"
    back = from_dict(cls, data)
    assert back == obj
    assert _deep(back) == _deep(obj)
    assert to_dict(back, reveal_pii=True) == data


def test_masked_output_still_round_trips_without_contact_details() -> None:
    task = Task.report(
        category="环境卫生",
        description="垃圾",
        at=T0,
        id="T9",
        reporter=Reporter(name="李四", resident="R9"),
    )
    assert from_dict(Task, to_dict(task)) == task


def test_event_kinds_and_statuses_serialise_as_values() -> None:
    data = to_dict(_task().history[-1])
    assert data["kind"] == EventKind.CALLBACK.value
    assert data["status"] == TaskStatus.CLOSED.value
    assert data["satisfaction"] == Satisfaction.BASICALLY_SATISFIED.value


# Fixes made to jiceng.serialization during the contract audit -----------------------------------


def test_reason_keeps_its_english_code_and_detail() -> None:
    reason = par.Reason("超过单项上限", "over the cap", code="over_cap", detail="6万元")
    data = to_dict(reason)
    assert data == {
        "zh": "超过单项上限",
        "en": "over the cap",
        "code": "over_cap",
        "detail": "6万元",
    }
    back = from_dict(par.Reason, data)
    assert (back.zh, back.en, back.code, back.detail) == (
        "超过单项上限",
        "over the cap",
        "over_cap",
        "6万元",
    )
    assert from_dict(par.Reason, "仅中文").en == "仅中文"  # a plain string is still accepted
    rejected = _selection().rejected["p3"]
    assert from_dict(par.Selection, to_dict(_selection())).rejected["p3"].en == rejected.en
    for bad in ({"en": "x"}, {"zh": "x", "other": "y"}, {"zh": "x", "en": 1}, 3):
        with pytest.raises(ValidationError):
            from_dict(par.Reason, bad)


def test_scorecard_keys_come_back_hashable() -> None:
    card = _first(coo.evaluate([_task()]))
    assert from_dict(coo.Scorecard, to_dict(card)).key == "城管局"
    grouped = attrs.evolve(card, key=("城管局", "G1"))
    assert from_dict(coo.Scorecard, to_dict(grouped)).key == ("城管局", "G1")
    nameless = attrs.evolve(card, key=None)
    assert from_dict(coo.Scorecard, to_dict(nameless)).key is None
    with pytest.raises(ValidationError):
        from_dict(coo.Scorecard, {**to_dict(card), "key": {"a": 1}})


def test_department_model_service_is_tagged_by_kind() -> None:
    model = FACTORIES["jiceng.simulation._scenario.DepartmentModel"]()
    data = to_dict(model)
    assert data["service"] == {"kind": "exponential", "mean": 3600.0}
    with pytest.raises(ValidationError):
        from_dict(sim.DepartmentModel, {**data, "service": {"kind": "weibull", "mean": 1}})
    with pytest.raises(ValidationError):
        from_dict(sim.DepartmentModel, {**data, "service": {"mean": 1}})

    @attrs.frozen
    class Custom:
        def sample(self, rng: Any, /) -> timedelta:
            return timedelta(minutes=1)

    custom = sim.DepartmentModel("x", handlers=1, service=Custom())
    with pytest.raises(ValidationError):
        to_dict(custom)
