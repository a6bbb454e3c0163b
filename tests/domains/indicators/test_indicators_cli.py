"""``mudan indicators list|compute|show|report`` and the persistent schedule, on a real DB."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import typer
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mudan.core import scheduler as core_scheduler
from mudan.core.runtime import Runtime
from mudan.domains.indicators.cli import indicators
from mudan.domains.indicators.models import IndicatorValue
from mudan.settings import Settings


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MUDAN_DATABASE__URL", settings.database.url)
    monkeypatch.setenv("MUDAN_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("MUDAN_LAKE__WAREHOUSE", str(settings.lake.warehouse))
    return CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(indicators, name="indicators")
    return app


def test_cli_list_compute_show_report(run: CliRunner, session: Session, tmp_path: Path) -> None:
    r = run.invoke(_app(), ["indicators", "list"])
    assert r.exit_code == 0, r.output
    assert "data.catalogs" in r.output and "暂无数据源" in r.output
    before = session.scalar(select(IndicatorValue.computed_at).order_by(IndicatorValue.id.desc()))
    r = run.invoke(_app(), ["indicators", "compute", "data.catalogs", "service.one_thing"])
    assert r.exit_code == 0, r.output
    assert "data.catalogs v1 ok" in r.output and "service.one_thing v1 no_source" in r.output
    session.expire_all()
    after = session.scalar(select(IndicatorValue.computed_at).order_by(IndicatorValue.id.desc()))
    assert after is not None and after != before
    r = run.invoke(_app(), ["indicators", "show", "env.aqi", "--region", "371702"])
    assert r.exit_code == 0 and "空气质量指数" in r.output and "series: aqi" in r.output
    r = run.invoke(_app(), ["indicators", "show", "no.such"])
    assert r.exit_code == 2 and "indicators.not_found" in r.output
    out = tmp_path / "m.pdf"
    r = run.invoke(_app(), ["indicators", "report", "monthly", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "菏泽市城市运行月报" in PdfReader(out).pages[0].extract_text()


def test_scheduled_computation_runs_through_the_core_scheduler(
    settings: Settings, session: Session, runtime: Runtime
) -> None:
    sched = core_scheduler.make_scheduler(settings.database.url)
    sched.start(paused=True)
    try:
        changed = core_scheduler.sync_periodic(sched, runtime.pm)
        assert {"indicators.hourly", "indicators.daily"} <= set(changed)
        assert sched.get_job("periodic:indicators.hourly").trigger.interval == timedelta(hours=1)
    finally:
        sched.shutdown()
    session.commit()
    # what the hourly job runs: hourly indicators + rules, in its own transaction
    done = core_scheduler.run_periodic("indicators.hourly")
    assert done.startswith("indicators.hourly: ") and int(done.split(": ")[1]) > 0
