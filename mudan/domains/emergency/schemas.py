"""Typed inputs and outputs of the emergency API (also used by the service, CLI and demo)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from mudan.core.params import IdField
from mudan.domains.emergency.enums import DutyPost, EventType, ResourceKind, Shift

Level = int  # 1 (Ⅰ, highest) … 4 (Ⅳ)


class ReportRuleIn(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    minutes: int = Field(ge=1, le=7 * 24 * 60)


class PlanLevelIn(BaseModel):
    level: int = Field(ge=1, le=4)
    criteria: str = ""
    reports: list[ReportRuleIn] = []


class HolderIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    username: str | None = None
    phone: str = Field(default="", max_length=20)
    channels: list[str] = []


class PlanRoleIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    department_code: str = ""
    checklists: dict[int, list[str]] = {}
    holders: list[HolderIn] = []


class PlanIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    event_type: EventType
    department_code: str
    summary: str = ""
    levels: list[PlanLevelIn] = []
    roles: list[PlanRoleIn] = []


class ResourceIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    kind: ResourceKind
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    capacity: int = Field(default=0, ge=0)
    unit: str = ""
    owner_department_code: str
    contact: str = ""
    note: str = ""


class DutyIn(BaseModel):
    day: date
    shift: Shift
    post: DutyPost = DutyPost.OFFICER
    name: str = Field(min_length=1, max_length=100)
    username: str | None = None
    phone: str = Field(default="", max_length=20)
    department_code: str = ""


class IncidentIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    event_type: EventType
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    location_text: str = Field(default="", max_length=200)
    description: str = ""
    plan_code: str | None = None
    level: int | None = Field(default=None, ge=1, le=4)


class LevelIn(BaseModel):
    level: int = Field(ge=1, le=4)
    reason: str = ""


class ActionIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class ReportIn(BaseModel):
    content: str = Field(min_length=1, max_length=5000)
    report_id: IdField | None = None  # which due report this fulfils; default: the earliest due


class CloseIn(BaseModel):
    note: str = ""


class ReviewIn(BaseModel):
    summary: str = Field(min_length=1, max_length=10000)
    lessons: str = ""
    follow_ups: list[str] = []


class ResourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    lon: float
    lat: float
    district_code: str | None
    street_code: str | None
    capacity: int
    unit: str
    owner_department_code: str
    contact: str


class ResourceSummaryOut(BaseModel):
    """One district's resources of one kind, for mutual aid: no names, contacts or positions."""

    model_config = ConfigDict(from_attributes=True)

    district_code: str | None
    kind: str
    unit: str
    count: int
    capacity: int


class NearbyOut(BaseModel):
    resource: ResourceOut
    distance_m: float


class DutyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: date
    shift: str
    post: str
    starts_at: datetime
    ends_at: datetime
    name: str
    user_id: int | None
    department_code: str


class PlanSummaryOut(BaseModel):
    id: int
    code: str
    name: str
    event_type: str
    department_code: str
    levels: list[int]
    roles: int


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    title: str
    event_type: str
    plan_id: int | None
    level: int | None
    status: str
    lon: float
    lat: float
    district_code: str | None
    street_code: str | None
    location_text: str
    description: str
    source: str
    source_ref: str
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None


class TimelineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: str
    actor: str
    level: int | None
    detail: dict[str, object]


class ReportOut(BaseModel):
    id: int
    level: int | None
    title: str
    due_at: datetime | None
    submitted_at: datetime | None
    submitted_by: str | None
    content: str
    status: str


class ChecklistOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role_id: int
    level: int
    item: str
    done_at: datetime | None
    done_by: str | None


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    recipient: str
    user_id: int | None
    channel: str
    provider: str
    status: str
    detail: str
    level: int | None


class RaiseOut(BaseModel):
    incident: IncidentOut
    notified: list[DeliveryOut]
    reports: list[ReportOut]
    checklist: list[ChecklistOut]


class InboxOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    incident_id: int | None
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    incident_id: int
    summary: str
    timings: dict[str, object]
    lessons: str
    follow_ups: list[str]
    created_by: str
