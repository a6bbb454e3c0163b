"""The unit of work: one session in one transaction, plus an on-commit queue.

``unit_of_work(factory)`` (also reached as ``core.db.transaction``) commits on success and rolls
back on any error. Work that must only happen once the data is durable — updating the search
index, SSE fan-out, moving a file — goes on the queue with ``on_commit(session, fn)``; a service
that only holds the session can enqueue too, the queue lives in ``session.info``. Callbacks run
in order after a successful commit and never after a rollback; one that fails is logged and
does not undo the commit (nor stop the callbacks after it).

``lake_step`` is the one shape for a lake write between two metadata transactions: the first
records the intent, the lake work runs with no transaction open (on SQLite the lake's catalog
commit must not wait on ours), the second records the outcome; a failure in the lake work is
recorded by a compensating transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("mudan.uow")
_QUEUE = "uow.on_commit"

P = TypeVar("P")
R = TypeVar("R")
T = TypeVar("T")


def on_commit(session: Session, fn: Callable[[], object]) -> None:
    """Run ``fn`` once the unit of work that owns ``session`` has committed."""
    session.info.setdefault(_QUEUE, []).append(fn)


def discard(session: Session) -> None:
    """Forget the queued callbacks (the transaction rolled back)."""
    session.info.pop(_QUEUE, None)


def run_queued(session: Session) -> None:
    """Run and clear the queue; each callback's failure is logged, never raised."""
    queue: list[Callable[[], object]] = session.info.pop(_QUEUE, [])
    for fn in queue:
        try:
            fn()
        except Exception:  # the commit stands; whatever the callback keeps can be rebuilt
            log.exception("on-commit callback failed", extra={"callback": _name(fn)})


def _name(fn: Callable[[], object]) -> str:
    return str(getattr(fn, "__qualname__", repr(fn)))


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The caller owns the transaction: commit on success, roll back on any error; then the
    on-commit queue (after a commit only)."""
    session = factory()
    # a rollback inside the unit (a view's explicit one) empties the queue too
    event.listen(session, "after_rollback", discard)
    try:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            discard(session)
            raise
        run_queued(session)
    finally:
        session.close()


def lake_step(
    sessions: sessionmaker[Session],
    *,
    prepare: Callable[[Session], P],
    work: Callable[[P], R],
    finish: Callable[[Session, R], T],
    failed: Callable[[Session, Exception], None] | None = None,
    catch: tuple[type[Exception], ...] = (Exception,),
) -> T:
    """Transaction 1 ``prepare`` (record the intent, read what the work needs), then ``work``
    outside any transaction, then transaction 2 ``finish`` (record the outcome).

    When ``work`` raises one of ``catch``, ``failed`` records it in its own transaction and the
    error is re-raised; without ``failed`` nothing is recorded (a re-run finds the intent)."""
    with unit_of_work(sessions) as s:
        intent = prepare(s)
    try:
        result = work(intent)
    except catch as exc:
        if failed is not None:
            with unit_of_work(sessions) as s:
                failed(s, exc)
        raise
    with unit_of_work(sessions) as s:
        return finish(s, result)


def lake_step_or_record(
    sessions: sessionmaker[Session],
    *,
    prepare: Callable[[Session], P],
    work: Callable[[P], R],
    finish: Callable[[Session, R], T],
    failed: Callable[[Session, Exception], None],
    catch: tuple[type[Exception], ...] = (Exception,),
) -> T | None:
    """``lake_step`` for a job that must end with a recorded outcome: a failure in ``work`` is
    recorded by ``failed`` (called while the error is being handled, so it may log it) and
    the step returns None instead of raising."""
    with unit_of_work(sessions) as s:
        intent = prepare(s)
    try:
        result = work(intent)
    except catch as exc:
        with unit_of_work(sessions) as s:
            failed(s, exc)
        return None
    with unit_of_work(sessions) as s:
        return finish(s, result)


def queued(session: Session) -> list[Any]:
    """The callbacks waiting for this session's commit (for tests and diagnostics)."""
    return list(session.info.get(_QUEUE, []))
