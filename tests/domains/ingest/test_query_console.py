"""The read-only SQL console over real Iceberg tables, through the API and the page."""

from __future__ import annotations

import pyarrow as pa
from fastapi.testclient import TestClient

from mudan.lake.catalog import Lake
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec, arrow_schema
from mudan.settings import Settings
from tests.conftest import login_token

POLICE = TableSpec(
    "d371700002",
    "vehicles",
    (
        ColumnSpec("plate", ItemType.STRING, "号牌"),
        ColumnSpec("district", ItemType.STRING, "区县"),
    ),
)
HEALTH = TableSpec("d371700005", "clinics", (ColumnSpec("name", ItemType.STRING, "名称"),))


def _seed(settings: Settings) -> None:
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lake:
        for spec, rows in (
            (
                POLICE,
                [
                    {"plate": f"鲁R{i:05d}", "district": "牡丹区" if i % 3 else "曹县"}
                    for i in range(30)
                ],
            ),
            (HEALTH, [{"name": "菏泽市立医院"}]),
        ):
            lake.ensure_table(spec)
            batch = pa.RecordBatch.from_pylist(rows, schema=arrow_schema(spec))
            lake.load(spec, [batch], batch_id=f"seed-{spec.name}")


def test_department_queries_its_own_tables_only(client: TestClient, settings: Settings) -> None:
    _seed(settings)
    h = {"Authorization": f"Bearer {login_token(client, 'gaj')}"}  # 公安局
    sql = (
        "SELECT district, count(*) AS n FROM d371700002.vehicles "
        "GROUP BY district ORDER BY district"
    )
    r = client.post("/api/v1/query", headers=h, json={"sql": sql})
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [["曹县", 10], ["牡丹区", 20]]
    r = client.post("/api/v1/query", headers=h, json={"sql": "SELECT * FROM d371700005.clinics"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "lake.table_forbidden"
    bureau = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    r = client.post(
        "/api/v1/query", headers=bureau, json={"sql": "SELECT name FROM d371700005.clinics"}
    )
    assert r.json()["rows"] == [["菏泽市立医院"]]


def test_only_select_and_limits(client: TestClient, settings: Settings) -> None:
    _seed(settings)
    h = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    for bad in (
        "DROP TABLE d371700002.vehicles",
        "SELECT 1; DROP TABLE d371700002.vehicles",
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH 'x.db'",
    ):
        r = client.post("/api/v1/query", headers=h, json={"sql": bad})
        assert r.status_code in (403, 422), (bad, r.text)
        assert r.json()["error"]["code"].startswith("lake."), bad
    r = client.post(
        "/api/v1/query",
        headers=h,
        json={"sql": "SELECT plate FROM d371700002.vehicles", "max_rows": 5},
    )
    assert len(r.json()["rows"]) == 5 and r.json()["truncated"] is True
    r = client.post(
        "/api/v1/query", headers=h, json={"sql": "SELECT 1 / 0 FROM d371700002.vehicles"}
    )
    assert r.status_code in (200, 422)
    r = client.post(
        "/api/v1/query.csv",
        headers=h,
        json={"sql": "SELECT count(*) AS n FROM d371700002.vehicles"},
    )
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf") and b"30" in r.content
    audit = client.get(
        "/api/v1/audit", headers={"Authorization": f"Bearer {login_token(client, 'admin')}"}
    ).json()
    assert any(a["action"] == "lake.query" and a["outcome"] == "denied" for a in audit)


def test_console_page(client: TestClient, settings: Settings) -> None:
    _seed(settings)
    h = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    assert "SQL" in client.get("/query", headers=h).text
