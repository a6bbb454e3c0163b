"""The ingest domain's hooks."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import IndicatorSpec, NavEntry, PeriodicJob, TodoProvider, hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from mudan.demo.context import DemoContext


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.ingest.pages import router as pages
    from mudan.domains.ingest.source_pages import router as source_pages
    from mudan.domains.ingest.views import router as api

    return [api, pages, source_pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.ingest").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("data", "ingest.title", "/ingest", "ingest.read", 20),
        NavEntry("data", "ingest.sources.nav", "/ingest/sources", "ingest.run", 21),
    ]


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    from mudan.domains.ingest.rates import indicator_specs

    return indicator_specs()


@hookimpl(trylast=True)  # after the catalog has registered its 需归集 tables
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.ingest.demo import plan_demo_loads

    plan_demo_loads(ctx)


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.ingest.cli import ingest_app, scheduler_app

    app.add_typer(ingest_app, name="ingest")
    app.add_typer(scheduler_app, name="scheduler")


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    from mudan.domains.ingest import periodic

    return [
        PeriodicJob(
            "ingest.sweep_orphans", "清理孤立数据文件", timedelta(days=1), periodic.sweep_orphans
        ),
        PeriodicJob(
            "ingest.sweep_uploads",
            "清理已用完的上传文件",
            timedelta(hours=1),
            periodic.sweep_used_uploads,
        ),
    ]


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    from mudan.domains.ingest.todos import providers

    return providers()
