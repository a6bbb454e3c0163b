"""The iot domain's service facade (what other domains, the API, the CLI and pages call)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.errors import InvalidInput
from mudan.domains.iot.enums import TYPES, DeviceType
from mudan.domains.iot.importer import import_devices
from mudan.domains.iot.models import DeadLetter, Device, Latest, Reading, Rule
from mudan.domains.iot.online import RateRow, online_rates
from mudan.domains.iot.parse import Incoming
from mudan.domains.iot.pipeline import BatchStats, Pipeline
from mudan.domains.iot.registry import DeviceFilter, Ledger, get_device, ledger, list_devices
from mudan.domains.iot.schemas import BatchIn, DeviceOut, RuleIn

__all__ = [
    "DeviceFilter",
    "Ledger",
    "RateRow",
    "add_rule",
    "dead_letter_counts",
    "device_out",
    "get_device",
    "import_devices",
    "ingest_http",
    "ledger",
    "list_devices",
    "online_rates",
    "readings",
]


def values_of(device_type: str, row: Any) -> dict[str, float | None]:
    spec = TYPES[DeviceType(device_type)]
    return {m.code: getattr(row, f"v{i}") for i, m in enumerate(spec.metrics)}


def device_out(d: Device, latest: Latest | None, now: datetime) -> DeviceOut:
    out = DeviceOut.model_validate(d, from_attributes=True)
    if latest is not None:
        out.online = as_utc(latest.offline_after) > now
        out.last_seen_at = as_utc(latest.received_at)
        out.latest = values_of(d.type, latest)
    else:
        out.online = False
    return out


def ingest_http(
    session: Session, *, pipeline: Pipeline, body: BatchIn, now: datetime
) -> BatchStats:
    msgs = [
        Incoming(
            "http",
            "",
            {"ts": r.ts, "values": r.values, "msg_id": r.msg_id},
            now,
            device_code=r.device_code,
            device_type=r.device_type,
        )
        for r in body.readings
    ]
    return pipeline.process(session, msgs, now=now)


def readings(
    session: Session, *, device: Device, since: datetime, limit: int = 5000
) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Reading)
        .where(Reading.device_id == device.id, Reading.ts >= since)
        .order_by(Reading.ts)
        .limit(limit)
    )
    return [
        {"ts": as_utc(r.ts), "flags": r.flags, "values": values_of(device.type, r)} for r in rows
    ]


def dead_letter_counts(session: Session, *, since: datetime | None = None) -> dict[str, int]:
    stmt = select(DeadLetter.reason, func.count()).group_by(DeadLetter.reason)
    if since is not None:
        stmt = stmt.where(DeadLetter.received_at >= since)
    return {r: int(n) for r, n in session.execute(stmt)}


def add_rule(session: Session, *, rule: RuleIn) -> Rule:
    if rule.kind != "nodata" and TYPES[rule.device_type].metric_index(rule.metric) is None:
        raise InvalidInput("iot.unknown_metric", metric=rule.metric, type=str(rule.device_type))
    row = Rule(**rule.model_dump(mode="json"), enabled=True)
    session.add(row)
    session.flush()
    return row


def online_now(session: Session, *, now: datetime) -> tuple[int, int]:
    """(online devices, active devices) right now."""
    active = session.scalar(select(func.count()).where(Device.status == "active")) or 0
    online = (
        session.scalar(
            select(func.count())
            .select_from(Latest)
            .join(Device, Device.id == Latest.device_id)
            .where(Device.status == "active", Latest.offline_after > now)
        )
        or 0
    )
    return int(online), int(active)
