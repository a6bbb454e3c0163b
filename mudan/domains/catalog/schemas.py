"""API/service boundary models of the catalog."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from mudan.domains.catalog.enums import Grade, OpenType, PersonalKind, ShareType, UpdateCycle
from mudan.lake.schema import ItemType


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=63)
    label: str = Field(min_length=1, max_length=100)
    type: ItemType = ItemType.STRING
    length: int | None = Field(default=None, ge=1, le=100000)
    share_type: ShareType = ShareType.UNCONDITIONAL
    sensitivity: int = Field(default=1, ge=1, le=4)
    personal_kind: PersonalKind | None = None
    description: str = Field(default="", max_length=500)


class EntryIn(BaseModel):
    """What a department fills in. ``department_code`` defaults to the editor's department."""

    name: str = Field(min_length=1, max_length=200)
    department_code: str | None = None
    abstract: str = Field(default="", max_length=4000)
    category: str = "业务信息"
    format: str = Field(default="数据库表", max_length=32)
    update_cycle: UpdateCycle = UpdateCycle.MONTHLY
    release_date: date | None = None
    related: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    theme: str = "其他"
    industry: str = Field(default="", max_length=64)
    region_code: str = "3717"
    grade: Grade = Grade.GENERAL
    share_type: ShareType = ShareType.UNCONDITIONAL
    share_conditions: str = Field(default="", max_length=2000)
    share_method: str = Field(default="", max_length=64)
    legal_basis: str = Field(default="", max_length=2000)
    open_type: OpenType = OpenType.NONE
    open_conditions: str = Field(default="", max_length=2000)
    aggregated: bool = False
    key_columns: list[str] = Field(default_factory=list)
    items: list[ItemIn] = Field(default_factory=list)


class ItemOut(ItemIn):
    pass


class EntryOut(BaseModel):
    id: int
    code: str
    name: str
    department_code: str
    department_name: str
    abstract: str
    category: str
    format: str
    update_cycle: str
    release_date: date | None
    related: list[str]
    tags: list[str]
    theme: str
    industry: str
    region_code: str
    grade: str
    share_type: str
    share_conditions: str
    share_method: str
    legal_basis: str
    open_type: str
    open_conditions: str
    status: str
    version: int
    aggregated: bool
    key_columns: list[str]
    review_note: str
    items: list[ItemOut]


class VersionOut(BaseModel):
    version: int
    published_at: datetime
    published_by: str
    snapshot: dict[str, Any]


class TransitionIn(BaseModel):
    action: str = Field(pattern="^(submit|approve|reject|withdraw)$")
    reason: str = Field(default="", max_length=2000)


class HitOut(BaseModel):
    id: int
    code: str
    name: str
    department_name: str
    theme: str
    status: str
    version: int
    share_type: str
    open_type: str
    snippet: str = ""


class PageOut(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[HitOut]
    facets: dict[str, dict[str, int]]
