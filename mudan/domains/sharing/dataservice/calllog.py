"""Call log and its seals: how every data-service call is audited without serialising calls.

``audit.record`` takes one database-wide lock per record (the SM3 chain must stay linear),
so a chained record per call would make every call wait for every other. Instead each call
inserts one ``share_call`` row (caller, grant, purpose, rows returned, status, query) in its
own transaction — no lock, no chain — and a *seal* later appends ONE chained audit record per
batch of calls holding the id range, the count and an SM3 digest over those rows. Editing or
deleting a sealed call breaks its seal's digest (``verify_seals``); the seal itself is in the
hash chain, so it cannot be edited either. Seals run on the writer's own timer — at most
``seal_every`` seconds (``MUDAN_SHARING__SEAL_EVERY_S``) after a call was logged, whether or
not another call follows, and once more when the process shuts down — as well as from
``mudan share tick`` and on demand.

The call rows themselves are written by a :class:`CallWriter` with *group commit*: a call
hands its row over and waits until the transaction holding it has committed (so no response
leaves before its call is durably logged — a failed write fails the call), while concurrent
calls share one transaction and one disk flush instead of queueing for a flush each.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import false, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from mudan.core import audit
from mudan.core.db import as_utc, transaction
from mudan.core.errors import MudanError
from mudan.domains.sharing.models import ServiceCall

SEAL_EVERY_S = 2.0
SEAL_BATCH = 20000
log = logging.getLogger("mudan.sharing.calllog")


class RateLimited(MudanError):
    status = 429

    def __init__(self, retry_after: int, grant_id: int) -> None:
        super().__init__("sharing.rate_limited", grant=grant_id, seconds=retry_after)
        self.retry_after = retry_after


class RateLimiter:
    """A token bucket per grant (``rate_per_minute`` tokens, refilled continuously).
    In-process: with several workers each enforces the limit on its share of calls."""

    def __init__(self) -> None:
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, grant_id: int, per_minute: int) -> None:
        now = time.monotonic()
        rate = per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.get(grant_id, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[grant_id] = (tokens, now)
                wait = (1.0 - tokens) / rate if rate > 0 else 60.0
                raise RateLimited(max(1, int(wait + 0.999)), grant_id)
            self._buckets[grant_id] = (tokens - 1.0, now)


def _canonical(c: ServiceCall) -> str:
    at = as_utc(c.at).strftime("%Y-%m-%dT%H:%M:%S.%f")
    payload: dict[str, Any] = {
        "id": c.id,
        "grant_id": c.grant_id,
        "at": at,
        "caller": c.caller,
        "department_code": c.department_code,
        "purpose": c.purpose,
        "status": c.status,
        "rows": c.rows,
        "format": c.format,
        "query": c.query,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(calls: list[ServiceCall]) -> str:
    return audit.sm3_hex("\n".join(_canonical(c) for c in calls).encode("utf-8"))


def seal(session: Session, *, limit: int = SEAL_BATCH) -> int | None:
    """Seal the unsealed calls (up to ``limit``) under one chained audit record."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7173001)"))  # the audit lock
    elif dialect == "sqlite":  # take the write lock first: two sealers never read the same calls
        session.execute(
            update(ServiceCall)
            .where(false())
            .values(sealed_by=None)
            .execution_options(synchronize_session=False)
        )
    calls = list(
        session.scalars(
            select(ServiceCall)
            .where(ServiceCall.sealed_by.is_(None))
            .order_by(ServiceCall.id)
            .limit(limit)
        )
    )
    if not calls:
        return None
    per_grant: dict[str, int] = {}
    for c in calls:
        per_grant[str(c.grant_id)] = per_grant.get(str(c.grant_id), 0) + 1
    rec = audit.record(
        session,
        actor="dataservice",
        role="system",
        action="dataservice.calls",
        object_type="share_call",
        object_id=f"{calls[0].id}-{calls[-1].id}",
        detail={
            "first_id": calls[0].id,
            "last_id": calls[-1].id,
            "count": len(calls),
            "rows": sum(c.rows for c in calls),
            "digest": digest(calls),
            "grants": per_grant,
        },
    )
    session.execute(
        update(ServiceCall)
        .where(ServiceCall.id.in_([c.id for c in calls]))
        .values(sealed_by=rec.id)
        .execution_options(synchronize_session=False)
    )
    return rec.id


@dataclass(frozen=True)
class SealCheck:
    ok: bool
    seals: int
    calls: int
    broken_seal: int | None = None


def verify_seals(session: Session) -> SealCheck:
    seals = session.scalars(
        select(audit.AuditRecord)
        .where(audit.AuditRecord.action == "dataservice.calls")
        .order_by(audit.AuditRecord.id)
    )
    n_seals = n_calls = 0
    for rec in seals:
        d = rec.detail
        calls = list(
            session.scalars(
                select(ServiceCall).where(ServiceCall.sealed_by == rec.id).order_by(ServiceCall.id)
            )
        )
        shape = (len(calls), calls[0].id if calls else None, calls[-1].id if calls else None)
        if shape != (d.get("count"), d.get("first_id"), d.get("last_id")):
            return SealCheck(False, n_seals, n_calls, rec.id)
        if digest(calls) != d.get("digest"):
            return SealCheck(False, n_seals, n_calls, rec.id)
        n_seals += 1
        n_calls += len(calls)
    return SealCheck(True, n_seals, n_calls)


class SealTimer:
    """Seals the call log ``every`` seconds after the writer committed a call (calls logged
    meanwhile join that seal: at most one seal per interval), whether or not another call
    follows; :meth:`close` seals what is left. A failed seal is retried an interval later."""

    def __init__(self, sessions: sessionmaker[Session], every: float) -> None:
        self._sessions = sessions
        self.every = every
        self._due = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def poke(self) -> None:
        """Calls were committed: seal them within ``every`` seconds."""
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="calllog-seal", daemon=True)
                self._thread.start()
        self._due.set()

    def close(self) -> None:
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        self._due.set()
        if thread is not None:
            thread.join()
            self._seal()  # the last calls of this process are sealed before it ends

    def _run(self) -> None:
        while True:
            self._due.wait()
            if self._stop.wait(self.every):
                return
            self._due.clear()
            if self._seal():  # sealed a batch (or failed): look again after an interval
                self._due.set()

    def _seal(self) -> bool:
        """True when there may be more to seal: a batch was sealed, or the seal failed."""
        try:
            with transaction(self._sessions) as session:
                return seal(session) is not None
        except Exception as e:
            log.warning("sealing the data-service call log failed: %s", str(e)[:300])
            return True


@dataclass
class Pending:
    """A call-log row handed to the writer; :meth:`wait` returns once it is committed."""

    row: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def wait(self) -> None:
        self.done.wait()
        if self.error is not None:
            raise self.error


class CallWriter:
    """Group commit of ``share_call`` rows (see the module notes). One writer thread per
    process; :meth:`write` returns once the row is committed and re-raises a failed write.
    A call may do its remaining work (encoding the answer) between :meth:`submit` and
    :meth:`Pending.wait`, overlapping the disk flush."""

    MAX_BATCH = 500

    def __init__(
        self, sessions: sessionmaker[Session], seal_every: float | None = SEAL_EVERY_S
    ) -> None:
        """``seal_every``: seconds from a committed call to its seal (None: no timer, calls
        are sealed by ``mudan share tick`` only)."""
        self._sessions = sessions
        self._sealer = SealTimer(sessions, seal_every) if seal_every is not None else None
        self._queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, row: dict[str, Any]) -> Pending:
        """Queue ``row``; the caller must :meth:`Pending.wait` before answering the call."""
        pending = Pending(row)
        with self._lock:
            if self._closed:
                raise RuntimeError("the call log writer is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="calllog", daemon=True)
                self._thread.start()
            self._queue.put(pending)
        return pending

    def write(self, row: dict[str, Any]) -> None:
        self.submit(row).wait()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()
        if self._sealer is not None:
            self._sealer.close()

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            error: BaseException | None = None
            try:
                with transaction(self._sessions) as session:
                    session.execute(insert(ServiceCall), [p.row for p in batch])
            except Exception as e:  # handed to every waiting call, which then fails
                error = e
            for p in batch:
                p.error = error
                p.done.set()
            if error is None and self._sealer is not None:
                self._sealer.poke()
