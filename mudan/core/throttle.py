"""Token buckets shared by every worker: the public report limit and the login throttle.

A bucket holds ``limit`` tokens and refills evenly over ``window_s``. ``take`` spends one token
from each named key or, when any is empty, raises and spends none; ``check`` and ``spend`` split
that in two for counting failures only (a login spends a token only when it fails).

The buckets live in the metadata database (``DbBuckets``), so two uvicorn workers, or two
hosts on one database, enforce one limit. ``MemoryBuckets`` serves unit tests and the CLI.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from sqlalchemy import Float, String, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.requests import Request

from mudan.core.db import Base, transaction
from mudan.core.errors import MudanError

State = dict[str, tuple[float, float]]  # key -> (tokens, at)


class ThrottleBucket(Base):
    __tablename__ = "throttle_bucket"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float, index=True)  # unix seconds of the last change


class Throttled(MudanError):
    status = 429

    def __init__(self, code: str, retry_after: int) -> None:
        super().__init__(code, seconds=retry_after)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class BucketStore(Protocol):
    def locked(self, keys: list[str], *, full: float, now: float) -> AbstractContextManager[State]:
        """The keys' buckets (missing ones full), locked; what the caller sets is written back."""
        ...


class MemoryBuckets:
    def __init__(self) -> None:
        self._state: State = {}
        self._lock = threading.Lock()

    @contextmanager
    def locked(self, keys: list[str], *, full: float, now: float) -> Iterator[State]:
        with self._lock:
            state = {k: self._state.get(k, (full, now)) for k in keys}
            yield state
            self._state.update(state)


class DbBuckets:
    PRUNE_EVERY = 500  # calls between deletions of buckets idle long enough to be full again

    def __init__(self, sessions: sessionmaker[Session], *, idle_s: float) -> None:
        self.sessions, self.idle_s = sessions, idle_s
        self._calls = 0

    @contextmanager
    def locked(self, keys: list[str], *, full: float, now: float) -> Iterator[State]:
        keys = sorted(set(keys))  # one lock order for every caller
        with transaction(self.sessions) as s:
            insert = (
                postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            )
            # The INSERT comes first: on SQLite it takes the write lock before anything is read.
            s.execute(
                insert(ThrottleBucket)
                .values([{"key": k, "tokens": full, "at": now} for k in keys])
                .on_conflict_do_nothing(index_elements=["key"])
            )
            rows = s.execute(
                select(ThrottleBucket.key, ThrottleBucket.tokens, ThrottleBucket.at)
                .where(ThrottleBucket.key.in_(keys))
                .order_by(ThrottleBucket.key)
                .with_for_update()
            )
            state = {k: (t, a) for k, t, a in rows}
            before = dict(state)
            yield state
            for k, (tokens, at) in state.items():
                if before.get(k) != (tokens, at):
                    s.execute(
                        update(ThrottleBucket)
                        .where(ThrottleBucket.key == k)
                        .values(tokens=tokens, at=at)
                    )
            self._calls += 1
            if self._calls % self.PRUNE_EVERY == 0:
                s.execute(delete(ThrottleBucket).where(ThrottleBucket.at < now - self.idle_s))


class TokenBuckets:
    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        store: BucketStore | None = None,
        clock: Callable[[], float] = time.time,
        error: Callable[[int], MudanError] = lambda s: Throttled("request.throttled", s),
    ) -> None:
        self.limit, self.window_s, self.clock, self.error = limit, window_s, clock, error
        self.store: BucketStore = store or MemoryBuckets()

    def _refilled(self, tokens: float, at: float, now: float) -> float:
        return min(float(self.limit), tokens + max(0.0, now - at) * self.limit / self.window_s)

    def _run(self, keys: tuple[str, ...], *, check: bool, spend: bool) -> None:
        if self.limit <= 0 or not keys:
            return  # switched off
        now = self.clock()
        with self.store.locked(list(keys), full=float(self.limit), now=now) as state:
            tokens = {k: self._refilled(t, a, now) for k, (t, a) in state.items()}
            short = min(tokens.values())
            if check and short < 1.0:
                wait = (1.0 - short) * self.window_s / self.limit
                raise self.error(max(1, math.ceil(wait)))
            if spend:
                for k, v in tokens.items():
                    state[k] = (max(0.0, v - 1.0), now)

    def take(self, *keys: str) -> None:
        """Spend one token from each key's bucket, or raise spending none."""
        self._run(keys, check=True, spend=True)

    def check(self, *keys: str) -> None:
        """Raise when any key's bucket is empty; spend nothing."""
        self._run(keys, check=True, spend=False)

    def spend(self, *keys: str) -> None:
        """Spend one token from each key's bucket (an empty bucket stays empty)."""
        self._run(keys, check=False, spend=True)


def shared_buckets(
    request: Request,
    name: str,
    *,
    limit: int,
    window_s: float,
    error: Callable[[int], MudanError],
) -> TokenBuckets:
    """The app's database-backed buckets called ``name`` (built once per app)."""
    from mudan.core.deps import app_ctx

    ctx = app_ctx(request)
    return ctx.runtime.cached(
        name,
        lambda: TokenBuckets(
            limit, window_s, store=DbBuckets(ctx.sessions, idle_s=window_s), error=error
        ),
    )
