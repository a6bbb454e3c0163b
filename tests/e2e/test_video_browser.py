"""The duty officer filters channels, opens one probed against the simulator (its snapshot
shows), and reads the rates page where ECharts draws the 30-day trend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, utcnow
from mudan.domains.org.demo import DEMO_PASSWORD
from mudan.domains.video.models import VideoChannel, VideoDevice
from mudan.domains.video.service import probe_channels
from mudan.domains.video.simulator import running_simulator, snapshot_url
from mudan.settings import Settings, VideoSettings
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e


def test_channels_detail_and_trend(
    server: str, browser: Browser, session: Session, settings: Settings
) -> None:
    ch = session.scalars(
        select(VideoChannel).where(VideoChannel.last_probe_result == "ok").limit(1)
    ).one()
    device = session.get(VideoDevice, ch.device_id)
    assert device is not None
    device.registered, device.keepalive_deadline = True, utcnow() + timedelta(hours=1)
    with running_simulator() as sim:
        ch.snapshot_url = snapshot_url(sim.base_url, ch.code)
        session.commit()
        engine = make_engine(settings.database.url)
        out = probe_channels(make_sessionmaker(engine), channel_ids=[ch.id], config=VideoSettings())
        engine.dispose()
    assert out[0].result.value == "ok"

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _login(page, server, "zhiban", DEMO_PASSWORD)
    page.goto(server + "/video")
    page.get_by_label("权属单位").select_option("community")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody tr").first).to_contain_text("社区")
    page.goto(f"{server}/video/channels/{ch.id}")
    expect(page.locator("tr.probe").first).to_contain_text("正常")
    expect(page.locator("#snapshot")).to_be_visible()
    width = page.locator("#snapshot").evaluate("img => img.naturalWidth")
    assert width > 0  # the snapshot really loaded
    page.goto(server + "/video/rates")
    expect(page.locator("#trend canvas")).to_have_count(1)
    expect(page.locator("tr.rate-row").first).to_contain_text("%")
    _shot(page, "video-rates")
    page.close()
