"""Hooks of the sharing domain: API, pages, navigation, CLI, demo data and indicators."""

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
    from mudan.domains.sharing.node_views import router as nodes
    from mudan.domains.sharing.pages import router as pages
    from mudan.domains.sharing.service_views import router as services
    from mudan.domains.sharing.views import router as api

    return [api, services, nodes, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.sharing").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("share", "sharing.nav_requests", "/share/requests", "share.read", 10),
        NavEntry("share", "sharing.nav_new", "/share/requests/new", "share.request", 11),
        NavEntry("share", "sharing.nav_inbox", "/share/inbox", "share.approve", 12),
        NavEntry("share", "sharing.nav_grants", "/share/grants", "grant.read", 13),
        NavEntry("share", "sharing.nav_usage", "/share/usage", "grant.read", 14),
        NavEntry("share", "sharing.nav_rates", "/share/rates", "share.read", 15),
        NavEntry("share", "sharing.nav_nodes", "/share/nodes", "returnflow.read", 16),
    ]


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    from mudan.domains.sharing.indicators import specs

    return specs()


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    from mudan.domains.sharing.todos import providers

    return providers()


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.sharing.cli import share

    app.add_typer(share, name="share")


@hookimpl(trylast=True)  # after the catalog (and org) demo data exist
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.sharing.demo import build_sharing

    build_sharing(ctx)


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    from mudan.domains.sharing.jobs import tick

    return [PeriodicJob("sharing.tick", "共享时限、回流与推送", timedelta(minutes=5), tick)]
