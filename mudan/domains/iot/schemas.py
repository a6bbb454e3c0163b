"""Boundary models of the iot domain (API and import)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from mudan.domains.iot.enums import DeviceStatus, DeviceType, Protocol

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")


class DeviceIn(BaseModel):
    code: str = Field(min_length=3, max_length=64)
    type: DeviceType
    model: str = Field(default="", max_length=64)
    department_code: str = Field(min_length=1, max_length=40)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    protocol: Protocol = Protocol.MQTT
    status: DeviceStatus = DeviceStatus.ACTIVE
    interval_s: int | None = Field(default=None, ge=10, le=86_400)

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not CODE_RE.match(v):
            raise ValueError("code: letters, digits, '-', '_', '.' only (usable in MQTT topics)")
        return v


class DeviceOut(BaseModel):
    id: int
    code: str
    type: str
    model: str
    department_code: str
    lon: float
    lat: float
    grid_code: str | None
    community_code: str | None
    street_code: str | None
    district_code: str | None
    protocol: str
    status: str
    interval_s: int
    online: bool | None = None
    last_seen_at: datetime | None = None
    latest: dict[str, float | None] = Field(default_factory=dict)


class ReadingIn(BaseModel):
    """One reading of the HTTP batch endpoint (same fields as the MQTT payload + the device)."""

    device_code: str = Field(min_length=1, max_length=64)
    device_type: str | None = None
    ts: Any = None
    values: Any = None
    msg_id: str | None = Field(default=None, max_length=64)


class BatchIn(BaseModel):
    readings: list[ReadingIn] = Field(min_length=1, max_length=10_000)


class BatchOut(BaseModel):
    received: int
    accepted: int
    duplicates: int
    dead_letters: int
    future: int
    alerts: int


class RuleIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    device_type: DeviceType
    metric: str = Field(default="", max_length=32)
    kind: str = Field(pattern="^(threshold|rate|nodata)$")
    op: str = Field(default=">", pattern="^(>|<)$")
    limit: float = 0
    level: str = Field(default="yellow", pattern="^(blue|yellow|orange|red)$")


class ImportRowError(BaseModel):
    row: int
    code: str
    reason: str


class ImportReport(BaseModel):
    imported: int
    errors: list[ImportRowError]
