"""API shapes of the quality domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from mudan.core.params import IdField
from mudan.domains.quality.enums import TicketStatus


class RuleCreate(BaseModel):
    table_ref: str = Field(min_length=3, max_length=130)
    kind: str = Field(max_length=32)
    column: str | None = Field(default=None, max_length=63)
    params: dict[str, Any] = Field(default_factory=dict)
    severity: str = "error"
    enabled: bool = True


class RuleUpdate(BaseModel):
    column: str | None = Field(default=None, max_length=63)
    params: dict[str, Any] | None = None
    severity: str | None = None
    enabled: bool | None = None


class RuleOut(BaseModel):
    id: int
    table_ref: str
    kind: str
    column: str | None
    params: dict[str, Any]
    severity: str
    enabled: bool
    created_by: str
    created_at: datetime


class QuarantineOut(BaseModel):
    id: int
    table_ref: str
    job_id: str
    row_number: int
    rule_id: str
    rule_kind: str
    column: str | None
    reason: str
    values: dict[str, Any]
    status: str
    resolved_by: str | None
    resolved_at: datetime | None
    fixed_values: dict[str, Any] | None


class QuarantinePage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[QuarantineOut]


class ReleaseIn(BaseModel):
    ids: list[IdField] = Field(min_length=1, max_length=1000)
    fixed_values: dict[IdField, dict[str, str | None]] = Field(default_factory=dict)


class ReleaseOut(BaseModel):
    released: list[int]
    still_bad: dict[int, str]


class RejectIn(BaseModel):
    ids: list[IdField] = Field(min_length=1, max_length=1000)


class TicketCreate(BaseModel):
    table_ref: str = Field(min_length=3, max_length=130)
    department_code: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    detail: str = Field(default="", max_length=5000)
    source: str = "user"
    workdays: int = Field(default=5, ge=1, le=365)


class TicketOut(BaseModel):
    id: int
    table_ref: str
    department_code: str
    title: str
    detail: str
    source: str
    job_id: str | None
    status: str
    violations: int
    opened_at: datetime
    deadline: datetime
    deadline_provisional: bool
    closed_at: datetime | None
    closing_job_id: str | None


class TransitionIn(BaseModel):
    to: TicketStatus


class TableScoreOut(BaseModel):
    table_ref: str
    department_code: str
    job_id: str
    rows: int
    bad_rows: int
    score: float
    at: datetime


class DepartmentScoreOut(BaseModel):
    department_code: str
    tables: int
    score: float


class ScoresOut(BaseModel):
    tables: list[TableScoreOut]
    departments: list[DepartmentScoreOut]
