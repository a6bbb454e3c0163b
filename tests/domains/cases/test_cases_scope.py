"""The cases assessment and open-events map are scoped like the board: a grid worker's figures
cover the cases of their street, not the whole city's."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.cases.models import Case, open_clause
from tests.conftest import login_token

STREET = "3717/371702/371702001000"  # wangge's 东城街道


def _get(client: TestClient, user: str, url: str) -> list[dict[str, object]]:
    r = client.get(url, headers={"Authorization": f"Bearer {login_token(client, user)}"})
    assert r.status_code == 200, r.text
    body: list[dict[str, object]] = r.json()
    return body


def test_assessment_covers_only_the_callers_cases(client: TestClient, session: Session) -> None:
    mine = Case.region_path.startswith(STREET + "/")
    closed, returns, departments = session.execute(
        select(
            func.count().filter(Case.state == "closed"),
            func.coalesce(func.sum(Case.returns), 0),
            func.count(func.distinct(Case.department_code)),
        ).where(mine)
    ).one()
    city_closed = session.scalar(select(func.count()).where(Case.state == "closed")) or 0
    street = _get(client, "wangge", "/api/v1/cases/assessment?by=district")
    assert [r["key"] for r in street] == ["371702"]
    assert street[0]["closed"] == closed and street[0]["returns"] == returns
    by_dept = _get(client, "wangge", "/api/v1/cases/assessment?by=department")
    assert len(by_dept) == departments
    city = _get(client, "zhiban", "/api/v1/cases/assessment?by=district")
    assert sum(int(str(r["closed"])) for r in city) == city_closed > closed


def test_open_map_points_are_the_callers(client: TestClient, session: Session) -> None:
    h = {"Authorization": f"Bearer {login_token(client, 'wangge')}"}
    pts = client.get("/api/v1/cases/map/open", headers=h).json()
    mine = session.scalars(
        select(Case.number).where(
            open_clause(), Case.lon.is_not(None), Case.region_path.startswith(STREET + "/")
        )
    )
    assert sorted(pts["ids"]) == sorted(mine) and len(pts["ids"]) == len(pts["lons"])
    everywhere = session.scalar(select(func.count()).where(open_clause(), Case.lon.is_not(None)))
    assert len(pts["ids"]) < (everywhere or 0)
