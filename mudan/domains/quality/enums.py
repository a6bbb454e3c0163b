"""Workflow states and vocabularies of the quality domain."""

from __future__ import annotations

from enum import StrEnum


class RuleKind(StrEnum):
    NOT_NULL = "not_null"
    UNIQUE = "unique"
    PRIMARY_KEY = "primary_key"
    RANGE = "range"
    ENUM = "enum"
    REGEX = "regex"
    CITIZEN_ID = "citizen_id"
    USCC = "uscc"
    PHONE = "phone"
    REGION_CODE = "region_code"
    REFERENTIAL = "referential"
    CROSS_FIELD = "cross_field"


#: Kinds of the built-in checks every load gets without a rule (type conformance, nullability).
BUILTIN_TYPE = "type"
BUILTIN_NULLABLE = "nullable"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class QuarantineStatus(StrEnum):
    PENDING = "pending"
    RELEASED = "released"
    REJECTED = "rejected"


class TicketStatus(StrEnum):
    OPEN = "open"
    FIXING = "fixing"
    CLOSED = "closed"
    OVERDUE = "overdue"


class TicketSource(StrEnum):
    QUALITY = "quality"
    PUBLIC = "public"
    USER = "user"


class UpdateCycle(StrEnum):
    """Declared update cycle (更新周期) of a catalog entry."""

    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @classmethod
    def parse(cls, value: str) -> UpdateCycle:
        """Accept the English value or the Chinese label (实时/每日/每周/每月/每季度/每年)."""
        return _CYCLE_LABELS.get(value.strip()) or cls(value.strip().lower())


_CYCLE_LABELS: dict[str, UpdateCycle] = {
    "实时": UpdateCycle.REALTIME,
    "每日": UpdateCycle.DAILY,
    "每天": UpdateCycle.DAILY,
    "每周": UpdateCycle.WEEKLY,
    "每月": UpdateCycle.MONTHLY,
    "每季度": UpdateCycle.QUARTERLY,
    "每年": UpdateCycle.YEARLY,
}

#: Allowed ticket transitions (the department marks 处理中; closing needs a clean reload or staff).
TICKET_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.OPEN: frozenset({TicketStatus.FIXING, TicketStatus.CLOSED, TicketStatus.OVERDUE}),
    TicketStatus.FIXING: frozenset({TicketStatus.CLOSED, TicketStatus.OVERDUE}),
    TicketStatus.OVERDUE: frozenset({TicketStatus.FIXING, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
}
