"""API shapes of the cases domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from mudan.domains.cases.enums import Action, Channel, Mediation


class CaseIn(BaseModel):
    category_code: str = Field(max_length=16)
    title: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    lon: float | None = None
    lat: float | None = None
    region_code: str | None = Field(None, max_length=20)
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=64)
    reporter_phone: str = Field("", max_length=32)
    channel: Channel = Channel.HOTLINE
    idempotency_key: str | None = Field(None, max_length=128)


class ActionIn(BaseModel):
    action: Action
    note: str = Field("", max_length=2000)
    department_code: str | None = None
    assist_codes: list[str] = Field(default_factory=list, max_length=10)
    mediation: Mediation | None = None


class ExtensionIn(BaseModel):
    hours: float
    reason: str = Field(max_length=200)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field("", max_length=500)


class NoteIn(BaseModel):
    note: str = Field(max_length=2000)


class VisitIn(BaseModel):
    satisfaction: int
    note: str = Field("", max_length=500)


class MergeIn(BaseModel):
    into: str


class ReporterOut(BaseModel):
    name: str
    phone: str


class EventOut(BaseModel):
    at: datetime
    kind: str
    actor: str
    from_state: str | None
    to_state: str | None
    note: str
    detail: dict[str, Any]


class CaseOut(BaseModel):
    number: str
    state: str
    flag: str
    channel: str
    category_code: str
    title: str
    description: str
    address: str
    lon: float | None
    lat: float | None
    grid_code: str | None
    community_code: str | None
    street_code: str | None
    district_code: str | None
    department_code: str | None
    assist_codes: list[str]
    created_at: datetime
    warn_at: datetime
    due_at: datetime
    due_provisional: bool
    closed_at: datetime | None
    escalation_rung: str
    returns: int
    reopenings: int
    satisfaction: int | None
    mediation: str | None
    extension_status: str | None
    suggested_merge: str | None
    merged_into: str | None
    reporters: list[ReporterOut]
    allowed_actions: list[str]


class CaseDetailOut(CaseOut):
    timeline: list[EventOut]


class BoardOut(BaseModel):
    total: int
    items: list[CaseOut]


class CategoryOut(BaseModel):
    code: str
    name: str
    kind: str
    group_name: str
    limit_value: int
    limit_unit: str
    is_dispute: bool


class EscalationOut(BaseModel):
    number: str
    rung: str
    region_code: str
    share: float


class AssessmentOut(BaseModel):
    key: str
    closed: int
    on_time: int
    on_time_rate: float | None
    satisfaction: float | None
    returns: int
    reopenings: int
