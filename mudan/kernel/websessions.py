"""Server-side browser sessions and password changes.

The signed cookie holds a random session id; the row here decides whether it is still good.
Sessions idle longer than ``session_max_age_s`` expire; ``last_seen_at`` is stamped at most once
a minute so an active screen stays logged in without a write per request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.errors import Unauthenticated
from mudan.core.security import check_password_policy, hash_password, verify_password
from mudan.kernel.identity import end_user_sessions, is_locked, principal_for_user
from mudan.kernel.models import ApiToken, User, WebSession
from mudan.kernel.rbac import Principal

TOUCH_EVERY = timedelta(seconds=60)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii", "replace")).hexdigest()


def open_session(session: Session, *, user: User) -> str:
    """Start a browser session for ``user``; returns the id to put in the cookie."""
    sid = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(sid), user_id=user.id))
    session.flush()
    return sid


def principal_for_session(
    session: Session, *, sid: str, max_age: timedelta, now: datetime | None = None
) -> Principal | None:
    """The principal of a live session, or None when it is unknown, revoked, idle too long, or
    its user is inactive or locked."""
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(sid)))
    if row is None or row.revoked_at is not None:
        return None
    last = row.last_seen_at or now
    if now - last > max_age:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active or is_locked(user, now):
        return None
    if now - last >= TOUCH_EVERY:
        row.last_seen_at = now
    return principal_for_user(session, user=user, via="session")


def end_session(session: Session, *, sid: str) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == _hash(sid), WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason="logout")
    )


def change_password(
    session: Session,
    *,
    user: User,
    current: str | None,
    new: str,
    min_length: int,
    actor: str,
    revoke_tokens: bool = False,
) -> None:
    """Set a new password (``current`` must match unless None, an administrator's reset). Every
    browser session of the user ends; API tokens end too when ``revoke_tokens``."""
    if current is not None and not verify_password(user.password_hash, current):
        raise Unauthenticated("auth.bad_credentials")
    check_password_policy(new, username=user.username, min_length=min_length)
    user.password_hash = hash_password(new)
    user.failed_logins = 0
    user.locked_until = None
    ended = end_user_sessions(session, user_id=user.id, reason="password")
    if revoke_tokens:
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    audit.record(
        session,
        actor=actor,
        role="self" if current is not None else "admin",
        action="auth.password_changed",
        object_type="user",
        object_id=str(user.id),
        detail={"sessions_ended": ended, "tokens_revoked": revoke_tokens},
    )
