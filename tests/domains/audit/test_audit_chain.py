from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.audit import AuditRecord, verify_chain
from mudan.settings import Settings
from tests.test_cli import run_cli


def _append(session: Session, n: int) -> None:
    for i in range(n):
        audit.record(
            session,
            actor="dsj",
            role="bureau_operator",
            action="catalog.publish",
            object_type="catalog",
            object_id=str(i),
            purpose="测试",
            detail={"版本": i, "items": ["身份证号", "姓名"]},
        )
    session.commit()


def test_chain_verifies_and_links(session: Session) -> None:
    before = verify_chain(session).checked  # the demo world's own records (user creation)
    _append(session, 5)
    status = verify_chain(session)
    assert status.ok and status.checked == before + 5
    recs = session.query(AuditRecord).order_by(AuditRecord.id).all()
    assert recs[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(recs))


def test_edit_is_detected_at_the_edited_row(session: Session) -> None:
    _append(session, 6)
    session.execute(text("UPDATE audit_record SET actor = 'mallory' WHERE id = 4"))
    session.commit()
    status = verify_chain(session)
    assert not status.ok and status.first_broken_id == 4 and status.reason == "hash_mismatch"


def test_delete_is_detected(session: Session) -> None:
    _append(session, 6)
    session.execute(text("DELETE FROM audit_record WHERE id = 3"))
    session.commit()
    status = verify_chain(session)
    assert not status.ok and status.first_broken_id == 4 and status.reason == "gap"


def test_delete_last_then_reinsert_forged_row_is_detected(session: Session) -> None:
    _append(session, 3)
    session.execute(text("UPDATE audit_record SET prev_hash = :h WHERE id = 2"), {"h": "f" * 64})
    session.commit()
    status = verify_chain(session)
    assert status.first_broken_id == 2 and status.reason == "link_broken"


def test_cli_verify_passes_then_fails_after_manual_edit(
    settings: Settings, session: Session
) -> None:
    _append(session, 3)
    ok = run_cli(settings, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "审计链完整" in ok.stdout
    session.execute(text("UPDATE audit_record SET outcome = 'denied' WHERE id = 2"))
    session.commit()
    bad = run_cli(settings, "audit", "verify")
    assert bad.returncode == 1
    assert "第 2 条记录" in bad.stderr and "篡改" in bad.stderr


def test_audit_api_and_page(client: TestClient, admin_headers: dict[str, str]) -> None:
    # Issuing the admin token was itself audited.
    rows = client.get("/api/v1/audit", headers=admin_headers).json()
    assert any(r["action"] == "auth.token_issued" and r["actor"] == "admin" for r in rows)
    assert client.get("/api/v1/audit/verify", headers=admin_headers).json()["ok"] is True
