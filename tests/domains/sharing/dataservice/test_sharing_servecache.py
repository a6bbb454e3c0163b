"""The data service's native cache: built per snapshot, replaced by a load, masks
precomputed, and the grant's region filter still in every query it answers."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, utcnow
from mudan.domains.sharing.dataservice.calllog import CallWriter
from mudan.domains.sharing.dataservice.masking import mask_value
from mudan.domains.sharing.dataservice.query import compile_query
from mudan.domains.sharing.dataservice.runtime import GrantRow, ServiceRuntime, runtime_of
from mudan.domains.sharing.dataservice.serving import grant_row as _grant_row
from mudan.domains.sharing.models import ServiceCall
from tests.domains.sharing.conftest import World, granted, people_rows

ALL = people_rows(60)
MUDAN = sorted((r for r in ALL if r["ssqx"] == "371702"), key=lambda r: r["bh"])


def _rt(client: TestClient) -> ServiceRuntime:
    rt = runtime_of(client.app.state.ctx)  # type: ignore[attr-defined]
    rt.engine.ttl_s = 0.0  # see every load at once
    return rt


def _grant(session: Session, gid: int) -> GrantRow:
    session.expire_all()
    return _grant_row(session, gid)[0]


def _get(client: TestClient, gid: int, h: dict[str, str], **params: object) -> dict:
    r = client.get(f"/api/v1/share/services/{gid}", params=params, headers=h)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_cache_serves_the_same_masked_rows_of_the_granted_county(
    client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    rt = _rt(client)
    plan = rt.plan(session, _grant(session, gid))
    from_lake = _get(client, gid, h, _size=1000)
    assert rt.engine.warm(plan.table_ref, plan.layout)
    assert rt.engine.cached_snapshot(plan.table_ref) is not None
    cached = _get(client, gid, h, _size=1000)
    assert cached == from_lake
    assert [r["bh"] for r in cached["rows"]] == [r["bh"] for r in MUDAN]
    for got, raw in zip(cached["rows"], MUDAN, strict=True):
        assert got["ssqx"] == "371702"
        assert got["sfzh"] == mask_value("citizen_id", raw["sfzh"]) != raw["sfzh"]
        assert got["xm"] == mask_value("name", raw["xm"])
    # the query the cache answers reads precomputed masks and still filters by region
    with rt.engine.use(plan.table_ref, plan.layout) as backend:
        assert backend.premasked
        compiled = compile_query(plan, {"bh": MUDAN[0]["bh"]}, rt.cursors, backend.premasked, True)
    assert "CASE" not in compiled.sql and "MATERIALIZED" in compiled.sql
    assert '"ssqx" >= ?' in compiled.sql.split("FROM c", 1)[1]


def test_key_lookups_through_the_index_keep_the_region_filter(
    client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    rt = _rt(client)
    plan = rt.plan(session, _grant(session, gid))
    assert rt.engine.warm(plan.table_ref, plan.layout)
    other = next(r for r in ALL if r["ssqx"] != "371702")
    assert _get(client, gid, h, bh=other["bh"])["rows"] == []
    picked = [MUDAN[2]["bh"], other["bh"], MUDAN[0]["bh"]]
    body = _get(client, gid, h, bh__in=",".join(picked), _fields="bh,ssqx")
    assert body["rows"] == [{"bh": MUDAN[i]["bh"], "ssqx": "371702"} for i in (0, 2)]
    row = _get(client, gid, h, bh=MUDAN[1]["bh"])["rows"]
    assert len(row) == 1 and row[0]["lxdh"] == mask_value("phone", MUDAN[1]["lxdh"])
    r = client.get(f"/api/v1/share/services/{gid}", params={"ssqx": "371703"}, headers=h)
    assert r.status_code == 403 and r.json()["error"]["code"] == "sharing.region_not_granted"


def test_a_load_makes_a_new_snapshot_that_the_service_returns_and_recaches(
    client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    rt = _rt(client)
    plan = rt.plan(session, _grant(session, gid))
    assert rt.engine.warm(plan.table_ref, plan.layout)
    first = rt.engine.cached_snapshot(plan.table_ref)
    cache_dir = rt.engine.cache_dir
    assert cache_dir is not None and len(list(cache_dir.glob("*.duckdb"))) == 1
    new = people_rows(12, start=61)
    world.load_people(new, "people-2")
    added = sorted(r["bh"] for r in new if r["ssqx"] == "371702")
    # served at once (from the new snapshot's files while its cache is built)
    body = _get(client, gid, h, _size=1000, _fields="bh")
    assert [r["bh"] for r in body["rows"]] == sorted([r["bh"] for r in MUDAN] + added)
    assert rt.engine.warm(plan.table_ref, plan.layout)
    second = rt.engine.cached_snapshot(plan.table_ref)
    assert second is not None and second != first
    assert _get(client, gid, h, _size=1000, _fields="bh") == body
    assert _get(client, gid, h, bh=added[0])["count"] == 1
    assert len(list(cache_dir.glob("*.duckdb"))) == 1  # the old snapshot's file is gone


def test_tables_above_the_bound_are_served_from_the_lake(
    client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    rt = _rt(client)
    rt.engine.cache_max_rows = 10
    plan = rt.plan(session, _grant(session, gid))
    assert not rt.engine.warm(plan.table_ref, plan.layout)
    assert rt.engine.cached_snapshot(plan.table_ref) is None
    body = _get(client, gid, h, _size=1000, _fields="bh,sfzh")
    assert [r["bh"] for r in body["rows"]] == [r["bh"] for r in MUDAN]
    assert all("********" in r["sfzh"] for r in body["rows"])


def _row(i: int) -> dict[str, object]:
    return {"grant_id": 1, "at": utcnow(), "caller": f"c{i}", "department_code": "x", "status": 200}


def test_the_call_writer_commits_before_returning_and_fails_loudly(
    world: World, session: Session
) -> None:
    engine = make_engine(world.settings.database.url)
    writer = CallWriter(make_sessionmaker(engine))
    try:
        before = session.scalar(select(func.count(ServiceCall.id)))
        threads = [threading.Thread(target=writer.write, args=(_row(i),)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        writer.write(_row(99))
        session.expire_all()
        assert session.scalar(select(func.count(ServiceCall.id))) == (before or 0) + 41
        with pytest.raises(IntegrityError):
            writer.write({"grant_id": 1, "at": utcnow(), "caller": None, "status": 200})
        writer.write(_row(100))  # the writer carries on after a failed batch
    finally:
        writer.close()
        engine.dispose()
