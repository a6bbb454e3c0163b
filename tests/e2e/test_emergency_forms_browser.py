"""The plan and resource forms in chromium: a new plan with a role (a second one added with
htmx) and a checklist item, then a resource, as the duty officer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from mudan.domains.org.demo import DEMO_PASSWORD
from tests.domains.emergency.conftest import street_point
from tests.e2e.conftest import _login, _shot

pytestmark = pytest.mark.e2e


def test_create_plan_and_resource_through_the_pages(
    server: str, browser: Browser, session: Session
) -> None:
    lon, lat = street_point(session, "东城街道")
    page = browser.new_page()
    _login(page, server, "zhiban", DEMO_PASSWORD)
    page.goto(f"{server}/emergency/plans")
    page.get_by_role("link", name="新建预案").click()
    page.get_by_label("编号").first.fill("E2E-FLOOD")
    page.get_by_label("事件类型").select_option("flood")
    page.get_by_label("牵头部门").select_option("371700017")
    page.get_by_label("Ⅲ级响应", exact=True).check()
    page.get_by_label("Ⅲ级响应 信息报送时限").fill("首报 30")
    # Without a name the form is refused with the reason in Chinese, and comes back filled in.
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#form-error")).to_have_text("名称：必填")
    expect(page.get_by_label("Ⅲ级响应 信息报送时限")).to_have_value("首报 30")
    page.get_by_label("名称").first.fill("东城街道防汛预案")
    page.get_by_label("角色编号").first.fill("commander")
    page.get_by_label("角色名称").first.fill("现场指挥")
    page.get_by_label("Ⅲ级职责（每行一项）").first.fill("组织群众转移")
    page.get_by_role("button", name="添加角色").click()  # htmx adds a second row
    expect(page.locator(".role-row")).to_have_count(2)
    page.get_by_label("角色编号").nth(1).fill("duty")
    page.get_by_label("角色名称").nth(1).fill("值班员")
    page.get_by_label("Ⅳ级职责（每行一项）").nth(1).fill("两小时内首报")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_have_text("东城街道防汛预案")
    expect(page.locator("main")).to_contain_text("组织群众转移")
    expect(page.locator("main")).to_contain_text("首报（30 分钟内）")
    _shot(page, "emergency_plan_form")

    page.goto(f"{server}/emergency/resources")
    page.get_by_role("link", name="新增应急资源").click()
    page.get_by_label("编号").fill("E2E-SHELTER")
    page.get_by_label("名称").fill("东城街道第一避难场所")
    page.get_by_label("类别").select_option("shelter")
    page.get_by_label("所属部门").select_option("371700017")
    page.get_by_label("经度").fill(str(lon))
    page.get_by_label("纬度").fill(str(lat))
    page.get_by_label("规模/容量").fill("800")
    page.get_by_label("单位").fill("人")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("table")).to_contain_text("东城街道第一避难场所")
    expect(page.locator("table")).to_contain_text("800 人")
    _shot(page, "emergency_resource_form")
