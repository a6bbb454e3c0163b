"""The CKAN Action API: envelope, error types, search with facets, datastore_search."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.opendata.models import OpenDataset
from tests.domains.opendata.conftest import pick


def _ok(r: httpx.Response) -> Any:
    body = r.json()
    assert r.status_code == 200, body
    action = r.url.path.rsplit("/", 1)[-1]
    assert body["success"] is True and body["help"].endswith("help_show?name=" + action)
    return body["result"]


def test_both_paths_answer_in_ckans_envelope(client: TestClient, session: Session) -> None:
    names = sorted(session.scalars(select(OpenDataset.name).where(OpenDataset.state == "active")))
    assert names
    assert _ok(client.get("/api/3/action/package_list")) == names
    assert _ok(client.post("/api/action/package_list", json={})) == names
    status = _ok(client.get("/api/3/action/status_show"))
    assert isinstance(status, dict) and "datastore" in status["extensions"]


def test_error_types(client: TestClient) -> None:
    r = client.get("/api/3/action/package_show", params={"id": "no-such-dataset"})
    assert r.status_code == 404
    body = r.json()
    assert body["success"] is False and body["error"]["__type"] == "Not Found Error"
    assert "no-such-dataset" in body["error"]["message"]
    r = client.get("/api/3/action/package_search", params={"rows": "many"})
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["__type"] == "Validation Error" and "rows" in err
    r = client.get("/api/3/action/package_search", params={"fq": "secret_field:x"})
    assert r.status_code == 409 and r.json()["error"]["__type"] == "Search Query Error"
    assert "secret_field:x" in r.json()["error"]["message"]
    r = client.get("/api/3/action/resource_show", params={"id": "nope-csv"})
    assert r.json()["error"]["__type"] == "Not Found Error"
    r = client.get("/api/3/action/package_create")
    assert r.status_code == 400 and r.json()["success"] is False
    r = client.post(
        "/api/3/action/package_show", content=b"[1]", headers={"content-type": "application/json"}
    )
    assert r.json()["error"]["__type"] == "Validation Error"


def test_package_search_facets_filters_and_paging(client: TestClient, session: Session) -> None:
    total = session.query(OpenDataset).filter(OpenDataset.state == "active").count()
    res = _ok(
        client.get(
            "/api/3/action/package_search",
            params={"facet.field": json.dumps(["organization", "open_type"]), "rows": 3},
        )
    )
    assert isinstance(res, dict)
    assert res["count"] == total and len(res["results"]) == 3
    orgs = res["facets"]["organization"]
    assert sum(orgs.values()) == total
    items = res["search_facets"]["organization"]["items"]
    assert {i["name"] for i in items} == set(orgs) and all(i["display_name"] for i in items)
    org, n = max(orgs.items(), key=lambda kv: kv[1])
    filtered = _ok(
        client.get(
            "/api/3/action/package_search", params={"fq": f"organization:{org}", "rows": 100}
        )
    )
    assert isinstance(filtered, dict) and filtered["count"] == n
    assert {p["organization"]["name"] for p in filtered["results"]} == {org}
    # paging walks every dataset exactly once
    seen: list[str] = []
    for start in range(0, total, 7):
        page = _ok(client.get("/api/3/action/package_search", params={"rows": 7, "start": start}))
        seen += [p["name"] for p in page["results"]]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == total
    # a Chinese query finds a dataset by a word of its title
    ds = session.scalars(select(OpenDataset).where(OpenDataset.state == "active")).first()
    assert ds is not None
    hit = _ok(client.get("/api/3/action/package_search", params={"q": ds.title}))
    assert ds.name in [p["name"] for p in hit["results"]]
    by_title = _ok(
        client.get("/api/3/action/package_search", params={"sort": "title_string asc", "rows": 50})
    )
    titles = [p["title"] for p in by_title["results"]]
    assert titles == sorted(titles)


def test_no_personal_or_sensitive_item_is_ever_exposed(
    client: TestClient, session: Session
) -> None:
    checked = 0
    for ds in session.scalars(select(OpenDataset).where(OpenDataset.state == "active")):
        entry = session.get(CatalogEntry, ds.entry_id)
        assert entry is not None and entry.grade == "general"
        allowed = {
            i.name
            for i in entry.items
            if i.personal_kind is None
            and i.sensitivity <= (1 if ds.open_type == "unconditional" else 2)
        }
        hidden = {i.name for i in entry.items} - allowed
        assert {f["name"] for f in ds.fields} <= allowed
        if ds.open_type == "unconditional" and ds.data_rows and hidden:
            res = _ok(
                client.get(
                    "/api/3/action/datastore_search", params={"resource_id": f"{ds.name}-csv"}
                )
            )
            assert isinstance(res, dict)
            keys = set().union(*(r.keys() for r in res["records"]))
            assert keys and not (keys & hidden)
            checked += 1
    assert checked, "the demo world should hold an open dataset with hidden items"


def test_datastore_search(client: TestClient, session: Session) -> None:
    ds = pick(session, "unconditional")
    rid = f"{ds.name}-csv"
    base = _ok(client.get("/api/3/action/datastore_search", params={"resource_id": rid}))
    assert isinstance(base, dict)
    assert base["total"] == ds.data_rows and len(base["records"]) == min(100, ds.data_rows)
    assert [f["id"] for f in base["fields"]] == ["_id", *[f["name"] for f in ds.fields]]
    assert base["_links"]["next"].endswith("offset=100")
    col = ds.fields[0]["name"]
    value = base["records"][0][col]
    flt = _ok(
        client.post(
            "/api/3/action/datastore_search",
            json={"resource_id": rid, "filters": {col: value}, "fields": [col], "limit": 5},
        )
    )
    assert isinstance(flt, dict)
    assert flt["records"] and all(r == {col: value} for r in flt["records"])
    assert flt["total"] == sum(1 for r in _all(client, rid) if r[col] == value)
    page = _ok(
        client.get(
            "/api/3/action/datastore_search",
            params={
                "resource_id": rid,
                "sort": f"{col} desc",
                "limit": 3,
                "offset": 2,
                "include_total": "false",
            },
        )
    )
    assert isinstance(page, dict) and "total" not in page
    ordered = sorted((r[col] for r in _all(client, rid)), reverse=True)
    assert [r[col] for r in page["records"]] == ordered[2:5]
    text = str(value)[:3]
    found = _ok(
        client.get("/api/3/action/datastore_search", params={"resource_id": rid, "q": text})
    )
    assert found["total"] >= 1
    bad = client.post(
        "/api/3/action/datastore_search", json={"resource_id": rid, "filters": {"sfzh": "1"}}
    )
    assert bad.status_code == 409
    err = bad.json()["error"]
    assert err["__type"] == "Validation Error" and "filters" in err and "sfzh" in err["filters"][0]
    bad = client.get(
        "/api/3/action/datastore_search", params={"resource_id": rid, "filters": "{not json"}
    )
    assert "filters" in bad.json()["error"]


def _all(client: TestClient, rid: str) -> list[dict[str, object]]:
    res = client.get(
        "/api/3/action/datastore_search", params={"resource_id": rid, "limit": 32000}
    ).json()["result"]
    records: list[dict[str, object]] = res["records"]
    return records
