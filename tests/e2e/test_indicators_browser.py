"""The duty officer opens an indicator's trend (actuals + forecast drawn by ECharts), then
acknowledges and closes the forecast warning from its page; the timeline shows both steps."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.indicators.demo import RISING_DISTRICT
from mudan.domains.indicators.models import Alert
from mudan.domains.org.demo import DEMO_PASSWORD
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e


def test_trend_chart_and_alert_actions(server: str, browser: Browser, session: Session) -> None:
    warning = session.scalar(
        select(Alert).where(Alert.dedup_key == f"forecast:env.aqi:{RISING_DISTRICT}")
    )
    assert warning is not None
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, server, "zhiban", DEMO_PASSWORD)
    page.goto(f"{server}/indicators/env.aqi?region_code={RISING_DISTRICT}&days=3")
    expect(page.locator("#trend canvas")).to_have_count(1)
    expect(page.locator("#comparison canvas")).to_have_count(1)
    _shot(page, "indicators-trend")
    page.goto(f"{server}/alerts/{warning.id}")
    page.get_by_label("说明").first.fill("值班已知悉")
    page.get_by_role("button", name="签收").click()
    expect(page.locator("table")).to_contain_text("值班已知悉")
    page.get_by_role("button", name="办结关闭").click()
    expect(page.locator("h1 + p + section")).to_contain_text("已关闭")
    _shot(page, "indicators-alert")
    page.goto(f"{server}/reports/daily")
    expect(page.locator("#trend canvas")).to_have_count(1)
    assert errors == []
