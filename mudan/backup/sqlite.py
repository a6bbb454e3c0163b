"""SQLite: the online backup API copies the database page by page in one read transaction, so
the copy is consistent while the app keeps writing; a restore runs it the other way round, which
replaces the target's whole content in one step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import PoolProxiedConnection

from mudan.backup.database import DbInfo, describe
from mudan.core.errors import InvalidInput

MEMBER = "db/mudan.sqlite"


def database_file(url: str) -> Path:
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise InvalidInput("backup.memory_database", url=url)
    return Path(name)


def _driver(engine: Engine) -> tuple[PoolProxiedConnection, sqlite3.Connection]:
    raw = engine.raw_connection()
    conn = raw.driver_connection
    assert isinstance(conn, sqlite3.Connection)
    return raw, conn


def dump(engine: Engine, dest: Path) -> DbInfo:
    """Copy the database to ``dest`` and describe the copy (not the live file)."""
    raw, conn = _driver(engine)
    try:
        target = sqlite3.connect(dest)
        try:
            conn.backup(target)
        finally:
            target.close()
    finally:
        raw.close()
    copy = create_engine(f"sqlite:///{dest}")
    try:
        with copy.connect() as c:
            return describe(c)
    finally:
        copy.dispose()


def load(engine: Engine, src: Path) -> None:
    source = sqlite3.connect(src.resolve().as_uri() + "?mode=ro", uri=True)
    raw, conn = _driver(engine)
    try:
        source.backup(conn)
    finally:
        raw.close()
        source.close()
