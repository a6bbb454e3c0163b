"""The quality domain's hooks: routes, templates, navigation, CLI, the overdue-ticket job."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import NavEntry, PeriodicJob, TodoProvider, hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.quality.pages import router as pages
    from mudan.domains.quality.views import router as api

    return [api, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.quality").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("data", "quality.nav_quarantine", "/quality/quarantine", "quality.read", 40),
        NavEntry("data", "quality.nav_tickets", "/quality/tickets", "quality.read", 41),
        NavEntry("data", "quality.nav_rules", "/quality/rules", "quality.read", 42),
    ]


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.quality.cli import quality

    app.add_typer(quality, name="quality")


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    from mudan.domains.quality import jobs

    return [
        PeriodicJob(
            "quality.mark_overdue",
            "标记超期纠错工单",
            timedelta(minutes=30),
            jobs.mark_tickets_overdue,
        )
    ]


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    from mudan.domains.quality.todos import providers

    return providers()
