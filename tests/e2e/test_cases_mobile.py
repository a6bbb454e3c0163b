"""The handler's phone page in chromium: accept, upload a photo, report."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.cases import service as cs
from mudan.domains.cases.enums import Channel
from mudan.domains.cases.models import CasePhoto
from tests.e2e.conftest import _login, _shot


def test_handler_phone_page(
    server: str, browser: Browser, session: Session, tmp_path: Path
) -> None:
    case = cs.intake(
        session,
        data=cs.IntakeIn(
            channel=Channel.HOTLINE,
            category_code="SJ0102",
            title="手机端测试垃圾",
            region_code="371702001000",
            address="中华路 1 号",
        ),
        actor="t",
    )
    session.commit()
    assert case.department_code == "371702003"
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = ctx.new_page()
    _login(page, server, "chuzhi", "Mudan@Heze2024")
    page.goto(f"{server}/cases/mobile")
    card = page.locator(f"section.case-card[data-number='{case.number}']")
    expect(card).to_be_visible()
    card.get_by_role("button", name="签收").click()
    card = page.locator(f"section.case-card[data-number='{case.number}']")
    expect(card).to_contain_text("处置中")
    photo = tmp_path / "scene.png"
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (20, 160, 60)).save(buf, format="PNG")
    photo.write_bytes(buf.getvalue())
    card.locator("input[type=file]").set_input_files(str(photo))
    card.get_by_role("button", name="上传", exact=True).click()
    card = page.locator(f"section.case-card[data-number='{case.number}']")
    card.get_by_label("说明").first.fill("已清运完毕")
    _shot(page, "cases_mobile")
    card.get_by_role("button", name="处置上报").click()
    expect(page.locator(f"section.case-card[data-number='{case.number}']")).to_have_count(0)
    page.goto(f"{server}/cases/{case.number}")
    expect(page.locator("#case-state")).to_have_text("核查中")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # no sideways scrolling on a phone
    session.expire_all()
    stored = session.scalars(select(CasePhoto).where(CasePhoto.case_id == case.id)).all()
    assert len(stored) == 1 and stored[0].stage == "handling"
    ctx.close()
