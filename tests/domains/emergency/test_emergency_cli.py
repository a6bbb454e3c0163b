"""``mudan emergency plans|incidents|raise|duty`` against a real database."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mudan.domains.emergency.cli import emergency
from mudan.domains.emergency.models import Incident, TimelineEntry
from mudan.settings import Settings


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MUDAN_DATABASE__URL", settings.database.url)
    monkeypatch.setenv("MUDAN_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(emergency, name="emergency")
    return app


def test_cli(run: CliRunner, session: Session) -> None:
    r = run.invoke(_app(), ["emergency", "plans"])
    assert r.exit_code == 0 and "HZYA-FX-01" in r.output and "Ⅰ Ⅱ Ⅲ Ⅳ" in r.output
    live = session.scalar(select(Incident).where(Incident.status == "open"))
    assert live is not None and live.level == 3
    r = run.invoke(_app(), ["emergency", "raise", str(live.id), "2", "--user", "zhiban"])
    assert r.exit_code == 0, r.output
    assert "Ⅲ级 → Ⅱ级" in r.output
    session.expire_all()
    kinds = [
        e.kind
        for e in session.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == live.id))
    ]
    assert kinds[-2:] == ["level_raised", "notified"]
    r = run.invoke(_app(), ["emergency", "raise", str(live.id), "2"])
    assert r.exit_code == 2 and "emergency.same_level" in r.output
    r = run.invoke(_app(), ["emergency", "incidents", "--open"])
    assert r.exit_code == 0 and live.number in r.output
    r = run.invoke(_app(), ["emergency", "duty", "--at", "2020-01-01T12:00:00+08:00"])
    assert r.exit_code == 0 and "officer" not in r.output  # nobody rostered in 2020
