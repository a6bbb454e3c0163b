"""Pages: the channel list with filters, a channel's detail, the rates page; scoped users see
only their region."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.video.models import VideoChannel
from tests.conftest import login_token


def _login(client: TestClient, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, user)}"}


def test_channel_list_detail_and_rates(client: TestClient, session: Session) -> None:
    h = _login(client, "dsj")
    total = session.scalar(select(func.count()).select_from(VideoChannel))
    r = client.get("/video", headers=h)
    assert r.status_code == 200
    assert f'id="count-total">{total}<' in r.text and "视频通道" in r.text
    r = client.get("/video?district=371721&status=offline&owner_unit=police_xueliang", headers=h)
    want = session.scalar(
        select(func.count()).where(
            VideoChannel.district_code == "371721",
            VideoChannel.online.is_(False),
            VideoChannel.owner_unit == "police_xueliang",
        )
    )
    assert f"共 {want}" in r.text
    ch = session.scalars(select(VideoChannel).order_by(VideoChannel.id)).first()
    assert ch is not None
    r = client.get(f"/video/channels/{ch.id}", headers=h)
    assert r.status_code == 200 and ch.code in r.text and "巡检记录" in r.text
    r = client.get("/video/rates", headers=h)
    assert r.status_code == 200 and "在线率" in r.text and "公安雪亮" in r.text
    assert 'id="trend"' in r.text and "echarts.min.js" in r.text
    assert len(re.findall(r'class="rate-row"', r.text)) >= 9 * 2  # districts, day and month
    api = client.get("/api/v1/video/rates?dim=owner", headers=h).json()
    assert {row["key"] for row in api["rows"]} >= {"community", "police_skynet"}


def test_county_user_sees_only_its_district(client: TestClient, session: Session) -> None:
    h = _login(client, "mudanqu")
    ours = session.scalar(select(func.count()).where(VideoChannel.district_code == "371702"))
    r = client.get("/video", headers=h)
    assert f'id="count-total">{ours}<' in r.text
    other = session.scalar(
        select(VideoChannel.id).where(VideoChannel.district_code == "371721").limit(1)
    )
    r = client.get(f"/video/channels/{other}", headers=h)
    assert r.status_code == 404
    assert client.get(f"/api/v1/video/channels/{other}", headers=h).status_code == 404
    body = client.get("/api/v1/video/channels?page=1", headers=h).json()
    assert body["total"] == ours and all(i["district_code"] == "371702" for i in body["items"])
    r = client.get("/api/v1/video/rates?dim=city", headers=h)
    assert r.status_code == 403 and r.json()["error"]["code"] == "video.city_only"
    rows = client.get("/api/v1/video/rates?dim=district", headers=h).json()["rows"]
    assert [row["key"] for row in rows] == ["371702"]


def test_grid_worker_has_no_video_access(client: TestClient) -> None:
    r = client.get("/api/v1/video/channels", headers=_login(client, "wangge"))
    assert r.status_code == 403
