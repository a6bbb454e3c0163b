"""The application factory. Nothing happens at import; ``create_app(settings)`` wires everything."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pluggy
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from mudan.core.deps import locale_of
from mudan.core.errors import MudanError
from mudan.core.headers import SecurityHeadersMiddleware
from mudan.core.observability import Metrics, RequestMiddleware, configure_logging
from mudan.core.runtime import Runtime
from mudan.core.secrets import signing_keys
from mudan.core.sessions import KeyedSessionMiddleware
from mudan.hooks import collect, make_plugin_manager
from mudan.kernel.deps import authenticate
from mudan.settings import Settings

log = logging.getLogger("mudan.app")
UPLOAD_PATHS = ("/api/v1/ingest/uploads", "/ingest/upload")


@dataclass
class AppContext:
    """What a request reaches through ``app.state.ctx``: the settings, the plugin manager and
    metrics (needed to build the app), and the process's ``Runtime`` once the lifespan started."""

    settings: Settings
    pm: pluggy.PluginManager
    metrics: Metrics
    _runtime: Runtime | None = None
    # The runtime's service cache; kept here so it exists before the lifespan (tests seed it).
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the app's lifespan has not started")
        return self._runtime

    @property
    def engine(self) -> Engine | None:
        return None if self._runtime is None else self._runtime.engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.runtime.sessions

    def start(self) -> None:
        self._runtime = Runtime(self.settings, pm=self.pm, metrics=self.metrics, cache=self.extras)
        self.settings.lake.warehouse.mkdir(parents=True, exist_ok=True)

    def stop(self) -> None:
        if self._runtime is not None:
            self._runtime.close()  # lazily built services (lake, search index…), then the engine


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_json)
    ctx = AppContext(
        settings=settings,
        pm=make_plugin_manager(settings.plugins_disabled, settings.plugins),
        metrics=Metrics(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx.start()
        log.info(
            "mudan started",
            extra={"fields": {"db": ctx.engine.url.render_as_string() if ctx.engine else ""}},
        )
        try:
            yield
        finally:
            ctx.stop()

    app = FastAPI(
        title="Mudan 牡丹 城市大脑 API",
        version="0.1.0",
        docs_url="/api/docs",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(authenticate)],
        generate_unique_id_function=_operation_id,
    )
    app.state.ctx = ctx
    for router in collect(ctx.pm.hook.mudan_routers()):
        app.include_router(router)
    static = resources.files("mudan.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _install_error_handlers(app)
    app.add_middleware(
        KeyedSessionMiddleware,
        keys=signing_keys(settings),
        cookie="mudan_session",
        max_age=settings.auth.session_max_age_s,
        same_site="lax",
        https_only=settings.auth.cookie_secure,
    )
    app.add_middleware(
        SecurityHeadersMiddleware, map_settings=settings.map, hsts=settings.auth.cookie_secure
    )
    app.add_middleware(
        RequestMiddleware,
        metrics=ctx.metrics,
        max_body=settings.web.max_body_bytes,
        upload_paths=UPLOAD_PATHS,
        max_upload=settings.web.max_upload_bytes,
    )
    return app


def _operation_id(route: APIRoute) -> str:
    # Stable ids: the endpoint's function name, which is unique per app (checked by a test).
    return route.name


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/open311/", "/metrics", "/healthz")):
        return False
    return "text/html" in request.headers.get("accept", "")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MudanError)
    async def mudan_error(request: Request, exc: MudanError) -> Response:
        locale = locale_of(request)
        headers: dict[str, str] = getattr(exc, "headers", None) or {}  # e.g. Retry-After
        if wants_html(request):
            if exc.status == 401:
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            from mudan.web.render import render

            page = render(
                request,
                "error.html",
                {"error": exc, "message": exc.message(locale)},
                status_code=exc.status,
            )
            page.headers.update(headers)
            return page
        return JSONResponse(exc.envelope(locale), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        err = MudanError("request.invalid", status=422, details=details)
        return JSONResponse(err.envelope(locale_of(request)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "http.not_found", 405: "http.method_not_allowed"}.get(
            exc.status_code, "http.error"
        )
        err = MudanError(code, status=exc.status_code)
        return JSONResponse(err.envelope(locale_of(request)), status_code=exc.status_code)
