"""The catalog API: create/update/transitions/versions, listing with facets, search after
publish and edit, and the error envelope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mudan.app import create_app
from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.catalog.catalog_fixtures import PLUGIN, sample_entry

pytestmark = pytest.mark.usefixtures("empty_catalog")


@pytest.fixture
def cat(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"plugins": [PLUGIN]}))) as c:
        yield c


def _h(c: TestClient, user: str = "admin") -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(c, user)}"}


def _body(**kw: Any) -> dict[str, Any]:
    return sample_entry(**kw).model_dump(mode="json")


def _publish(c: TestClient, h: dict[str, str], entry_id: int) -> dict[str, Any]:
    for action in ("submit", "approve"):
        r = c.post(
            f"/api/v1/catalog/entries/{entry_id}/transitions", json={"action": action}, headers=h
        )
        assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_anonymous_is_refused(cat: TestClient) -> None:
    assert cat.get("/api/v1/catalog/entries").status_code == 401
    assert cat.post("/api/v1/catalog/entries", json=_body()).status_code == 401


def test_create_publish_edit_versions_and_search(cat: TestClient) -> None:
    h = _h(cat)
    r = cat.post("/api/v1/catalog/entries", json=_body(), headers=h)
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["status"] == "draft" and entry["code"] == "371700002-01-01-0001"

    # not searchable while a draft
    found = cat.get("/api/v1/catalog/entries", params={"q": "户籍人口"}, headers=h).json()
    assert found["total"] == 0
    published = _publish(cat, h, entry["id"])
    assert published["status"] == "published" and published["version"] == 1

    found = cat.get("/api/v1/catalog/entries", params={"q": "户籍人口"}, headers=h).json()
    assert [i["id"] for i in found["items"]] == [entry["id"]]
    assert found["facets"]["theme"] == {"人口": 1}
    by_item = cat.get("/api/v1/catalog/entries", params={"q": "身份证号"}, headers=h).json()
    assert by_item["total"] == 1

    # an edit becomes a draft revision: search keeps v1 until v2 is approved
    r = cat.put(
        f"/api/v1/catalog/entries/{entry['id']}",
        json=_body(name="菏泽市常住人口登记信息"),
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "draft"
    hits = cat.get("/api/v1/catalog/entries", params={"q": "常住人口"}, headers=h).json()
    assert hits["total"] == 0
    _publish(cat, h, entry["id"])
    hits = cat.get("/api/v1/catalog/entries", params={"q": "常住人口"}, headers=h).json()
    assert [i["name"] for i in hits["items"]] == ["菏泽市常住人口登记信息"]

    versions = cat.get(f"/api/v1/catalog/entries/{entry['id']}/versions", headers=h).json()
    assert [v["version"] for v in versions] == [1, 2]
    v1 = cat.get(f"/api/v1/catalog/entries/{entry['id']}/versions/1", headers=h).json()
    assert v1["snapshot"]["name"] == "菏泽市户籍人口基本信息"
    missing = cat.get(f"/api/v1/catalog/entries/{entry['id']}/versions/9", headers=h)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "catalog.version_not_found"

    # withdrawing takes it out of search
    r = cat.post(
        f"/api/v1/catalog/entries/{entry['id']}/transitions",
        json={"action": "withdraw", "reason": "停用"},
        headers=h,
    )
    assert r.json()["status"] == "withdrawn"
    gone = cat.get("/api/v1/catalog/entries", params={"q": "常住人口"}, headers=h).json()
    assert gone["total"] == 0


def test_browse_facets_and_filters(cat: TestClient) -> None:
    h = _h(cat)
    cat.post("/api/v1/catalog/entries", json=_body(), headers=h)
    cat.post(
        "/api/v1/catalog/entries",
        json=_body(name="菏泽市医疗机构名录", department_code="371700005", theme="医疗卫生"),
        headers=h,
    )
    page = cat.get("/api/v1/catalog/entries", headers=h).json()
    assert page["total"] == 2
    assert page["facets"]["department"] == {"371700002": 1, "371700005": 1}
    assert page["facets"]["status"] == {"draft": 2}
    only = cat.get("/api/v1/catalog/entries", params={"theme": "医疗卫生"}, headers=h).json()
    assert [i["name"] for i in only["items"]] == ["菏泽市医疗机构名录"]
    paged = cat.get("/api/v1/catalog/entries", params={"limit": 1, "offset": 1}, headers=h).json()
    assert paged["total"] == 2 and len(paged["items"]) == 1


def test_errors_use_the_envelope(cat: TestClient) -> None:
    h = _h(cat)
    r = cat.post("/api/v1/catalog/entries", json=_body(key_columns=["nope"]), headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "catalog.key_not_an_item"
    assert "nope" in r.json()["error"]["message"]
    assert cat.get("/api/v1/catalog/entries/999999", headers=h).status_code == 404


def test_api_permissions(cat: TestClient) -> None:
    admin, gaj, zhiban = _h(cat), _h(cat, "gaj"), _h(cat, "zhiban")
    health = cat.post(
        "/api/v1/catalog/entries",
        json=_body(department_code="371700005", name="菏泽市医疗机构名录", theme="医疗卫生"),
        headers=admin,
    ).json()
    r = cat.put(
        f"/api/v1/catalog/entries/{health['id']}",
        json=_body(department_code="371700005"),
        headers=gaj,
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "catalog.not_own_department"
    assert cat.post("/api/v1/catalog/entries", json=_body(), headers=zhiban).status_code == 403
    assert cat.get("/api/v1/catalog/entries", headers=zhiban).status_code == 200
    own = cat.post("/api/v1/catalog/entries", json=_body(department_code=None), headers=gaj).json()
    r = cat.post(
        f"/api/v1/catalog/entries/{own['id']}/transitions", json={"action": "submit"}, headers=gaj
    )
    assert r.status_code == 200
    r = cat.post(
        f"/api/v1/catalog/entries/{own['id']}/transitions", json={"action": "approve"}, headers=gaj
    )
    assert r.status_code == 403
    r = cat.post(
        f"/api/v1/catalog/entries/{own['id']}/transitions",
        json={"action": "approve"},
        headers=_h(cat, "dsj"),
    )
    assert r.status_code == 200 and r.json()["version"] == 1


def test_xlsx_export_and_import_over_http(cat: TestClient) -> None:
    h = _h(cat)
    made = cat.post("/api/v1/catalog/entries", json=_body(), headers=h).json()
    r = cat.get("/api/v1/catalog/export.xlsx", headers=h)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    files = {"file": ("目录.xlsx", r.content, "application/octet-stream")}
    r = cat.post("/api/v1/catalog/import", files=files, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": [], "updated": [made["code"]], "errors": []}
    bad = {"file": ("x.xlsx", b"garbage", "application/octet-stream")}
    r = cat.post("/api/v1/catalog/import", files=bad, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "catalog.bad_xlsx"
