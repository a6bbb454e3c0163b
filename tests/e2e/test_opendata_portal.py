"""The open-data portal for real: the ckanapi client against a live server, and chromium on
the public pages without logging in."""

from __future__ import annotations

import ckanapi
import pytest
from playwright.sync_api import Browser
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.opendata.models import OpenDataset
from tests.e2e.conftest import _shot


def test_ckanapi_client(server: str, session: Session) -> None:
    active = list(session.scalars(select(OpenDataset).where(OpenDataset.state == "active")))
    portal = ckanapi.RemoteCKAN(server)
    assert sorted(portal.action.package_list()) == sorted(d.name for d in active)
    res = portal.action.package_search(q="", rows=5, **{"facet.field": ["groups", "tags"]})
    assert res["count"] == len(active) and len(res["results"]) == 5
    assert sum(res["facets"]["groups"].values()) == len(active)
    ds = next(d for d in active if d.data_rows and d.open_type == "unconditional")
    pkg = portal.action.package_show(id=ds.name)
    assert pkg["title"] == ds.title and pkg["organization"]["name"] == ds.department_code
    assert {r["format"] for r in pkg["resources"]} == {"CSV", "JSON", "XLSX"}
    rid = pkg["resources"][0]["id"]
    assert portal.action.resource_show(id=rid)["package_id"] == ds.name
    rows = portal.action.datastore_search(resource_id=rid, limit=2)
    assert rows["total"] == ds.data_rows and len(rows["records"]) == 2
    assert ds.department_code in portal.action.organization_list()
    org = portal.action.organization_show(id=ds.department_code)
    assert org["package_count"] == sum(1 for d in active if d.department_code == ds.department_code)
    assert portal.action.group_list() and set(ds.tags) <= set(portal.action.tag_list())
    with pytest.raises(ckanapi.NotFound):
        portal.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        portal.action.datastore_search(resource_id=rid, filters={"no_such_field": "1"})
    with pytest.raises(ckanapi.SearchQueryError):
        portal.action.package_search(fq="-organization:x")
    conditional = next(d for d in active if d.data_rows and d.open_type == "conditional")
    with pytest.raises(ckanapi.NotAuthorized):
        portal.action.datastore_search(resource_id=f"{conditional.name}-csv")
    # the unversioned path and GET requests answer the same
    getter = ckanapi.RemoteCKAN(server, get_only=True)
    assert getter.action.package_show(id=ds.name)["name"] == ds.name


def test_public_pages_without_login(server: str, browser: Browser, session: Session) -> None:
    charted = [
        d
        for d in session.scalars(
            select(OpenDataset)
            .where(OpenDataset.state == "active", OpenDataset.data_rows > 0)
            .where(OpenDataset.open_type == "unconditional")
            .order_by(OpenDataset.id)
        )
        if any(f["type"] == "string" for f in d.fields)
        and any(f["type"] in ("integer", "float", "decimal") for f in d.fields)
    ]
    assert charted, "the demo world should hold an open dataset with a number to chart"
    ds = charted[0]
    page = browser.new_page()
    page.goto(f"{server}/open")
    total = int(page.locator("#total").inner_text())
    assert total >= 1
    page.locator("ul[data-facet=organization] a", has_text=ds.department_name).first.click()
    assert int(page.locator("#total").inner_text()) < total or total == 1
    page.goto(f"{server}/open/dataset/{ds.name}")
    assert page.locator("h1").inner_text().startswith(ds.title)
    assert page.locator("#preview tbody tr").count() == min(20, ds.data_rows)
    page.wait_for_function("window.__chart !== undefined")
    with page.expect_download() as dl:
        page.locator("a.download", has_text="CSV").click()
    assert dl.value.suggested_filename == f"{ds.name}.csv"
    page.select_option("#feedback select[name=kind]", "error")
    page.fill("#feedback textarea[name=content]", "第一行数据有误")
    page.locator("#feedback button").click()
    assert page.locator("#sent").is_visible()
    _shot(page, "opendata_dataset")
