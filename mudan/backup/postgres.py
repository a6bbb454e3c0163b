"""PostgreSQL: ``COPY … TO STDOUT`` per table inside one ``REPEATABLE READ, READ ONLY``
transaction — a consistent snapshot like pg_dump's, exact for every column type, and with no
pg_dump binary that has to match the server's major version.

A restore runs in ONE transaction, so a failure leaves the target as it was: drop the target's
tables, rebuild the schema with Alembic at the backup's revision (plus the Iceberg catalog's and
the scheduler's own tables), empty what the migrations seed, ``COPY`` every table back parents
first, check each row count and set every sequence to its backed-up value.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql
from pydantic import BaseModel
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from mudan.backup.database import DbInfo, count_rows, table_order
from mudan.core.errors import InvalidInput
from mudan.core.migrate import database_heads, upgrade_on
from mudan.core.scheduler import JOBSTORE_TABLE, create_jobstore_table
from mudan.lake.catalogdb import CATALOG_TABLES, create_catalog_tables, table_locations

PREFIX = "db/postgres"
TABLES = "tables.json"
CHUNK = 1 << 20
SKIP = "alembic_version"  # written by the migrations at restore
SEQUENCES_SQL = """
SELECT t.relname, a.attname, s.oid::regclass::text
FROM pg_class s
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE s.relkind = 'S' AND t.relnamespace = current_schema()::regnamespace
ORDER BY 1, 2
"""


class TableDump(BaseModel):
    name: str
    columns: list[str]
    rows: int


class SequenceValue(BaseModel):
    table: str
    column: str
    last_value: int
    is_called: bool


class PgDump(BaseModel):
    tables: list[TableDump]
    sequences: list[SequenceValue]


def _driver(conn: Connection) -> psycopg.Connection[object]:
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def _copy_sql(name: str, columns: list[str], direction: str) -> sql.Composed:
    return sql.SQL("COPY {} ({}) {} ").format(
        sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(direction)
    )


def _copy_out(raw: psycopg.Connection[object], name: str, columns: list[str], dest: Path) -> int:
    query = _copy_sql(name, columns, "TO STDOUT")
    with raw.cursor() as cur, open(dest, "wb") as out:
        with cur.copy(query) as copy:
            for block in copy:
                out.write(block)
        return cur.rowcount


def _copy_in(raw: psycopg.Connection[object], name: str, columns: list[str], src: Path) -> int:
    with raw.cursor() as cur, open(src, "rb") as data:
        with cur.copy(_copy_sql(name, columns, "FROM STDIN")) as copy:
            while chunk := data.read(CHUNK):
                copy.write(chunk)
        return cur.rowcount


def _sequences(conn: Connection) -> dict[tuple[str, str], str]:
    return {(t, c): seq for t, c, seq in conn.execute(text(SEQUENCES_SQL))}


def dump(engine: Engine, folder: Path, advance: Callable[[int], None]) -> DbInfo:
    """Write ``<table>.copy`` files and ``tables.json`` (load order, columns, rows, sequences)."""
    folder.mkdir(parents=True, exist_ok=True)
    snapshot = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect().execution_options(**snapshot) as conn, conn.begin():
        insp, raw, tables, counts = inspect(conn), _driver(conn), [], {}
        for name in table_order(conn):
            if name == SKIP:
                counts[name] = count_rows(conn, name)
            else:
                columns = [c["name"] for c in insp.get_columns(name)]
                counts[name] = _copy_out(raw, name, columns, folder / f"{name}.copy")
                tables.append(TableDump(name=name, columns=columns, rows=counts[name]))
            advance(1)
        info = DbInfo(counts, database_heads(conn), table_locations(conn))
        sequences = []
        for (table, column), seq in _sequences(conn).items():
            last, called = conn.execute(text(f"SELECT last_value, is_called FROM {seq}")).one()
            sequences.append(
                SequenceValue(table=table, column=column, last_value=last, is_called=called)
            )
    (folder / TABLES).write_text(PgDump(tables=tables, sequences=sequences).model_dump_json())
    return info


def load(engine: Engine, folder: Path, heads: list[str], advance: Callable[[int], None]) -> None:
    saved = PgDump.model_validate_json((folder / TABLES).read_text("utf-8"))
    with engine.connect() as conn, conn.begin():
        present = _rebuild_schema(conn, heads, {t.name for t in saved.tables})
        unknown = [t.name for t in saved.tables if t.name not in present]
        if unknown:
            raise InvalidInput("backup.unknown_tables", tables=", ".join(unknown))
        raw = _driver(conn)
        for t in saved.tables:
            rows = _copy_in(raw, t.name, t.columns, folder / f"{t.name}.copy")
            if rows != t.rows:
                raise InvalidInput("backup.row_count", table=t.name, rows=rows)
            advance(1)
        live = _sequences(conn)
        for s in saved.sequences:
            seq = live.get((s.table, s.column))
            if seq is not None:
                conn.execute(
                    text("SELECT setval(CAST(:seq AS regclass), :value, :called)"),
                    {"seq": seq, "value": s.last_value, "called": s.is_called},
                )


def _rebuild_schema(conn: Connection, heads: list[str], wanted: set[str]) -> set[str]:
    quote = conn.dialect.identifier_preparer.quote
    existing = inspect(conn).get_table_names()
    if existing:
        conn.exec_driver_sql(f"DROP TABLE {', '.join(map(quote, existing))} CASCADE")
    for head in heads:
        upgrade_on(conn, head)
    if wanted & set(CATALOG_TABLES):
        create_catalog_tables(conn)
    if JOBSTORE_TABLE in wanted:
        create_jobstore_table(conn)
    present = [n for n in inspect(conn).get_table_names() if n != SKIP]
    if present:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(map(quote, present))}")
    return set(present)
