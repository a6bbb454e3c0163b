"""``mudan indicators list|compute|show|report`` and the persistent schedule, on a real DB."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mudan.domains.indicators import schedule
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
    r = run.invoke(_app(), ["indicators", "compute", "data.catalogs", "share.on_time_rate"])
    assert r.exit_code == 0, r.output
    assert "data.catalogs v1 ok" in r.output and "share.on_time_rate v1 no_source" in r.output
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


def test_schedule_jobs_persist_and_run(settings: Settings, session: Session) -> None:
    sched = schedule.make_scheduler(settings.database.url)
    sched.start(paused=True)
    try:
        assert schedule.sync_jobs(sched) == ["indicators:hourly", "indicators:daily"]
        schedule.sync_jobs(sched)  # idempotent
        assert sorted(j.id for j in sched.get_jobs()) == ["indicators:daily", "indicators:hourly"]
    finally:
        sched.shutdown()
    again = schedule.make_scheduler(settings.database.url)  # a restarted process sees them
    again.start(paused=True)
    try:
        assert len(again.get_jobs()) == 2
    finally:
        again.shutdown()
    schedule.use_settings(settings)
    session.commit()
    assert schedule.run_due("hourly") > 0  # what the hourly job runs: hourly indicators + rules
