"""Atomic, idempotent loads: stream batches into staged Parquet files, commit ONE snapshot.

Memory: batches are written as they arrive (row groups of :data:`ROW_GROUP_ROWS`, files rolled at
:data:`FILE_BYTES` of Arrow data), so an append holds one row group at a time whatever the size
of the load. An upsert also keeps the *key columns* of the incoming rows in memory (about
``rows × (key bytes + 8)``, ~250 MB for 10 million 18-character IDs) and rewrites, one file at a
time, only the existing files that hold a replaced key (copy-on-write: no delete files).

Atomicity: nothing is visible until the single commit; any exception or interruption before it
deletes the staged files, so the table stays at its previous snapshot with no orphans. Every
snapshot carries ``mudan.batch-id`` in its summary; a batch id already committed is skipped.
"""

from __future__ import annotations

import os
import queue
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyiceberg.io.pyarrow import parquet_files_to_data_files, schema_to_pyarrow
from pyiceberg.manifest import DataFile
from pyiceberg.table import Table

from mudan.core.errors import InvalidInput
from mudan.lake.catalog import local_path
from mudan.lake.results import BATCH_ID_PROPERTY, LoadResult
from mudan.lake.schema import TableSpec

ROW_GROUP_ROWS = 262_144
FILE_BYTES = 512 << 20
DICTIONARY_PAGE_BYTES = 1 << 20  # pyarrow's default ``dictionary_pagesize_limit``
QUEUE_DEPTH = 2
_KEY_SEP = "\x1f"


def write_schema(table: Table) -> pa.Schema:
    """The table's current schema as Arrow, with Parquet field ids, plain (not large) strings."""
    fields = []
    for f in schema_to_pyarrow(table.schema(), include_field_ids=True):
        typ = pa.string() if f.type == pa.large_string() else f.type
        fields.append(pa.field(f.name, typ, nullable=f.nullable, metadata=f.metadata))
    return pa.schema(fields)


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Select, order and cast the batch's columns to the table schema; absent columns are null."""
    unknown = set(batch.schema.names) - set(schema.names)
    if unknown:
        raise InvalidInput("lake.unknown_column", column=", ".join(sorted(unknown)))
    arrays = []
    for f in schema:
        if f.name in batch.schema.names:
            arr = batch.column(f.name)
            if arr.type != f.type:
                try:
                    arr = arr.cast(f.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                    raise InvalidInput("lake.bad_value", column=f.name, reason=str(e)) from e
        else:
            arr = pa.nulls(batch.num_rows, f.type)
        if not f.nullable and arr.null_count:
            raise InvalidInput("lake.null_in_required", column=f.name)
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def dictionary_columns(table: pa.Table) -> list[str]:
    """The columns worth dictionary-encoding, judged on the first rows of a file: those whose
    distinct values fit one dictionary page. On the others (an ID column, amounts) the Parquet
    writer would build a dictionary, overflow the page and fall back to plain encoding in every
    row group anyway, which costs about a third of the whole write for nothing."""
    out = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            distinct = pc.unique(column)
        except pa.ArrowNotImplementedError:
            out.append(name)  # not hashable here: leave the writer's default
            continue
        if distinct.nbytes <= DICTIONARY_PAGE_BYTES:
            out.append(name)
    return out


class StagedFiles:
    """Parquet files written under the table's data folder, not yet part of any snapshot.

    Row groups are encoded and written on one background thread (a queue of at most
    :data:`QUEUE_DEPTH` row groups), so reading and checking the next batch overlaps writing."""

    def __init__(self, table: Table, schema: pa.Schema, batch_id: str) -> None:
        self.base = f"{table.location().rstrip('/')}/data"
        self.schema = schema
        self.prefix = f"mudan-{uuid.uuid4().hex[:12]}"
        self.uris: list[str] = []
        self.rows = 0
        self.batch_id = batch_id
        self._writer: pq.ParquetWriter | None = None
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0
        self._file_bytes = 0
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=QUEUE_DEPTH)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # --- background thread ---

    def _run(self) -> None:
        while True:
            table = self._queue.get()
            if table is None:
                return
            if self._error is not None:
                continue  # drain after a failure
            try:
                self._write(table)
            except BaseException as e:
                self._error = e

    def _write(self, table: pa.Table) -> None:
        if self._writer is None:
            uri = f"{self.base}/{self.prefix}-{len(self.uris):05d}.parquet"
            self.uris.append(uri)
            path = local_path(uri)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self._writer = pq.ParquetWriter(
                path,
                self.schema,
                compression="snappy",
                use_dictionary=dictionary_columns(table),
                dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES,
            )
            self._file_bytes = 0
        self._writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        self._file_bytes += table.nbytes
        if self._file_bytes >= FILE_BYTES:
            self._writer.close()
            self._writer = None

    # --- caller side ---

    def _flush(self) -> None:
        if not self._buffer:
            return
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mudan-lake-writer")
            self._thread.start()
        self._queue.put(pa.Table.from_batches(self._buffer, schema=self.schema))
        self._buffer, self._buffered = [], 0

    def write(self, batch: pa.RecordBatch) -> None:
        if not batch.num_rows:
            return
        self._buffer.append(batch)
        self._buffered += batch.num_rows
        self.rows += batch.num_rows
        if self._buffered >= ROW_GROUP_ROWS:
            self._flush()

    def _stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._writer is not None:
            try:
                self._writer.close()
            finally:
                self._writer = None

    def close(self) -> list[str]:
        self._flush()
        self._stop()
        if self._error is not None:
            raise self._error
        return list(self.uris)

    def abort(self) -> None:
        try:
            self._stop()
        finally:
            for uri in self.uris:
                path = local_path(uri)
                if os.path.exists(path):
                    os.remove(path)


def committed_batch(table: Table, batch_id: str) -> int | None:
    for s in table.snapshots():
        if s.summary is not None and s.summary.additional_properties.get(BATCH_ID_PROPERTY) == (
            batch_id
        ):
            return s.snapshot_id
    return None


def key_array(data: pa.Table | pa.RecordBatch, key: tuple[str, ...]) -> pa.Array:
    """One string per row identifying its primary key (columns joined by a unit separator)."""
    parts = [pc.fill_null(pc.cast(data.column(k), pa.string()), "\x00") for k in key]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, _KEY_SEP)
    if isinstance(joined, pa.ChunkedArray):
        return joined.combine_chunks()
    return joined


def _replace_existing(
    table: Table, staged: StagedFiles, key: tuple[str, ...], new_keys: pa.Array
) -> tuple[list[DataFile], int]:
    """Rewrite the current files holding a replaced key; return (files to delete, rows gone)."""
    if table.current_snapshot() is None:
        return [], 0
    deleted: list[DataFile] = []
    replaced = 0
    for task in table.scan().plan_files():
        path = local_path(task.file.file_path)
        mask = pc.is_in(key_array(pq.read_table(path, columns=list(key)), key), value_set=new_keys)
        hits = pc.sum(mask).as_py() or 0
        if not hits:
            continue
        kept = pq.read_table(path).filter(pc.invert(mask))
        for batch in kept.to_batches(max_chunksize=ROW_GROUP_ROWS):
            staged.write(conform(batch, staged.schema))
        deleted.append(task.file)
        replaced += hits
    return deleted, replaced


def load_batches(
    table: Table,
    spec: TableSpec,
    batches: Iterable[pa.RecordBatch],
    *,
    batch_id: str,
    mode: Literal["append", "upsert", "replace"],
    progress: Callable[[int], None] | None,
    reload: Callable[[], Table],
) -> LoadResult:
    """Stage, then commit one snapshot. ``progress`` gets each batch's row count (an increment,
    so a :class:`mudan.core.progress.Task`'s ``advance`` fits)."""
    done = committed_batch(table, batch_id)
    if done is not None:
        return LoadResult(spec.ident, batch_id, skipped=True, snapshot_id=done)
    if mode == "upsert" and not spec.key:
        raise InvalidInput("lake.upsert_without_key", table=spec.ident)
    schema = write_schema(table)
    staged = StagedFiles(table, schema, batch_id)
    keys: list[pa.Array] = []
    committed = False
    try:
        for batch in batches:
            data = conform(batch, schema)
            if mode == "upsert":
                keys.append(key_array(data, spec.key))
            staged.write(data)
            if progress is not None:
                progress(data.num_rows)
        written = staged.rows
        deleted: list[DataFile] = []
        replaced = 0
        if mode == "upsert" and keys:
            new_keys = pa.concat_arrays(keys)
            if pc.count_distinct(new_keys).as_py() != len(new_keys):
                raise InvalidInput("lake.duplicate_key", table=spec.ident)
            deleted, replaced = _replace_existing(table, staged, spec.key, new_keys)
        elif mode == "replace" and table.current_snapshot() is not None:
            # a full refresh: every current file goes in the same commit as the new ones
            deleted = [task.file for task in table.scan().plan_files()]
            replaced = sum(f.record_count for f in deleted)
        uris = staged.close()
        props = {BATCH_ID_PROPERTY: batch_id}
        files = list(parquet_files_to_data_files(table.io, table.metadata, iter(uris)))
        with table.transaction() as tx:
            update = tx.update_snapshot(snapshot_properties=props)
            producer = update.overwrite() if deleted else update.fast_append()
            with producer as p:
                for f in files:
                    p.append_data_file(f)
                for f in deleted:
                    p.delete_data_file(f)
        committed = True
    except BaseException:
        if not committed and committed_batch(reload(), batch_id) is None:
            staged.abort()
        raise
    snap = table.current_snapshot()
    return LoadResult(
        spec.ident,
        batch_id,
        skipped=False,
        snapshot_id=snap.snapshot_id if snap is not None else None,
        rows_written=written,
        rows_replaced=replaced,
        files_added=tuple(local_path(u) for u in uris),
    )
