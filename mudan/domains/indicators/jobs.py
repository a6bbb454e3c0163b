"""Scheduled computation through the core scheduler's periodic jobs (``mudan scheduler run``):
hourly indicators (plus alert rules) every hour, daily indicators and the AQI forecast every
day. Both are idempotent: a value is stored per indicator, region and period, and the forecast
warning de-duplicates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mudan.core.runtime import Runtime
from mudan.domains.indicators import compute, rules
from mudan.domains.indicators.enums import Frequency
from mudan.domains.indicators.forecast import run_forecast
from mudan.hooks import JobContext

FORECAST_REGIONS = ("371702", "371703", "371721", "371722", "371723", "371724", "371725",
                    "371726", "371728")  # fmt: skip


def run_due(session: Session, *, runtime: Runtime, frequency: Frequency, now: datetime) -> int:
    """Compute every indicator of ``frequency`` at ``now``, evaluate alert rules, and (daily)
    refresh the AQI forecast. Returns how many indicators were computed. Never commits."""
    results = compute.compute_all(
        session, at=now, lake=runtime.lake, pm=runtime.pm, frequency=frequency
    )
    rules.evaluate_all(session, at=now, codes=[r.code for r in results])
    if frequency == Frequency.DAILY:
        run_forecast(session, code="env.aqi", at=now, regions=list(FORECAST_REGIONS))
    return len(results)


def hourly(ctx: JobContext) -> int:
    return run_due(ctx.session, runtime=ctx.runtime, frequency=Frequency.HOURLY, now=ctx.now)


def daily(ctx: JobContext) -> int:
    return run_due(ctx.session, runtime=ctx.runtime, frequency=Frequency.DAILY, now=ctx.now)
