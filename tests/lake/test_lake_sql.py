"""The lake's SQL helpers and its one locked-down DuckDB connection factory."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mudan.lake.sql import (
    Connection,
    Error,
    empty_table,
    literal_list,
    locked,
    parquet_scan,
    quote_ident,
    quote_literal,
)


def _parquet(path: Path, rows: dict[str, list[object]]) -> str:
    pq.write_table(pa.table(rows), path)
    return str(path)


def test_quoting_survives_quotes_in_names_and_text() -> None:
    name, text = 'we"ird', "it's; DROP TABLE t --"
    with locked() as con:
        con.execute(f"CREATE TABLE t ({quote_ident(name)} VARCHAR)")
        con.execute(f"INSERT INTO t VALUES ({quote_literal(text)})")
        assert con.execute(f"SELECT {quote_ident(name)} FROM t").fetchall() == [(text,)]
    assert literal_list(["a", "b'c"]) == "'a', 'b''c'"


def test_a_locked_connection_reads_only_its_files_and_cannot_unlock(tmp_path: Path) -> None:
    mine = _parquet(tmp_path / "mine.parquet", {"x": [1, 2]})
    other = _parquet(tmp_path / "o'ther.parquet", {"x": [3]})

    def setup(con: Connection) -> None:
        con.execute(f"CREATE VIEW t AS SELECT * FROM {parquet_scan([mine])}")

    con = locked(setup, readable=[mine], threads=1)
    try:
        assert con.execute("SELECT sum(x) FROM t").fetchall() == [(3,)]
        with pytest.raises(Error, match="disabled by configuration"):
            con.execute(f"SELECT * FROM {parquet_scan([other])}").fetchall()
        with pytest.raises(Error, match="disabled by configuration"):
            con.execute(f"COPY t TO {quote_literal(str(tmp_path / 'out.csv'))}").fetchall()
        for setting in ("enable_external_access = true", "threads = 3", "allowed_paths = []"):
            with pytest.raises(Error, match="configuration has been locked"):
                con.execute(f"SET {setting}").fetchall()
    finally:
        con.close()


def test_setup_failures_close_the_connection_and_empty_tables_keep_types() -> None:
    seen: list[Connection] = []

    def broken(con: Connection) -> None:
        seen.append(con)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        locked(broken)
    with pytest.raises(Error):  # closed
        seen[0].execute("SELECT 1")
    schema = pa.schema([("a", pa.int64()), ("b", pa.string())])
    with locked(lambda con: empty_table(con, "t", schema)) as con:
        assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]
        assert con.sql("SELECT * FROM t").to_arrow_table().schema == schema
