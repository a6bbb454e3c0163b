"""The lake facade: Iceberg tables (pyiceberg SQL catalog on the metadata database) of Parquet
files in a local warehouse folder.

``Lake`` is the one entry point the ingest jobs, the query engine and the Ray engine use: it
creates and evolves tables from a :class:`~mudan.lake.schema.TableSpec`, loads batches atomically
(see :mod:`mudan.lake.load`), lists snapshots and hands out the Parquet files of any snapshot.
Every write goes through pyiceberg's copy-on-write paths, so tables never hold delete files;
:meth:`Lake.data_files` refuses a snapshot that does (written by another engine) rather than
return deleted rows.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, NoSuchTableError
from pyiceberg.schema import Schema
from pyiceberg.table import FileScanTask, Table
from pyiceberg.types import (
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    IcebergType,
    LongType,
    NestedField,
    StringType,
    TimestampType,
)

from mudan.core.errors import InvalidInput, NotFound
from mudan.lake.results import BATCH_ID_PROPERTY, LoadResult, SchemaReport, SnapshotInfo
from mudan.lake.schema import ItemType, TableSpec

ICEBERG_TYPES: dict[ItemType, IcebergType] = {
    ItemType.STRING: StringType(),
    ItemType.INTEGER: LongType(),
    ItemType.DECIMAL: DecimalType(18, 4),
    ItemType.FLOAT: DoubleType(),
    ItemType.DATE: DateType(),
    ItemType.TIMESTAMP: TimestampType(),
    ItemType.BOOLEAN: BooleanType(),
}

TableRef = TableSpec | str


def ident_of(ref: TableRef) -> str:
    return ref.ident if isinstance(ref, TableSpec) else ref


def local_path(uri: str) -> str:
    """A ``file://`` URI (or plain path) of the warehouse as a local filesystem path."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return unquote(parsed.path)
    raise InvalidInput("lake.remote_warehouse", uri=uri)


class Lake:
    """Iceberg tables on the metadata database (SQLite or PostgreSQL) and a warehouse folder."""

    def __init__(self, *, db_url: str, warehouse: Path) -> None:
        self.warehouse = warehouse.resolve()
        self.warehouse.mkdir(parents=True, exist_ok=True)
        self.catalog = SqlCatalog(
            "mudan", uri=db_url, warehouse=self.warehouse.as_uri(), echo="false"
        )

    def close(self) -> None:
        self.catalog.engine.dispose()

    def __enter__(self) -> Lake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- tables -------------------------------------------------------------------------------

    def table(self, ref: TableRef) -> Table:
        ident = ident_of(ref)
        try:
            return self.catalog.load_table(ident)
        except (NoSuchTableError, ValueError) as e:
            raise NotFound("lake.unknown_table", table=ident) from e

    def exists(self, ref: TableRef) -> bool:
        try:
            return self.catalog.table_exists(ident_of(ref))
        except ValueError:
            return False

    def ensure_table(self, spec: TableSpec) -> SchemaReport:
        """Create the table (and its namespace) or evolve it: add the spec's new columns as
        optional columns; a changed type is refused; dropped columns are reported, kept."""
        if not self.exists(spec):
            with contextlib.suppress(NamespaceAlreadyExistsError):
                self.catalog.create_namespace(spec.namespace)
            fields = [
                NestedField(
                    field_id=i,
                    name=c.name,
                    field_type=ICEBERG_TYPES[c.type],
                    required=not c.nullable,
                    doc=c.label or None,
                )
                for i, c in enumerate(spec.columns, start=1)
            ]
            self.catalog.create_table(spec.ident, schema=Schema(*fields))
            return SchemaReport(ident=spec.ident, created=True)
        table = self.table(spec)
        current = {f.name: f for f in table.schema().fields}
        extra = [c for c in spec.columns if c.name not in current]
        for c in spec.columns:
            old = current.get(c.name)
            if old is not None and old.field_type != ICEBERG_TYPES[c.type]:
                raise InvalidInput(
                    "lake.incompatible_type",
                    table=spec.ident,
                    column=c.name,
                    old=str(old.field_type),
                    new=str(ICEBERG_TYPES[c.type]),
                )
        if extra:
            with table.update_schema() as update:
                for c in extra:
                    update.add_column(c.name, ICEBERG_TYPES[c.type], doc=c.label or None)
        wanted = {c.name for c in spec.columns}
        missing = tuple(name for name in current if name not in wanted)
        return SchemaReport(
            ident=spec.ident,
            created=False,
            extra=tuple(c.name for c in extra),
            missing=missing,
        )

    def drop_table(self, ref: TableRef) -> None:
        table = self.table(ref)
        location = local_path(table.location())
        self.catalog.purge_table(ident_of(ref))
        shutil.rmtree(location, ignore_errors=True)

    def list_tables(self, namespace: str) -> list[str]:
        return sorted(".".join(t) for t in self.catalog.list_tables(namespace))

    # --- loads --------------------------------------------------------------------------------

    def load(
        self,
        spec: TableSpec,
        batches: Iterable[pa.RecordBatch],
        *,
        batch_id: str,
        mode: Literal["append", "upsert", "replace"] = "append",
        progress: Callable[[int], None] | None = None,
    ) -> LoadResult:
        """Load batches in ONE snapshot tagged with ``batch_id``; see :mod:`mudan.lake.load`."""
        from mudan.lake.load import load_batches

        return load_batches(
            self.table(spec),
            spec,
            batches,
            batch_id=batch_id,
            mode=mode,
            progress=progress,
            reload=lambda: self.table(spec),
        )

    # --- snapshots and files ------------------------------------------------------------------

    def snapshots(self, ref: TableRef) -> list[SnapshotInfo]:
        out: list[SnapshotInfo] = []
        for s in self.table(ref).snapshots():
            summary = s.summary
            props = summary.additional_properties if summary is not None else {}
            out.append(
                SnapshotInfo(
                    id=s.snapshot_id,
                    parent_id=s.parent_snapshot_id,
                    committed_at=datetime.fromtimestamp(s.timestamp_ms / 1000, tz=UTC),
                    operation=str(summary.operation.value) if summary is not None else "",
                    batch_id=props.get(BATCH_ID_PROPERTY),
                    added_rows=int(props.get("added-records", 0)),
                    total_rows=int(props.get("total-records", 0)),
                )
            )
        return sorted(out, key=lambda s: (s.committed_at, s.id))

    def _tasks(self, ref: TableRef, snapshot_id: int | None) -> list[FileScanTask]:
        table = self.table(ref)
        if snapshot_id is not None and table.snapshot_by_id(snapshot_id) is None:
            raise NotFound("lake.unknown_snapshot", table=ident_of(ref), snapshot=snapshot_id)
        if table.current_snapshot() is None:
            return []
        tasks = list(table.scan(snapshot_id=snapshot_id).plan_files())
        if any(t.delete_files for t in tasks):
            raise InvalidInput("lake.delete_files", table=ident_of(ref))
        return tasks

    def data_files(self, ref: TableRef, snapshot_id: int | None = None) -> list[str]:
        """Local paths of the Parquet files of a snapshot (default: the current one)."""
        return [local_path(t.file.file_path) for t in self._tasks(ref, snapshot_id)]

    def row_count(self, ref: TableRef, snapshot_id: int | None = None) -> int:
        return sum(t.file.record_count for t in self._tasks(ref, snapshot_id))
