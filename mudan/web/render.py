"""Template rendering with the i18n layer, navigation from hooks, principal and CSRF token."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from mudan.core.deps import csrf_token, locale_of
from mudan.core.i18n import bjdate, bjtime, t
from mudan.hooks import NavEntry, collect
from mudan.kernel.deps import current_principal
from mudan.web import names

SECTIONS = ("data", "share", "sense", "govern", "ops", "serve", "evaluate", "admin")


@cache
def _env(extra_dirs: tuple[str, ...]) -> Environment:
    folders = [str(resources.files("mudan.web").joinpath("templates")), *extra_dirs]
    env = Environment(loader=FileSystemLoader(folders), autoescape=select_autoescape(["html"]))
    env.filters.update(bjtime=bjtime, bjdate=bjdate)  # every page shows Beijing time
    env.filters.update(dept=names.dept, region=names.region)  # names, not only codes
    return env


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


def top_nav(nav: dict[str, list[NavEntry]]) -> list[tuple[str, str]]:
    """(section, href of its first entry) for each section the user may enter."""
    return [(s, nav[s][0].href) for s in SECTIONS if nav.get(s)]


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    locale = locale_of(request)
    principal = current_principal(request)

    def tr(key: str, **params: Any) -> str:
        return t(key, locale, **params)

    shell: dict[str, Any] = {
        "request": request,
        "t": tr,
        "locale": locale,
        "principal": principal,
        "csrf": csrf_token(request),
        "nav": nav_entries(request) if not principal.is_anonymous else {},
        "sections": SECTIONS,
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
    }
    ctx = {**shell, **(context or {})}
    # The top navigation is the shell's own: a page's context (e.g. its own "sections") must
    # never change it, so every page shows the same entries to the same user.
    ctx["shell_nav"] = top_nav(shell["nav"])
    html = _env(template_dirs(request)).get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status_code)
