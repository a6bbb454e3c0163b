"""The demo world looks like a running city: a month of history, realistic online rates,
count targets scaled to the demo's size (and saying so), and work for the grid worker."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.indicators import service
from mudan.domains.org.demo import DEMO_PASSWORD
from tests.conftest import DEMO_SCALE
from tests.web.test_login import _login


def test_a_month_of_history(session: Session) -> None:
    since = utcnow() - timedelta(days=29)
    aqi = service.series(session, code="env.aqi", since=since)
    assert len(aqi.points) >= 28 * 24  # hourly, the whole month
    online = service.series(session, code="iot.online_rate", since=since)
    past = [p.value for p in online.points[:-1] if p.value is not None]
    assert len(past) >= 28  # one a day
    assert all(90 <= v <= 100 for v in past)  # most terminals online, day after day
    catalogs = service.series(session, code="data.catalogs", since=since)
    assert len(catalogs.points) >= 29


def test_count_targets_are_scaled_and_labelled(client: TestClient, session: Session) -> None:
    values = {v.code: v for v in service.latest_values(session)}
    channels = values["sense.video_channels"]
    assert channels.target == round(290_000 * DEMO_SCALE, 6) and channels.target_scale == DEMO_SCALE
    rate = values["share.on_time_rate"]
    assert rate.target == 99 and rate.target_scale is None  # rates keep their targets
    _login(client, "admin", DEMO_PASSWORD)
    page = client.get("/indicators").text
    assert f"按演示规模 {DEMO_SCALE * 100:g}% 折算（全量 290,000）" in page
    assert "（全量 445）" in page  # 数据应用场景: exact, though its demo target is fractional


def test_the_grid_worker_has_a_case_on_my_cases(client: TestClient) -> None:
    _login(client, "wangge", DEMO_PASSWORD)
    page = client.get("/cases/mobile").text
    assert "小区门口占道经营" in page and 'class="card case-card"' in page


def test_the_daily_report_is_of_a_whole_day(client: TestClient) -> None:
    _login(client, "admin", DEMO_PASSWORD)
    page = client.get("/reports/daily").text  # no day given: yesterday, all 24 hours
    m = re.search(r'<script type="application/json" id="charts">(.*?)</script>', page, re.S)
    assert m
    assert len(json.loads(m.group(1))["trend"]["x"]) == 24
    monthly = client.get(
        "/reports/monthly?day=" + (utcnow() - timedelta(days=31)).strftime("%Y-%m")
    )
    m = re.search(r'<script type="application/json" id="charts">(.*?)</script>', monthly.text, re.S)
    assert m and len(json.loads(m.group(1))["trend"]["x"]) >= 1  # last month has values too
