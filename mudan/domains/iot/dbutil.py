"""Small dialect helpers (SQLite and PostgreSQL) and UTC handling."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mudan.core.db import as_utc


def upsert_insert(session: Session, table: Table) -> Any:
    """An INSERT supporting ``on_conflict_do_*`` for the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def naive(value: datetime) -> datetime:
    return as_utc(value).replace(tzinfo=None)
