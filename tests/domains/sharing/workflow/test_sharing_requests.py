"""Share requests over the API: 无条件 granted at once, 有条件 provider → bureau, reject,
ask for more → resubmit, 不予共享 refused, permissions and scoping, timeline and audit."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.audit import AuditRecord, verify_chain
from tests.domains.sharing.conftest import World, bearer, request_body


def _create(client: TestClient, who: str, code: str, **extra: object) -> dict:
    r = client.post(
        "/api/v1/share/requests", json=request_body(code, **extra), headers=bearer(client, who)
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_unconditional_entry_is_granted_at_once(client: TestClient, world: World) -> None:
    req = _create(client, "mudanqu", world.facilities.code)
    assert req["status"] == "approved" and not req["conditional"]
    assert req["grant_id"] is not None
    assert [e["kind"] for e in req["timeline"]] == ["submit", "grant"]
    g = client.get(f"/api/v1/share/grants/{req['grant_id']}", headers=bearer(client, "dsj")).json()
    assert g["items"] == ["bm", "mc", "ssqx"] and g["status"] == "active"
    assert g["consumer"] == "371702001"


def test_conditional_goes_provider_then_bureau(
    client: TestClient, world: World, session: Session
) -> None:
    req = _create(client, "mudanqu", world.people.code, items=["bh", "xm", "ssqx"])
    assert req["status"] == "provider_review" and req["step"] == "provider"
    assert req["due_at"] is not None and req["grant_id"] is None
    rid = req["id"]
    # the bureau cannot act at the provider step (not the provider's data officer)
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision",
        json={"decision": "approve"},
        headers=bearer(client, "dsj"),
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "sharing.not_provider"
    # the requester cannot approve at all
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision",
        json={"decision": "approve"},
        headers=bearer(client, "mudanqu"),
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision",
        json={"decision": "approve"},
        headers=bearer(client, "gaj"),
    )
    assert r.status_code == 200 and r.json()["status"] == "bureau_review"
    # the provider cannot take the bureau step
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision",
        json={"decision": "approve"},
        headers=bearer(client, "gaj"),
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision",
        json={"decision": "approve", "reason": "同意"},
        headers=bearer(client, "dsj"),
    )
    body = r.json()
    assert body["status"] == "approved" and body["grant_id"] is not None
    assert [e["kind"] for e in body["timeline"]] == ["submit", "approve", "approve", "grant"]
    audit_ids = [e["audit_id"] for e in body["timeline"]]
    recs = session.scalars(select(AuditRecord).where(AuditRecord.id.in_(audit_ids))).all()
    assert sorted(r.action for r in recs) == [
        "share.approve",
        "share.approve",
        "share.grant",
        "share.submit",
    ]
    assert all(r.object_id == str(rid) for r in recs)
    assert verify_chain(session).ok
    # a second decision on a finished request is a conflict
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision",
        json={"decision": "approve"},
        headers=bearer(client, "dsj"),
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "sharing.bad_state"


def test_reject_needs_reason_and_ask_info_then_resubmit(client: TestClient, world: World) -> None:
    rid = _create(client, "mudanqu", world.people.code)["id"]
    gaj = bearer(client, "gaj")
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision", json={"decision": "reject"}, headers=gaj
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "sharing.reason_required"
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision",
        json={"decision": "ask_info", "reason": "请补充法律依据原文"},
        headers=gaj,
    )
    assert r.json()["status"] == "needs_info" and r.json()["due_at"] is None
    # only the requesting department resubmits
    r = client.post(f"/api/v1/share/requests/{rid}/resubmit", json={"note": "x"}, headers=gaj)
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/share/requests/{rid}/resubmit",
        json={"note": "已补充", "legal_basis": "《数据安全法》第三十八条"},
        headers=bearer(client, "mudanqu"),
    )
    body = r.json()
    assert body["status"] == "provider_review" and body["legal_basis"].startswith("《数据安全法》")
    assert body["due_at"] is not None
    r = client.post(
        f"/api/v1/share/requests/{rid}/decision",
        json={"decision": "reject", "reason": "用途与职责无关"},
        headers=gaj,
    )
    body = r.json()
    assert (
        body["status"] == "rejected"
        and body["note"] == "用途与职责无关"
        and body["grant_id"] is None
    )
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds == ["submit", "ask_info", "resubmit", "reject"]


def test_not_shareable_and_bad_requests(client: TestClient, world: World) -> None:
    h = bearer(client, "mudanqu")
    cases = [
        (request_body(world.secret.code), 403, "sharing.not_shareable"),
        (request_body(world.people.code, items=["bz"]), 403, "sharing.item_not_shareable"),
        (request_body(world.people.code, items=["nope"]), 422, "sharing.unknown_item"),
        (
            request_body(world.people.code, items=["xm"], unmasked_items=["sfzh"]),
            422,
            "sharing.unmasked_not_requested",
        ),
        (request_body(world.people.code, region_codes=["999999"]), 422, "sharing.bad_region"),
        (
            request_body(world.facilities.code, period_end="2020-01-01", period_start="2020-02-01"),
            422,
            "sharing.bad_period",
        ),
        (request_body(world.facilities.code, systems=[" "]), 422, "sharing.systems_required"),
        (request_body("371700002-99-999-9999"), 404, "catalog.not_found"),
        (
            request_body(world.facilities.code, department_code="371700002"),
            403,
            "sharing.not_own_department",
        ),
    ]
    for body, status, code in cases:
        r = client.post("/api/v1/share/requests", json=body, headers=h)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), body
    # wholly refused requests leave nothing behind
    assert client.get("/api/v1/share/requests", headers=h).json()["total"] == 0


def test_scoping_lists_and_inbox(client: TestClient, world: World) -> None:
    rid = _create(client, "mudanqu", world.people.code)["id"]
    assert [
        r["id"]
        for r in client.get(
            "/api/v1/share/requests?box=mine", headers=bearer(client, "mudanqu")
        ).json()["items"]
    ] == [rid]
    assert [
        r["id"]
        for r in client.get(
            "/api/v1/share/requests?box=inbox", headers=bearer(client, "gaj")
        ).json()["items"]
    ] == [rid]
    assert (
        client.get("/api/v1/share/requests?box=inbox", headers=bearer(client, "dsj")).json()[
            "total"
        ]
        == 0
    )
    # a duty officer has no share.read; the grid worker neither
    assert (
        client.get(f"/api/v1/share/requests/{rid}", headers=bearer(client, "zhiban")).status_code
        == 403
    )
    r = client.get("/api/v1/share/requests?box=bogus", headers=bearer(client, "dsj"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "sharing.bad_box"
    # anonymous: refused
    assert client.get("/api/v1/share/requests").status_code == 401
