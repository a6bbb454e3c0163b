"""County return flows into a second PostgreSQL database (a county sees only its own rows and
gets updates incrementally), into a lake namespace, and bulk delivery of a grant (export
file; push into PostgreSQL and MariaDB)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from mudan.domains.catalog import service as catalog
from tests.domains.sharing.conftest import World, bearer, granted, people_rows

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
MARIA = "mysql+pymysql://root@127.0.0.1:3306/{db}"


@pytest.fixture
def county_db() -> Iterator[str]:
    name = f"county_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG.format(db="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG.format(db=name)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def maria_db() -> Iterator[str]:
    name = f"push_{uuid.uuid4().hex[:8]}"
    admin = create_engine(MARIA.format(db=""), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    yield MARIA.format(db=name)
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    admin.dispose()


def _rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(text(sql))]
    finally:
        engine.dispose()


def test_county_sees_only_its_rows_and_gets_updates(
    client: TestClient, world: World, county_db: str, session: Session
) -> None:
    h = bearer(client, "dsj")
    r = client.post(
        "/api/v1/share/nodes",
        json={"region_code": "371702", "target_kind": "database", "target": county_db},
        headers=h,
    )
    assert r.status_code == 201, r.text
    node = r.json()
    assert "postgres@" not in node["target"]
    ref = catalog.table_spec_for(world.people).ident
    r = client.post(
        f"/api/v1/share/nodes/{node['id']}/flows",
        json={"table_ref": ref, "region_column": "ssqx", "target_table": "people"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    first = people_rows(60)
    mine = sorted(x["bh"] for x in first if x["ssqx"] == "371702")
    r = client.post(f"/api/v1/share/flows/{fid}/run", headers=h)
    assert r.json()["last_status"] == "succeeded" and r.json()["last_rows"] == len(mine)
    got = _rows(county_db, "SELECT bh, ssqx FROM people ORDER BY bh")
    assert [b for b, _ in got] == mine and {s for _, s in got} == {"371702"}
    # nothing new: nothing delivered
    assert client.post(f"/api/v1/share/flows/{fid}/run", headers=h).json()["last_rows"] == 0
    # new rows (every county) and a changed row upstream: only 牡丹区's arrive, the change too
    changed = dict(next(x for x in first if x["ssqx"] == "371702"), nl=99)
    world.load_people([*people_rows(9, start=61), changed], "people-2", mode="upsert")
    r = client.post(f"/api/v1/share/flows/{fid}/run", headers=h).json()
    assert r["last_status"] == "succeeded", r
    got = _rows(county_db, "SELECT bh, ssqx, nl FROM people ORDER BY bh")
    new_mine = sorted(x["bh"] for x in people_rows(9, start=61) if x["ssqx"] == "371702")
    assert [g[0] for g in got] == sorted(mine + new_mine)
    assert {g[1] for g in got} == {"371702"}
    assert dict((g[0], g[2]) for g in got)[changed["bh"]] == 99
    # the county operator sees its node; a duty officer cannot
    assert [
        n["region_code"]
        for n in client.get("/api/v1/share/nodes", headers=bearer(client, "mudanqu")).json()
    ] == ["371702"]
    assert client.get("/api/v1/share/nodes", headers=bearer(client, "zhiban")).status_code == 403
    assert (
        client.post(
            "/api/v1/share/nodes",
            json={"region_code": "371703", "target_kind": "database", "target": county_db},
            headers=bearer(client, "mudanqu"),
        ).status_code
        == 403
    )


def test_lake_namespace_node_and_bad_nodes(client: TestClient, world: World) -> None:
    h = bearer(client, "dsj")
    r = client.post(
        "/api/v1/share/nodes",
        json={"region_code": "371703", "target_kind": "lake", "target": "county_371703"},
        headers=h,
    )
    assert r.status_code == 201
    ref = catalog.table_spec_for(world.people).ident
    fid = client.post(
        f"/api/v1/share/nodes/{r.json()['id']}/flows",
        json={"table_ref": ref, "region_column": "ssqx"},
        headers=h,
    ).json()["id"]
    run = client.post(f"/api/v1/share/flows/{fid}/run", headers=h).json()
    assert run["last_status"] == "succeeded", run["last_error"]
    with world.lake() as lake:
        files = lake.data_files(f"county_371703.{ref.replace('.', '_')}")
        rows = pq.ParquetDataset(files).read().to_pylist()
    assert sorted(x["bh"] for x in rows) == sorted(
        x["bh"] for x in people_rows(60) if x["ssqx"] == "371703"
    )
    bad = [
        ({"region_code": "3717", "target_kind": "lake", "target": "x_1"}, "sharing.bad_county"),
        (
            {"region_code": "371721", "target_kind": "lake", "target": "Bad-NS"},
            "sharing.bad_namespace",
        ),
        (
            {"region_code": "371721", "target_kind": "database", "target": "ftp://x/y"},
            "sharing.bad_target_url",
        ),
        (
            {"region_code": "371703", "target_kind": "lake", "target": "county_x"},
            "sharing.node_exists",
        ),
    ]
    for body, code in bad:
        assert (
            client.post("/api/v1/share/nodes", json=body, headers=h).json()["error"]["code"] == code
        )


def test_export_and_push_deliver_masked_county_rows(
    client: TestClient, world: World, county_db: str, maria_db: str
) -> None:
    gid, _ = granted(client, world)
    mine = sorted(x["bh"] for x in people_rows(60) if x["ssqx"] == "371702")
    r = client.post(
        f"/api/v1/share/grants/{gid}/exports",
        json={"format": "parquet"},
        headers=bearer(client, "mudanqu"),
    )
    assert r.status_code == 201 and r.json()["status"] == "succeeded", r.text
    f = client.get(
        f"/api/v1/share/deliveries/{r.json()['id']}/file", headers=bearer(client, "mudanqu")
    )
    assert f.status_code == 200
    import io

    table = pq.read_table(io.BytesIO(f.content)).to_pylist()
    assert [x["bh"] for x in table] == mine and all("********" in x["sfzh"] for x in table)
    assert "bz" not in table[0]
    # a push needs grant.manage; into PostgreSQL and MariaDB
    body = {"target_url": county_db, "target_table": "pushed_people", "interval_minutes": 60}
    assert (
        client.post(
            f"/api/v1/share/grants/{gid}/pushes", json=body, headers=bearer(client, "mudanqu")
        ).status_code
        == 403
    )
    for url in (county_db, maria_db):
        r = client.post(
            f"/api/v1/share/grants/{gid}/pushes",
            json={**body, "target_url": url},
            headers=bearer(client, "dsj"),
        )
        assert r.json()["status"] == "succeeded", r.text
        got = _rows(url, "SELECT bh, sfzh FROM pushed_people ORDER BY bh")
        assert [g[0] for g in got] == mine and all("********" in g[1] for g in got)
    r = client.post(
        f"/api/v1/share/grants/{gid}/pushes",
        json={**body, "target_table": "Bad Name"},
        headers=bearer(client, "dsj"),
    )
    assert r.json()["error"]["code"] == "sharing.bad_target_table"
