"""Drafts stay with their provider; readers see what was published, and every old version."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.domains.catalog import service
from tests.conftest import login_token
from tests.domains.catalog.catalog_fixtures import principal, sample_entry


def _headers(client: TestClient, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, user)}"}


def _listed(client: TestClient, headers: dict[str, str], entry_id: int) -> bool:
    r = client.get(
        "/api/v1/catalog/entries",
        params={"department": "371700002", "limit": 200},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    return entry_id in {i["id"] for i in r.json()["items"]}


def test_drafts_are_private_until_published(session: Session, client: TestClient) -> None:
    gaj = principal(session, "gaj")
    entry = service.create_entry(session, principal=gaj, data=sample_entry(name="未发布的草稿"))
    session.commit()
    owner, bureau, reader = (_headers(client, u) for u in ("gaj", "dsj", "zhiban"))

    assert _listed(client, owner, entry.id)
    assert _listed(client, bureau, entry.id)
    assert not _listed(client, reader, entry.id)
    assert client.get(f"/api/v1/catalog/entries/{entry.id}", headers=reader).status_code == 404
    assert client.get(f"/catalog/{entry.id}", headers=reader).status_code == 404
    drafts = client.get(
        "/api/v1/catalog/entries", params={"status": "draft"}, headers=reader
    ).json()
    assert drafts["total"] == 0 and drafts["facets"]["status"].get("draft") is None

    service.submit(session, principal=gaj, entry_id=entry.id)
    service.approve(session, principal=principal(session, "dsj"), entry_id=entry.id)
    session.commit()
    assert _listed(client, reader, entry.id)
    got = client.get(f"/api/v1/catalog/entries/{entry.id}", headers=reader).json()
    assert got["name"] == "未发布的草稿" and got["version"] == 1


def test_unpublished_revision_shows_readers_the_published_version(
    session: Session, client: TestClient
) -> None:
    gaj, dsj = principal(session, "gaj"), principal(session, "dsj")
    entry = service.create_entry(session, principal=gaj, data=sample_entry(name="户籍人口v1"))
    service.submit(session, principal=gaj, entry_id=entry.id)
    service.approve(session, principal=dsj, entry_id=entry.id)
    revised = sample_entry(name="户籍人口v2", tags=["户籍", "人口", "新增"])
    revised.items = revised.items[:-1]  # drop 登记日期
    service.update_entry(session, principal=gaj, entry_id=entry.id, data=revised)
    session.commit()
    reader, owner = _headers(client, "zhiban"), _headers(client, "gaj")

    assert client.get(f"/api/v1/catalog/entries/{entry.id}", headers=reader).json()["name"] == (
        "户籍人口v1"
    )
    assert client.get(f"/api/v1/catalog/entries/{entry.id}", headers=owner).json()["name"] == (
        "户籍人口v2"
    )
    page = client.get(f"/catalog/{entry.id}", headers=reader, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/catalog/{entry.id}/versions/1"

    service.submit(session, principal=gaj, entry_id=entry.id)
    service.approve(session, principal=dsj, entry_id=entry.id)
    session.commit()
    v1 = client.get(f"/catalog/{entry.id}/versions/1", headers=reader)
    assert v1.status_code == 200 and "户籍人口v1" in v1.text and "已被 v2 取代" in v1.text
    v2 = client.get(f"/catalog/{entry.id}/versions/2", headers=reader)
    assert v2.status_code == 200 and "户籍人口v2" in v2.text
    assert "相对 v1 的变更" in v2.text and "删除信息项" in v2.text and "djrq" in v2.text
    assert client.get(f"/catalog/{entry.id}/versions/3", headers=reader).status_code == 404
