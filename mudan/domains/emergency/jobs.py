"""The emergency domain's periodic job: mark 信息报送 reports past their deadline."""

from __future__ import annotations

from mudan.domains.emergency.reports import mark_overdue
from mudan.hooks import JobContext


def mark_reports_overdue(ctx: JobContext) -> int:
    return len(mark_overdue(ctx.session, now=ctx.now))
