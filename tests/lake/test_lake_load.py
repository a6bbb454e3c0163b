"""Loads: one snapshot per batch, idempotent, atomic on failure, upsert by key, time travel."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mudan.core.errors import InvalidInput
from mudan.lake.catalog import Lake
from mudan.lake.load import dictionary_columns
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec, arrow_schema
from mudan.settings import Settings

SPEC = TableSpec(
    "d371700002",
    "people",
    (
        ColumnSpec("sfzh", ItemType.STRING, "公民身份号码", nullable=False),
        ColumnSpec("xm", ItemType.STRING, "姓名"),
        ColumnSpec("amount", ItemType.DECIMAL, "金额"),
    ),
    key=("sfzh",),
)


def batch(ids: list[str], names: list[str], amounts: list[str]) -> pa.RecordBatch:
    strings = pa.record_batch({"sfzh": ids, "xm": names, "amount": amounts})
    return strings.cast(arrow_schema(SPEC))


@pytest.fixture
def lake(settings: Settings, tmp_path: Path) -> Iterator[Lake]:
    lk = Lake(db_url=settings.database.url, warehouse=tmp_path / "warehouse")
    lk.ensure_table(SPEC)
    yield lk
    lk.close()


def files_on_disk(lake: Lake) -> set[Path]:
    return set(Path(lake.warehouse).rglob("*.parquet"))


def rows(lake: Lake, snapshot_id: int | None = None) -> list[tuple[str, str | None, Decimal]]:
    table = lake.table(SPEC).scan(snapshot_id=snapshot_id).to_arrow().sort_by("sfzh")
    return [(r["sfzh"], r["xm"], r["amount"]) for r in table.to_pylist()]


def test_append_history_and_time_travel(lake: Lake) -> None:
    seen: list[int] = []
    first = lake.load(
        SPEC,
        [batch(["a", "b"], ["张三", "李四"], ["1.5", "2"]), batch(["c"], ["王五"], ["3"])],
        batch_id="2024-01",
        progress=seen.append,
    )
    assert seen == [2, 1]
    assert first.rows_written == 3 and not first.skipped
    second = lake.load(SPEC, [batch(["d"], ["赵六"], ["4"])], batch_id="2024-02")
    history = lake.snapshots(SPEC)
    assert [(s.batch_id, s.operation, s.added_rows, s.total_rows) for s in history] == [
        ("2024-01", "append", 3, 3),
        ("2024-02", "append", 1, 4),
    ]
    assert [s.id for s in history] == [first.snapshot_id, second.snapshot_id]
    assert history[1].parent_id == history[0].id
    assert history[0].committed_at <= history[1].committed_at
    assert lake.row_count(SPEC) == 4
    assert lake.row_count(SPEC, snapshot_id=first.snapshot_id) == 3
    assert len(lake.data_files(SPEC, first.snapshot_id)) == 1
    assert len(lake.data_files(SPEC)) == 2
    assert rows(lake, first.snapshot_id)[0] == ("a", "张三", Decimal("1.5000"))


def test_rerunning_a_batch_is_a_no_op(lake: Lake) -> None:
    data = [batch(["a"], ["张三"], ["1"])]
    first = lake.load(SPEC, data, batch_id="b-1")
    files = files_on_disk(lake)
    again = lake.load(SPEC, data, batch_id="b-1")
    assert again.skipped and again.snapshot_id == first.snapshot_id
    assert lake.row_count(SPEC) == 1 and len(lake.snapshots(SPEC)) == 1
    assert files_on_disk(lake) == files


def test_failed_load_leaves_table_and_disk_unchanged(lake: Lake) -> None:
    lake.load(SPEC, [batch(["a"], ["张三"], ["1"])], batch_id="ok")
    before_files = files_on_disk(lake)
    before = lake.snapshots(SPEC)

    def broken() -> Iterator[pa.RecordBatch]:
        for i in range(5):
            yield batch([f"x{i}-{j}" for j in range(100_000)], ["某"] * 100_000, ["1"] * 100_000)
        raise RuntimeError("source connection lost")

    with pytest.raises(RuntimeError, match="connection lost"):
        lake.load(SPEC, broken(), batch_id="bad")
    assert lake.snapshots(SPEC) == before
    assert files_on_disk(lake) == before_files
    assert lake.row_count(SPEC) == 1
    # the same batch id can be retried after the failure
    assert not lake.load(SPEC, [batch(["b"], ["李四"], ["2"])], batch_id="bad").skipped


def test_interrupted_load_cleans_up(lake: Lake) -> None:
    def interrupted() -> Iterator[pa.RecordBatch]:
        yield batch(["a"] * 300_000, ["张三"] * 300_000, ["1"] * 300_000)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        lake.load(SPEC, interrupted(), batch_id="int")
    assert lake.snapshots(SPEC) == [] and files_on_disk(lake) == set()


def test_bad_batch_is_refused_atomically(lake: Lake) -> None:
    nulls = pa.record_batch({"sfzh": pa.array([None, "b"], pa.string())})
    with pytest.raises(InvalidInput) as e:
        lake.load(SPEC, [batch(["a"], ["张三"], ["1"]), nulls], batch_id="n")
    assert e.value.code == "lake.null_in_required"
    extra = pa.record_batch({"sfzh": ["a"], "phone": ["1"]})
    with pytest.raises(InvalidInput) as e:
        lake.load(SPEC, [extra], batch_id="x")
    assert e.value.code == "lake.unknown_column"
    assert lake.snapshots(SPEC) == [] and files_on_disk(lake) == set()


def test_upsert_replaces_rows_by_key_in_one_snapshot(lake: Lake) -> None:
    lake.load(
        SPEC, [batch(["a", "b", "c"], ["张三", "李四", "王五"], ["1", "2", "3"])], batch_id="1"
    )
    lake.load(SPEC, [batch(["e"], ["孙七"], ["5"])], batch_id="2")
    result = lake.load(
        SPEC, [batch(["b", "d"], ["李四改", "赵六"], ["20", "4"])], batch_id="3", mode="upsert"
    )
    assert result.rows_written == 2 and result.rows_replaced == 1
    assert rows(lake) == [
        ("a", "张三", Decimal("1.0000")),
        ("b", "李四改", Decimal("20.0000")),
        ("c", "王五", Decimal("3.0000")),
        ("d", "赵六", Decimal("4.0000")),
        ("e", "孙七", Decimal("5.0000")),
    ]
    history = lake.snapshots(SPEC)
    assert len(history) == 3 and history[-1].operation == "overwrite"
    assert history[-1].batch_id == "3" and history[-1].total_rows == 5
    # copy-on-write: no delete files, the untouched file is kept as is
    assert lake.row_count(SPEC) == 5
    assert len(lake.data_files(SPEC)) == 2
    # re-running the upsert changes nothing
    assert lake.load(SPEC, [batch(["b"], ["x"], ["0"])], batch_id="3", mode="upsert").skipped
    # the previous snapshot is still readable
    assert rows(lake, history[1].id)[1] == ("b", "李四", Decimal("2.0000"))


def test_upsert_refuses_duplicate_keys_and_keyless_tables(lake: Lake) -> None:
    with pytest.raises(InvalidInput) as e:
        lake.load(SPEC, [batch(["a", "a"], ["x", "y"], ["1", "2"])], batch_id="d", mode="upsert")
    assert e.value.code == "lake.duplicate_key"
    keyless = TableSpec("d371700002", "events", (ColumnSpec("v", ItemType.STRING),))
    lake.ensure_table(keyless)
    with pytest.raises(InvalidInput) as e:
        lake.load(keyless, [pa.record_batch({"v": ["1"]})], batch_id="k", mode="upsert")
    assert e.value.code == "lake.upsert_without_key"
    assert files_on_disk(lake) == set()


def test_empty_load_records_the_batch(lake: Lake) -> None:
    result = lake.load(SPEC, [], batch_id="empty")
    assert result.rows_written == 0 and result.snapshot_id is not None
    assert lake.load(SPEC, [], batch_id="empty").skipped
    assert lake.row_count(SPEC) == 0


def test_dictionary_only_for_columns_whose_values_fit_a_page() -> None:
    n = 100_000
    table = pa.table(
        {
            "sfzh": [f"{i:018d}" for i in range(n)],  # 1.8 MB of distinct values
            "qx": [("371702", "371721")[i % 2] for i in range(n)],
            "amount": pa.array(range(n), pa.int32()).cast(pa.decimal128(18, 4)),  # 1.6 MB
        }
    )
    assert dictionary_columns(table) == ["qx"]
    assert dictionary_columns(table.slice(0, 1000)) == ["sfzh", "qx", "amount"]


def test_written_files_dictionary_encode_only_low_cardinality_columns(lake: Lake) -> None:
    n = 80_000
    ids = [f"{i:017d}X" for i in range(n)]
    lake.load(SPEC, [batch(ids, ["张三"] * n, ["1.5"] * n)], batch_id="b1")
    (path,) = files_on_disk(lake)
    meta = pq.ParquetFile(path).metadata.row_group(0)
    encodings = {meta.column(i).path_in_schema: meta.column(i).encodings for i in range(3)}
    assert "RLE_DICTIONARY" in encodings["xm"]
    assert "RLE_DICTIONARY" not in encodings["sfzh"]
    assert rows(lake)[:1] == [(ids[0], "张三", Decimal("1.5"))]
