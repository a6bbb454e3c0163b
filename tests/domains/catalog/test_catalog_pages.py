"""Catalog pages render (list with facets, entry, edit form) and the form round trip works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mudan.app import create_app
from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.catalog.catalog_fixtures import sample_entry


@pytest.fixture
def cat(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def _form(**extra: str) -> dict[str, str]:
    form = {
        "name": "菏泽市流动人口登记信息",
        "department_code": "371700002",
        "theme": "人口",
        "category": "基础信息",
        "format": "数据库表",
        "update_cycle": "weekly",
        "grade": "important",
        "share_type": "conditional",
        "share_conditions": "仅限政务部门履职使用",
        "open_type": "none",
        "region_code": "3717",
        "tags": "流动人口；居住证",
        "key_columns": "sfzh",
        "aggregated": "on",
        "abstract": "流动人口居住登记。",
        "items-0-name": "xm",
        "items-0-label": "姓名",
        "items-0-type": "string",
        "items-0-share_type": "conditional",
        "items-0-sensitivity": "3",
        "items-0-personal_kind": "name",
        "items-1-name": "sfzh",
        "items-1-label": "身份证号",
        "items-1-type": "string",
        "items-1-length": "18",
        "items-1-share_type": "conditional",
        "items-1-sensitivity": "4",
        "items-1-personal_kind": "citizen_id",
        "items-2-name": "",
        "items-2-label": "",
    }
    form.update(extra)
    return form


def test_pages_render_and_the_form_creates_entries(cat: TestClient) -> None:
    h = {"Authorization": f"Bearer {login_token(cat, 'admin')}"}
    r = cat.post("/catalog/new", data=_form(), headers=h, follow_redirects=False)
    assert r.status_code == 303, r.text
    entry_url = r.headers["location"]
    page = cat.get(entry_url, headers=h)
    assert page.status_code == 200
    assert "菏泽市流动人口登记信息" in page.text and "身份证号" in page.text
    assert "有条件共享" in page.text and "草稿" in page.text

    r = cat.post(
        f"{entry_url}/transition", data={"action": "submit"}, headers=h, follow_redirects=False
    )
    assert r.status_code == 303
    cat.post(f"{entry_url}/transition", data={"action": "approve"}, headers=h)
    page = cat.get(entry_url, headers=h)
    assert "已发布" in page.text and "v1" in page.text

    # the listing is ordered by code and the demo's entries are there too: open the page that
    # starts with our entry
    entry_id = int(entry_url.rsplit("/", 1)[1])
    code = cat.get(f"/api/v1/catalog/entries/{entry_id}", headers=h).json()["code"]
    everything = cat.get("/api/v1/catalog/entries", params={"limit": 1}, headers=h).json()
    rank = sum(
        c["code"] < code
        for offset in range(0, everything["total"], 200)
        for c in cat.get(
            "/api/v1/catalog/entries", params={"limit": 200, "offset": offset}, headers=h
        ).json()["items"]
    )
    listing = cat.get("/catalog", params={"offset": rank}, headers=h)
    assert listing.status_code == 200 and "菏泽市流动人口登记信息" in listing.text
    assert f'href="{entry_url}"' in listing.text
    assert 'data-facet="theme"' in listing.text
    found = cat.get(
        "/catalog",
        params={"q": "流动人口", "department": "371700002", "theme": "人口", "limit": 100},
        headers=h,
    )
    assert "菏泽市流动人口登记信息" in found.text and f'href="{entry_url}"' in found.text

    edit = cat.get(f"{entry_url}/edit", headers=h)
    assert edit.status_code == 200 and 'value="sfzh"' in edit.text
    assert cat.get("/catalog/new", headers=h).status_code == 200
    row = cat.get("/catalog/_item_row", params={"i": 5}, headers=h)
    assert 'name="items-5-name"' in row.text


def test_form_errors_are_shown_in_place(cat: TestClient) -> None:
    h = {"Authorization": f"Bearer {login_token(cat, 'admin')}"}
    r = cat.post("/catalog/new", data=_form(key_columns="nope"), headers=h)
    assert r.status_code == 422
    assert "nope" in r.text and 'value="菏泽市流动人口登记信息"' in r.text


def test_pages_need_login(cat: TestClient) -> None:
    r = cat.get("/catalog", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert sample_entry().name  # the fixture module imports cleanly here too


def test_every_catalog_route_refuses_anonymous(cat: TestClient) -> None:
    from fastapi.routing import APIRoute

    from mudan.core.routes import iter_routes

    checked = 0
    for route in iter_routes(cat.app.routes):  # type: ignore[attr-defined]
        if (
            isinstance(route, APIRoute)
            and route.path.startswith(("/catalog", "/api/v1/catalog"))
            and route.path != "/catalog.ttl"  # the open-data portal's public DCAT-AP export
        ):
            path = route.path.replace("{entry_id}", "1").replace("{version}", "1")
            for method in route.methods:
                r = cat.request(method, path, headers={"accept": "application/json"})
                assert r.status_code == 401, (method, path)
                checked += 1
    assert checked >= 17
