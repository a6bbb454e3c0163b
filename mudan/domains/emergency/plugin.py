"""Hooks of the emergency domain: API and pages, templates, navigation, CLI, demo, indicators
and one-map layers."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import (
    IndicatorSpec,
    MapLayer,
    NavEntry,
    PeriodicJob,
    TodoProvider,
    hookimpl,
)

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from mudan.demo.context import DemoContext


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.emergency.edit_pages import router as forms
    from mudan.domains.emergency.pages import router as pages
    from mudan.domains.emergency.views import router as api

    return [api, forms, pages]  # the forms first: /emergency/plans/new is not a plan id


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.emergency").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("govern", "emergency.nav_incidents", "/emergency/incidents", "emergency.read", 60),
        NavEntry("govern", "emergency.nav_plans", "/emergency/plans", "emergency.read", 61),
        NavEntry("govern", "emergency.nav_resources", "/emergency/resources", "emergency.read", 62),
        NavEntry("govern", "emergency.nav_duty", "/emergency/duty", "emergency.read", 63),
        NavEntry("govern", "emergency.nav_inbox", "/emergency/inbox", None, 64),
    ]


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.emergency.cli import emergency

    app.add_typer(emergency, name="emergency")


@hookimpl
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.emergency.demo import build_emergency_world

    build_emergency_world(ctx)


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    from mudan.domains.emergency.indicators import specs

    return specs()


@hookimpl
def mudan_map_layers() -> list[MapLayer]:
    from mudan.domains.emergency.indicators import layers

    return layers()


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    """信息报送: mark reports past their deadline every 5 minutes (each marked once)."""
    from mudan.domains.emergency import jobs

    return [
        PeriodicJob(
            "emergency.mark_overdue",
            "信息报送超时标记",
            timedelta(minutes=5),
            jobs.mark_reports_overdue,
        )
    ]


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    from mudan.domains.emergency.todos import providers

    return providers()
