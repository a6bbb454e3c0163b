"""有条件开放 applications on the workbench of the providing department (and the bureau): the
application list's count; other departments and the applicant see none."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.kernel.enums import Role
from mudan.kernel.identity import BindingIn, create_user
from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.opendata.conftest import CITIZEN_PASSWORD, make_citizen, pick
from tests.workbench import bearer, count_of, todos_of


def _officer(client: TestClient, settings: Settings, department_code: str) -> dict[str, str]:
    engine = make_engine(settings.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        create_user(
            s,
            username="kaifang",
            display_name="开放专员",
            password=CITIZEN_PASSWORD,
            department_code=department_code,
            bindings=[BindingIn(Role.DATA_OFFICER, department_code, None)],
        )
    engine.dispose()
    return {"Authorization": f"Bearer {login_token(client, 'kaifang', CITIZEN_PASSWORD)}"}


def test_pending_applications_for_the_provider(
    client: TestClient, session: Session, settings: Settings
) -> None:
    ds = pick(session, "conditional")
    make_citizen(settings)
    citizen = {"Authorization": f"Bearer {login_token(client, 'shimin', CITIZEN_PASSWORD)}"}
    url = f"/api/v1/opendata/datasets/{ds.name}/applications"
    assert client.post(url, json={"purpose": "交通研究"}, headers=citizen).status_code == 201
    todo = todos_of(client, "dsj")["opendata.applications"]  # the bureau decides them all
    page = client.get(todo["href"], headers=bearer(client, "dsj")).text
    assert todo["count"] == page.count('action="/open/applications/') == 1
    officer = _officer(client, settings, ds.department_code)
    mine = {t["code"]: t for t in client.get("/api/v1/workbench", headers=officer).json()["todos"]}
    assert mine["opendata.applications"]["count"] == 1  # its own department's dataset
    assert ds.department_code != "371700002"
    assert count_of(client, "gaj", "opendata.applications") == 0  # another department's
    assert count_of(client, "kaohe", "opendata.applications") == 0
    r = client.get("/api/v1/workbench", headers=citizen)
    assert r.status_code == 200 and r.json()["todos"] == []  # the applicant decides nothing
