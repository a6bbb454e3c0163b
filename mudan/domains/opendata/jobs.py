"""The open-data portal's periodic job: sync datasets with the catalog and the lake."""

from __future__ import annotations

from mudan.domains.opendata.autosync import sync_job
from mudan.hooks import JobContext


def sync(ctx: JobContext) -> str:
    return sync_job(ctx)
