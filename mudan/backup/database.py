"""The database side of a backup, whatever the dialect: what it holds, and whether it is empty.

SQLite is copied whole with its online backup API (:mod:`mudan.backup.sqlite`); PostgreSQL is
dumped table by table with ``COPY`` in one repeatable-read snapshot (:mod:`mudan.backup.postgres`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import Connection, Engine

from mudan.core.errors import InvalidInput
from mudan.core.migrate import database_heads
from mudan.lake.catalogdb import TableLocation, table_locations

# Rows a fresh ``mudan db upgrade`` writes itself: a database holding only these is empty.
# (tests/backup checks this against a freshly migrated database.)
SEEDED = frozenset({"alembic_version", "share_step_deadline", "region_tree_version"})
DIALECTS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class DbInfo:
    tables: dict[str, int]  # rows per table, parents before children
    heads: tuple[str, ...]
    lake: list[TableLocation]


def table_order(connection: Connection) -> list[str]:
    """Every table, parents before the tables whose foreign keys point at them."""
    pairs = inspect(connection).get_sorted_table_and_fkc_names()
    return [name for name, _fks in pairs if name is not None]


def count_rows(connection: Connection, name: str) -> int:
    return int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())


def describe(connection: Connection) -> DbInfo:
    tables = {name: count_rows(connection, name) for name in table_order(connection)}
    return DbInfo(tables, database_heads(connection), table_locations(connection))


def tables_with_data(engine: Engine) -> list[str]:
    """The tables holding rows a user made (a fresh migration's own rows do not count)."""
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n not in SEEDED]
        return [n for n in names if conn.execute(select(1).select_from(table(n)).limit(1)).first()]


def check_dialect(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DIALECTS:
        raise InvalidInput("backup.unsupported_database", dialect=name)
    return name
