"""jiceng (基层): a typed, tested core for China's grassroots governance (基层治理).

Citizens' reports become tasks (工单) that run a closed loop across departments, grids and
partners; pluggable policies decide who handles what, and say why. The top level re-exports the
names most users type; the modules hold the rest:

- :mod:`jiceng.models` — tasks and their lifecycle, actors, departments, grids, partners;
- :mod:`jiceng.calendar` — working-time calendars and time limits;
- :mod:`jiceng.dispatch` — dispatch policies and the thread-safe :class:`Dispatcher`;
- :mod:`jiceng.metrics` and :mod:`jiceng.coordination` — 三率, lead resolution, the whistle;
- :mod:`jiceng.assessment`, :mod:`jiceng.participation`, :mod:`jiceng.simulation`,
  :mod:`jiceng.interop`, :mod:`jiceng.serialization`, :mod:`jiceng.testing`.

>>> import jiceng
>>> jiceng.TaskStatus.DISPATCHED.label
'已派遣'
"""

from __future__ import annotations

from jiceng.calendar import LimitUnit, TimeLimit, WorkCalendar, date_span
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
from jiceng.models import (
    Actor,
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
    "EventKind",
    "Grid",
    "GridCode",
    "GridStandard",
    "InvalidDecisionError",
    "InvalidTransitionError",
    "JicengError",
    "KeywordPolicy",
    "LeastLoadedPolicy",
    "Level",
    "LimitUnit",
    "Open311Error",
    "Partner",
    "PartnerKind",
    "PermissionDeniedError",
    "Priority",
    "Reporter",
    "ResponsibilityList",
    "Role",
    "RoundRobinPolicy",
    "Satisfaction",
    "Task",
    "TaskEvent",
    "TaskStatus",
    "TaskView",
    "TerritoryPolicy",
    "TextClassifierPolicy",
    "TimeLimit",
    "UnknownPolicyError",
    "UnresolvedLeadError",
    "UrgeLevel",
    "ValidationError",
    "WorkCalendar",
    "create_policy",
    "date_span",
    "load_entry_point_policies",
    "register_policy",
]


def __getattr__(name: str) -> str:
    """Provide ``__version__`` lazily, from the installed package's metadata."""
    if name == "__version__":
        from importlib.metadata import version

        return version("jiceng")
    raise AttributeError(f"module 'jiceng' has no attribute {name!r}")


def __dir__() -> list[str]:
    return [*__all__, "__version__"]
