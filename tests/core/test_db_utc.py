"""UTCDateTime: one instant on both databases, aware UTC on the way out (SQLite too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, create_engine, select

from mudan.core.db import Base, UTCDateTime
from tests.core.test_migrations_match_models import _import_all_models

BEIJING = timezone(timedelta(hours=8))


def test_values_come_back_aware_utc_and_keep_their_instant(empty_db_url: str) -> None:
    meta = MetaData()
    t = Table(
        "utc_probe", meta, Column("id", Integer, primary_key=True), Column("at", UTCDateTime())
    )
    engine = create_engine(empty_db_url)
    try:
        meta.create_all(engine)
        local = datetime(2025, 10, 1, 9, 30, tzinfo=BEIJING)  # 01:30 UTC
        naive = datetime(2025, 10, 1, 3, 0)  # taken as UTC
        with engine.begin() as conn:
            conn.execute(t.insert(), [{"id": 1, "at": local}, {"id": 2, "at": naive}])
        with engine.connect() as conn:
            rows = dict(conn.execute(select(t.c.id, t.c.at)).all())
            # a bound aware value compares as the instant it is, whatever its zone
            later = conn.execute(select(t.c.id).where(t.c.at > local)).scalars().all()
        assert rows[1] == local and rows[1].utcoffset() == timedelta(0) and rows[1].tzinfo is UTC
        assert rows[2] == naive.replace(tzinfo=UTC) and rows[2].tzinfo is UTC
        assert later == [2]
    finally:
        meta.drop_all(engine)
        engine.dispose()


def test_every_model_timestamp_uses_utc_datetime() -> None:
    _import_all_models()
    plain = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, DateTime) and column.type.timezone
    ]
    assert plain == [], "use mudan.core.db.UTCDateTime() for: " + ", ".join(plain)
    assert any(
        isinstance(c.type, UTCDateTime) for t in Base.metadata.tables.values() for c in t.columns
    )
