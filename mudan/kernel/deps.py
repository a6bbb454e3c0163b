"""Identity dependencies: authenticate every request (deny by default), the current principal,
permission checks and the CSRF check for cookie sessions and browser forms."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from mudan.core.deps import app_ctx, is_public_endpoint
from mudan.core.errors import Forbidden, Unauthenticated
from mudan.kernel.identity import principal_for_token
from mudan.kernel.rbac import ANONYMOUS, Principal
from mudan.kernel.websessions import principal_for_session

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def authenticate(request: Request) -> Principal:
    """App-wide dependency: resolve the principal; refuse anonymous callers on non-public routes."""
    route = request.scope.get("route")
    is_pub = is_public_endpoint(getattr(route, "endpoint", None))
    principal = await run_in_threadpool(_resolve_principal, request)
    request.state.principal = principal
    if (
        request.method in UNSAFE
        and principal.via != "token"
        and (principal.via == "session" or _is_form(request))
    ):
        # Cookie sessions and browser forms (the login form too) need the CSRF token;
        # bearer-token API calls carry no ambient credentials and are exempt.
        await _check_csrf(request)
    if principal.is_anonymous and not is_pub:
        raise Unauthenticated("auth.required")
    return principal


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    )


async def _check_csrf(request: Request) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and _is_form(request):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, str(request.session.get("csrf", ""))):
        raise Forbidden("auth.csrf")


def _resolve_principal(request: Request) -> Principal:
    ctx = app_ctx(request)
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("auth.malformed_token")
        with ctx.sessions.begin() as session:
            return principal_for_token(session, plain=value.strip())
    sid = request.session.get("sid")
    if isinstance(sid, str):
        max_age = timedelta(seconds=ctx.settings.auth.session_max_age_s)
        with ctx.sessions.begin() as session:
            principal = principal_for_session(session, sid=sid, max_age=max_age)
        if principal is not None:
            return principal
    if "sid" in request.session or "uid" in request.session:
        request.session.clear()  # ended, expired, or a cookie from before server-side sessions
    return ANONYMOUS


def current_principal(request: Request) -> Principal:
    principal: Principal = getattr(request.state, "principal", ANONYMOUS)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(permission: str) -> Any:
    """Dependency factory: the principal must hold ``permission``."""

    async def check(request: Request) -> Principal:  # no I/O: spare it a threadpool hop
        principal = current_principal(request)
        if principal.is_anonymous:
            raise Unauthenticated("auth.required")
        if not principal.can(permission):
            raise Forbidden("auth.forbidden", permission=permission)
        return principal

    return Depends(check)
