"""The web shell as a plugin: it registers its routes through the same hooks as the domains."""

from __future__ import annotations

from fastapi import APIRouter

from mudan.hooks import hookimpl


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.web.shell import ops, router
    from mudan.web.workbench import api

    return [router, ops, api]
