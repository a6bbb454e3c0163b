"""有条件开放 data: refused without an approved application; the provider decides."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.opendata.conftest import CITIZEN_PASSWORD, make_citizen, pick


def test_conditional_data_needs_an_approved_application(
    client: TestClient, session: Session, settings: Settings, admin_headers: dict[str, str]
) -> None:
    ds = pick(session, "conditional")
    rid = f"{ds.name}-csv"
    url = "/api/3/action/datastore_search"
    # metadata is public, data is not
    assert client.get("/api/3/action/package_show", params={"id": ds.name}).status_code == 200
    r = client.get(url, params={"resource_id": rid})
    assert r.status_code == 403 and r.json()["error"]["__type"] == "Authorization Error"
    assert client.get(f"/open/dataset/{ds.name}/download.csv").status_code == 403
    make_citizen(settings)
    citizen = {"Authorization": f"Bearer {login_token(client, 'shimin', CITIZEN_PASSWORD)}"}
    r = client.get(url, params={"resource_id": rid}, headers=citizen)
    assert r.status_code == 403 and r.json()["error"]["code"] == "opendata.not_approved"
    r = client.post(
        f"/api/v1/opendata/datasets/{ds.name}/applications",
        json={"purpose": "  "},
        headers=citizen,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "opendata.text_required"
    r = client.post(
        f"/api/v1/opendata/datasets/{ds.name}/applications",
        json={"purpose": "城市交通研究"},
        headers=citizen,
    )
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    # still pending: still refused
    assert client.get(url, params={"resource_id": rid}, headers=citizen).status_code == 403
    # a citizen cannot approve their own application
    r = client.post(
        f"/api/v1/opendata/applications/{app_id}/decision", json={"approve": True}, headers=citizen
    )
    assert r.status_code == 403
    # an officer of another department cannot either
    other = _other_officer(session, ds.department_code)
    if other:
        token = login_token(client, other)
        r = client.post(
            f"/api/v1/opendata/applications/{app_id}/decision",
            json={"approve": True},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "opendata.not_provider"
    r = client.post(
        f"/api/v1/opendata/applications/{app_id}/decision",
        json={"approve": False},
        headers=admin_headers,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "opendata.reason_required"
    r = client.post(
        f"/api/v1/opendata/applications/{app_id}/decision",
        json={"approve": True},
        headers=admin_headers,
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.get(url, params={"resource_id": rid}, headers=citizen)
    assert r.status_code == 200 and r.json()["result"]["total"] == ds.data_rows
    assert client.get(f"/open/dataset/{ds.name}/download.csv", headers=citizen).status_code == 200
    # anonymous callers are still refused
    assert client.get(url, params={"resource_id": rid}).status_code == 403


def _other_officer(session: Session, dept_code: str) -> str | None:
    from sqlalchemy import select

    from mudan.kernel.models import Department, User

    rows = session.execute(
        select(User.username, Department.code).join(Department, Department.id == User.department_id)
    ).all()
    for username, code in rows:
        if code != dept_code and username in ("gaj", "mudanqu"):
            return str(username)
    return None
