"""The lakehouse: Iceberg tables on the metadata database, queried with DuckDB (or Ray)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mudan.app import AppContext
    from mudan.lake.catalog import Lake


def lake_of(ctx: AppContext) -> Lake:
    """The app's one Lake (built on first use, closed at shutdown)."""
    return ctx.runtime.lake
