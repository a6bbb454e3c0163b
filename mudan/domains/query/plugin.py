"""The SQL console's hooks."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import NavEntry, hookimpl

if TYPE_CHECKING:
    from fastapi import APIRouter


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.query.views import pages, router

    return [router, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.query").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [NavEntry("data", "query.title", "/query", "lake.query", 40)]
