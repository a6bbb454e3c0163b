"""The SQL console's hooks."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import NavEntry, PeriodicJob, hookimpl

if TYPE_CHECKING:
    from fastapi import APIRouter


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.query import derived_views
    from mudan.domains.query.views import pages, router

    return [router, pages, derived_views.router, derived_views.pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.query").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("data", "query.title", "/query", "lake.query", 40),
        NavEntry("data", "query.derived.nav", "/query/derived", "lake.query", 41),
    ]


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    from mudan.domains.query.jobs import refresh_derived

    return [PeriodicJob("query.refresh_derived", "刷新派生表", timedelta(days=1), refresh_derived)]
