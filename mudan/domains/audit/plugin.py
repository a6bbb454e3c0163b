"""Audit viewer, API and CLI as a plugin."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.audit.views import pages, router

    return [router, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.audit").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [NavEntry("admin", "ui.audit", "/audit", "audit.read", 40)]


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.audit.cli import app as audit_app

    app.add_typer(audit_app, name="audit")
