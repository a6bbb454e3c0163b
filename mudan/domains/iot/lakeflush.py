"""History in the lake: ``iot.telemetry``, one row per (device, metric, ts), partitioned by day.

Flush protocol (at-least-once into the lake, idempotent):

1. *claim* (one DB transaction): tag up to ``max_rows`` unflushed hot readings with a new batch
   id and record the batch as ``pending``;
2. *append* the batch's rows to Iceberg in ONE snapshot whose summary carries the batch id —
   skipped when a snapshot with that id already exists (a crash after step 2);
3. *commit* (DB): mark the batch ``committed``.

A crash anywhere re-runs the pending batches first, with the same rows and the same id.
Hot readings stay in the database for ``retention`` (the de-duplication window) and are then
pruned, only once flushed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction, utcnow
from mudan.core.uow import lake_step
from mudan.domains.iot.enums import TYPES
from mudan.domains.iot.models import Device, LakeBatch, Reading
from mudan.domains.iot.parse import BEIJING
from mudan.lake.catalog import Lake
from mudan.lake.partitioned import Field, PartitionedTable, append_once

NAMESPACE, NAME = "iot", "telemetry"
IDENT = f"{NAMESPACE}.{NAME}"
RETENTION = timedelta(hours=48)

# Partitioned by the Beijing-time day of ``ts`` (a transform on ts would need pyiceberg-core).
TELEMETRY = PartitionedTable(
    NAMESPACE,
    NAME,
    (
        Field("reading_id", "long", required=True),
        Field("device_code", "string", required=True),
        Field("device_type", "string", required=True),
        Field("metric", "string", required=True),
        Field("value", "double"),
        Field("unit", "string"),
        Field("ts", "timestamptz", required=True, doc="观测时间"),
        Field("received_at", "timestamptz", required=True, doc="接收时间"),
        Field("district_code", "string"),
        Field("department_code", "string"),
        Field("flags", "string"),
        Field("batch_id", "string", required=True),
        Field("day", "date", required=True, doc="观测日（北京时间）"),
    ),
    partition_by=("day",),
)


@dataclass(frozen=True)
class FlushResult:
    batches: int
    rows: int  # lake rows (one per metric)
    readings: int
    pruned: int


def _claim(session: Session, max_rows: int) -> str | None:
    ids = list(
        session.scalars(
            select(Reading.id)
            .where(Reading.batch_id.is_(None))
            .order_by(Reading.id)
            .limit(max_rows)
        )
    )
    if not ids:
        return None
    batch_id = f"iot-{ids[0]}-{uuid.uuid4().hex[:12]}"
    session.execute(
        update(Reading)
        .where(Reading.batch_id.is_(None), Reading.id.between(ids[0], ids[-1]))
        .values(batch_id=batch_id)
    )
    session.add(LakeBatch(batch_id=batch_id, rows=len(ids), state="pending"))
    return batch_id


_ROW_COLUMNS = ("reading_id", "device_code", "device_type", "metric", "value", "unit", "ts",
                "received_at", "district_code", "department_code", "flags")  # fmt: skip
_METRICS = {str(t): tuple((m.code, m.unit) for m in spec.metrics) for t, spec in TYPES.items()}
_UTC8 = BEIJING.utcoffset(None)  # the Beijing day of ts (no daylight saving time)


def _arrow(session: Session, batch_id: str) -> tuple[pa.Table, int]:
    q = (
        select(
            Reading.id,
            Device.code,
            Device.type,
            Reading.ts,
            Reading.received_at,
            Device.district_code,
            Device.department_code,
            Reading.flags,
            Reading.v0,
            Reading.v1,
            Reading.v2,
            Reading.v3,
        )
        .join(Device, Device.id == Reading.device_id)
        .where(Reading.batch_id == batch_id)
        .order_by(Reading.id)
    )
    out: list[tuple[object, ...]] = []  # one row per metric value; columns as _ROW_COLUMNS
    n = 0
    for rid, code, typ, ts, rec, district, dept, flags, *vals in session.execute(q):
        n += 1
        for (metric, unit), value in zip(_METRICS[typ], vals, strict=False):
            if value is not None:
                out.append((rid, code, typ, metric, value, unit, ts, rec, district, dept, flags))
    columns = dict(zip(_ROW_COLUMNS, zip(*out, strict=True), strict=False))
    schema = TELEMETRY.arrow_schema()
    arrays: dict[str, pa.Array] = {}
    for name in _ROW_COLUMNS:
        f = schema.field(name)
        if name in ("ts", "received_at"):
            arr = pa.array(columns.get(name, ()), type=pa.timestamp("us"))  # UTC values
            arrays[name] = pc.assume_timezone(arr, "UTC").cast(f.type)
        else:
            arrays[name] = pa.array(columns.get(name, ()), type=f.type)
    arrays["batch_id"] = pa.array([batch_id] * len(out), type=pa.string())
    beijing = pc.add(arrays["ts"].cast(pa.timestamp("us")), pa.scalar(_UTC8, pa.duration("us")))
    arrays["day"] = beijing.cast(pa.date32())
    return pa.Table.from_arrays([arrays[f.name] for f in schema], schema=schema), n


def _flush_batch(sessions: sessionmaker[Session], lake: Lake, batch_id: str) -> tuple[int, int]:
    """Steps 2 and 3 for one claimed batch: read it, append it (no transaction open), mark it
    committed. A failure leaves it ``pending`` for the next run (no compensation needed)."""

    def append(read: tuple[pa.Table, int]) -> tuple[int | None, int, int]:
        data, n = read
        snap = append_once(lake, TELEMETRY, batch_id, data)  # SQL console: iot.telemetry
        return snap, data.num_rows, n

    def committed(s: Session, done: tuple[int | None, int, int]) -> tuple[int, int]:
        snap, lake_rows, n = done
        s.execute(
            update(LakeBatch)
            .where(LakeBatch.batch_id == batch_id)
            .values(state="committed", snapshot_id=snap, committed_at=utcnow())
        )
        return lake_rows, n

    return lake_step(sessions, prepare=lambda s: _arrow(s, batch_id), work=append, finish=committed)


def flush(
    sessions: sessionmaker[Session],
    lake: Lake,
    *,
    max_rows: int = 200_000,
    max_batches: int = 50,
    now: datetime | None = None,
    retention: timedelta = RETENTION,
) -> FlushResult:
    """Move hot readings into the lake (pending batches first); prune old flushed readings."""
    batches = rows = readings = 0
    with transaction(sessions) as s:
        pending = list(
            s.scalars(
                select(LakeBatch.batch_id)
                .where(LakeBatch.state == "pending")
                .order_by(LakeBatch.created_at)
            )
        )
    while batches < max_batches:
        if pending:
            batch_id: str | None = pending.pop(0)
        else:
            with transaction(sessions) as s:
                batch_id = _claim(s, max_rows)
        if batch_id is None:
            break
        lake_rows, n = _flush_batch(sessions, lake, batch_id)
        batches += 1
        rows += lake_rows
        readings += n
    with transaction(sessions) as s:
        cutoff = (now or utcnow()) - retention
        done = select(LakeBatch.batch_id).where(LakeBatch.state == "committed")
        result = s.execute(
            delete(Reading).where(Reading.received_at < cutoff, Reading.batch_id.in_(done))
        )
        pruned = getattr(result, "rowcount", 0)
    return FlushResult(batches, rows, readings, int(pruned or 0))
