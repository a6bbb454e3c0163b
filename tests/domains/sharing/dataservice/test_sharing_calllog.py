"""Every data-service call is logged (caller, grant, purpose, rows) and sealed into the SM3
audit chain; usage statistics per grant and department; tampering breaks the seal."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mudan.core.audit import AuditRecord, verify_chain
from mudan.domains.sharing.dataservice import calllog
from mudan.domains.sharing.models import ServiceCall
from tests.domains.sharing.conftest import World, bearer, granted


def test_calls_are_logged_sealed_and_counted(
    client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    sizes = [1, 5, 3]
    for size in sizes:
        assert (
            client.get(
                f"/api/v1/share/services/{gid}", params={"_size": size}, headers=h
            ).status_code
            == 200
        )
    assert (
        client.get(f"/api/v1/share/services/{gid}", params={"nl": "x"}, headers=h).status_code
        == 400
    )
    session.expire_all()
    calls = session.scalars(
        select(ServiceCall).where(ServiceCall.grant_id == gid).order_by(ServiceCall.id)
    ).all()
    assert [c.rows for c in calls] == [*sizes, 0]
    assert [c.status for c in calls] == [200, 200, 200, 400]
    assert all(
        c.caller.startswith("sys-371702001-g") and c.purpose == "牡丹区社区人口服务管理"
        for c in calls
    )
    assert all(c.department_code == "371702001" for c in calls)
    calllog.seal(session)
    session.commit()
    assert session.scalar(select(ServiceCall.id).where(ServiceCall.sealed_by.is_(None))) is None
    seal = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "dataservice.calls")
    ).all()
    assert sum(s.detail["count"] for s in seal) >= len(calls)
    assert verify_chain(session).ok and calllog.verify_seals(session).ok
    usage = client.get("/api/v1/share/usage", headers=bearer(client, "dsj")).json()
    mine = next(u for u in usage["grants"] if u["grant_id"] == gid)
    assert (mine["calls"], mine["rows"], mine["denied"]) == (4, sum(sizes), 1)
    dept = next(u for u in usage["departments"] if u["department_code"] == "371702001")
    assert dept["rows"] == sum(sizes)
    # rewriting history breaks the seal
    session.expire_all()
    sealed_by = session.scalar(select(ServiceCall.sealed_by).where(ServiceCall.id == calls[1].id))
    assert sealed_by is not None
    session.execute(update(ServiceCall).where(ServiceCall.id == calls[1].id).values(rows=0))
    session.commit()
    check = calllog.verify_seals(session)
    assert not check.ok and check.broken_seal == sealed_by
