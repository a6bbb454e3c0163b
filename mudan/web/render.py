"""Template rendering with the i18n layer, navigation from hooks, principal and CSRF token."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from mudan.core.deps import csrf_token, locale_of
from mudan.core.i18n import t
from mudan.hooks import NavEntry, collect
from mudan.kernel.deps import current_principal

SECTIONS = ("data", "share", "sense", "govern", "ops", "serve", "evaluate", "admin")


@cache
def _env(extra_dirs: tuple[str, ...]) -> Environment:
    folders = [str(resources.files("mudan.web").joinpath("templates")), *extra_dirs]
    return Environment(loader=FileSystemLoader(folders), autoescape=select_autoescape(["html"]))


def template_dirs(request: Request) -> tuple[str, ...]:
    return tuple(collect(request.app.state.ctx.pm.hook.mudan_template_dirs()))


def nav_entries(request: Request) -> dict[str, list[NavEntry]]:
    principal = current_principal(request)
    entries: list[NavEntry] = collect(request.app.state.ctx.pm.hook.mudan_nav_entries())
    grouped: dict[str, list[NavEntry]] = {s: [] for s in SECTIONS}
    for e in sorted(entries, key=lambda e: (e.order, e.label)):
        if e.permission is None or principal.can(e.permission):
            grouped.setdefault(e.section, []).append(e)
    return grouped


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    locale = locale_of(request)
    principal = current_principal(request)

    def tr(key: str, **params: Any) -> str:
        return t(key, locale, **params)

    ctx = {
        "request": request,
        "t": tr,
        "locale": locale,
        "principal": principal,
        "csrf": csrf_token(request),
        "nav": nav_entries(request) if not principal.is_anonymous else {},
        "sections": SECTIONS,
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
    }
    ctx.update(context or {})
    html = _env(template_dirs(request)).get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status_code)
