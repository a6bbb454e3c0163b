"""A masked item is never a filter oracle, and pages are never in the raw order of a masked
key — on both serving paths (the native DuckDB cache and the Parquet files).

The attacks reproduced here recovered a full citizen ID before the fix: a range bisection on
``sfzh__gte`` (26 calls for the 8 hidden digits), ``sfzh__in`` batches of candidates, and
pages ordered by the raw ID while showing it masked."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.catalog import service as catalog
from mudan.domains.sharing.dataservice.masking import mask_value
from mudan.domains.sharing.dataservice.runtime import ServiceRuntime, runtime_of
from mudan.domains.sharing.dataservice.serving import grant_row as _grant_row
from mudan.domains.sharing.models import ServiceCall
from mudan.lake.schema import arrow_schema
from mudan.settings import Settings
from tests.domains.sharing.conftest import World, _publish, bearer, granted, people_entry
from tests.domains.sharing.conftest import people_rows as rows_of

ALL = rows_of(60)
MUDAN = sorted((r for r in ALL if r["ssqx"] == "371702"), key=lambda r: r["bh"])
RAW = {r["bh"]: r["sfzh"] for r in ALL}
Response = Any  # what TestClient.get returns


@pytest.fixture(params=["cache", "lake"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    settings.sharing.cache = request.param == "cache"
    return settings


def _serving(client: TestClient, session: Session, gid: int, cache: bool) -> ServiceRuntime:
    """Pin the path the grant's calls take: the built cache, or the Parquet files."""
    rt = runtime_of(client.app.state.ctx)  # type: ignore[attr-defined]
    rt.engine.ttl_s = 0.0
    session.expire_all()
    plan = rt.plan(session, _grant_row(session, gid)[0])
    assert rt.engine.warm(plan.table_ref, plan.layout) is cache
    assert (rt.engine.cached_snapshot(plan.table_ref) is not None) is cache
    return rt


def _call(client: TestClient, gid: int, h: dict[str, str], **params: Any) -> Response:
    return client.get(f"/api/v1/share/services/{gid}", params=params, headers=h)


def _refused(r: Response, param: str, item: str) -> None:
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "sharing.filter_masked"
    assert param in err["message"] and item in err["message"] and "脱敏" in err["message"]


def bisect_hidden_digits(
    client: TestClient, gid: int, h: dict[str, str], bh: str, masked: str
) -> tuple[str | None, list[Response]]:
    """The attack: narrow the 8 starred digits of ``371702********1234`` with ``sfzh__gte``
    on one known row, one bit per call. Stops at the first refusal."""
    lo, hi, calls = 0, 10**8, []
    while hi - lo > 1:
        mid = (lo + hi) // 2
        r = _call(client, gid, h, bh=bh, sfzh__gte=masked[:6] + f"{mid:08d}", _fields="bh")
        calls.append(r)
        if r.status_code != 200:
            return None, calls
        lo, hi = (mid, hi) if r.json()["count"] else (lo, mid)
    return masked[:6] + f"{lo:08d}" + masked[14:], calls


def test_range_bisection_of_a_masked_id_is_refused_at_the_first_call(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    gid, h = granted(client, world)
    _serving(client, session, gid, settings.sharing.cache)
    target = MUDAN[3]
    masked = _call(client, gid, h, bh=target["bh"]).json()["rows"][0]["sfzh"]
    assert masked == mask_value("citizen_id", target["sfzh"]) != target["sfzh"]
    recovered, calls = bisect_hidden_digits(client, gid, h, target["bh"], masked)
    assert recovered is None and len(calls) == 1
    _refused(calls[0], "sfzh__gte", "sfzh")
    # every range operator, on every masked item, in both formats; the refusals are logged
    for param, value in (
        ("sfzh__lt", "371702199"),
        ("sfzh__gt", "3"),
        ("sfzh__lte", "4"),
        ("lxdh__gte", "1385"),
        ("xm__lt", "张"),
    ):
        for fmt in ("json", "csv"):
            _refused(_call(client, gid, h, _format=fmt, **{param: value}), param, param[:4])
    session.expire_all()
    statuses = session.scalars(select(ServiceCall.status).where(ServiceCall.grant_id == gid))
    assert list(statuses).count(400) == 11


def test_in_batches_and_equality_on_masked_items_are_refused(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    gid, h = granted(client, world)
    _serving(client, session, gid, settings.sharing.cache)
    target = MUDAN[5]
    masked = mask_value("citizen_id", target["sfzh"])
    assert masked is not None
    born = date(1980, 1, 1)  # a batch of candidate birth dates, the true one among them
    batch = [
        masked[:6] + (born + timedelta(days=d)).strftime("%Y%m%d") + masked[14:] for d in range(400)
    ]
    assert target["sfzh"] in batch
    _refused(_call(client, gid, h, sfzh__in=",".join(batch)), "sfzh__in", "sfzh")
    _refused(_call(client, gid, h, sfzh=target["sfzh"]), "sfzh", "sfzh")
    _refused(_call(client, gid, h, sfzh=masked), "sfzh", "sfzh")  # nor on the masked form
    _refused(_call(client, gid, h, xm=target["xm"], bh=target["bh"]), "xm", "xm")
    _refused(_call(client, gid, h, lxdh__in=target["lxdh"]), "lxdh__in", "lxdh")
    # unmasked items filter as before
    body = _call(client, gid, h, bh__in=f"{target['bh']},{MUDAN[0]['bh']}", nl__gte=0).json()
    assert sorted(r["bh"] for r in body["rows"]) == sorted([target["bh"], MUDAN[0]["bh"]])


def test_a_grant_that_unmasks_an_item_may_filter_on_it(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    gid, h = granted(client, world, unmasked_items=["sfzh"])
    _serving(client, session, gid, settings.sharing.cache)
    target = MUDAN[2]
    rows = _call(client, gid, h, sfzh=target["sfzh"]).json()["rows"]
    assert [(r["bh"], r["sfzh"]) for r in rows] == [(target["bh"], target["sfzh"])]
    picked = sorted([target["sfzh"], MUDAN[7]["sfzh"]])
    body = _call(client, gid, h, sfzh__in=",".join(picked), _fields="sfzh").json()
    assert sorted(r["sfzh"] for r in body["rows"]) == picked
    lo = min(r["sfzh"] for r in MUDAN)
    assert _call(client, gid, h, sfzh__lte=lo, _fields="sfzh").json()["rows"] == [{"sfzh": lo}]
    _refused(_call(client, gid, h, xm=target["xm"]), "xm", "xm")  # still masked


def _by_id_entry(world: World) -> Any:
    """The people table again, keyed by the (masked) citizen ID."""
    data = people_entry().model_copy(
        update={"name": "菏泽市人口信息（按身份证号）", "key_columns": ["sfzh"]}
    )
    entry = _publish(world.session, data)
    world.session.commit()
    spec = catalog.table_spec_for(entry)
    with world.lake() as lake:
        lake.ensure_table(spec)
        batch = pa.RecordBatch.from_pylist(ALL, schema=arrow_schema(spec))
        lake.load(spec, [batch], batch_id="people-by-id", mode="append")
    return entry


def _walk(client: TestClient, gid: int, h: dict[str, str]) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        params: dict[str, Any] = {"_size": 6, "_fields": "bh"}
        if after:
            params["_after"] = after
            again = _call(client, gid, h, **params).json()["rows"]
            assert again == _call(client, gid, h, **params).json()["rows"]  # a stable cursor
        body = _call(client, gid, h, **params).json()
        seen += [r["bh"] for r in body["rows"]]
        after = body["next"]
        if after is None:
            return seen


def _kendall_tau(order: list[str]) -> float:
    ranks = [sorted(order, key=RAW.__getitem__).index(b) for b in order]
    n = len(ranks)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    return sum(1 if ranks[i] < ranks[j] else -1 for i, j in pairs) / len(pairs)


def test_pages_by_a_masked_key_do_not_follow_its_raw_order(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    entry = _by_id_entry(world)
    raw_order = sorted((r["bh"] for r in MUDAN), key=RAW.__getitem__)
    masked_gid, h1 = granted(client, world, entry=entry)
    hidden_gid, h2 = granted(client, world, entry=entry, items=["bh", "xm", "ssqx", "nl"])
    clear_gid, h3 = granted(client, world, entry=entry, unmasked_items=["sfzh"])
    rt = _serving(client, session, masked_gid, settings.sharing.cache)
    for gid in (hidden_gid, clear_gid):
        _serving(client, session, gid, settings.sharing.cache)

    def keyed(bh: str) -> str:
        return hashlib.sha256((rt.order_salt + RAW[bh]).encode()).hexdigest()[:32]

    masked = _walk(client, masked_gid, h1)
    # every row once, in the order of the keyed hash — not of the raw ID it masks
    assert sorted(masked) == sorted(raw_order) and len(set(masked)) == len(masked)
    assert masked == sorted(raw_order, key=keyed) != raw_order
    assert abs(_kendall_tau(masked)) < 0.5
    # a grant without the key pages the same way; one that unmasks it pages by the ID
    assert _walk(client, hidden_gid, h2) == masked
    assert _walk(client, clear_gid, h3) == raw_order
    one = _call(client, clear_gid, h3, sfzh=MUDAN[4]["sfzh"], _fields="bh").json()["rows"]
    assert one == [{"bh": MUDAN[4]["bh"]}]
    _refused(_call(client, masked_gid, h1, sfzh=MUDAN[4]["sfzh"]), "sfzh", "sfzh")
    # a bulk export of the masked grant is not in raw ID order either
    r = client.post(
        f"/api/v1/share/grants/{masked_gid}/exports",
        json={"format": "parquet"},
        headers=bearer(client, "mudanqu"),
    )
    assert r.status_code == 201 and r.json()["status"] == "succeeded", r.text
    f = client.get(
        f"/api/v1/share/deliveries/{r.json()['id']}/file", headers=bearer(client, "mudanqu")
    )
    exported = [x["bh"] for x in pq.read_table(io.BytesIO(f.content)).to_pylist()]
    assert sorted(exported) == sorted(raw_order) and exported != raw_order
