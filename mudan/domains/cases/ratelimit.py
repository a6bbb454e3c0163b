"""A per-client limit on the public report endpoints (``/report``, Open311 ``POST``).

A token bucket per key (``ip:<address>``, ``key:<digest of the api_key>``): ``limit``
submissions, refilled evenly over ``window_s``. A call names all its keys and is let through
only when every bucket has a token (then each loses one), so the address and the api_key are
both held to the limit. The buckets live in the process: with several workers each enforces
the limit on the requests it serves. Behind a reverse proxy the client address is the one
uvicorn takes from ``X-Forwarded-For`` for the proxies in ``FORWARDED_ALLOW_IPS``.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable

from fastapi import Request

from mudan.core.deps import app_ctx
from mudan.core.errors import MudanError

MAX_KEYS = 100_000  # idle buckets are pruned beyond this many


class RateLimited(MudanError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("cases.rate_limited", seconds=retry_after)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ReportLimiter:
    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.limit), now))
        return min(float(self.limit), tokens + (now - at) * self.limit / self.window_s)

    def take(self, *keys: str) -> None:
        """Spend one token from each key's bucket, or raise ``RateLimited`` spending none."""
        if self.limit <= 0:
            return  # switched off
        now = self.clock()
        with self._lock:
            tokens = {k: self._tokens(k, now) for k in keys}
            short = min(tokens.values(), default=float(self.limit))
            if short < 1.0:
                wait = (1.0 - short) * self.window_s / self.limit
                raise RateLimited(max(1, math.ceil(wait)))
            if len(self._buckets) >= MAX_KEYS:
                self._prune(now)
            for k, v in tokens.items():
                self._buckets[k] = (v - 1.0, now)

    def _prune(self, now: float) -> None:
        full = [k for k in self._buckets if self._tokens(k, now) >= self.limit]
        for k in full:  # a full bucket holds no information
            del self._buckets[k]


def limiter_of(request: Request) -> ReportLimiter:
    ctx = app_ctx(request)
    cfg = ctx.settings.cases
    return ctx.service(
        "cases.report_limiter", lambda: ReportLimiter(cfg.report_limit, cfg.report_window_s)
    )


def client_keys(request: Request, api_key: str | None = None) -> list[str]:
    keys = [f"ip:{request.client.host if request.client else 'unknown'}"]
    if api_key:
        keys.append("key:" + hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:32])
    return keys
