"""The catalog domain's hooks: API, pages, navigation, CLI and demo data."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import NavEntry, TodoProvider, hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from mudan.demo.context import DemoContext


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.catalog.pages import router as pages
    from mudan.domains.catalog.views import router as api

    return [api, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.catalog").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [NavEntry("data", "catalog.nav", "/catalog", "catalog.read", 10)]


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.catalog.cli import catalog

    app.add_typer(catalog, name="catalog")


@hookimpl
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.catalog.demo import build_catalog

    build_catalog(ctx)


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    from mudan.domains.catalog.todos import providers

    return providers()
