"""The model's enumerations, each with a Chinese ``label`` (private; re-exported by ``jiceng.models``)."""

from __future__ import annotations

import enum

__all__ = [
    "ActorRole",
    "Channel",
    "CommitmentKind",
    "EventKind",
    "Level",
    "PartnerKind",
    "Priority",
    "Role",
    "Satisfaction",
    "TaskStatus",
    "UrgeLevel",
]


class _Labelled(enum.Enum):
    """An enum whose members carry a Chinese label in ``_LABELS``."""

    @property
    def label(self) -> str:
        """The member's Chinese name, as shown to users."""
        return _LABELS[type(self).__name__][self.name]


class _LabelledInt(enum.IntEnum):
    """An ordered enum whose members carry a Chinese label in ``_LABELS``."""

    @property
    def label(self) -> str:
        """The member's Chinese name, as shown to users."""
        return _LABELS[type(self).__name__][self.name]


class TaskStatus(_Labelled):
    """Where a task (工单) stands in the closed loop.

    >>> TaskStatus.DISPATCHED.label
    '已派遣'
    >>> TaskStatus.CLOSED.is_terminal
    True
    """

    REPORTED = "reported"
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    PARKED = "parked"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """``True`` for CLOSED and CANCELLED: no further status change is possible."""
        return self in (TaskStatus.CLOSED, TaskStatus.CANCELLED)


class EventKind(_Labelled):
    """The kind of a :class:`~jiceng.models.TaskEvent`: one per lifecycle method."""

    REPORTED = "reported"
    REGISTERED = "registered"
    CANCELLED = "cancelled"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    PARKED = "parked"
    RESUMED = "resumed"
    RESOLVED = "resolved"
    REWORKED = "reworked"
    CLOSED = "closed"
    EXTENDED = "extended"
    URGED = "urged"
    COOPERATING_ADDED = "cooperating_added"
    CALLBACK = "callback"
    DUPLICATE = "duplicate"


class UrgeLevel(_LabelledInt):
    """How hard a late task is chased: 催办 < 督办 < 通报.

    >>> UrgeLevel.URGE < UrgeLevel.SUPERVISE < UrgeLevel.NOTIFY
    True
    """

    URGE = 1
    SUPERVISE = 2
    NOTIFY = 3


class Channel(_Labelled):
    """How a report came in (受理渠道)."""

    HOTLINE = "hotline"
    APP = "app"
    MINI_PROGRAM = "mini_program"
    GRID_PATROL = "grid_patrol"
    VIDEO = "video"
    WALK_IN = "walk_in"
    REFERRAL = "referral"


class Priority(_LabelledInt):
    """How urgent a task is; ordered, so ``Priority.URGENT > Priority.NORMAL``."""

    LOW = 0
    NORMAL = 1
    URGENT = 2
    EMERGENCY = 3


class Satisfaction(_Labelled):
    """A resident's verdict at callback (回访): 满意, 基本满意 or 不满意."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class Level(_Labelled):
    """A department's administrative level."""

    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"


class Role(_Labelled):
    """A department's role for a category in the 权责清单: lead (牵头/主办) or support (配合/协办)."""

    LEAD = "lead"
    SUPPORT = "support"


class ActorRole(_Labelled):
    """Who is acting: the platform, a supervisor, a department, a grid worker, a resident, automation."""

    PLATFORM = "platform"
    SUPERVISOR = "supervisor"
    DEPARTMENT = "department"
    GRID_WORKER = "grid_worker"
    RESIDENT = "resident"
    SYSTEM = "system"


class PartnerKind(_Labelled):
    """The kinds of community partner (社区合伙人)."""

    ENTERPRISE = "enterprise"
    SOCIAL_ORGANIZATION = "social_organization"
    RESIDENT_GROUP = "resident_group"
    SAGE = "sage"


class CommitmentKind(_Labelled):
    """What a partner commits: meetings, jobs, a profit share (a fraction 0–1), hours, donations."""

    MEETINGS = "meetings"
    JOBS = "jobs"
    PROFIT_SHARE = "profit_share"
    SPACE_HOURS = "space_hours"
    SERVICE_HOURS = "service_hours"
    DONATION = "donation"


# Chinese labels, kept outside the classes so they never become enum members.
_LABELS: dict[str, dict[str, str]] = {
    "TaskStatus": {
        "REPORTED": "已上报",
        "REGISTERED": "已立案",
        "DISPATCHED": "已派遣",
        "ACCEPTED": "已签收",
        "PARKED": "已挂账",
        "RESOLVED": "已办结",
        "CLOSED": "已结案",
        "CANCELLED": "已注销",
    },
    "EventKind": {
        "REPORTED": "上报",
        "REGISTERED": "立案",
        "CANCELLED": "注销",
        "DISPATCHED": "派遣",
        "ACCEPTED": "签收",
        "RETURNED": "回退",
        "PARKED": "挂账",
        "RESUMED": "恢复办理",
        "RESOLVED": "处置反馈",
        "REWORKED": "返工",
        "CLOSED": "核查结案",
        "EXTENDED": "延期",
        "URGED": "催督办",
        "COOPERATING_ADDED": "加派配合部门",
        "CALLBACK": "回访",
        "DUPLICATE": "重复件注销",
    },
    "UrgeLevel": {"URGE": "催办", "SUPERVISE": "督办", "NOTIFY": "通报"},
    "Channel": {
        "HOTLINE": "12345热线",
        "APP": "移动应用",
        "MINI_PROGRAM": "小程序",
        "GRID_PATROL": "网格巡查",
        "VIDEO": "视频监控",
        "WALK_IN": "来访",
        "REFERRAL": "上级交办",
    },
    "Priority": {"LOW": "一般缓办", "NORMAL": "一般", "URGENT": "紧急", "EMERGENCY": "特急"},
    "Satisfaction": {
        "SATISFIED": "满意",
        "BASICALLY_SATISFIED": "基本满意",
        "DISSATISFIED": "不满意",
    },
    "Level": {"DISTRICT": "区级部门", "STREET": "街道/乡镇", "COMMUNITY": "社区"},
    "Role": {"LEAD": "牵头/主办", "SUPPORT": "配合/协办"},
    "ActorRole": {
        "PLATFORM": "平台",
        "SUPERVISOR": "督办/领导",
        "DEPARTMENT": "承办部门",
        "GRID_WORKER": "网格员",
        "RESIDENT": "居民",
        "SYSTEM": "系统",
    },
    "PartnerKind": {
        "ENTERPRISE": "企业",
        "SOCIAL_ORGANIZATION": "社会组织",
        "RESIDENT_GROUP": "居民自组织",
        "SAGE": "乡贤",
    },
    "CommitmentKind": {
        "MEETINGS": "社区活动/会议",
        "JOBS": "本地就业岗位",
        "PROFIT_SHARE": "利润分成",
        "SPACE_HOURS": "空间开放时长",
        "SERVICE_HOURS": "志愿服务时长",
        "DONATION": "捐赠",
    },
}
