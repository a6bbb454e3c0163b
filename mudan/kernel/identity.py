"""Users, role bindings, login with lock-out, API tokens, and loading a request's principal.

Service functions take a session and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from mudan.core.security import (
    check_password_policy,
    hash_password,
    is_well_formed_token,
    new_api_token,
    token_hash,
    verify_password,
)
from mudan.kernel.enums import Role
from mudan.kernel.geo import CITY_CODE
from mudan.kernel.models import ApiToken, Department, Region, RoleBinding, User, WebSession
from mudan.kernel.rbac import Principal
from mudan.kernel.regions import get_region
from mudan.settings import AuthSettings

_USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,63}$")


@dataclass(frozen=True)
class BindingIn:
    role: Role
    department_code: str | None = None
    region_code: str | None = None


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    bindings: list[BindingIn],
    department_code: str | None = None,
    min_password_length: int = 10,
    actor: str = "system",
    actor_role: str = "admin",
) -> User:
    """Create a user with role bindings; the creation is audited under ``actor``."""
    username = username.strip().lower()
    if not _USERNAME_RE.match(username):
        raise InvalidInput("user.bad_username", username=username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("user.duplicate", username=username)
    check_password_policy(password, username=username, min_length=min_password_length)
    dept = _department(session, department_code) if department_code else None
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        department_id=dept.id if dept else None,
    )
    for b in bindings:
        if b.role == Role.PUBLIC:
            raise InvalidInput("user.bad_role", role=b.role)
        bdept = _department(session, b.department_code) if b.department_code else None
        region = get_region(session, code=b.region_code) if b.region_code else None
        user.bindings.append(
            RoleBinding(
                role=b.role.value,
                department_id=bdept.id if bdept else None,
                region_code=region.code if region else None,
            )
        )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        role=actor_role,
        action="user.create",
        object_type="user",
        object_id=str(user.id),
        detail={"username": user.username, "roles": [b.role.value for b in bindings]},
    )
    return user


def _department(session: Session, code: str) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        raise NotFound("department.not_found", code=code)
    return dept


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


# Checked against when the user is unknown, so that a wrong username costs as long as a wrong
# password and the answer's timing does not tell which usernames exist.
_DUMMY_HASH = hash_password("mudan-timing-equaliser")


def login(
    session: Session,
    *,
    username: str,
    password: str,
    max_failures: int,
    lockout: timedelta,
    now: datetime | None = None,
) -> User:
    """Check a password. Repeated failures lock the account for ``lockout`` and end its browser
    sessions. Only a caller who knows the password learns that the account is locked: anyone
    else gets the same answer, in the same time, as for a username that does not exist."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.is_active:
        verify_password(_DUMMY_HASH, password)
        raise Unauthenticated("auth.bad_credentials")
    right = verify_password(user.password_hash, password)
    locked_until = user.locked_until
    if locked_until is not None and locked_until > now:
        if not right:
            raise Unauthenticated("auth.bad_credentials")
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise Unauthenticated("auth.locked", minutes=minutes)
    if not right:
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + lockout
            user.failed_logins = 0
            end_user_sessions(session, user_id=user.id, reason="lockout")
        session.flush()
        raise Unauthenticated("auth.bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    return user


def is_locked(user: User, now: datetime) -> bool:
    until = user.locked_until
    return until is not None and until > now


def end_user_sessions(session: Session, *, user_id: int, reason: str) -> int:
    """Revoke every live browser session of a user; returns how many."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def audited_login(
    session: Session, *, username: str, password: str, auth: AuthSettings, channel: str
) -> User:
    """``login`` plus an audit record either way. On failure the caller must still commit, so
    the failure count (lock-out) and the denial record persist."""
    try:
        user = login(
            session,
            username=username,
            password=password,
            max_failures=auth.max_failed_logins,
            lockout=timedelta(minutes=auth.lockout_minutes),
        )
    except Unauthenticated as exc:
        audit.record(
            session,
            actor=username[:64],
            role="public",
            action=f"auth.{channel}",
            object_type="user",
            object_id=username[:64],
            outcome="denied",
            detail={"code": exc.code},
        )
        raise
    principal = principal_for_user(session, user=user, via=channel)
    audit.record(
        session,
        actor=user.username,
        role=principal.primary_role,
        action=f"auth.{channel}",
        object_type="user",
        object_id=str(user.id),
    )
    return user


def issue_token(
    session: Session, *, user: User, name: str, days: int | None = 365
) -> tuple[ApiToken, str]:
    tok = new_api_token()
    expires = utcnow() + timedelta(days=days) if days else None
    row = ApiToken(
        user_id=user.id, name=name, prefix=tok.prefix, token_hash=tok.token_hash, expires_at=expires
    )
    session.add(row)
    session.flush()
    return row, tok.plain


TOKEN_TOUCH_EVERY = timedelta(seconds=60)


def principal_for_token(session: Session, *, plain: str) -> Principal:
    if not is_well_formed_token(plain):
        raise Unauthenticated("auth.malformed_token")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(plain)))
    now = utcnow()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("auth.invalid_token")
    expires = row.expires_at
    if expires is not None and expires <= now:
        raise Unauthenticated("auth.token_expired")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("auth.invalid_token")
    if is_locked(user, now):  # a lock-out stops the account's tokens until it ends
        raise Unauthenticated("auth.account_locked")
    last = row.last_used_at
    if last is None or now - last >= TOKEN_TOUCH_EVERY:
        # A minute's precision is enough, and sparing the write keeps a token's calls from
        # each committing (and on SQLite, serialising on) an UPDATE.
        row.last_used_at = now
    return principal_for_user(session, user=user, via="token")


def department_codes(session: Session, principal: Principal) -> set[str]:
    """Codes of the departments a principal belongs to (through the user or a binding)."""
    if not principal.department_ids:
        return set()
    rows = session.scalars(
        select(Department.code).where(Department.id.in_(principal.department_ids))
    )
    return set(rows)


def principal_for_user(session: Session, *, user: User, via: str) -> Principal:
    roles: set[Role] = set()
    paths: set[str] = set()
    depts: set[int] = set()
    for b in user.bindings:
        roles.add(Role(b.role))
        region_code = b.region_code
        if region_code is None and b.department_id is not None:
            dept = session.get(Department, b.department_id)
            region_code = dept.region_code if dept else None
        region = session.get(Region, region_code or CITY_CODE)
        if region is not None:
            paths.add(region.path)
        if b.department_id is not None:
            depts.add(b.department_id)
    if user.department_id is not None:
        depts.add(user.department_id)
    # Collapse nested scopes: keep only the outermost paths.
    outer = tuple(sorted(p for p in paths if not any(p.startswith(q + "/") for q in paths)))
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset(roles),
        scope_paths=outer,
        department_ids=frozenset(depts),
        via=via,
    )
