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

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.exceptions import CommitFailedException, NamespaceAlreadyExistsError
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import DateType, DoubleType, LongType, NestedField, StringType, TimestamptzType
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction, utcnow
from mudan.domains.iot.enums import TYPES
from mudan.domains.iot.models import Device, LakeBatch, Reading
from mudan.domains.iot.parse import BEIJING
from mudan.lake.catalog import Lake
from mudan.lake.load import committed_batch
from mudan.lake.results import BATCH_ID_PROPERTY

NAMESPACE, NAME = "iot", "telemetry"
IDENT = f"{NAMESPACE}.{NAME}"
RETENTION = timedelta(hours=48)

SCHEMA = Schema(
    NestedField(1, "reading_id", LongType(), required=True),
    NestedField(2, "device_code", StringType(), required=True),
    NestedField(3, "device_type", StringType(), required=True),
    NestedField(4, "metric", StringType(), required=True),
    NestedField(5, "value", DoubleType(), required=False),
    NestedField(6, "unit", StringType(), required=False),
    NestedField(7, "ts", TimestamptzType(), required=True, doc="观测时间"),
    NestedField(8, "received_at", TimestamptzType(), required=True, doc="接收时间"),
    NestedField(9, "district_code", StringType(), required=False),
    NestedField(10, "department_code", StringType(), required=False),
    NestedField(11, "flags", StringType(), required=False),
    NestedField(12, "batch_id", StringType(), required=True),
    NestedField(13, "day", DateType(), required=True, doc="观测日（北京时间）"),
)
# Identity on the Beijing-time day of ``ts`` (a transform on ts would need pyiceberg-core).
PARTITION = PartitionSpec(
    PartitionField(source_id=13, field_id=1000, transform=IdentityTransform(), name="day")
)


def telemetry_table(lake: Lake) -> Table:
    """The history table (created on first use; the SQL console sees it as ``iot.telemetry``)."""
    if not lake.exists(IDENT):
        with contextlib.suppress(NamespaceAlreadyExistsError):
            lake.catalog.create_namespace(NAMESPACE)
        with contextlib.suppress(Exception):
            lake.catalog.create_table(IDENT, schema=SCHEMA, partition_spec=PARTITION)
    return lake.table(IDENT)


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
    schema = SCHEMA.as_arrow()
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


def _append(lake: Lake, batch_id: str, data: pa.Table) -> int | None:
    for _ in range(5):
        table = telemetry_table(lake)
        done = committed_batch(table, batch_id)
        if done is not None:
            return done
        if data.num_rows == 0:
            return None
        try:
            table.append(data, snapshot_properties={BATCH_ID_PROPERTY: batch_id})
        except CommitFailedException:
            continue  # another flusher committed first: reload and retry
        snap = lake.table(IDENT).current_snapshot()
        return snap.snapshot_id if snap is not None else None
    raise CommitFailedException(f"could not commit {batch_id}")


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
        with sessions() as s:
            data, n = _arrow(s, batch_id)
        snap = _append(lake, batch_id, data)
        with transaction(sessions) as s:
            s.execute(
                update(LakeBatch)
                .where(LakeBatch.batch_id == batch_id)
                .values(state="committed", snapshot_id=snap, committed_at=utcnow())
            )
        batches += 1
        rows += data.num_rows
        readings += n
    with transaction(sessions) as s:
        cutoff = (now or utcnow()) - retention
        done = select(LakeBatch.batch_id).where(LakeBatch.state == "committed")
        result = s.execute(
            delete(Reading).where(Reading.received_at < cutoff, Reading.batch_id.in_(done))
        )
        pruned = getattr(result, "rowcount", 0)
    return FlushResult(batches, rows, readings, int(pruned or 0))
