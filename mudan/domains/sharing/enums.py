"""Workflow states of share requests, grants, deliveries and return flows."""

from __future__ import annotations

from enum import StrEnum


class RequestStatus(StrEnum):
    PROVIDER_REVIEW = "provider_review"  # 待提供部门审核
    BUREAU_REVIEW = "bureau_review"  # 待大数据局审核
    NEEDS_INFO = "needs_info"  # 待补充材料
    APPROVED = "approved"  # 已通过（已授权）
    REJECTED = "rejected"  # 已驳回


OPEN_STATUSES = (RequestStatus.PROVIDER_REVIEW, RequestStatus.BUREAU_REVIEW)


class Step(StrEnum):
    PROVIDER = "provider"  # 提供部门审核
    BUREAU = "bureau"  # 大数据局审核


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ASK_INFO = "ask_info"


class EventKind(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    ASK_INFO = "ask_info"
    RESUBMIT = "resubmit"
    GRANT = "grant"
    REMIND = "remind"
    OVERDUE = "overdue"


class GrantStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class TargetKind(StrEnum):
    DATABASE = "database"  # a PostgreSQL/MariaDB/SQLite database URL
    LAKE = "lake"  # a namespace in the lake


class DeliveryFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
