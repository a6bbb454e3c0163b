"""The open-data portal's periodic job: sync datasets with the catalog and the lake."""

from __future__ import annotations

from mudan.hooks import JobContext


def sync(ctx: JobContext) -> str:
    from mudan.domains.opendata.autosync import sync_job

    return sync_job(ctx)
