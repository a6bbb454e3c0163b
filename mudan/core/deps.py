"""Request-scoped dependencies that know nothing of identity: DB session, public routes, CSRF
token, client address, locale. Authentication and permissions are in ``mudan.kernel.deps``."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from mudan.core.uow import unit_of_work

if TYPE_CHECKING:
    from mudan.app import AppContext

F = TypeVar("F", bound=Callable[..., Any])


def public(fn: F) -> F:
    """Declare an endpoint public: anonymous callers may use it. Everything else is denied."""
    fn.__mudan_public__ = True  # type: ignore[attr-defined]
    return fn


def is_public_endpoint(endpoint: Any) -> bool:
    return bool(getattr(endpoint, "__mudan_public__", False))


def app_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the endpoint returns (before the response
    is sent), rolled back on error; then its on-commit queue (``core.uow.on_commit``)."""
    with unit_of_work(app_ctx(request).sessions) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session, scope="function")]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def client_address(request: Request) -> str:
    """The caller's address: the socket's peer, or what uvicorn took from X-Forwarded-For for a
    proxy listed in its ``forwarded_allow_ips`` (``MUDAN_WEB__FORWARDED_ALLOW_IPS``)."""
    return request.client.host if request.client else "unknown"


def locale_of(request: Request) -> str:
    lang = request.cookies.get("lang") or request.query_params.get("lang")
    return lang if lang in ("zh", "en") else "zh"
