"""Append-only partitioned lake tables (the IoT history stands on them): created on first use
with the declared schema and identity partitions, each batch appended at most once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from mudan.lake.catalog import Lake
from mudan.lake.partitioned import Field, PartitionedTable, append_once, ensure
from mudan.settings import Settings

EVENTS = PartitionedTable(
    "raw",
    "events",
    (
        Field("id", "long", required=True),
        Field("at", "timestamptz", required=True, doc="时间"),
        Field("value", "double"),
        Field("day", "date", required=True),
    ),
    partition_by=("day",),
)


@pytest.fixture
def lake(settings: Settings, tmp_path: Path) -> Iterator[Lake]:
    lk = Lake(db_url=settings.database.url, warehouse=tmp_path / "warehouse")
    yield lk
    lk.close()


def _batch(ids: list[int]) -> pa.Table:
    at = [datetime(2025, 1, 1 + i % 2, 8, tzinfo=UTC) for i in ids]
    cols = {"id": ids, "at": at, "value": [i / 2 for i in ids], "day": [a.date() for a in at]}
    return pa.Table.from_pydict(cols, schema=EVENTS.arrow_schema())


def test_a_batch_lands_once_in_its_partitions(lake: Lake) -> None:
    assert not lake.exists(EVENTS.ident)
    assert append_once(lake, EVENTS, "b0", _batch([])) is None  # created, nothing committed
    assert lake.exists(EVENTS.ident) and lake.snapshots(EVENTS.ident) == []
    first = append_once(lake, EVENTS, "b1", _batch([1, 2, 3]))
    assert first is not None
    assert append_once(lake, EVENTS, "b1", _batch([1, 2, 3])) == first  # a re-run is skipped
    assert lake.row_count(EVENTS.ident) == 3
    table = lake.table(EVENTS.ident)
    assert table.spec() == EVENTS.partition_spec() and table.spec().fields[0].name == "day"
    assert table.schema().find_field("at").doc == "时间"
    assert len(lake.data_files(EVENTS.ident)) == 2  # one file per day
    ensure(lake, EVENTS)  # idempotent
    rows = table.scan().to_arrow().sort_by("id")
    assert rows.column("day").to_pylist() == [date(2025, 1, 2), date(2025, 1, 1), date(2025, 1, 2)]
