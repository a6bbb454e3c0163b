"""The ingest domain's periodic jobs: orphan lake files and used uploads.

(``jobs.py`` here is the load-job bookkeeping, so the periodic jobs live in ``periodic.py``.)"""

from __future__ import annotations

from mudan.domains.ingest.uploads import sweep_uploads
from mudan.hooks import JobContext
from mudan.lake.sweep import sweep_all


def sweep_orphans(ctx: JobContext) -> str:
    """Daily: staged files of killed loads, older than the grace period."""
    ctx.session.rollback()  # hold no lock while reading the lake's catalog
    reports = sweep_all(ctx.runtime.lake)
    return f"removed {sum(len(r.removed) for r in reports)} orphan files"


def sweep_used_uploads(ctx: JobContext) -> str:
    """Hourly: uploaded files no job needs any more (see ingest.uploads)."""
    return f"removed {len(sweep_uploads(ctx.session, settings=ctx.settings).removed)} uploads"
