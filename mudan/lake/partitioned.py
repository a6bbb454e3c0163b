"""Append-only lake tables declared field by field, with identity partitions: machine data
(the IoT telemetry history) that has no catalog entry, needs time zones and partitions, and
is written by batches that must land at most once.

A :class:`PartitionedTable` is plain data (names, types, partition fields); the lake turns it
into the Iceberg schema (field ids 1… in declaration order) and partition spec (ids 1000…),
creates the table on first use and appends each batch in ONE snapshot whose summary carries
its batch id — skipped when a snapshot with that id exists, retried when another writer
committed first.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa
from pyiceberg.exceptions import CommitFailedException, NamespaceAlreadyExistsError
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import (
    DateType,
    DoubleType,
    IcebergType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)

from mudan.lake.catalog import Lake
from mudan.lake.load import committed_batch
from mudan.lake.results import BATCH_ID_PROPERTY

FieldType = Literal["long", "string", "double", "timestamptz", "date"]
TYPES: dict[str, IcebergType] = {
    "long": LongType(),
    "string": StringType(),
    "double": DoubleType(),
    "timestamptz": TimestamptzType(),
    "date": DateType(),
}
PARTITION_FIELD_IDS = 1000


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool = False
    doc: str | None = None


@dataclass(frozen=True)
class PartitionedTable:
    namespace: str
    name: str
    fields: tuple[Field, ...]
    partition_by: tuple[str, ...] = ()  # identity partitions on these fields

    @property
    def ident(self) -> str:
        return f"{self.namespace}.{self.name}"

    def iceberg_schema(self) -> Schema:
        return Schema(
            *(
                NestedField(i, f.name, TYPES[f.type], required=f.required, doc=f.doc)
                for i, f in enumerate(self.fields, start=1)
            )
        )

    def partition_spec(self) -> PartitionSpec:
        ids = {f.name: i for i, f in enumerate(self.fields, start=1)}
        return PartitionSpec(
            *(
                PartitionField(
                    source_id=ids[name],
                    field_id=PARTITION_FIELD_IDS + n,
                    transform=IdentityTransform(),
                    name=name,
                )
                for n, name in enumerate(self.partition_by)
            )
        )

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema a batch must have (the table's, as Iceberg writes it)."""
        return self.iceberg_schema().as_arrow()


def ensure(lake: Lake, t: PartitionedTable) -> None:
    """Create the table (and its namespace) unless it exists (a concurrent create is fine)."""
    if lake.exists(t.ident):
        return
    with contextlib.suppress(NamespaceAlreadyExistsError):
        lake.catalog.create_namespace(t.namespace)
    with contextlib.suppress(Exception):
        lake.catalog.create_table(
            t.ident, schema=t.iceberg_schema(), partition_spec=t.partition_spec()
        )


def append_once(
    lake: Lake, t: PartitionedTable, batch_id: str, data: pa.Table, *, tries: int = 5
) -> int | None:
    """Append ``data`` in one snapshot tagged ``batch_id``, unless a snapshot with that tag
    exists (its id is returned then); None for an empty batch never committed. Retried when
    another writer committed first; ``CommitFailedException`` after ``tries`` attempts."""
    for _ in range(tries):
        ensure(lake, t)
        table = lake.table(t.ident)
        done = committed_batch(table, batch_id)
        if done is not None:
            return done
        if data.num_rows == 0:
            return None
        try:
            table.append(data, snapshot_properties={BATCH_ID_PROPERTY: batch_id})
        except CommitFailedException:
            continue  # another writer committed first: reload and retry
        snap = lake.table(t.ident).current_snapshot()
        return snap.snapshot_id if snap is not None else None
    raise CommitFailedException(f"could not commit {batch_id}")
