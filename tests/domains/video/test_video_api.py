"""The API and CLI shells: probe now, refresh status and rates, read a snapshot and rates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mudan.core.db import utcnow
from mudan.domains.video.cli import attach
from mudan.domains.video.models import VideoChannel, VideoRateDay
from mudan.domains.video.simulator import (
    Behaviour,
    CameraSimulator,
    FramePool,
    SimulatorServer,
    snapshot_url,
)
from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.video.video_fixtures import add_device, code, grid_point


def test_probe_now_snapshot_and_refresh(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    sim = CameraSimulator(
        behaviours=lambda c: Behaviour.BLACK if c.endswith("b") else Behaviour.OK,
        pool=FramePool(4),
    )
    with SimulatorServer(sim) as server:
        dev, chans = add_device(
            session,
            channels=2,
            urls=[snapshot_url(server.base_url, "a"), snapshot_url(server.base_url, "b")],
        )
        dev.registered, dev.keepalive_deadline = True, utcnow() + timedelta(hours=1)
        session.commit()
        ids = [c.id for c in chans]
        r = client.post("/api/v1/video/probes", headers=admin_headers, json={"channel_ids": ids})
    assert r.status_code == 200, r.text
    assert [x["result"] for x in r.json()] == ["ok", "black"]
    snap = client.get(f"/api/v1/video/channels/{ids[0]}/snapshot", headers=admin_headers)
    assert snap.status_code == 200 and snap.headers["content-type"] == "image/jpeg"
    assert snap.content[:2] == b"\xff\xd8"
    detail = client.get(f"/api/v1/video/channels/{ids[1]}", headers=admin_headers).json()
    assert detail["online"] is True and detail["retrieved"] is False
    assert detail["probes"][0]["result"] == "black" and detail["code_fields"]["type_code"] == "131"

    r = client.post("/api/v1/video/refresh", headers=admin_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    session.expire_all()
    c = VideoChannel
    assert body["total"] == session.scalar(select(func.count()).select_from(c))
    assert body["online"] == session.scalar(select(func.count()).where(c.online.is_(True)))
    city = client.get("/api/v1/video/rates?dim=city", headers=admin_headers).json()
    assert city["rows"][0]["total"] == body["total"]
    assert city["rows"][0]["online"] == body["online"]


def test_probe_request_limits_and_rights(client: TestClient, admin_headers: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/video/probes", headers=admin_headers, json={"channel_ids": list(range(501))}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "request.invalid"
    r = client.post("/api/v1/video/probes", headers=admin_headers, json={"channel_ids": [10**9]})
    assert r.status_code == 404 and r.json()["error"]["code"] == "video.channel_not_found"
    h = {"Authorization": f"Bearer {login_token(client, 'mudanqu')}"}
    r = client.post("/api/v1/video/probes", headers=h, json={"channel_ids": [1]})
    assert r.status_code == 403
    r = client.get("/api/v1/video/rates?period=2024-13", headers=admin_headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "video.bad_period"


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MUDAN_DATABASE__URL", settings.database.url)
    monkeypatch.setenv("MUDAN_VAR_DIR", str(settings.var_dir))
    return CliRunner()


def test_cli_import_status_rates(run: CliRunner, session: Session, tmp_path: Path) -> None:
    app = typer.Typer()
    attach(app)
    lon, lat, _ = grid_point(session)
    good = code()
    f = tmp_path / "catalog.csv"
    f.write_text(
        "通道编码,设备编码,名称,权属单位,经度,纬度\n"
        f"{good},{code('118')},东门,城管,{lon},{lat}\n"
        f"12345,{code('118')},坏码,城管,{lon},{lat}\n",
        encoding="utf-8",
    )
    r = run.invoke(app, ["video", "import", str(f)])
    assert r.exit_code == 0, r.output
    assert "新增 1 路" in r.output and "拒绝 1 行" in r.output and "gb28181.format" in r.output
    session.expire_all()
    assert session.scalar(select(func.count()).where(VideoChannel.code == good)) == 1
    r = run.invoke(app, ["video", "status", "--at", "2024-06-01T10:00:00+08:00"])
    assert r.exit_code == 0, r.output
    total = session.scalar(select(func.count()).select_from(VideoChannel))
    assert f"{total} 路通道" in r.output
    r = run.invoke(app, ["video", "rates", "--period", "2024-06-01", "--dim", "city"])
    assert r.exit_code == 0 and "3717" in r.output
    session.expire_all()
    rows = session.scalar(select(func.count()).where(VideoRateDay.day == date(2024, 6, 1)))
    assert rows and rows > 10
    r = run.invoke(app, ["simulate", "--help"])
    assert r.exit_code == 0 and "video" in r.output
