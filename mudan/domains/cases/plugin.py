"""Hooks of the cases domain: API, Open311, pages, nav, indicators, map layer, tasks, CLI, demo."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import (
    IndicatorSpec,
    MapLayer,
    NavEntry,
    PeriodicJob,
    TaskRequest,
    TodoProvider,
    hookimpl,
)

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from sqlalchemy.orm import Session

    from mudan.demo.context import DemoContext


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.cases.open311 import router as open311
    from mudan.domains.cases.pages import router as pages
    from mudan.domains.cases.views import router as api

    return [api, open311, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.cases").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("govern", "cases.nav_intake", "/cases/intake", "cases.intake", 10),
        NavEntry("govern", "cases.nav_board", "/cases/board", "cases.dispatch", 11),
        NavEntry("govern", "cases.nav_mobile", "/cases/mobile", "cases.handle", 12),
        NavEntry("govern", "cases.nav_supervise", "/cases/supervise", "cases.read", 13),
    ]


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    from mudan.domains.cases.assess import INDICATORS

    return list(INDICATORS)


@hookimpl
def mudan_map_layers() -> list[MapLayer]:
    from mudan.domains.cases.assess import open_points

    return [
        MapLayer(
            "cases.open",
            "cases.layer_open",
            "point",
            "/api/v1/cases/map/open",
            "cases.read",
            points=open_points,
            detail_href="/cases/{id}",
        )
    ]


@hookimpl
def mudan_open_task(session: Session, task: TaskRequest) -> str | None:
    from mudan.domains.cases.service import open_task

    return open_task(session, task=task)


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    from mudan.domains.cases.todos import providers

    return providers()


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.cases.cli import cases

    app.add_typer(cases, name="cases")


@hookimpl
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.cases.demo import build_cases_demo

    build_cases_demo(ctx)


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    """督办 every 10 minutes: escalations at 80 %/100 %/200 % of the limit (idempotent: a case
    is escalated once per rung). Hourly: photo files a crash left half-stored."""
    from mudan.domains.cases import jobs

    return [
        PeriodicJob("cases.supervise", "事件督办", timedelta(minutes=10), jobs.run_supervision),
        PeriodicJob("cases.photo_sweep", "事件照片整理", timedelta(hours=1), jobs.photo_sweep),
    ]
