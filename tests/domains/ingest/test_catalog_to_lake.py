"""The data platform's main path: a department registers an entry, the bureau publishes it,
the department loads a file into the entry's lake table, and the bureau queries it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import login_token


def test_publish_then_load_then_query(client: TestClient) -> None:
    gaj = {"Authorization": f"Bearer {login_token(client, 'gaj')}"}
    dsj = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    entry = {
        "name": "菏泽市机动车登记测试表",
        "department_code": "371700002",
        "abstract": "公安局机动车登记信息",
        "theme": "交通",
        "category": "业务信息",
        "update_cycle": "daily",
        "share_type": "unconditional",
        "grade": "general",
        "aggregated": True,
        "key_columns": ["hphm"],
        "items": [
            {"name": "hphm", "label": "号牌号码"},
            {"name": "djrq", "label": "登记日期", "type": "date"},
            {"name": "pl", "label": "排量", "type": "decimal"},
        ],
    }
    r = client.post("/api/v1/catalog/entries", headers=gaj, json=entry)
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    base = f"/api/v1/catalog/entries/{eid}/transitions"
    assert client.post(base, headers=gaj, json={"action": "submit"}).status_code == 200
    assert client.post(base, headers=dsj, json={"action": "approve"}).status_code == 200
    table = f"d371700002.t{eid}"
    csv = (
        "号牌号码,登记日期,排量\n"
        "鲁R12345,2024-03-01,1.6\n鲁R23456,2024/03/02,2.0\n鲁R99999,昨天,1.5\n"
    )
    r = client.post(
        "/api/v1/ingest/uploads",
        headers=gaj,
        data={"table_ref": table},
        files={"file": ("机动车.csv", csv.encode("gb18030"), "text/csv")},
    )
    assert r.status_code == 202, r.text
    job = client.get(f"/api/v1/ingest/jobs/{r.json()['id']}", headers=gaj).json()
    assert job["status"] == "succeeded", job["log"]
    assert (job["rows_written"], job["rows_quarantined"]) == (2, 1)
    r = client.post(
        "/api/v1/query", headers=dsj, json={"sql": f"SELECT hphm, djrq FROM {table} ORDER BY hphm"}
    )
    assert r.json()["rows"] == [["鲁R12345", "2024-03-01"], ["鲁R23456", "2024-03-02"]]
    tickets = client.get("/api/v1/quality/tickets", headers=dsj).json()
    assert any(t["table_ref"] == table and t["department_code"] == "371700002" for t in tickets)


def test_aggregation_rate_counts_fresh_loads(client: TestClient) -> None:
    dsj = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    before = client.get("/api/v1/ingest/aggregation-rate", headers=dsj).json()
    # the demo catalog registers its published 需归集 entries; the demo loads only a few
    assert before["city"]["due"] > before["city"]["on_time"] >= 0
    test_publish_then_load_then_query(client)
    after = client.get("/api/v1/ingest/aggregation-rate", headers=dsj).json()
    assert after["city"]["due"] == before["city"]["due"] + 1
    assert after["city"]["on_time"] == before["city"]["on_time"] + 1

    def police(body: dict) -> int:  # type: ignore[type-arg]
        rows = [d for d in body["departments"] if d["department_code"] == "371700002"]
        return int(rows[0]["on_time"]) if rows else 0

    assert police(after) == police(before) + 1
    assert "全市汇聚率" in client.get("/ingest", headers=dsj).text
