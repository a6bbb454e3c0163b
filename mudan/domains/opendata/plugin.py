"""Hooks of the opendata domain: the public portal, the CKAN Action API, DCAT-AP export,
开放合格率 (pages, indicators), the sync job, CLI and demo data."""

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
    from mudan.domains.opendata.api import router as api
    from mudan.domains.opendata.dcat_views import router as dcat
    from mudan.domains.opendata.pages import router as pages
    from mudan.domains.opendata.staff_pages import router as staff

    return [api, dcat, pages, staff]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.opendata").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("share", "opendata.nav_portal", "/open", None, 60),
        NavEntry("share", "opendata.nav_applications", "/open/applications", "opendata.manage", 61),
        NavEntry("share", "opendata.nav_rate", "/open/qualification", "opendata.manage", 62),
    ]


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    from mudan.domains.opendata.indicators import indicator_specs

    return indicator_specs()


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    from mudan.domains.opendata import jobs

    return [
        PeriodicJob(
            "opendata.sync",
            "开放数据同步（目录发布/修订/下架、数据重载）",
            timedelta(minutes=1),
            jobs.sync,
        )
    ]


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.opendata.cli import opendata

    app.add_typer(opendata, name="opendata")


@hookimpl(trylast=True)  # after the catalog (and beside ingest, whose loads go first)
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.opendata.demo import build_portal

    build_portal(ctx)


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    from mudan.domains.opendata.todos import providers

    return providers()
