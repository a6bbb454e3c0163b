"""The portal follows the catalog and the lake on its own (the ``opendata.sync`` job): the demo
opens the seed's share of catalogs; publishing, revising and withdrawing (下架) an entry opens,
updates and closes its dataset; a lake reload refreshes the dataset's rows, history and score."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core import scheduler
from mudan.core.runtime import Runtime
from mudan.domains.catalog.demo import open_count
from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.opendata.models import OpenDataset
from mudan.domains.opendata.rules import OPEN_TYPES
from mudan.settings import Settings
from tests.conftest import login_token

POLICE = "371700002"


def _entry(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "department_code": POLICE,
        "abstract": "公安局公开的停车场泊位信息，按日更新，供公众查询。",
        "theme": "交通",
        "category": "业务信息",
        "update_cycle": "daily",
        "share_type": "unconditional",
        "open_type": "unconditional",
        "grade": "general",
        "items": [
            {"name": "tccbm", "label": "停车场编码"},
            {"name": "bws", "label": "泊位数", "type": "integer"},
        ],
        **extra,
    }


def _headers(client: TestClient, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, user)}"}


def _act(client: TestClient, eid: int, who: dict[str, str], action: str, **kw: str) -> None:
    r = client.post(
        f"/api/v1/catalog/entries/{eid}/transitions", headers=who, json={"action": action, **kw}
    )
    assert r.status_code == 200, r.text


def _publish(client: TestClient, body: dict[str, Any]) -> int:
    gaj, dsj = _headers(client, "gaj"), _headers(client, "dsj")
    r = client.post("/api/v1/catalog/entries", headers=gaj, json=body)
    assert r.status_code == 201, r.text
    eid = int(r.json()["id"])
    _act(client, eid, gaj, "submit")
    _act(client, eid, dsj, "approve")
    return eid


def _run(settings: Settings) -> str:
    with Runtime(settings) as rt:
        return scheduler.run_periodic("opendata.sync", runtime=rt)


def _dataset(session: Session, eid: int) -> OpenDataset | None:
    session.expire_all()
    return session.scalar(select(OpenDataset).where(OpenDataset.entry_id == eid))


def _show(client: TestClient, name: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/api/3/action/package_show", params={"id": name}).json()
    return body


def _search(client: TestClient, q: str) -> list[str]:
    r = client.get("/api/3/action/package_search", params={"q": q})
    return [p["name"] for p in r.json()["result"]["results"]]


def test_demo_portal_holds_the_seed_share_of_open_catalogs(session: Session) -> None:
    entries = int(session.scalar(select(func.count()).select_from(CatalogEntry)) or 0)
    open_live = session.scalar(
        select(func.count())
        .select_from(CatalogEntry)
        .where(
            CatalogEntry.open_type.in_(OPEN_TYPES),
            CatalogEntry.status == "published",
        )
    )
    active = session.scalar(
        select(func.count()).select_from(OpenDataset).where(OpenDataset.state == "active")
    )
    # derived from the catalog's open types: 2,669 of 14,300 at scale 1
    assert active == open_live == open_count(entries) > 0


def test_publish_revise_withdraw_follow_through_the_job(
    client: TestClient, session: Session, settings: Settings
) -> None:
    assert "0 entries synced" in _run(settings)  # the demo world is in step
    eid = _publish(client, _entry("菏泽市公共停车场泊位信息"))
    assert _dataset(session, eid) is None  # not before the job runs
    assert "1 entries synced (1 open, 0 closed)" in _run(settings)
    ds = _dataset(session, eid)
    assert ds is not None and ds.state == "active" and ds.catalog_version == 1
    name = ds.name
    shown = _show(client, name)
    assert shown["success"] and shown["result"]["title"] == "菏泽市公共停车场泊位信息"
    assert name in _search(client, "停车场泊位")
    # a revision: the edit stays off the portal until it is approved
    gaj, dsj = _headers(client, "gaj"), _headers(client, "dsj")
    revised = _entry("菏泽市公共停车场实时泊位", open_type="conditional", open_conditions="注册")
    r = client.put(f"/api/v1/catalog/entries/{eid}", headers=gaj, json=revised)
    assert r.status_code == 200, r.text
    _run(settings)
    ds = _dataset(session, eid)
    assert ds is not None and ds.title == "菏泽市公共停车场泊位信息" and ds.catalog_version == 1
    _act(client, eid, gaj, "submit")
    _act(client, eid, dsj, "approve")
    assert "1 entries synced (1 open, 0 closed)" in _run(settings)
    ds = _dataset(session, eid)
    assert ds is not None and (ds.title, ds.open_type, ds.catalog_version) == (
        "菏泽市公共停车场实时泊位",
        "conditional",
        2,
    )
    assert _show(client, name)["result"]["title"] == "菏泽市公共停车场实时泊位"
    # 下架: the dataset closes and leaves the API and the search
    _act(client, eid, gaj, "withdraw", reason="数据停止更新")
    assert "1 entries synced (0 open, 1 closed)" in _run(settings)
    ds = _dataset(session, eid)
    assert ds is not None and ds.state == "deleted"
    gone = _show(client, name)
    assert gone["success"] is False and gone["error"]["__type"] == "Not Found Error"
    assert name not in _search(client, "停车场")
    assert "0 entries synced" in _run(settings)  # idempotent


def test_an_entry_closed_to_the_public_closes_its_dataset(
    client: TestClient, session: Session, settings: Settings
) -> None:
    eid = _publish(client, _entry("菏泽市停车场收费标准"))
    _run(settings)
    gaj, dsj = _headers(client, "gaj"), _headers(client, "dsj")
    body = _entry("菏泽市停车场收费标准", open_type="none")
    assert client.put(f"/api/v1/catalog/entries/{eid}", headers=gaj, json=body).status_code == 200
    _act(client, eid, gaj, "submit")
    _act(client, eid, dsj, "approve")
    assert "(0 open, 1 closed)" in _run(settings)
    ds = _dataset(session, eid)
    assert ds is not None and ds.state == "deleted" and ds.catalog_version == 2
    assert "0 entries synced" in _run(settings)  # the judged version is not looked at again


def test_a_lake_reload_refreshes_the_dataset(
    client: TestClient, session: Session, settings: Settings
) -> None:
    eid = _publish(client, _entry("菏泽市停车场泊位日报", aggregated=True, key_columns=["tccbm"]))
    _run(settings)
    ds = _dataset(session, eid)
    assert ds is not None and ds.data_rows == 0 and ds.data_updated_at is None
    gaj = _headers(client, "gaj")

    def load(csv: str) -> None:
        r = client.post(
            "/api/v1/ingest/uploads",
            headers=gaj,
            data={"table_ref": ds.table_ref},
            files={"file": ("a.csv", csv.encode(), "text/csv")},
        )
        assert r.status_code == 202, r.text

    load("停车场编码,泊位数\nP0001,120\nP0002,80\nP0003,45\n")
    assert "1 datasets refreshed" in _run(settings)
    ds = _dataset(session, eid)
    assert ds is not None and ds.data_rows == 3 and ds.data_updated_at is not None
    assert ds.checks["machine_readable"] is True
    first = ds.data_updated_at
    assert "0 datasets refreshed" in _run(settings)
    load("停车场编码,泊位数\nP0004,60\nP0005,30\n")
    assert "1 datasets refreshed" in _run(settings)
    ds = _dataset(session, eid)
    assert ds is not None and ds.data_rows == 5 and ds.data_updated_at > first
    page = client.get(f"/open/dataset/{ds.name}")
    assert page.status_code == 200
    history = page.text.split('id="history"')[1].split("</table>")[0]
    assert history.count("<tr>") == 3  # header + two loads, newest first
    assert "P0005" in page.text  # the preview reads the reloaded table
