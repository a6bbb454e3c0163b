"""Pydantic shapes of county nodes, return flows and pushes at the API boundary."""

from __future__ import annotations

from pydantic import BaseModel, Field

from mudan.domains.sharing.enums import DeliveryFormat, TargetKind


class ExportIn(BaseModel):
    format: DeliveryFormat = DeliveryFormat.PARQUET


class PushIn(BaseModel):
    target_url: str = Field(min_length=8, max_length=1000)
    target_table: str = Field(min_length=1, max_length=63)
    interval_minutes: int = Field(default=1440, ge=0, le=525600)


class NodeIn(BaseModel):
    region_code: str
    name: str = ""
    target_kind: TargetKind
    target: str = Field(min_length=1, max_length=1000)


class FlowIn(BaseModel):
    table_ref: str
    region_column: str
    target_table: str = ""
    interval_minutes: int = Field(default=1440, ge=1, le=525600)
