"""The IoT domain's periodic jobs: online-rate summaries, no-data rules, the lake flush."""

from __future__ import annotations

from mudan.domains.iot.lakeflush import flush
from mudan.domains.iot.online import summarise_missing
from mudan.domains.iot.rules import sweep_nodata
from mudan.hooks import JobContext


def nodata_sweep(ctx: JobContext) -> int:
    return sweep_nodata(ctx.session, now=ctx.now, pm=ctx.runtime.pm)


def flush_to_lake(ctx: JobContext) -> str:
    """Hot readings to the lake (claimed batches, idempotent across crashes)."""
    ctx.session.rollback()  # the flush opens its own transactions around the lake commit
    r = flush(ctx.runtime.sessions, ctx.runtime.lake)
    return f"{r.readings} readings → {r.rows} lake rows"


def online_daily(ctx: JobContext) -> str:
    done = summarise_missing(ctx.session, now=ctx.now)
    return ", ".join(d.isoformat() for d in done) or "up to date"
