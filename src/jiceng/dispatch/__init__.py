"""Dispatch (派遣): pluggable policies, a validating thread-safe dispatcher, deadlines, supervision.

A :class:`DispatchPolicy` decides where a task goes and says why (a :class:`Decision`, reason in
Chinese first). Built-ins route by category (:class:`CategoryPolicy`), keywords
(:class:`KeywordPolicy`), territory and ownership (:class:`TerritoryPolicy`), load
(:class:`LeastLoadedPolicy`), turns (:class:`RoundRobinPolicy`) and learned text
(:class:`TextClassifierPolicy`); :class:`Chain` tries several in order. The :class:`Dispatcher`
checks every decision before applying it, fills deadlines from a table, re-dispatches returned
tasks (回退 → 改派) and escalates late ones (催办 → 督办 → 通报).

>>> from datetime import datetime, timedelta, timezone
>>> desk = Dispatcher.from_table(SEED_TABLE, fallback=SEED_FALLBACK)
>>> at = datetime(2024, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=8)))
>>> desk.receive_report("环境卫生", "小区垃圾堆积未清理", "幸福小区3号楼", at=at).department
'城管局'
>>> desk.receive_report("噪音投诉", "夜间施工", "幸福小区5号楼", at=at).department
'综合协调'
"""

from __future__ import annotations

from jiceng.dispatch._classifier import TextClassifierPolicy, normalize_text
from jiceng.dispatch._core import (
    CacheablePolicy,
    Decision,
    DispatchContext,
    DispatchPolicy,
    TaskView,
)
from jiceng.dispatch._dispatcher import Dispatcher, Escalation
from jiceng.dispatch._duplicates import DuplicateMatch, find_duplicates
from jiceng.dispatch._policies import (
    CategoryPolicy,
    Chain,
    KeywordPolicy,
    LeastLoadedPolicy,
    RoundRobinPolicy,
    TerritoryPolicy,
)
from jiceng.dispatch._registry import (
    ENTRY_POINT_GROUP,
    PolicyRegistry,
    create_policy,
    load_entry_point_policies,
    policy_names,
    register_policy,
    unregister_policy,
)
from jiceng.dispatch._tables import (
    ANY_CATEGORY,
    DEFAULT_ESCALATION,
    EXAMPLE_DEADLINES,
    SEED_FALLBACK,
    SEED_TABLE,
    DeadlineKey,
    DeadlineTable,
)

__all__ = [
    "ANY_CATEGORY",
    "DEFAULT_ESCALATION",
    "ENTRY_POINT_GROUP",
    "EXAMPLE_DEADLINES",
    "SEED_FALLBACK",
    "SEED_TABLE",
    "CacheablePolicy",
    "CategoryPolicy",
    "Chain",
    "DeadlineKey",
    "DeadlineTable",
    "Decision",
    "DispatchContext",
    "DispatchPolicy",
    "Dispatcher",
    "DuplicateMatch",
    "Escalation",
    "KeywordPolicy",
    "LeastLoadedPolicy",
    "PolicyRegistry",
    "RoundRobinPolicy",
    "TaskView",
    "TerritoryPolicy",
    "TextClassifierPolicy",
    "create_policy",
    "find_duplicates",
    "load_entry_point_policies",
    "normalize_text",
    "policy_names",
    "register_policy",
    "unregister_policy",
]


def __dir__() -> list[str]:
    return list(__all__)
