"""API shapes of the video domain."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from mudan.core.listquery import ListQuery
from mudan.core.params import IdField
from mudan.domains.video.enums import CatalogStatus, ChannelStatus, EventKind, OwnerUnit
from mudan.domains.video.registry import ChannelFilter

MAX_EVENTS = 10_000
MAX_PROBE_CHANNELS = 500


class ChannelQuery(ListQuery):
    """The channel list's filters, for ``/api/v1/video/channels`` and the ``/video`` page."""

    district: str | None = None
    owner_unit: OwnerUnit | None = None
    status: ChannelStatus | None = None
    q: str | None = None

    def filter(self) -> ChannelFilter:
        return ChannelFilter(self.district, None, self.owner_unit, self.status, self.q)


class ChannelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    owner_unit: str
    district_code: str | None
    street_code: str | None
    community_code: str | None
    grid_code: str | None
    lon: float | None
    lat: float | None
    catalog_status: str
    online: bool
    retrieved: bool
    last_probe_at: datetime | None
    last_probe_result: str | None
    offline_since: datetime | None
    repair_case: str | None


class ChannelPage(BaseModel):
    total: int
    page: int
    items: list[ChannelOut]


class CodeFields(BaseModel):
    centre: str
    industry: str
    type_code: str
    network: str
    network_name: str
    serial: str


class ProbeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    result: str
    latency_ms: int
    brightness: float | None
    sharpness: float | None
    phash: str | None
    distance: int | None
    detail: str


class ChannelDetail(ChannelOut):
    device_code: str
    code_fields: CodeFields
    probes: list[ProbeOut]


class CatalogItemIn(BaseModel):
    code: str = Field(max_length=20)
    status: CatalogStatus


class EventIn(BaseModel):
    kind: EventKind
    device_code: str = Field(max_length=20)
    at: AwareDatetime | None = None  # default: when the API received it
    interval_s: int | None = None
    channels: list[CatalogItemIn] = Field(default_factory=list, max_length=4096)


class EventsIn(BaseModel):
    events: list[EventIn] = Field(max_length=MAX_EVENTS)


class EventRejectOut(BaseModel):
    index: int
    device_code: str
    code: str
    message: str


class EventsOut(BaseModel):
    accepted: int
    rejected: list[EventRejectOut]


class RowErrorOut(BaseModel):
    row: int
    field: str
    code: str
    message: str
    value: str


class ImportOut(BaseModel):
    created: int
    updated: int
    rejected: list[RowErrorOut]


class ProbeRequest(BaseModel):
    channel_ids: list[IdField] = Field(min_length=1, max_length=MAX_PROBE_CHANNELS)


class ProbeResultOut(BaseModel):
    channel_id: int
    result: str
    latency_ms: int
    detail: str


class StatusOut(BaseModel):
    at: datetime
    total: int
    online: int
    retrieved: int
    devices_online: int
    repairs_opened: int | None
    alerts: int


class RateOut(BaseModel):
    key: str
    total: int
    online: int
    retrieved: int
    online_rate: float | None
    retrieved_rate: float | None


class RatesOut(BaseModel):
    period: str  # YYYY-MM-DD or YYYY-MM
    dim: str
    rows: list[RateOut]


class TrendOut(BaseModel):
    day: date
    online_rate: float | None
    retrieved_rate: float | None
