"""A per-client limit on the public report endpoints (``/report``, Open311 ``POST``).

A token bucket per key (``ip:<address>``, ``key:<digest of the api_key>``): ``limit``
submissions, refilled evenly over ``window_s``. A call names all its keys and is let through
only when every bucket has a token (then each loses one), so the address and the api_key are
both held to the limit. The buckets live in the metadata database (``mudan.core.throttle``), so
every worker enforces one limit. The client address is the socket's peer; behind a reverse
proxy list the proxy in ``MUDAN_WEB__FORWARDED_ALLOW_IPS`` and uvicorn takes it from
``X-Forwarded-For`` — from those proxies only.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from fastapi import Request

from mudan.core.deps import app_ctx, client_address
from mudan.core.throttle import BucketStore, Throttled, TokenBuckets, shared_buckets


class RateLimited(Throttled):
    def __init__(self, retry_after: int) -> None:
        super().__init__("cases.rate_limited", retry_after)


class ReportLimiter(TokenBuckets):
    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.time,
        store: BucketStore | None = None,
    ) -> None:
        super().__init__(limit, window_s, store=store, clock=clock, error=RateLimited)


def limiter_of(request: Request) -> TokenBuckets:
    cfg = app_ctx(request).settings.cases
    return shared_buckets(
        request,
        "cases.report_limiter",
        limit=cfg.report_limit,
        window_s=cfg.report_window_s,
        error=RateLimited,
    )


def client_keys(request: Request, api_key: str | None = None) -> list[str]:
    keys = [f"ip:{client_address(request)}"]
    if api_key:
        keys.append("key:" + hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:32])
    return keys
