"""OGC SensorThings API 1.1, read-only, at ``/sta/v1.1`` (bearer token with ``iot.read``).

Things and Locations are devices; a Datastream is one metric of one device
(``@iot.id`` = device id × 8 + metric index); an Observation is one metric of one hot reading
(``@iot.id`` = reading id × 8 + metric index). Observations cover the hot window kept in the
database; older history is in the lake table ``iot.telemetry``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.deps import CurrentPrincipal, DbSession, require
from mudan.core.errors import NotFound
from mudan.core.params import MAX_ID, BigId, Id
from mudan.domains.iot.enums import TYPES, DeviceType
from mudan.domains.iot.models import Device, Reading
from mudan.domains.iot.registry import scope_clause
from mudan.domains.iot.sta_filter import Node, bad, matches, parse_filter, to_sql

PREFIX = "/sta/v1.1"
router = APIRouter(prefix=PREFIX, tags=["sensorthings"], dependencies=[require("iot.read")])
MAX_TOP, DEFAULT_TOP, EXPAND_TOP, SCAN_CAP = 1000, 100, 100, 200_000
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
_DEVICE_COLS: dict[str, Any] = {
    "id": Device.id,
    "@iot.id": Device.id,
    "name": Device.code,
    "properties/type": Device.type,
    "properties/model": Device.model,
    "properties/department": Device.department_code,
    "properties/district": Device.district_code,
    "properties/street": Device.street_code,
    "properties/status": Device.status,
}


class Q:
    def __init__(
        self, request: Request, top: int | None, skip: int, count: bool, filt: str, expand: str
    ) -> None:
        if top is not None and not 0 <= top <= MAX_TOP:
            raise bad(f"$top must be 0..{MAX_TOP}")
        if skip < 0:
            raise bad("$skip must be >= 0")
        self.request = request
        self.top = DEFAULT_TOP if top is None else top
        self.skip, self.count = skip, count
        self.filter: Node | None = parse_filter(filt) if filt.strip() else None
        self.expand = {e.strip().split("(")[0] for e in expand.split(",") if e.strip()}
        self.base = str(request.base_url).rstrip("/") + PREFIX

    def next_link(self) -> str:
        params = dict(self.request.query_params)
        params["$skip"] = str(self.skip + self.top)
        params["$top"] = str(self.top)
        return f"{str(self.request.url).split('?')[0]}?{urlencode(params)}"


def _q(
    request: Request,
    top: Annotated[int | None, Query(alias="$top")] = None,
    skip: Annotated[int, Query(alias="$skip", le=MAX_ID)] = 0,
    count: Annotated[bool, Query(alias="$count")] = False,
    filt: Annotated[str, Query(alias="$filter")] = "",
    expand: Annotated[str, Query(alias="$expand")] = "",
) -> Q:
    return Q(request, top, skip, count, filt, expand)


StaQuery = Annotated[Q, Depends(_q)]


def _page(q: Q, items: list[dict[str, Any]], more: bool, total: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if q.count and total is not None:
        out["@iot.count"] = total
    if more:
        out["@iot.nextLink"] = q.next_link()
    out["value"] = items
    return out


# --- entity JSON -------------------------------------------------------------------------------


def thing(q: Q, d: Device, session: Session) -> dict[str, Any]:
    link = f"{q.base}/Things({d.id})"
    out: dict[str, Any] = {
        "@iot.id": d.id,
        "@iot.selfLink": link,
        "name": d.code,
        "description": f"{d.type} {d.model}",
        "properties": {
            "type": d.type,
            "model": d.model,
            "department": d.department_code,
            "district": d.district_code,
            "street": d.street_code,
            "community": d.community_code,
            "grid": d.grid_code,
            "status": d.status,
            "protocol": d.protocol,
            "interval_s": d.interval_s,
        },
        "Locations@iot.navigationLink": f"{link}/Locations",
        "Datastreams@iot.navigationLink": f"{link}/Datastreams",
    }
    if "Locations" in q.expand:
        out["Locations"] = [location(q, d, session, nested=True)]
    if "Datastreams" in q.expand:
        out["Datastreams"] = [datastream(q, d, k, session, nested=True) for k in _metrics(d)]
    return out


def location(q: Q, d: Device, session: Session, nested: bool = False) -> dict[str, Any]:
    link = f"{q.base}/Locations({d.id})"
    out: dict[str, Any] = {
        "@iot.id": d.id,
        "@iot.selfLink": link,
        "name": d.code,
        "description": d.grid_code or "",
        "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [d.lon, d.lat]},
        "Things@iot.navigationLink": f"{link}/Things",
    }
    if "Things" in q.expand and not nested:
        out["Things"] = [thing(q, d, session)]
    return out


def _metrics(d: Device) -> range:
    return range(len(TYPES[DeviceType(d.type)].metrics))


def datastream(q: Q, d: Device, k: int, session: Session, nested: bool = False) -> dict[str, Any]:
    m = TYPES[DeviceType(d.type)].metrics[k]
    ds_id = d.id * 8 + k
    link = f"{q.base}/Datastreams({ds_id})"
    out: dict[str, Any] = {
        "@iot.id": ds_id,
        "@iot.selfLink": link,
        "name": f"{d.code}:{m.code}",
        "description": f"{d.type} {m.code}",
        "unitOfMeasurement": {"name": m.unit or "1", "symbol": m.unit, "definition": ""},
        "observationType": MEASUREMENT,
        "properties": {"metric": m.code, "device": d.code},
        "Thing@iot.navigationLink": f"{link}/Thing",
        "Observations@iot.navigationLink": f"{link}/Observations",
    }
    if "Thing" in q.expand and not nested:
        out["Thing"] = thing(q, d, session) | {}
    if "Observations" in q.expand and not nested:
        rows = session.scalars(
            select(Reading)
            .where(Reading.device_id == d.id, getattr(Reading, f"v{k}").is_not(None))
            .order_by(Reading.ts.desc())
            .limit(EXPAND_TOP)
        )
        out["Observations"] = [observation(q, r, k, None, session) for r in rows]
    return out


def observation(q: Q, r: Reading, k: int, d: Device | None, session: Session) -> dict[str, Any]:
    oid = r.id * 8 + k
    link = f"{q.base}/Observations({oid})"
    ts = as_utc(r.ts).isoformat().replace("+00:00", "Z")
    out: dict[str, Any] = {
        "@iot.id": oid,
        "@iot.selfLink": link,
        "phenomenonTime": ts,
        "resultTime": ts,
        "result": getattr(r, f"v{k}"),
        "Datastream@iot.navigationLink": f"{link}/Datastream",
    }
    if "Datastream" in q.expand:
        dev = d or session.get(Device, r.device_id)
        if dev is not None:
            out["Datastream"] = datastream(q, dev, k, session, nested=True)
    return out


# --- queries ----------------------------------------------------------------------------------


def _devices(
    session: Session, who: Any, q: Q, extra: Any = None
) -> tuple[list[Device], bool, int | None]:
    stmt = select(Device)
    scope = scope_clause(session, who)
    if scope is not None:
        stmt = stmt.where(scope)
    if extra is not None:
        stmt = stmt.where(extra)
    if q.filter is not None:
        stmt = stmt.where(to_sql(q.filter, _DEVICE_COLS))
    total = None
    if q.count:
        from sqlalchemy import func

        total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(session.scalars(stmt.order_by(Device.id).offset(q.skip).limit(q.top + 1)))
    return rows[: q.top], len(rows) > q.top, total


def _one_device(session: Session, who: Any, device_id: int, entity: str) -> Device:
    stmt = select(Device).where(Device.id == device_id)
    scope = scope_clause(session, who)
    if scope is not None:
        stmt = stmt.where(scope)
    d = session.scalar(stmt)
    if d is None:
        raise NotFound("iot.sta_not_found", entity=entity)
    return d


def _getter(get: Any, item: dict[str, Any]) -> Any:
    return lambda path: get(item, path)


def _take(q: Q, items: Iterator[dict[str, Any]], get: Any) -> dict[str, Any]:
    matched: list[dict[str, Any]] = []
    total = 0
    for item in items:
        if q.filter is not None and not matches(q.filter, _getter(get, item)):
            continue
        total += 1
        if total > q.skip and len(matched) <= q.top:
            matched.append(item)
        if not q.count and len(matched) > q.top:
            break
    return _page(q, matched[: q.top], len(matched) > q.top, total if q.count else None)


def _path(item: dict[str, Any], path: str) -> Any:
    if path in ("id", "@iot.id"):
        return item["@iot.id"]
    if path in ("Thing/id", "Datastream/id"):
        return item.get("_parent")
    cur: Any = item
    for part in path.split("/"):
        cur = cur.get(part) if isinstance(cur, dict) else None
    if path in ("phenomenonTime", "resultTime") and isinstance(cur, str):
        from mudan.domains.iot.parse import parse_ts

        return parse_ts(cur)
    return cur


def _all_datastreams(
    session: Session, who: Any, q: Q, thing_id: int | None
) -> Iterator[dict[str, Any]]:
    stmt = select(Device)
    scope = scope_clause(session, who)
    if scope is not None:
        stmt = stmt.where(scope)
    if thing_id is not None:
        stmt = stmt.where(Device.id == thing_id)
    last = 0
    while last < SCAN_CAP * 8:
        chunk = list(session.scalars(stmt.where(Device.id > last).order_by(Device.id).limit(2000)))
        if not chunk:
            return
        for d in chunk:
            for k in _metrics(d):
                yield datastream(q, d, k, session) | {"_parent": d.id}
        last = chunk[-1].id


def _strip(page: dict[str, Any]) -> dict[str, Any]:
    for item in page["value"]:
        item.pop("_parent", None)
    return page


@router.get("")
def sta_root(request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/") + PREFIX
    names = ("Things", "Locations", "Datastreams", "Observations")
    return {
        "value": [{"name": n, "url": f"{base}/{n}"} for n in names],
        "serverSettings": {
            "conformance": [
                "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
            ]
        },
    }


@router.get("/Things")
def sta_things(session: DbSession, who: CurrentPrincipal, q: StaQuery) -> dict[str, Any]:
    rows, more, total = _devices(session, who, q)
    return _page(q, [thing(q, d, session) for d in rows], more, total)


@router.get("/Things({thing_id})")
def sta_thing(
    thing_id: Id, session: DbSession, who: CurrentPrincipal, q: StaQuery
) -> dict[str, Any]:
    return thing(q, _one_device(session, who, thing_id, f"Things({thing_id})"), session)


@router.get("/Locations")
def sta_locations(session: DbSession, who: CurrentPrincipal, q: StaQuery) -> dict[str, Any]:
    rows, more, total = _devices(session, who, q)
    return _page(q, [location(q, d, session) for d in rows], more, total)


@router.get("/Locations({loc_id})")
def sta_location(
    loc_id: Id, session: DbSession, who: CurrentPrincipal, q: StaQuery
) -> dict[str, Any]:
    return location(q, _one_device(session, who, loc_id, f"Locations({loc_id})"), session)


@router.get("/Things({thing_id})/Locations")
def sta_thing_locations(
    thing_id: Id, session: DbSession, who: CurrentPrincipal, q: StaQuery
) -> dict[str, Any]:
    rows, more, total = _devices(session, who, q, Device.id == thing_id)
    return _page(q, [location(q, d, session) for d in rows], more, total)


@router.get("/Datastreams")
def sta_datastreams(session: DbSession, who: CurrentPrincipal, q: StaQuery) -> dict[str, Any]:
    return _strip(_take(q, _all_datastreams(session, who, q, None), _path))


@router.get("/Things({thing_id})/Datastreams")
def sta_thing_datastreams(
    thing_id: Id, session: DbSession, who: CurrentPrincipal, q: StaQuery
) -> dict[str, Any]:
    _one_device(session, who, thing_id, f"Things({thing_id})")
    return _strip(_take(q, _all_datastreams(session, who, q, thing_id), _path))


def _datastream_of(session: Session, who: Any, ds_id: int) -> tuple[Device, int]:
    d = _one_device(session, who, ds_id // 8, f"Datastreams({ds_id})")
    if ds_id % 8 not in _metrics(d):
        raise NotFound("iot.sta_not_found", entity=f"Datastreams({ds_id})")
    return d, ds_id % 8


@router.get("/Datastreams({ds_id})")
def sta_datastream(
    ds_id: Id, session: DbSession, who: CurrentPrincipal, q: StaQuery
) -> dict[str, Any]:
    d, k = _datastream_of(session, who, ds_id)
    return datastream(q, d, k, session)


@router.get("/Datastreams({ds_id})/Thing")
def sta_datastream_thing(
    ds_id: Id, session: DbSession, who: CurrentPrincipal, q: StaQuery
) -> dict[str, Any]:
    d, _ = _datastream_of(session, who, ds_id)
    return thing(q, d, session)


@router.get("/Datastreams({ds_id})/Observations")
def sta_datastream_observations(
    ds_id: Id, session: DbSession, who: CurrentPrincipal, q: StaQuery
) -> dict[str, Any]:
    d, k = _datastream_of(session, who, ds_id)
    col = getattr(Reading, f"v{k}")
    stmt = select(Reading).where(Reading.device_id == d.id, col.is_not(None))
    if q.filter is not None:
        cols = {"phenomenonTime": Reading.ts, "resultTime": Reading.ts, "result": col}
        stmt = stmt.where(to_sql(q.filter, cols))
    total = None
    if q.count:
        from sqlalchemy import func

        total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(session.scalars(stmt.order_by(Reading.ts).offset(q.skip).limit(q.top + 1)))
    items = [observation(q, r, k, d, session) for r in rows[: q.top]]
    return _page(q, items, len(rows) > q.top, total)


def _all_observations(session: Session, who: Any, q: Q) -> Iterator[dict[str, Any]]:
    stmt = select(Reading, Device).join(Device, Device.id == Reading.device_id)
    scope = scope_clause(session, who)
    if scope is not None:
        stmt = stmt.where(scope)
    last = 0
    scanned = 0
    while scanned < SCAN_CAP:
        chunk = session.execute(
            stmt.where(Reading.id > last).order_by(Reading.id).limit(2000)
        ).all()
        if not chunk:
            return
        for r, d in chunk:
            for k in _metrics(d):
                if getattr(r, f"v{k}") is not None:
                    yield observation(q, r, k, d, session) | {"_parent": d.id * 8 + k}
        last = chunk[-1][0].id
        scanned += len(chunk)


@router.get("/Observations")
def sta_observations(session: DbSession, who: CurrentPrincipal, q: StaQuery) -> dict[str, Any]:
    return _strip(_take(q, _all_observations(session, who, q), _path))


@router.get("/Observations({obs_id})")
def sta_observation(
    obs_id: BigId, session: DbSession, who: CurrentPrincipal, q: StaQuery
) -> dict[str, Any]:
    r = session.get(Reading, obs_id // 8)
    if r is None:
        raise NotFound("iot.sta_not_found", entity=f"Observations({obs_id})")
    d, k = _datastream_of(session, who, r.device_id * 8 + obs_id % 8)
    if getattr(r, f"v{k}") is None:
        raise NotFound("iot.sta_not_found", entity=f"Observations({obs_id})")
    return observation(q, r, k, d, session)
