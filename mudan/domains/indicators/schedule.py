"""Scheduled computation through the core scheduler's periodic jobs (``mudan scheduler run``):
hourly indicators (plus alert rules) every hour, daily indicators and the AQI forecast every
day. Both are idempotent: a value is stored per indicator, region and period, and the forecast
warning de-duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mudan.domains.indicators import compute, rules
from mudan.domains.indicators.enums import Frequency
from mudan.domains.indicators.forecast import run_forecast
from mudan.hooks import JobContext, PeriodicJob, make_plugin_manager
from mudan.lake.catalog import Lake
from mudan.settings import Settings

FORECAST_REGIONS = ("371702", "371703", "371721", "371722", "371723", "371724", "371725",
                    "371726", "371728")  # fmt: skip


def run_due(session: Session, *, settings: Settings, frequency: Frequency, now: datetime) -> int:
    """Compute every indicator of ``frequency`` at ``now``, evaluate alert rules, and (daily)
    refresh the AQI forecast. Returns how many indicators were computed. Never commits."""
    pm = make_plugin_manager(settings.plugins_disabled, settings.plugins)
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lake:
        results = compute.compute_all(session, at=now, lake=lake, pm=pm, frequency=frequency)
    rules.evaluate_all(session, at=now, codes=[r.code for r in results])
    if frequency == Frequency.DAILY:
        run_forecast(session, code="env.aqi", at=now, regions=list(FORECAST_REGIONS))
    return len(results)


def _job(frequency: Frequency) -> PeriodicJob:
    def run(ctx: JobContext) -> int:
        return run_due(ctx.session, settings=ctx.settings, frequency=frequency, now=ctx.now)

    interval = timedelta(hours=1) if frequency == Frequency.HOURLY else timedelta(days=1)
    return PeriodicJob(
        f"indicators.{frequency.value}", f"指标计算（{frequency.value}）", interval, run
    )


def periodic_jobs() -> list[PeriodicJob]:
    return [_job(Frequency.HOURLY), _job(Frequency.DAILY)]
