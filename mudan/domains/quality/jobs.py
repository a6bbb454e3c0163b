"""The quality domain's periodic job: mark correction tickets past their deadline."""

from __future__ import annotations

from mudan.domains.quality.service import mark_overdue
from mudan.hooks import JobContext


def mark_tickets_overdue(ctx: JobContext) -> int:
    return mark_overdue(ctx.session, now=ctx.now)
