"""Serving lake tables: the long-lived engine with its native cache per snapshot, and one-off
locked views over a snapshot's files (the data service and open-data reads stand on these)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mudan.core.errors import InvalidInput
from mudan.lake.catalog import Lake
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from mudan.lake.serve.cache import Layout
from mudan.lake.serve.engine import ServeEngine
from mudan.lake.serve.files import files_view
from mudan.lake.sql import Error, parquet_scan, quote_ident
from mudan.settings import Settings

SPEC = TableSpec(
    "d371700002",
    "people",
    (
        ColumnSpec("bh", ItemType.STRING, "编号"),
        ColumnSpec("qx", ItemType.STRING, "区县"),
        ColumnSpec("nl", ItemType.INTEGER, "年龄"),
    ),
    key=("bh",),
)
QX = ("371721", "371702", "371703")
UPPER = 'upper("bh")'
LAYOUT = Layout(key="bh", order=("qx", "bh"), masks=(UPPER,))


def _rows(start: int, n: int) -> pa.RecordBatch:
    ids = range(start, start + n)
    return pa.record_batch(
        {"bh": [f"p{i:03d}" for i in ids], "qx": [QX[i % 3] for i in ids], "nl": list(ids)}
    )


@pytest.fixture
def lake(settings: Settings, tmp_path: Path) -> Iterator[Lake]:
    lk = Lake(db_url=settings.database.url, warehouse=tmp_path / "warehouse")
    lk.ensure_table(SPEC)
    lk.load(SPEC, [_rows(0, 30)], batch_id="first")
    yield lk
    lk.close()


@pytest.fixture
def engine(lake: Lake, tmp_path: Path) -> Iterator[ServeEngine]:
    eng = ServeEngine(lake, cache_dir=tmp_path / "cache", ttl_s=0.0)
    yield eng
    eng.close()


def test_the_cache_holds_the_snapshot_in_layout_order_with_expressions_precomputed(
    lake: Lake, engine: ServeEngine
) -> None:
    count = "SELECT count(*) AS n FROM t"
    assert engine.run(SPEC.ident, count, [], LAYOUT).to_pylist() == [{"n": 30}]  # the view
    assert engine.warm(SPEC.ident, LAYOUT)
    current = lake.table(SPEC.ident).current_snapshot()
    assert current is not None and engine.cached_snapshot(SPEC.ident) == current.snapshot_id
    with engine.use(SPEC.ident, LAYOUT) as backend:
        assert backend.key_index and backend.layout == LAYOUT
        col = quote_ident(backend.premasked[UPPER])
        _, rows = backend.rows(f"SELECT bh, {col} FROM t WHERE bh = ?", ["p004"])
        assert rows == [("p004", "P004")]
        _, stored = backend.rows("SELECT qx, bh FROM t ORDER BY rowid", [])
    assert stored == sorted(stored)  # ordered by (region column, key)


def test_a_load_is_served_at_once_and_recached_in_place_of_the_old_file(
    lake: Lake, engine: ServeEngine, tmp_path: Path
) -> None:
    assert engine.warm(SPEC.ident, LAYOUT)
    first = engine.cached_snapshot(SPEC.ident)
    assert len(list((tmp_path / "cache").glob("*.duckdb"))) == 1
    lake.load(SPEC, [_rows(30, 12)], batch_id="second")
    count = "SELECT count(*) AS n FROM t"
    assert engine.run(SPEC.ident, count, [], LAYOUT).to_pylist() == [{"n": 42}]
    assert engine.warm(SPEC.ident, LAYOUT)
    second = engine.cached_snapshot(SPEC.ident)
    assert second is not None and second != first
    assert engine.run(SPEC.ident, count, [], LAYOUT).to_pylist() == [{"n": 42}]
    assert len(list((tmp_path / "cache").glob("*.duckdb"))) == 1


def test_tables_above_the_bound_stay_on_their_parquet_files(engine: ServeEngine) -> None:
    engine.cache_max_rows = 10
    assert not engine.warm(SPEC.ident, LAYOUT)
    assert engine.cached_snapshot(SPEC.ident) is None
    got = engine.run(SPEC.ident, "SELECT bh FROM t WHERE qx = ? ORDER BY bh", ["371702"])
    assert got.column("bh").to_pylist() == [f"p{i:03d}" for i in range(1, 30, 3)]


def test_a_failing_call_raises_the_error_code_the_engine_was_given(lake: Lake) -> None:
    default, given = ServeEngine(lake), ServeEngine(lake, error_code="sharing.query_failed")
    try:
        for eng, code in ((default, "lake.query_failed"), (given, "sharing.query_failed")):
            with pytest.raises(InvalidInput) as failed:
                eng.run(SPEC.ident, "SELECT no_such_column FROM t", [])
            assert failed.value.code == code
    finally:
        default.close()
        given.close()


def test_file_views_read_only_their_files_and_cannot_be_unlocked(
    lake: Lake, tmp_path: Path
) -> None:
    files = lake.data_files(SPEC.ident)
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1]}), other)
    schema = lake.table(SPEC.ident).schema().as_arrow()
    with files_view(files, schema) as view:
        assert view.rows("SELECT count(*) FROM t") == (["count_star()"], [(30,)])
        with pytest.raises(Error, match="disabled by configuration"):
            view.rows(f"SELECT * FROM {parquet_scan([str(other)])}")
        with pytest.raises(Error, match="configuration has been locked"):
            view.rows("SET enable_external_access = true")
    with files_view(files, schema, columns=["bh"]) as view:
        assert view.arrow("SELECT * FROM t LIMIT 1").column_names == ["bh"]
    with files_view([], schema) as view:
        assert view.arrow("SELECT * FROM t").num_rows == 0
