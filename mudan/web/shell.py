"""Shell pages (login, home, language switch) and operations endpoints (/healthz, /metrics)."""

from __future__ import annotations

import socket
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from mudan.core.deps import DbSession, app_ctx, locale_of, public
from mudan.core.errors import Unauthenticated
from mudan.core.throttle import Throttled
from mudan.domains.org.loginguard import guarded_login
from mudan.kernel import websessions
from mudan.kernel.deps import current_principal, require
from mudan.web import workbench
from mudan.web.render import SECTIONS, render

router = APIRouter(include_in_schema=False)
ops = APIRouter(tags=["ops"])


@router.get("/")
def home(request: Request, session: DbSession) -> Response:
    """The workbench: my pending work by section, headline indicators, then the sections."""
    pm, who = app_ctx(request).pm, current_principal(request)
    ctx = {
        "todo_groups": workbench.grouped(workbench.todos(pm, session, who), SECTIONS),
        "indicators": workbench.headline(pm, session, who),
    }
    return render(request, "home.html", ctx)


@router.get("/login")
@public
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
@public
def login_submit(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = guarded_login(
            request, session, username=username, password=password, channel="login"
        )
    except (Unauthenticated, Throttled) as exc:
        ctx = {"error": exc.message(locale_of(request)), "username": username, "next": next}
        page = render(request, "login.html", ctx, status_code=exc.status)
        if isinstance(exc, Throttled):
            page.headers.update(exc.headers)
        return page
    request.session.clear()  # a fresh session id and CSRF token at every login
    request.session["sid"] = websessions.open_session(session, user=user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    sid = request.session.get("sid")
    if isinstance(sid, str):
        websessions.end_session(session, sid=sid)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{locale}")
@public
def switch_language(request: Request, locale: str) -> Response:
    resp = RedirectResponse(request.headers.get("referer") or "/", status_code=303)
    resp.set_cookie("lang", locale if locale in ("zh", "en") else "zh", samesite="lax")
    return resp


def _safe_next(target: str) -> str:
    # Only same-site relative paths: never redirect to another host after login.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@ops.get("/healthz")
@public
def healthz(request: Request) -> Response:
    """Reachability of the database, the lake warehouse and the MQTT broker."""
    ctx = app_ctx(request)
    checks: dict[str, dict[str, object]] = {}
    try:
        with ctx.sessions() as s:
            s.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "backend": ctx.engine.dialect.name if ctx.engine else ""}
    except Exception as exc:  # reachability probe: report any failure, never raise
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    wh = ctx.settings.lake.warehouse
    checks["lake"] = {"ok": wh.is_dir() and _writable(wh), "warehouse": str(wh)}
    checks["broker"] = _broker_check(ctx.settings.mqtt.url)
    ok = all(bool(c["ok"]) for c in checks.values())
    return JSONResponse({"ok": ok, "checks": checks}, status_code=200 if ok else 503)


def _writable(path: object) -> bool:
    import os

    return os.access(str(path), os.W_OK)


def _broker_check(url: str) -> dict[str, object]:
    if not url:
        return {"ok": True, "mode": "embedded"}
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 1883), 2):
            return {"ok": True, "mode": "mqtt", "url": f"{parsed.hostname}:{parsed.port or 1883}"}
    except OSError as exc:
        return {"ok": False, "mode": "mqtt", "error": str(exc)}


@ops.get("/metrics", dependencies=[require("ops.metrics")])
def metrics(request: Request) -> Response:
    return Response(
        generate_latest(app_ctx(request).metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
