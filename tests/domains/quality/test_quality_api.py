"""Quality API and pages through the real app (plugin enabled like a third-party plugin)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.app import create_app
from mudan.core.audit import AuditRecord
from mudan.domains.quality import service as qs
from mudan.domains.quality.engine import evaluate
from mudan.domains.quality.models import QuarantineRow
from mudan.hooks import collect
from mudan.lake import lake_of, registry
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from mudan.settings import Settings
from tests.conftest import login_token

SPEC = TableSpec(
    "d371700002",
    "plates",
    (ColumnSpec("plate", ItemType.STRING), ColumnSpec("age", ItemType.INTEGER)),
    key=("plate",),
)
PLUGIN = "mudan.domains.quality.plugin"


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"plugins": [PLUGIN]}))) as c:
        yield c


@pytest.fixture
def h(app_client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(app_client, 'admin')}"}


def seed(session: Session) -> None:
    """A registered table with one load that quarantined two rows."""
    registry.register_table(session, spec=SPEC, department_code="371700002")
    qs.create_rule(
        session, table_ref=SPEC.ident, kind="primary_key", column=None, params={}, actor="t"
    )
    data = {"plate": ["鲁R12345", "鲁R12345", "鲁R99999"], "age": ["1", "2", "x"]}
    batch = pa.record_batch({k: pa.array(v, pa.string()) for k, v in data.items()})
    ctx = qs.rule_context(session, today=date(2026, 1, 1))
    ev = evaluate(
        batch, SPEC, qs.load_rules(session, table_ref=SPEC.ident), row_offset=0, context=ctx
    )
    qs.record_evaluation(
        session, table_ref=SPEC.ident, job_id="job1", department_code="371700002", evaluation=ev,
        total_rows=3,
    )  # fmt: skip
    session.commit()


def test_routes_are_authenticated_and_permission_checked(app_client: TestClient) -> None:
    assert app_client.get("/api/v1/quality/rules").status_code == 401
    grid = {"Authorization": f"Bearer {login_token(app_client, 'wangge')}"}
    assert app_client.get("/api/v1/quality/rules", headers=grid).status_code == 403
    officer = {"Authorization": f"Bearer {login_token(app_client, 'kaohe')}"}  # read only
    assert app_client.get("/api/v1/quality/tickets", headers=officer).status_code == 200
    r = app_client.post("/api/v1/quality/quarantine/reject", json={"ids": [1]}, headers=officer)
    assert r.status_code == 403


def test_rules_api_crud_with_audit(
    app_client: TestClient, h: dict[str, str], session: Session
) -> None:
    seed(session)
    base = "/api/v1/quality/rules"
    body = {
        "table_ref": SPEC.ident,
        "kind": "regex",
        "column": "plate",
        "params": {"pattern": "(["},
    }
    bad = app_client.post(base, json=body, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "quality.bad_regex"
    assert "正则" in bad.json()["error"]["message"]
    body = {"table_ref": SPEC.ident, "kind": "range", "column": "age", "params": {"min": 0}}
    r = app_client.post(base, json=body, headers=h)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = app_client.patch(
        f"{base}/{rid}", json={"params": {"min": 0, "max": 9}, "severity": "warning"}, headers=h
    )
    assert r.status_code == 200 and r.json()["params"] == {"min": 0, "max": 9}
    listed = app_client.get(base, params={"table_ref": SPEC.ident}, headers=h).json()
    assert [x["kind"] for x in listed] == ["primary_key", "range"]
    assert app_client.delete(f"{base}/{rid}", headers=h).status_code == 204
    assert app_client.delete(f"{base}/{rid}", headers=h).status_code == 404
    session.expire_all()
    actions = set(session.scalars(select(AuditRecord.action)))
    assert {"quality.rule_created", "quality.rule_updated", "quality.rule_deleted"} <= actions


def test_quarantine_release_reject_tickets_scores(
    app_client: TestClient, h: dict[str, str], session: Session
) -> None:
    seed(session)
    page = app_client.get(
        "/api/v1/quality/quarantine", params={"table_ref": SPEC.ident, "page_size": 1}, headers=h
    ).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    first = page["items"][0]
    assert first["row_number"] == 2 and first["reason"] == "主键为空或重复"
    ids = [r.id for r in session.scalars(select(QuarantineRow).order_by(QuarantineRow.id))]

    r = app_client.post(
        "/api/v1/quality/quarantine/release",
        json={
            "ids": ids,
            "fixed_values": {str(ids[0]): {"plate": "鲁R54321"}, str(ids[1]): {"age": "y"}},
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["released"] == [ids[0]] and str(ids[1]) in r.json()["still_bad"]
    lake = lake_of(app_client.app.state.ctx)  # type: ignore[attr-defined]
    landed = pa.concat_tables(pq.read_table(f) for f in lake.data_files(SPEC.ident))
    assert landed.to_pylist() == [{"plate": "鲁R54321", "age": 2}]  # released rows reach the lake
    r = app_client.post("/api/v1/quality/quarantine/reject", json={"ids": [ids[1]]}, headers=h)
    assert r.json() == {"rejected": 1}
    again = app_client.post("/api/v1/quality/quarantine/reject", json={"ids": [ids[1]]}, headers=h)
    assert again.status_code == 409 and again.json()["error"]["code"] == "quality.already_resolved"

    tickets = app_client.get("/api/v1/quality/tickets", params={"status": "open"}, headers=h).json()
    assert len(tickets) == 1 and tickets[0]["department_code"] == "371700002"
    tid = tickets[0]["id"]
    assert app_client.get(f"/api/v1/quality/tickets/{tid}", headers=h).json()["violations"] == 2
    r = app_client.post(
        f"/api/v1/quality/tickets/{tid}/transition", json={"to": "fixing"}, headers=h
    )
    assert r.json()["status"] == "fixing"
    r = app_client.post(f"/api/v1/quality/tickets/{tid}/transition", json={"to": "open"}, headers=h)
    assert r.status_code == 409
    body = {"table_ref": SPEC.ident, "department_code": "371700002", "title": "群众反映号牌错误"}
    made = app_client.post("/api/v1/quality/tickets", json={**body, "source": "public"}, headers=h)
    assert made.status_code == 201 and made.json()["source"] == "public"

    scores = app_client.get("/api/v1/quality/scores", headers=h).json()
    assert scores["tables"][0]["score"] == pytest.approx(33.33)
    assert scores["departments"] == [{"department_code": "371700002", "tables": 1, "score": 33.33}]
    session.expire_all()
    actions = set(session.scalars(select(AuditRecord.action)))
    assert {
        "quality.released",
        "quality.rejected",
        "quality.ticket_fixing",
        "quality.ticket_opened",
    } <= actions


def test_pages_render_and_forms_work(
    app_client: TestClient, h: dict[str, str], session: Session
) -> None:
    seed(session)
    q = app_client.get("/quality/quarantine", params={"table_ref": SPEC.ident}, headers=h)
    assert q.status_code == 200 and "主键为空或重复" in q.text and 'name="csrf_token"' in q.text
    t = app_client.get("/quality/tickets", headers=h)
    assert t.status_code == 200 and "数据质量纠错" in t.text and "33.33" in t.text
    rules = app_client.get("/quality/rules", params={"table_ref": SPEC.ident}, headers=h)
    assert rules.status_code == 200 and "主键" in rules.text
    bad = app_client.post(
        "/quality/rules",
        data={"table_ref": SPEC.ident, "kind": "regex", "column": "plate", "params": "{not json"},
        headers=h,
    )
    assert bad.status_code == 422 and "JSON" in bad.text
    ok = app_client.post(
        "/quality/rules",
        data={
            "table_ref": SPEC.ident,
            "kind": "regex",
            "column": "plate",
            "params": '{"pattern": "鲁R.{5}"}',
        },
        headers=h,
    )
    assert ok.status_code == 200 and "鲁R.{5}" in ok.text
    row = session.scalars(select(QuarantineRow).order_by(QuarantineRow.id)).first()
    assert row is not None
    r = app_client.post(f"/quality/quarantine/{row.id}/reject", data={"table_ref": ""}, headers=h)
    assert r.status_code == 200
    session.expire_all()
    assert session.get(QuarantineRow, row.id).status == "rejected"  # type: ignore[union-attr]
    en = app_client.get("/quality/quarantine", params={"lang": "en"}, headers=h)
    assert "Quarantine" in en.text and "Fix and release" in en.text
    pm = app_client.app.state.ctx.pm  # type: ignore[attr-defined]
    hrefs = {e.href for e in collect(pm.hook.mudan_nav_entries()) if e.section == "data"}
    assert {"/quality/quarantine", "/quality/tickets", "/quality/rules"} <= hrefs
