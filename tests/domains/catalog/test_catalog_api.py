"""The catalog API: create/update/transitions/versions, listing with facets, search after
publish and edit, and the error envelope."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from mudan.app import create_app
from mudan.domains.catalog.xlsx import ENTRY_COLUMNS
from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.catalog.catalog_fixtures import only_rows, sample_entry


@pytest.fixture
def cat(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
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


def _find(c: TestClient, h: dict[str, str], **params: Any) -> dict[str, Any]:
    """Every hit of a listing or search (all pages), with the first page's facets."""
    page: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    while not page or len(items) < page["total"]:
        r = c.get(
            "/api/v1/catalog/entries",
            params={**params, "limit": 200, "offset": len(items)},
            headers=h,
        )
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["items"] or len(items) == page["total"] == 0, page
        items += page["items"]
    return {**page, "items": items}


def _ids(page: dict[str, Any]) -> set[int]:
    return {i["id"] for i in page["items"]}


def test_create_publish_edit_versions_and_search(cat: TestClient) -> None:
    h = _h(cat)
    # the database already holds the demo catalog: compare with what is found before
    before = {q: _find(cat, h, q=q) for q in ("户籍人口", "身份证号", "常住人口")}
    prefix = "371700002-01-01-"
    taken = [i["code"] for i in _find(cat, h, department="371700002")["items"]]
    seq = max((int(c[len(prefix) :]) for c in taken if c.startswith(prefix)), default=0) + 1
    r = cat.post("/api/v1/catalog/entries", json=_body(), headers=h)
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["status"] == "draft" and entry["code"] == f"{prefix}{seq:04d}"

    # not searchable while a draft
    found = _find(cat, h, q="户籍人口")
    assert found["total"] == before["户籍人口"]["total"] and entry["id"] not in _ids(found)
    published = _publish(cat, h, entry["id"])
    assert published["status"] == "published" and published["version"] == 1

    found = _find(cat, h, q="户籍人口")
    assert _ids(found) == _ids(before["户籍人口"]) | {entry["id"]}
    assert found["total"] == before["户籍人口"]["total"] + 1
    themes_before = before["户籍人口"]["facets"].get("theme", {})
    assert found["facets"]["theme"] == {**themes_before, "人口": themes_before.get("人口", 0) + 1}
    by_item = _find(cat, h, q="身份证号")
    assert by_item["total"] == before["身份证号"]["total"] + 1 and entry["id"] in _ids(by_item)

    # an edit becomes a draft revision: search keeps v1 until v2 is approved
    r = cat.put(
        f"/api/v1/catalog/entries/{entry['id']}",
        json=_body(name="菏泽市常住人口登记信息"),
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "draft"
    hits = _find(cat, h, q="常住人口")
    assert hits["total"] == before["常住人口"]["total"] and entry["id"] not in _ids(hits)
    _publish(cat, h, entry["id"])
    hits = _find(cat, h, q="常住人口")
    assert _ids(hits) == _ids(before["常住人口"]) | {entry["id"]}
    assert hits["total"] == before["常住人口"]["total"] + 1
    ours = [i["name"] for i in hits["items"] if i["id"] == entry["id"]]
    assert ours == ["菏泽市常住人口登记信息"]

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
    gone = _find(cat, h, q="常住人口")
    assert gone["total"] == before["常住人口"]["total"] and entry["id"] not in _ids(gone)


def test_browse_facets_and_filters(cat: TestClient) -> None:
    h = _h(cat)
    before = _find(cat, h)
    before_health = _find(cat, h, theme="医疗卫生")
    ours = [
        cat.post("/api/v1/catalog/entries", json=_body(), headers=h).json(),
        cat.post(
            "/api/v1/catalog/entries",
            json=_body(name="菏泽市医疗机构名录", department_code="371700005", theme="医疗卫生"),
            headers=h,
        ).json(),
    ]
    page = _find(cat, h)
    assert page["total"] == before["total"] + 2
    assert _ids(page) == _ids(before) | {e["id"] for e in ours}
    facets = before["facets"]
    added = Counter({"371700002": 1, "371700005": 1})
    assert page["facets"]["department"] == dict(Counter(facets["department"]) + added)
    assert page["facets"]["status"] == dict(Counter(facets["status"]) + Counter({"draft": 2}))
    only = _find(cat, h, theme="医疗卫生")
    assert _ids(only) == _ids(before_health) | {ours[1]["id"]}
    assert {i["theme"] for i in only["items"]} == {"医疗卫生"}
    assert [i["name"] for i in only["items"] if i["id"] == ours[1]["id"]] == ["菏泽市医疗机构名录"]
    params = {"limit": 1, "offset": 1}
    paged = cat.get("/api/v1/catalog/entries", params=params, headers=h).json()
    assert paged["total"] == before["total"] + 2 and len(paged["items"]) == 1
    assert paged["items"][0]["id"] == page["items"][1]["id"]  # ordered by code


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


def _entry_rows(data: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data))["目录"].iter_rows(min_row=2, values_only=True))


def test_xlsx_export_and_import_over_http(cat: TestClient) -> None:
    h = _h(cat)
    made = cat.post("/api/v1/catalog/entries", json=_body(), headers=h).json()
    total = _find(cat, h)["total"]
    r = cat.get("/api/v1/catalog/export.xlsx", headers=h)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    codes = [row[0] for row in _entry_rows(r.content)]
    assert len(codes) == total and made["code"] in codes
    # a filtered export holds only the matching entries
    r = cat.get("/api/v1/catalog/export.xlsx", params={"status": "draft"}, headers=h)
    drafts = _entry_rows(r.content)
    assert made["code"] in [row[0] for row in drafts]
    assert {row[list(ENTRY_COLUMNS).index("状态")] for row in drafts} == {"草稿"}
    # the round trip over our own entry (the demo's pending entries could not be updated)
    ours = only_rows(r.content, {made["code"]})
    files = {"file": ("目录.xlsx", ours, "application/octet-stream")}
    r = cat.post("/api/v1/catalog/import", files=files, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": [], "updated": [made["code"]], "errors": []}
    assert _find(cat, h)["total"] == total
    bad = {"file": ("x.xlsx", b"garbage", "application/octet-stream")}
    r = cat.post("/api/v1/catalog/import", files=bad, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "catalog.bad_xlsx"
