"""Database engine, declarative base and session helpers (SQLite or PostgreSQL)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from mudan.core.errors import InvalidInput
from mudan.core.uow import unit_of_work

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time, the same on both databases: stored as UTC, read back as aware UTC.

    PostgreSQL's ``timestamptz`` keeps the instant, but SQLite keeps only the wall time and hands
    back naive values, so every value is turned into UTC before it is bound (a naive one is taken
    as UTC) and every result is tagged UTC. Every model's timestamp column uses this type; the
    migrations keep ``sa.DateTime(timezone=True)``, which Alembic sees as the same column type.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        # Anything but a datetime (a date, a string PostgreSQL parses) goes through as before.
        return as_utc(value) if isinstance(value, datetime) else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """The platform's metadata database. Only ``core.runtime.Runtime`` builds one per process
    (and Alembic's ``migrations/env.py`` when run with a URL alone)."""
    return _engine(url, echo=echo)


def external_engine(url: str) -> Engine:
    """A database that is not the platform's (a return-flow target), built per use by its
    caller and disposed there; the same dialect setup as the metadata engine."""
    return _engine(url, echo=False)


def _engine(url: str, *, echo: bool) -> Engine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif parsed.get_driver_name() == "psycopg":
        event.listen(engine, "connect", _psycopg_refuse_nul)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _psycopg_refuse_nul(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.adapters.register_dumper(str, _nul_refusing_dumper())


@cache
def _nul_refusing_dumper() -> type:
    """psycopg's default text dumper, but a NUL character is invalid input, not a 500.

    PostgreSQL cannot store U+0000 in text; psycopg says so with a DataError when it sends the
    value. Any text that reaches a query (a filter, a title, an imported cell) gets the same
    clear 422 instead, whichever route or job it came through.
    """
    from psycopg.types.string import StrDumperUnknown

    class NulRefusingStrDumper(StrDumperUnknown):
        def dump(self, obj: str) -> Any:
            if "\x00" in obj:
                raise InvalidInput("request.nul_character")
            return super().dump(obj)

    return NulRefusingStrDumper


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def transaction(factory: sessionmaker[Session]) -> AbstractContextManager[Session]:
    """The caller owns the transaction: commit on success, roll back on any error; callbacks
    queued with ``core.uow.on_commit`` run after the commit (see ``core.uow``)."""
    return unit_of_work(factory)
