"""The SQL console's hooks."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import JobContext, NavEntry, PeriodicJob, hookimpl

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


def _refresh_all(ctx: JobContext) -> str:
    """Refresh every derived table (each in its own transactions; one failure doesn't stop
    the rest). Runs outside the job's session, which it leaves untouched."""
    from sqlalchemy import select

    from mudan.core.db import make_engine, make_sessionmaker
    from mudan.core.errors import MudanError
    from mudan.domains.query import flows
    from mudan.domains.query.models import DerivedTable
    from mudan.lake.catalog import Lake

    ids = list(ctx.session.scalars(select(DerivedTable.id)))
    ctx.session.rollback()  # hold no lock while the lake commits
    engine = make_engine(ctx.settings.database.url)
    ok = failed = 0
    with Lake(db_url=ctx.settings.database.url, warehouse=ctx.settings.lake.warehouse) as lake:
        for derived_id in ids:
            try:
                flows.refresh(
                    make_sessionmaker(engine),
                    lake=lake,
                    derived_id=derived_id,
                    actor="scheduler",
                    role="system",
                )
                ok += 1
            except MudanError:
                failed += 1
    engine.dispose()
    return f"refreshed {ok}, failed {failed}"


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    return [PeriodicJob("query.refresh_derived", "刷新派生表", timedelta(days=1), _refresh_all)]
