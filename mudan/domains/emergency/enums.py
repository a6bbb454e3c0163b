"""States and kinds of the emergency domain (应急指挥)."""

from __future__ import annotations

from enum import StrEnum

# Response levels: 1 = Ⅰ级 (特别重大, the highest) … 4 = Ⅳ级 (一般). Raising lowers the number.
LEVELS = (1, 2, 3, 4)
ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}


class EventType(StrEnum):
    FLOOD = "flood"  # 防汛
    FIRE = "fire"  # 火灾
    HAZCHEM = "hazchem"  # 危险化学品
    PUBLIC_HEALTH = "public_health"  # 公共卫生
    TRAFFIC = "traffic"  # 道路交通
    EARTHQUAKE = "earthquake"  # 地震
    WEATHER = "weather"  # 气象灾害
    OTHER = "other"


class ResourceKind(StrEnum):
    TEAM = "team"  # 救援队伍
    MATERIAL = "material"  # 物资储备
    SHELTER = "shelter"  # 避难场所
    VEHICLE = "vehicle"  # 车辆装备


class IncidentStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class TimelineKind(StrEnum):
    OPENED = "opened"
    LEVEL_SET = "level_set"
    LEVEL_RAISED = "level_raised"
    LEVEL_LOWERED = "level_lowered"
    NOTIFIED = "notified"
    ACTION = "action"
    REPORT = "report"
    REPORT_OVERDUE = "report_overdue"
    CHECKLIST = "checklist"
    CLOSED = "closed"
    REVIEW = "review"


class Shift(StrEnum):
    DAY = "day"  # 白班 08:00–20:00
    NIGHT = "night"  # 夜班 20:00–次日 08:00


class DutyPost(StrEnum):
    LEADER = "leader"  # 带班领导
    OFFICER = "officer"  # 值班员


class DeliveryStatus(StrEnum):
    DELIVERED = "delivered"
    LOGGED = "logged"  # the logging provider stood in for a channel with no real provider
    FAILED = "failed"
    SKIPPED = "skipped"  # e.g. SMS to a holder without a phone number


class ReportStatus(StrEnum):
    PENDING = "pending"  # not yet due
    OVERDUE = "overdue"  # due and not submitted
    ON_TIME = "on_time"
    LATE = "late"
