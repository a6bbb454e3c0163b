"""States, actions and vocabularies of the case loop (受理 → 立案 → 派遣 → 处置 → 核查 → 结案)."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    RECEIVED = "received"  # 受理
    REGISTERED = "registered"  # 立案 (waiting for dispatch; the manual queue when no department)
    DISPATCHED = "dispatched"  # 派遣 (waiting for the department to accept)
    HANDLING = "handling"  # 处置
    VERIFYING = "verifying"  # 核查
    CLOSED = "closed"  # 结案
    PARKED = "parked"  # 挂账
    MERGED = "merged"  # 合并到另一工单 (closes with it)
    CANCELLED = "cancelled"  # 不予立案


OPEN_STATES = frozenset(
    {
        CaseState.RECEIVED,
        CaseState.REGISTERED,
        CaseState.DISPATCHED,
        CaseState.HANDLING,
        CaseState.VERIFYING,
        CaseState.PARKED,
    }
)


class Action(StrEnum):
    REGISTER = "register"  # 立案
    CANCEL = "cancel"  # 不予立案
    DISPATCH = "dispatch"  # 派遣
    ACCEPT = "accept"  # 签收
    RETURN = "return"  # 退回 (wrong department, back to dispatch)
    REPORT = "report"  # 处置上报
    VERIFY_FAIL = "verify_fail"  # 核查不通过 (back to the handler)
    CLOSE = "close"  # 核查通过，结案
    PARK = "park"  # 挂账
    UNPARK = "unpark"  # 解除挂账
    REOPEN = "reopen"  # 重新打开 (counts as a reopening)


class Channel(StrEnum):
    HOTLINE = "hotline"  # 12345
    CITIZEN = "citizen"  # web / phone page
    GRID = "grid"  # grid worker
    OPEN311 = "open311"
    TASK = "task"  # another domain through mudan_open_task (alerts, video repair …)


class CategoryKind(StrEnum):
    EVENT = "event"  # 事件
    COMPONENT = "component"  # 部件


class LimitUnit(StrEnum):
    HOURS = "hours"  # working hours
    WORKDAYS = "workdays"


class Flag(StrEnum):
    NORMAL = "normal"
    DUE_SOON = "due_soon"  # 即将超时 (≥ 80 % of the limit used)
    OVERDUE = "overdue"  # 超时


class Rung(StrEnum):
    """The 督办 ladder: who supervises a case as its time runs out."""

    GRID = "grid"
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"


class EventKind(StrEnum):
    INTAKE = "intake"
    TRANSITION = "transition"
    ROUTED = "routed"
    SUPERVISE = "supervise"  # 督办
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"
    ASSIST_NOTE = "assist_note"  # 协办反馈
    PHOTO = "photo"
    MERGE = "merge"
    VISIT = "visit"  # 回访


class Mediation(StrEnum):
    """Outcome of a dispute (矛盾纠纷) mediation."""

    RESOLVED = "resolved"  # 调解成功
    PARTIAL = "partial"  # 部分达成
    FAILED = "failed"  # 调解不成
    REFERRED = "referred"  # 引导诉讼/仲裁


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
