"""The domain model: tasks (工单) and their lifecycle, actors, departments, grids and partners.

Everything here is re-exported from :mod:`jiceng`. The model is split into private parts
(``_enums``, ``_people``, ``_org``, ``_task``) behind this one public module.
"""

from __future__ import annotations

from jiceng.models._enums import (
    ActorRole,
    Channel,
    CommitmentKind,
    EventKind,
    Level,
    PartnerKind,
    Priority,
    Role,
    Satisfaction,
    TaskStatus,
    UrgeLevel,
)
from jiceng.models._org import (
    Commitment,
    Department,
    Duty,
    Grid,
    GridCheck,
    GridCode,
    GridStandard,
    GridSurvey,
    Partner,
    ResponsibilityFinding,
    ResponsibilityList,
)
from jiceng.models._people import Actor, Reporter, mask_id_number, mask_phone
from jiceng.models._task import STEPS, Callback, Task, TaskEvent

__all__ = [
    "STEPS",
    "Actor",
    "ActorRole",
    "Callback",
    "Channel",
    "Commitment",
    "CommitmentKind",
    "Department",
    "Duty",
    "EventKind",
    "Grid",
    "GridCheck",
    "GridCode",
    "GridStandard",
    "GridSurvey",
    "Level",
    "Partner",
    "PartnerKind",
    "Priority",
    "Reporter",
    "ResponsibilityFinding",
    "ResponsibilityList",
    "Role",
    "Satisfaction",
    "Task",
    "TaskEvent",
    "TaskStatus",
    "UrgeLevel",
    "mask_id_number",
    "mask_phone",
]


def __dir__() -> list[str]:
    return list(__all__)
