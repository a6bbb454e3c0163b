"""Scheduled computation with APScheduler on a SQLAlchemy job store in the metadata database
(the ingest domain's pattern): one job for hourly indicators (plus alert rules), one daily job
(daily indicators and the AQI forecast). Jobs persist and survive restarts."""

from __future__ import annotations

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.pool import NullPool

from mudan.core.db import make_engine, make_sessionmaker, transaction, utcnow
from mudan.domains.indicators import compute, rules
from mudan.domains.indicators.enums import Frequency
from mudan.domains.indicators.forecast import run_forecast
from mudan.hooks import make_plugin_manager
from mudan.lake.catalog import Lake
from mudan.settings import Settings

JOBSTORE_TABLE = "indicators_apscheduler_jobs"
JOBS = {"indicators:hourly": Frequency.HOURLY, "indicators:daily": Frequency.DAILY}
FORECAST_REGIONS = ("371702", "371703", "371721", "371722", "371723", "371724", "371725",
                    "371726", "371728")  # fmt: skip
_settings: dict[str, Settings] = {}


def use_settings(settings: Settings) -> None:
    _settings["current"] = settings


def run_due(frequency: str) -> int:
    """The scheduled callable: compute every indicator of ``frequency`` now, evaluate alert
    rules, and (daily) refresh the AQI forecast. Returns how many indicators were computed."""
    cfg = _settings.get("current") or Settings()
    engine = make_engine(cfg.database.url)
    lake = Lake(db_url=cfg.database.url, warehouse=cfg.lake.warehouse)
    pm = make_plugin_manager(cfg.plugins_disabled, cfg.plugins)
    try:
        with transaction(make_sessionmaker(engine)) as s:
            now = utcnow()
            results = compute.compute_all(
                s, at=now, lake=lake, pm=pm, frequency=Frequency(frequency)
            )
            rules.evaluate_all(s, at=now, codes=[r.code for r in results])
            if frequency == Frequency.DAILY:
                run_forecast(s, code="env.aqi", at=now, regions=list(FORECAST_REGIONS))
        return len(results)
    finally:
        lake.close()
        engine.dispose()


def make_scheduler(db_url: str) -> BackgroundScheduler:
    store = SQLAlchemyJobStore(
        url=db_url, tablename=JOBSTORE_TABLE, engine_options={"poolclass": NullPool}
    )
    return BackgroundScheduler(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="Asia/Shanghai",
    )


def sync_jobs(scheduler: BackgroundScheduler) -> list[str]:
    """Register the two jobs (idempotent: ``replace_existing``); returns their ids."""
    triggers = {
        "indicators:hourly": CronTrigger(minute=5, timezone="Asia/Shanghai"),
        "indicators:daily": CronTrigger(hour=0, minute=20, timezone="Asia/Shanghai"),
    }
    for job_id, freq in JOBS.items():
        scheduler.add_job(
            run_due, triggers[job_id], args=[str(freq)], id=job_id, name=job_id,
            replace_existing=True,
        )  # fmt: skip
    return list(JOBS)
