"""The SQL console's periodic job: refresh every derived table."""

from __future__ import annotations

from sqlalchemy import select

from mudan.core.errors import MudanError
from mudan.domains.query import flows
from mudan.domains.query.models import DerivedTable
from mudan.hooks import JobContext


def refresh_derived(ctx: JobContext) -> str:
    """Refresh every derived table (each in its own transactions; one failure doesn't stop
    the rest). Runs outside the job's session, which it leaves untouched."""
    ids = list(ctx.session.scalars(select(DerivedTable.id)))
    ctx.session.rollback()  # hold no lock while the lake commits
    ok = failed = 0
    for derived_id in ids:
        try:
            flows.refresh(
                ctx.runtime.sessions,
                lake=ctx.runtime.lake,
                derived_id=derived_id,
                actor="scheduler",
                role="system",
            )
            ok += 1
        except MudanError:
            failed += 1
    return f"refreshed {ok}, failed {failed}"
