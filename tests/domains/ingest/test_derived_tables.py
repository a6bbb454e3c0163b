"""Derived tables: a saved SELECT materialised in the lake, with lineage and clear refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.lake import registry
from mudan.lake.catalog import Lake
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec
from mudan.settings import Settings
from tests.conftest import login_token

pytestmark = pytest.mark.filterwarnings("ignore:.*utcnow.*:DeprecationWarning")
CARS = TableSpec(
    namespace="d371700002",
    name="derived_src_cars",
    columns=(
        ColumnSpec("hphm", ItemType.STRING, "号牌号码"),
        ColumnSpec("qx", ItemType.STRING, "区县"),
        ColumnSpec("pl", ItemType.FLOAT, "排量"),
    ),
)
ROWS = [("鲁R0001", "371702", 1.6), ("鲁R0002", "371702", 2.0), ("鲁R0003", "371721", 1.5)]


@pytest.fixture
def lake(settings: Settings, session: Session) -> Iterator[Lake]:
    registry.register_table(session, spec=CARS, department_code="371700002")
    session.commit()
    lk = Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse)
    lk.ensure_table(CARS)
    cols = list(zip(*ROWS, strict=True))
    batch = pa.record_batch(
        [pa.array(cols[0]), pa.array(cols[1]), pa.array(cols[2], pa.float64())],
        names=["hphm", "qx", "pl"],
    )
    lk.load(CARS, [batch], batch_id="derived-test")
    yield lk
    lk.close()


def _h(client: TestClient, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, user)}"}


SQL = "SELECT qx, count(*) AS n, avg(pl) AS avg_pl FROM d371700002.derived_src_cars GROUP BY qx"


def test_define_refresh_query_and_lineage(client: TestClient, lake: Lake) -> None:
    gaj = _h(client, "gaj")
    r = client.post(
        "/api/v1/query/derived",
        headers=gaj,
        json={"name": "cars_by_county", "title": "分区县车辆", "sql": SQL},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["table_ref"] == "d371700002.x_cars_by_county"
    assert body["sources"] == ["d371700002.derived_src_cars"] and body["rows"] == 2
    assert body["error"] is None

    q = client.post(
        "/api/v1/query",
        headers=gaj,
        json={"sql": "SELECT qx, n FROM d371700002.x_cars_by_county ORDER BY qx"},
    )
    assert q.status_code == 200, q.text
    assert q.json()["rows"] == [["371702", 2], ["371721", 1]]

    again = client.post(f"/api/v1/query/derived/{body['id']}/refresh", headers=gaj)
    assert again.status_code == 200 and again.json()["rows"] == 2  # replaced, not appended
    assert len(lake.snapshots("d371700002.x_cars_by_county")) == 2

    g = client.get(
        "/api/v1/lineage",
        params={"kind": "table", "ref": "d371700002.derived_src_cars"},
        headers=gaj,
    ).json()
    edges = {((a["kind"], a["ref"]), (b["kind"], b["ref"])) for a, b in g["edges"]}
    view = ("view", "d371700002.x_cars_by_county#sql")
    assert (("table", "d371700002.derived_src_cars"), view) in edges
    assert (view, ("table", "d371700002.x_cars_by_county")) in edges

    page = client.get("/query/derived", headers=gaj)
    assert page.status_code == 200 and "x_cars_by_county" in page.text

    assert client.delete(f"/api/v1/query/derived/{body['id']}", headers=gaj).status_code == 204
    assert not lake.exists("d371700002.x_cars_by_county")
    g2 = client.get(
        "/api/v1/lineage",
        params={"kind": "table", "ref": "d371700002.derived_src_cars"},
        headers=gaj,
    )
    assert "#sql" not in g2.text


def test_bad_definitions_are_refused(client: TestClient, lake: Lake) -> None:
    gaj = _h(client, "gaj")

    def post(**body: object) -> tuple[int, str]:
        r = client.post("/api/v1/query/derived", headers=gaj, json={"title": "", **body})
        return r.status_code, (r.json().get("error") or {}).get("code", "")

    assert post(name="Bad-Name", sql=SQL) == (422, "query.derived_bad_name")
    assert post(name="ddl", sql="DROP TABLE d371700002.derived_src_cars") == (
        422,
        "lake.not_select",
    )
    assert post(name="other", sql="SELECT * FROM d371700005.anything") == (
        403,
        "lake.table_forbidden",
    )
    assert post(name="elsewhere", sql=SQL, department_code="371700005") == (
        403,
        "query.derived_not_own_department",
    )
    assert post(name="ok", sql=SQL, refresh=False)[0] == 201
    assert post(name="ok", sql=SQL) == (409, "query.derived_exists")

    # a column without a usable name fails at refresh; the failure is kept on the definition
    status, code = post(name="unnamed", sql="SELECT count(*) FROM d371700002.derived_src_cars")
    assert (status, code) == (422, "query.derived_bad_column")
    listed = client.get("/api/v1/query/derived", headers=gaj).json()
    failed = next(d for d in listed if d["table_ref"].endswith("x_unnamed"))
    assert "query.derived_bad_column" in failed["error"] and failed["rows"] is None
    assert not lake.exists("d371700002.x_unnamed")

    assert client.get("/api/v1/query/derived", headers=_h(client, "mudanqu")).status_code == 403
