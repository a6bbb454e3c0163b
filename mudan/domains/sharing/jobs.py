"""The sharing domain's periodic job (``sharing.tick``, what ``mudan share tick`` does)."""

from __future__ import annotations

from mudan.core.db import transaction
from mudan.domains.sharing.dataservice import calllog
from mudan.domains.sharing.flows import deliver_due
from mudan.domains.sharing.returnflow import county, delivery
from mudan.domains.sharing.workflow import deadlines, grants
from mudan.hooks import JobContext


def tick(ctx: JobContext) -> str:
    """Reminders and overdue marks, grant expiry and the call-log seal in one transaction; then
    due return flows and pushes, each in its own transaction around the lake.

    Several transactions, so each is one of the runtime's and the job's own session stays
    unused: the marks must be committed before the first delivery (SQLite has one writer), and a
    job never commits its session (``PeriodicJob``)."""
    rt = ctx.runtime
    with transaction(rt.sessions) as s:
        report = deadlines.remind_and_mark(s, now=ctx.now)
        expired = grants.expire_due(s, now=ctx.now)
        calllog.seal(s)
        flows, pushes = county.due_flows(s), delivery.due_pushes(s)
    if flows or pushes:
        folder = ctx.settings.var_dir / "share_exports"
        deliver_due(rt.sessions, lake=rt.lake, folder=folder, flow_ids=flows, push_ids=pushes)
    return (
        f"reminded {len(report.reminded)}, overdue {len(report.overdue)}, expired {len(expired)},"
        f" flows {len(flows)}, pushes {len(pushes)}"
    )
