"""Logins (page and token endpoint) held to a per-address failure budget.

The account lock-out stops guessing one password; this stops one address from guessing many,
or from locking every account it can name. Only failures spend from the budget, so an office
behind one address can log in all day. Buckets are shared by every worker (``core.throttle``).
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from mudan.core.deps import app_ctx, client_address
from mudan.core.errors import Unauthenticated
from mudan.core.throttle import Throttled, TokenBuckets, shared_buckets
from mudan.kernel.identity import audited_login
from mudan.kernel.models import User


def _throttle(request: Request) -> TokenBuckets:
    auth = app_ctx(request).settings.auth
    return shared_buckets(
        request,
        "org.login_throttle",
        limit=auth.address_failures,
        window_s=auth.address_window_s,
        error=lambda s: Throttled("auth.too_many_attempts", s),
    )


def guarded_login(
    request: Request, session: Session, *, username: str, password: str, channel: str
) -> User:
    """``audited_login`` unless this address has failed too often (429 ``auth.too_many_attempts``).
    A failure is committed here (the lock-out count and the audit record must persist although
    the request fails) before the address's budget is spent in a transaction of its own."""
    throttle = _throttle(request)
    key = f"login:{client_address(request)}"
    throttle.check(key)
    try:
        return audited_login(
            session,
            username=username,
            password=password,
            auth=app_ctx(request).settings.auth,
            channel=channel,
        )
    except Unauthenticated:
        session.commit()
        throttle.spend(key)
        raise
