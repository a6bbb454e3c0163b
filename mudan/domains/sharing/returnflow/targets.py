"""Writing rows into a consumer's or a county's own database (PostgreSQL, MariaDB/MySQL via
PyMySQL, SQLite): create the table from the Arrow schema, then replace or upsert by key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    delete,
    insert,
)
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeEngine

from mudan.core.db import external_engine
from mudan.core.errors import InvalidInput

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
CHUNK = 2000
BACKENDS = ("postgresql", "mysql", "mariadb", "sqlite")


def check_target(url: str, table: str) -> None:
    try:
        backend = make_url(url).get_backend_name()
    except Exception as e:  # sqlalchemy raises ArgumentError for junk
        raise InvalidInput("sharing.bad_target_url") from e
    if backend not in BACKENDS:
        raise InvalidInput("sharing.bad_target_url")
    if not NAME_RE.match(table):
        raise InvalidInput("sharing.bad_target_table", table=table)


def _sql_type(t: pa.DataType, key: bool) -> TypeEngine[Any]:
    if pa.types.is_integer(t):
        return BigInteger()
    if pa.types.is_floating(t):
        return Float()
    if pa.types.is_decimal(t):
        return Numeric(18, 4)
    if pa.types.is_boolean(t):
        return Boolean()
    if pa.types.is_date(t):
        return Date()
    if pa.types.is_timestamp(t):
        return DateTime()
    return String(191) if key else Text()  # 191: a MariaDB utf8mb4 index limit


def _table(name: str, schema: pa.Schema, key: str | None) -> Table:
    meta = MetaData()
    cols = [
        Column(f.name, _sql_type(f.type, f.name == key), primary_key=f.name == key) for f in schema
    ]
    return Table(name, meta, *cols)


def _chunks(rows: list[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def write_rows(url: str, table_name: str, data: pa.Table, *, key: str | None, replace: bool) -> int:
    """Replace the table's rows, or upsert them by ``key`` (delete those keys, insert)."""
    check_target(url, table_name)
    engine = external_engine(url)
    try:
        table = _table(table_name, data.schema, key)
        table.metadata.create_all(engine, checkfirst=True)
        rows = data.to_pylist()
        with engine.begin() as conn:
            if replace:
                conn.execute(delete(table))
            elif key is not None:
                for chunk in _chunks(rows):
                    conn.execute(delete(table).where(table.c[key].in_([r[key] for r in chunk])))
            for chunk in _chunks(rows):
                conn.execute(insert(table), chunk)
        return len(rows)
    finally:
        engine.dispose()
