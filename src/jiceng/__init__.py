"""jiceng (基层): a typed, tested core for China's grassroots governance (基层治理).

Citizens' reports become tasks (工单) that run a closed loop across departments, grids and
partners; pluggable policies decide who handles what, and say why. The top level re-exports the
names most users type; the modules hold the rest:

- :mod:`jiceng.models` — tasks and their lifecycle, actors, departments, grids, partners;
- :mod:`jiceng.calendar` — working-time calendars and time limits;
- :mod:`jiceng.dispatch` — dispatch policies and the thread-safe :class:`Dispatcher`;
- :mod:`jiceng.metrics` and :mod:`jiceng.coordination` — streaming metrics, 三率 scorecards, lead
  resolution (牵头/配合), the whistle (吹哨报到);
- :mod:`jiceng.assessment`, :mod:`jiceng.participation`, :mod:`jiceng.simulation`,
  :mod:`jiceng.interop`, :mod:`jiceng.serialization`, :mod:`jiceng.testing`.

>>> import jiceng
>>> jiceng.TaskStatus.DISPATCHED.label
'已派遣'
"""

from __future__ import annotations

from jiceng.calendar import LimitUnit, TimeLimit, WorkCalendar, date_span
from jiceng.coordination import (
    EvaluationWeights,
    LeadResolver,
    LeadRule,
    Resolution,
    Scorecard,
    ThirdPartyResult,
    Whistle,
    WhistleClock,
    WhistleLevel,
    WhistleOutcome,
    evaluate,
)
from jiceng.dispatch import (
    EXAMPLE_DEADLINES,
    CategoryPolicy,
    Chain,
    Decision,
    DispatchContext,
    Dispatcher,
    DispatchPolicy,
    KeywordPolicy,
    LeastLoadedPolicy,
    RoundRobinPolicy,
    TaskView,
    TerritoryPolicy,
    TextClassifierPolicy,
    create_policy,
    load_entry_point_policies,
    register_policy,
)
from jiceng.errors import (
    InvalidDecisionError,
    InvalidTransitionError,
    JicengError,
    Open311Error,
    PermissionDeniedError,
    UnknownPolicyError,
    UnresolvedLeadError,
    ValidationError,
)
from jiceng.metrics import (
    GroupedAccumulator,
    Metrics,
    MetricsAccumulator,
    TimeSummary,
    summarize,
)
from jiceng.models import (
    Actor,
    Channel,
    Commitment,
    CommitmentKind,
    Department,
    Duty,
    EventKind,
    Grid,
    GridCheck,
    GridCode,
    GridStandard,
    GridSurvey,
    Level,
    Partner,
    PartnerKind,
    Priority,
    Reporter,
    ResponsibilityList,
    Role,
    Satisfaction,
    Task,
    TaskEvent,
    TaskStatus,
    UrgeLevel,
)

__all__ = [
    "EXAMPLE_DEADLINES",
    "Actor",
    "CategoryPolicy",
    "Chain",
    "Channel",
    "Commitment",
    "CommitmentKind",
    "Decision",
    "Department",
    "DispatchContext",
    "DispatchPolicy",
    "Dispatcher",
    "Duty",
    "EvaluationWeights",
    "EventKind",
    "Grid",
    "GridCheck",
    "GridCode",
    "GridStandard",
    "GridSurvey",
    "GroupedAccumulator",
    "InvalidDecisionError",
    "InvalidTransitionError",
    "JicengError",
    "KeywordPolicy",
    "LeadResolver",
    "LeadRule",
    "LeastLoadedPolicy",
    "Level",
    "LimitUnit",
    "Metrics",
    "MetricsAccumulator",
    "Open311Error",
    "Partner",
    "PartnerKind",
    "PermissionDeniedError",
    "Priority",
    "Reporter",
    "Resolution",
    "ResponsibilityList",
    "Role",
    "RoundRobinPolicy",
    "Satisfaction",
    "Scorecard",
    "Task",
    "TaskEvent",
    "TaskStatus",
    "TaskView",
    "TerritoryPolicy",
    "TextClassifierPolicy",
    "ThirdPartyResult",
    "TimeLimit",
    "TimeSummary",
    "UnknownPolicyError",
    "UnresolvedLeadError",
    "UrgeLevel",
    "ValidationError",
    "Whistle",
    "WhistleClock",
    "WhistleLevel",
    "WhistleOutcome",
    "WorkCalendar",
    "create_policy",
    "date_span",
    "evaluate",
    "load_entry_point_policies",
    "register_policy",
    "summarize",
]


def __getattr__(name: str) -> str:
    """Provide ``__version__`` lazily, from the installed package's metadata."""
    if name == "__version__":
        from importlib.metadata import version

        return version("jiceng")
    raise AttributeError(f"module 'jiceng' has no attribute {name!r}")


def __dir__() -> list[str]:
    return [*__all__, "__version__"]
