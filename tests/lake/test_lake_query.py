"""The SQL console engine: permissions, unknown tables, limits, errors, time travel, lock-down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from mudan.core.errors import Forbidden, InvalidInput, NotFound
from mudan.lake.catalog import Lake
from mudan.lake.query import QueryEngine, to_csv_bytes
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from mudan.settings import Settings

PEOPLE = TableSpec(
    "d371700002",
    "people",
    (
        ColumnSpec("sfzh", ItemType.STRING, "公民身份号码"),
        ColumnSpec("xm", ItemType.STRING, "姓名"),
        ColumnSpec("qx", ItemType.STRING, "区县"),
        ColumnSpec("nl", ItemType.INTEGER, "年龄"),
    ),
)
FIRMS = TableSpec("d371700005", "firms", (ColumnSpec("uscc", ItemType.STRING, "统一社会信用代码"),))
QX = ["371702", "371703", "371721"]


def everyone(_: str) -> bool:
    return True


@pytest.fixture
def lake(settings: Settings, tmp_path: Path) -> Iterator[Lake]:
    lk = Lake(db_url=settings.database.url, warehouse=tmp_path / "warehouse")
    lk.ensure_table(PEOPLE)
    lk.ensure_table(FIRMS)
    n = 3000
    lk.load(
        PEOPLE,
        [
            pa.record_batch(
                {
                    "sfzh": [f"id{i:05d}" for i in range(n)],
                    "xm": [f"居民{i}" for i in range(n)],
                    "qx": [QX[i % 3] for i in range(n)],
                    "nl": [i % 90 for i in range(n)],
                }
            )
        ],
        batch_id="first",
    )
    yield lk
    lk.close()


def test_select_with_aggregate(lake: Lake) -> None:
    result = QueryEngine(lake).query(
        "SELECT qx, count(*) AS n, max(nl) AS oldest FROM d371700002.people "
        "GROUP BY qx ORDER BY qx",
        allowed=everyone,
    )
    assert result.columns == [("qx", "string"), ("n", "int64"), ("oldest", "int64")]
    assert result.rows.to_pylist() == [
        {"qx": q, "n": 1000, "oldest": m} for q, m in zip(QX, [87, 88, 89], strict=True)
    ]
    assert not result.truncated and result.elapsed_ms >= 0
    csv = to_csv_bytes(result).decode("utf-8-sig").splitlines()
    assert csv[0] == '"qx","n","oldest"' and csv[1] == '"371702",1000,87'


def test_row_limit_truncates(lake: Lake) -> None:
    engine = QueryEngine(lake)
    result = engine.query("SELECT * FROM d371700002.people", allowed=everyone, max_rows=100)
    assert result.rows.num_rows == 100 and result.truncated
    exact = engine.query(
        "SELECT * FROM d371700002.people LIMIT 100", allowed=everyone, max_rows=100
    )
    assert exact.rows.num_rows == 100 and not exact.truncated


def test_permission_is_checked_per_table(lake: Lake) -> None:
    def only_people(ident: str) -> bool:
        return ident == "d371700002.people"

    engine = QueryEngine(lake)
    assert engine.query("SELECT count(*) c FROM d371700002.people", allowed=only_people).rows
    with pytest.raises(Forbidden) as e:
        engine.query(
            "SELECT * FROM d371700002.people p JOIN d371700005.firms f ON p.sfzh = f.uscc",
            allowed=only_people,
        )
    assert e.value.code == "lake.table_forbidden"
    assert e.value.params["table"] == "d371700005.firms"


def test_unknown_table(lake: Lake) -> None:
    with pytest.raises(NotFound) as e:
        QueryEngine(lake).query("SELECT * FROM d371700002.nothing", allowed=everyone)
    assert e.value.code == "lake.unknown_table"


def test_runtime_errors_are_reported(lake: Lake) -> None:
    engine = QueryEngine(lake)
    with pytest.raises(InvalidInput) as e:
        engine.query("SELECT sum(nl // (nl - nl)) FROM d371700002.people", allowed=everyone)
    assert e.value.code == "lake.query_failed"
    assert "Division by zero" in e.value.params["reason"]
    with pytest.raises(InvalidInput) as e:
        engine.query("SELECT CAST(xm AS INTEGER) FROM d371700002.people", allowed=everyone)
    assert e.value.code == "lake.query_failed" and "Conversion" in e.value.params["reason"]


def test_timeout_interrupts(lake: Lake) -> None:
    sql = "SELECT count(*) FROM " + ", ".join(f"d371700002.people t{i}" for i in range(6))
    with pytest.raises(InvalidInput) as e:
        QueryEngine(lake).query(sql, allowed=everyone, timeout_s=0.2)
    assert e.value.code == "lake.query_timeout"


def test_time_travel(lake: Lake) -> None:
    first = lake.snapshots(PEOPLE)[0].id
    lake.load(PEOPLE, [pa.record_batch({"sfzh": ["new"], "nl": pa.array([1])})], batch_id="second")
    engine = QueryEngine(lake)
    sql = "SELECT count(*) AS n FROM d371700002.people"
    assert engine.query(sql, allowed=everyone).rows.to_pylist() == [{"n": 3001}]
    old = engine.query(sql, allowed=everyone, snapshots={"d371700002.people": first})
    assert old.rows.to_pylist() == [{"n": 3000}]
    assert old.snapshots == {"d371700002.people": first}


def test_empty_table_is_queryable(lake: Lake) -> None:
    result = QueryEngine(lake).query("SELECT * FROM d371700005.firms", allowed=everyone)
    assert result.rows.num_rows == 0 and result.columns == [("uscc", "string")]


def test_connection_is_locked_down(lake: Lake, tmp_path: Path) -> None:
    engine = QueryEngine(lake)
    con, _ = engine._connect(["d371700002.people"], {})
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n", encoding="utf-8")
    try:
        assert con.execute("SELECT count(*) FROM d371700002.people").fetchall() == [(3000,)]
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"SELECT * FROM read_csv('{secret}')").fetchall()
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()
