"""Workflow states and the controlled vocabularies of a catalog entry (stored as ASCII codes)."""

from __future__ import annotations

from enum import StrEnum


class EntryStatus(StrEnum):
    DRAFT = "draft"  # 草稿
    PENDING = "pending"  # 待审核
    PUBLISHED = "published"  # 已发布
    WITHDRAWN = "withdrawn"  # 已下架


class UpdateCycle(StrEnum):
    REALTIME = "realtime"  # 实时
    DAILY = "daily"  # 每日
    WEEKLY = "weekly"  # 每周
    MONTHLY = "monthly"  # 每月
    QUARTERLY = "quarterly"  # 每季度
    YEARLY = "yearly"  # 每年


class ShareType(StrEnum):
    UNCONDITIONAL = "unconditional"  # 无条件共享
    CONDITIONAL = "conditional"  # 有条件共享
    NONE = "none"  # 不予共享


class OpenType(StrEnum):
    UNCONDITIONAL = "unconditional"  # 无条件开放
    CONDITIONAL = "conditional"  # 有条件开放
    NONE = "none"  # 不予开放


class Grade(StrEnum):
    """GB/T 43697-2024 data grades."""

    CORE = "core"  # 核心数据
    IMPORTANT = "important"  # 重要数据
    GENERAL = "general"  # 一般数据


class PersonalKind(StrEnum):
    """Kinds of personal data an information item may hold (drives masking later)."""

    CITIZEN_ID = "citizen_id"
    PHONE = "phone"
    NAME = "name"
    ADDRESS = "address"
    BANK_CARD = "bank_card"
    EMAIL = "email"
    PLATE = "plate"
    OTHER = "other"


# Chinese labels as a department writes them (XLSX import/export and templates).
CYCLE_ZH = {
    UpdateCycle.REALTIME: "实时",
    UpdateCycle.DAILY: "每日",
    UpdateCycle.WEEKLY: "每周",
    UpdateCycle.MONTHLY: "每月",
    UpdateCycle.QUARTERLY: "每季度",
    UpdateCycle.YEARLY: "每年",
}
SHARE_ZH = {
    ShareType.UNCONDITIONAL: "无条件共享",
    ShareType.CONDITIONAL: "有条件共享",
    ShareType.NONE: "不予共享",
}
OPEN_ZH = {
    OpenType.UNCONDITIONAL: "无条件开放",
    OpenType.CONDITIONAL: "有条件开放",
    OpenType.NONE: "不予开放",
}
GRADE_ZH = {Grade.CORE: "核心数据", Grade.IMPORTANT: "重要数据", Grade.GENERAL: "一般数据"}
STATUS_ZH = {
    EntryStatus.DRAFT: "草稿",
    EntryStatus.PENDING: "待审核",
    EntryStatus.PUBLISHED: "已发布",
    EntryStatus.WITHDRAWN: "已下架",
}
SENSITIVITY_ZH = {1: "L1 公开", 2: "L2 内部", 3: "L3 敏感", 4: "L4 高敏感"}
