"""A data officer uploads a GBK CSV in the browser and watches the job finish."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from mudan.domains.org.demo import DEMO_PASSWORD
from mudan.lake import registry
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e
SPEC = TableSpec(
    "d371700002",
    "hukou",
    (
        ColumnSpec("xm", ItemType.STRING, "姓名"),
        ColumnSpec("nl", ItemType.INTEGER, "年龄"),
    ),
)


def test_upload_and_follow_job(
    server: str, browser: Browser, session: Session, tmp_path: Path
) -> None:
    registry.register_table(session, spec=SPEC, department_code="371700002")
    session.commit()
    f = tmp_path / "户籍.csv"
    f.write_bytes("姓名,年龄\n张三,30\n李四,不详\n王五,41\n".encode("gbk"))
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _login(page, server, "gaj", DEMO_PASSWORD)
    page.goto(server + "/ingest")
    page.get_by_label("目标表").fill(SPEC.ident)
    page.get_by_label("文件").set_input_files(str(f))
    page.get_by_role("button", name="开始加载").click()
    expect(page.locator("#job-status")).to_have_text("成功", timeout=20_000)
    expect(page.locator("pre")).to_contain_text("隔离 1 行")
    _shot(page, "ingest-job")
