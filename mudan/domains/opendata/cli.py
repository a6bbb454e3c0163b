"""``mudan opendata sync|score|rate``."""

from __future__ import annotations

import typer
from rich.table import Table

from mudan.cli.common import console, db_session, handle_errors, runtime
from mudan.core.db import transaction
from mudan.core.i18n import t
from mudan.core.progress import RichReporter
from mudan.domains.opendata import index as portal_index
from mudan.domains.opendata import service

opendata = typer.Typer(help="公共数据开放 (open-data portal)", no_args_is_help=True)


@opendata.command("sync")
@handle_errors
def opendata_sync() -> None:
    """Open/close datasets from the catalog, read their lake tables, score them, reindex."""
    with RichReporter() as progress, runtime() as rt:
        with transaction(rt.sessions) as s:
            active, closed = service.sync_datasets(s, progress=progress)
            with_data = service.refresh_data(s, lake=rt.lake, progress=progress)
            qualified = service.compute_scores(s, lake=rt.lake)
        with transaction(rt.sessions) as s:
            index = portal_index.open_index(rt.settings)
            try:
                portal_index.rebuild(index, s)
            finally:
                index.close()
    console.print(
        t("opendata.cli.synced", active=active, closed=closed, data=with_data, ok=qualified)
    )


@opendata.command("rate")
@handle_errors
def opendata_rate() -> None:
    """开放合格率 per department and for the city (from the last scoring)."""
    with db_session() as s:
        city, depts = service.qualification_rates(s)
    table = Table(
        t("opendata.rate.department"),
        t("opendata.rate.datasets"),
        t("opendata.rate.qualified"),
        t("opendata.rate.rate"),
    )
    for r in [*depts, city]:
        table.add_row(
            r.name, str(r.datasets), str(r.qualified), f"{r.rate}%" if r.rate is not None else "—"
        )
    console.print(table)
