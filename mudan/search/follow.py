"""One after-commit event keeps a search index in step with the database.

``follow(session, feed, sync)`` watches one unit of work: after every flush it records the ids
of ``feed.model`` rows that were inserted, deleted, or changed in one of ``feed.fields`` (the
columns the search document is built from) in ``session.info[feed.key]``; ``mark`` adds ids by
hand (a row whose document must be written again although none of its columns moved). Once the
unit of work commits, ``sync`` gets every id gathered, in one call (``core.uow.on_commit``:
never after a rollback; a failure is logged and the commit stands — a reindex repairs it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from mudan.core.uow import on_commit, queued

_FOLLOWED = "search.followed"


@dataclass(frozen=True)
class Feed:
    """What one index follows: ``key`` names the id set in ``session.info``."""

    key: str
    model: type[Any]
    fields: tuple[str, ...]


def mark(session: Session, key: str, ids: Iterable[int]) -> None:
    session.info.setdefault(key, set()).update(ids)


def take(session: Session, key: str) -> set[int]:
    ids: set[int] = session.info.pop(key, set())
    return ids


def follow(session: Session, feed: Feed, sync: Callable[[set[int]], None]) -> None:
    """Keep ``feed``'s index in step with what this unit of work commits (once per session)."""
    followed: dict[str, tuple[Feed, Callable[[], None]]] = session.info.setdefault(_FOLLOWED, {})
    if feed.key in followed and followed[feed.key][1] in queued(session):
        return  # already followed (and not dropped by a rollback since)
    if not followed:
        event.listen(session, "after_flush", _collect)

    def after_commit() -> None:
        ids = take(session, feed.key)
        if ids:
            sync(ids)

    followed[feed.key] = (feed, after_commit)
    on_commit(session, after_commit)


def _collect(session: Session, _flush_context: Any) -> None:
    """After a flush the new/dirty/deleted sets and attribute histories are still pre-flush."""
    for feed, _ in session.info.get(_FOLLOWED, {}).values():
        ids = {
            obj.id
            for obj in (*session.new, *session.dirty, *session.deleted)
            if isinstance(obj, feed.model) and _touched(session, obj, feed.fields)
        }
        if ids:
            mark(session, feed.key, ids)


def _touched(session: Session, obj: Any, fields: tuple[str, ...]) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields)
