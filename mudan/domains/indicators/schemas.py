"""Pydantic shapes at the indicator centre's boundaries (API, services the ops screen reads)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from mudan.domains.indicators.enums import (
    Aggregation,
    AlertLevel,
    FormulaKind,
    Frequency,
    Section,
)


class Thresholds(BaseModel):
    """The four alert levels' thresholds (any may be absent). For a higher-is-better indicator
    the value alerts when it falls *below* the threshold, otherwise when it rises above it."""

    blue: float | None = None
    yellow: float | None = None
    orange: float | None = None
    red: float | None = None


class IndicatorIn(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$", max_length=64)
    name: str = Field(min_length=1, max_length=100)
    section: Section
    definition: str = ""
    unit: str = Field("", max_length=20)
    kind: FormulaKind
    formula: str = Field(min_length=1, max_length=20000)
    aggregation: Aggregation = Aggregation.SUM
    frequency: Frequency = Frequency.DAILY
    department_code: str = ""
    region_level: str = Field("city", pattern=r"^(city|district|street)$")
    target: float | None = None
    higher_is_better: bool = True
    thresholds: Thresholds = Thresholds()
    persistence_hours: int = Field(0, ge=0, le=24 * 31)
    hysteresis: float = Field(0.0, ge=0)
    cooldown_hours: int = Field(0, ge=0, le=24 * 31)
    source_datasets: list[str] = []
    note: str = ""


class IndicatorPatch(BaseModel):
    """A change; a new ``kind``/``formula``/``aggregation`` makes a new version."""

    name: str | None = Field(None, min_length=1, max_length=100)
    definition: str | None = None
    unit: str | None = Field(None, max_length=20)
    kind: FormulaKind | None = None
    formula: str | None = Field(None, min_length=1, max_length=20000)
    aggregation: Aggregation | None = None
    frequency: Frequency | None = None
    department_code: str | None = None
    target: float | None = None
    thresholds: Thresholds | None = None
    persistence_hours: int | None = Field(None, ge=0, le=24 * 31)
    hysteresis: float | None = Field(None, ge=0)
    cooldown_hours: int | None = Field(None, ge=0, le=24 * 31)
    source_datasets: list[str] | None = None
    enabled: bool | None = None
    note: str = ""


class VersionOut(BaseModel):
    version: int
    kind: str
    formula: str
    aggregation: str
    note: str
    created_by: str
    created_at: datetime


class IndicatorOut(BaseModel):
    code: str
    name: str
    section: str
    definition: str
    unit: str
    frequency: str
    department_code: str
    region_level: str
    target: float | None
    higher_is_better: bool
    thresholds: Thresholds
    persistence_hours: int
    hysteresis: float
    cooldown_hours: int
    source_datasets: list[str]
    current_version: int
    kind: str
    formula: str
    aggregation: str
    enabled: bool
    builtin: bool


class IndicatorValueOut(BaseModel):
    """What a panel shows: the latest value against target, or why there is none.

    ``status``: ok | no_data | no_source | error | not_computed; ``status_text`` is the
    Chinese explanation (``暂无数据源`` for no_source, the error message for error)."""

    code: str
    name: str
    section: str
    unit: str
    region_code: str
    value: float | None
    target: float | None
    target_scale: float | None = None  # the target is the full one × this demo scale
    numerator: float | None = None
    denominator: float | None = None
    status: str
    status_text: str = ""
    level: AlertLevel | None = None  # the threshold level the value is in, if any
    meets_target: bool | None = None
    period_start: datetime | None = None
    computed_at: datetime | None = None
    version: int | None = None


class PointOut(BaseModel):
    at: datetime
    value: float | None
    status: str = "ok"
    version: int | None = None


class ForecastPointOut(BaseModel):
    at: datetime
    value: float
    lower: float | None
    upper: float | None


class SeriesOut(BaseModel):
    code: str
    region_code: str
    unit: str
    points: list[PointOut]
    forecast: list[ForecastPointOut] = []


class AlertEventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    level: str
    note: str


class AlertOut(BaseModel):
    id: int
    kind: str
    source: str
    level: AlertLevel
    status: str
    title: str
    detail: str
    dedup_key: str
    indicator_code: str | None
    region_code: str | None
    object_ref: str
    value: float | None
    lon: float | None
    lat: float | None
    repeats: int
    first_seen: datetime
    last_seen: datetime
    closed_at: datetime | None
    task_ref: str


class AlertDetailOut(AlertOut):
    timeline: list[AlertEventOut]


class AlertIn(BaseModel):
    """An alert raised by hand (or by an external system) through the API."""

    level: AlertLevel
    title: str = Field(min_length=1, max_length=200)
    dedup_key: str = Field("", max_length=200)
    region_code: str | None = None
    detail: str = ""
    object_ref: str = ""
    lon: float | None = None
    lat: float | None = None


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000)


class HandOffIn(BaseModel):
    department_code: str = Field(min_length=1, max_length=40)
    note: str = Field("", max_length=2000)
