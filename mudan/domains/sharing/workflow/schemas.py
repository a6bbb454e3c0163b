"""Pydantic shapes of the request/grant workflow at the API boundary."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from mudan.core.listquery import ListQuery
from mudan.domains.sharing.enums import Decision, RequestStatus, Step


class RequestQuery(ListQuery):
    """The share-request list's filters, for ``/api/v1/share/requests`` and the
    ``/share/requests`` page. ``box`` stays a string: the service names a bad one
    (``sharing.bad_box``)."""

    box: str = "all"  # all | mine | inbox
    status: RequestStatus | None = None
    overdue: bool = False  # only open requests past their step's deadline


class RequestIn(BaseModel):
    entry_code: str = Field(min_length=1, max_length=40)
    items: list[str] = Field(default_factory=list)  # empty: every shareable item
    unmasked_items: list[str] = Field(default_factory=list)
    region_codes: list[str] = Field(default_factory=list)  # empty: the whole city
    purpose: str = Field(min_length=2, max_length=2000)
    legal_basis: str = Field(min_length=2, max_length=2000)
    period_start: date
    period_end: date
    systems: list[str] = Field(min_length=1)
    department_code: str | None = None


class ResubmitIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)
    purpose: str | None = Field(default=None, max_length=2000)
    legal_basis: str | None = Field(default=None, max_length=2000)


class DecisionIn(BaseModel):
    decision: Decision
    reason: str = Field(default="", max_length=2000)


class EventOut(BaseModel):
    at: datetime
    kind: str
    step: str | None
    actor: str
    note: str
    due_at: datetime | None
    audit_id: int | None


class RequestOut(BaseModel):
    id: int
    entry_code: str
    entry_name: str
    provider: str
    requester: str
    requested_by: str
    items: list[str]
    unmasked_items: list[str]
    region_codes: list[str]
    purpose: str
    legal_basis: str
    period_start: date
    period_end: date
    systems: list[str]
    conditional: bool
    status: str
    step: str | None
    due_at: datetime | None
    due_provisional: bool
    overdue: bool
    note: str
    created_at: datetime
    answered_at: datetime | None
    grant_id: int | None = None
    timeline: list[EventOut] = Field(default_factory=list)


class GrantOut(BaseModel):
    id: int
    request_id: int | None
    entry_code: str
    table_ref: str
    consumer: str
    items: list[str]
    unmasked_items: list[str]
    region_column: str | None
    region_codes: list[str]
    purpose: str
    valid_until: datetime
    rate_per_minute: int
    status: str
    status_reason: str


class RevokeIn(BaseModel):
    reason: str = Field(min_length=2, max_length=2000)


class CredentialsOut(BaseModel):
    username: str
    token: str
    grant_id: int


class StepRuleIn(BaseModel):
    step: Step
    workdays: int
    remind_hours: int = 24
