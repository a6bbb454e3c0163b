"""The one after-commit event that keeps an index in step: which rows it collects, and when."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.search.follow import Feed, follow, mark


class _Base(DeclarativeBase):
    metadata = MetaData()


class Thing(_Base):
    __tablename__ = "thing"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(40))
    hits: Mapped[int] = mapped_column(default=0)


FEED = Feed("things.changed", Thing, ("title",))


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'follow.db'}")
    _Base.metadata.create_all(engine)
    with transaction(make_sessionmaker(engine)) as s:
        s.add_all([Thing(id=1, title="a"), Thing(id=2, title="b")])
    yield make_sessionmaker(engine)
    engine.dispose()


def test_inserts_and_document_changes_are_synced_once_after_commit(
    sessions: sessionmaker[Session],
) -> None:
    synced: list[set[int]] = []
    with transaction(sessions) as s:
        follow(s, FEED, synced.append)
        follow(s, FEED, synced.append)  # once per unit of work
        s.add(Thing(id=3, title="c"))
        s.flush()
        s.get_one(Thing, 1).title = "a2"
        s.get_one(Thing, 2).hits = 5  # not a column the document reads
        s.flush()
        assert synced == []
    assert synced == [{1, 3}]


def test_deletes_and_marks_count_and_a_rollback_syncs_nothing(
    sessions: sessionmaker[Session],
) -> None:
    synced: list[set[int]] = []
    with transaction(sessions) as s:
        follow(s, FEED, synced.append)
        s.delete(s.get_one(Thing, 2))
        mark(s, FEED.key, [1])
    assert synced == [{1, 2}]
    with pytest.raises(RuntimeError), transaction(sessions) as s:
        follow(s, FEED, synced.append)
        s.get_one(Thing, 1).title = "never"
        s.flush()
        raise RuntimeError
    assert synced == [{1, 2}]


def test_nothing_changed_means_no_sync(sessions: sessionmaker[Session]) -> None:
    synced: list[set[int]] = []
    with transaction(sessions) as s:
        follow(s, FEED, synced.append)
        s.get_one(Thing, 1).hits = 9
    assert synced == []
