"""Quarantined rows hold raw values (citizen IDs…): a department sees only its own tables."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.quality.models import CorrectionTicket, QuarantineRow
from tests.conftest import login_token

POLICE, HEALTH = "d371700002.hukou", "d371700005.patients"


def _seed(session: Session) -> tuple[int, int, int]:
    rows = []
    for ref in (POLICE, HEALTH):
        row = QuarantineRow(
            table_ref=ref,
            job_id="j",
            row_number=1,
            rule_id="r",
            rule_kind="citizen_id",
            column="sfzh",
            reason="校验码错误",
            values={"sfzh": "37170219800101001X"},
            status="pending",
        )
        session.add(row)
        rows.append(row)
    ticket = CorrectionTicket(
        table_ref=HEALTH,
        department_code="371700005",
        title="纠错",
        source="quality",
        status="open",
        violations=1,
        deadline=utcnow() + timedelta(days=7),
    )
    session.add(ticket)
    session.commit()
    return rows[0].id, rows[1].id, ticket.id


def test_department_sees_and_handles_only_its_own_quality_data(
    client: TestClient, session: Session
) -> None:
    own, other, ticket = _seed(session)
    gaj = {"Authorization": f"Bearer {login_token(client, 'gaj')}"}  # 公安局 371700002
    page = client.get("/api/v1/quality/quarantine", headers=gaj).json()
    refs = {r["table_ref"] for r in page["items"]}
    assert POLICE in refs and HEALTH not in refs
    assert all(r.startswith("d371700002.") for r in refs)
    r = client.get("/api/v1/quality/quarantine", headers=gaj, params={"table_ref": HEALTH})
    assert r.status_code == 403 and r.json()["error"]["code"] == "quality.not_your_table"
    r = client.post("/api/v1/quality/quarantine/reject", headers=gaj, json={"ids": [other]})
    assert r.status_code == 403
    assert client.post(
        "/api/v1/quality/quarantine/reject", headers=gaj, json={"ids": [own]}
    ).json() == {"rejected": 1}
    assert ticket not in {
        t["id"] for t in client.get("/api/v1/quality/tickets", headers=gaj).json()
    }
    assert client.get(f"/api/v1/quality/tickets/{ticket}", headers=gaj).status_code == 403
    r = client.post(
        "/api/v1/quality/rules",
        headers=gaj,
        json={"table_ref": HEALTH, "kind": "not_null", "column": "sfzh", "params": {}},
    )
    assert r.status_code == 403
    # The bureau sees every department; evaluators read every ticket (no row values in them).
    dsj = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    all_refs = {
        r["table_ref"]
        for r in client.get(
            "/api/v1/quality/quarantine", headers=dsj, params={"page_size": 500}
        ).json()["items"]
    }
    assert HEALTH in all_refs
    kaohe = {"Authorization": f"Bearer {login_token(client, 'kaohe')}"}
    assert client.get(f"/api/v1/quality/tickets/{ticket}", headers=kaohe).status_code == 200
    assert "d371700005" not in client.get("/quality/quarantine", headers=gaj).text
