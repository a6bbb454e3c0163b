"""OGC SensorThings API 1.1, read-only, at ``/sta/v1.1`` (bearer token with ``iot.read``).

Things and Locations are devices; a Datastream is one metric of one device
(``@iot.id`` = device id × 8 + metric index); an Observation is one metric of one hot reading
(``@iot.id`` = reading id × 8 + metric index). Observations cover the hot window kept in the
database; older history is in the lake table ``iot.telemetry``. The query options are parsed by
:mod:`sta_options` and run as SQL by :mod:`sta_sets`; docs/iot.md lists what is supported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.deps import DbSession
from mudan.core.errors import NotFound
from mudan.core.params import MAX_ID, BigId, Id
from mudan.domains.iot.enums import TYPES, DeviceType
from mudan.domains.iot.models import Device, Reading
from mudan.domains.iot.registry import scope_clause
from mudan.domains.iot.sta_expr import bad
from mudan.domains.iot.sta_options import COMPONENTS, Options, check, parse
from mudan.domains.iot.sta_sets import MEASUREMENT, NAVS, Restrict, run
from mudan.kernel.deps import CurrentPrincipal, require

PREFIX = "/sta/v1.1"
router = APIRouter(prefix=PREFIX, tags=["sensorthings"], dependencies=[require("iot.read")])
MAX_ENTITIES = 20_000  # in one response, expansions included


@dataclass(frozen=True)
class Item:
    kind: str
    dev: Device
    k: int = 0
    reading: Reading | None = None

    @property
    def id(self) -> int:
        if self.kind == "Observation" and self.reading is not None:
            return self.reading.id * 8 + self.k
        return self.dev.id * 8 + self.k if self.kind == "Datastream" else self.dev.id


class Req:
    """One request: where links point, the caller's scope, what is left of the size budget."""

    def __init__(self, request: Request, session: Session, who: Any) -> None:
        self.request, self.session = request, session
        self.base = str(request.base_url).rstrip("/") + PREFIX
        self.scope: ColumnElement[bool] | None = scope_clause(session, who)
        self.budget = MAX_ENTITIES
        self.opts = parse(list(request.query_params.multi_items()))

    def spend(self, n: int) -> None:
        self.budget -= n
        if self.budget < 0:
            raise bad(f"more than {MAX_ENTITIES} entities in one response: lower $top", "$top")


# --- entity JSON -------------------------------------------------------------------------------


def _json(x: Req, it: Item) -> dict[str, Any]:
    d, k = it.dev, it.k
    link = f"{x.base}/{it.kind}s({it.id})"
    out: dict[str, Any] = {"@iot.id": it.id, "@iot.selfLink": link}
    if it.kind == "Thing":
        out |= {"name": d.code, "description": f"{d.type} {d.model}", "properties": {
            "type": d.type, "model": d.model, "department": d.department_code,
            "district": d.district_code, "street": d.street_code,
            "community": d.community_code, "grid": d.grid_code, "status": d.status,
            "protocol": d.protocol, "interval_s": d.interval_s}}  # fmt: skip
    elif it.kind == "Location":
        out |= {"name": d.code, "description": d.grid_code or "",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [d.lon, d.lat]}}  # fmt: skip
    elif it.kind == "Datastream":
        m = TYPES[DeviceType(d.type)].metrics[k]
        out |= {
            "name": f"{d.code}:{m.code}",
            "description": f"{d.type} {m.code}",
            "unitOfMeasurement": {"name": m.unit or "1", "symbol": m.unit, "definition": ""},
            "observationType": MEASUREMENT,
            "properties": {"metric": m.code, "device": d.code},
        }
    elif it.reading is not None:
        ts = as_utc(it.reading.ts).isoformat().replace("+00:00", "Z")
        result = getattr(it.reading, f"v{k}")
        out |= {"phenomenonTime": ts, "resultTime": ts, "result": result}
    for nav in NAVS[it.kind]:
        out[f"{nav}@iot.navigationLink"] = f"{link}/{nav}"
    return out


def _select(out: dict[str, Any], names: list[str] | None, expanded: set[str]) -> dict[str, Any]:
    """Only the properties named (STA 1.1 9.3.2.2), plus whatever was expanded."""
    if names is None:
        return out
    keep = {"@iot.id" if n in ("id", "@iot.id") else n for n in names}
    keep |= {f"{n}@iot.navigationLink" for n in names}
    keep |= {f"{n}{s}" for n in expanded for s in ("", "@iot.count", "@iot.nextLink")}
    return {key: v for key, v in out.items() if key in keep}


def render(x: Req, it: Item, opts: Options) -> dict[str, Any]:
    out = _json(x, it)
    for nav, inner in opts.expand.items():
        out |= _expand(x, it, nav, inner, out["@iot.selfLink"])
    return _select(out, opts.select, set(opts.expand))


def _restrict(it: Item, nav: str) -> Restrict:
    same_metric = (it.kind, nav) in (("Datastream", "Observations"), ("Observation", "Datastream"))
    return Restrict(dev=it.dev.id, k=it.k if same_metric else None)


def _expand(x: Req, it: Item, nav: str, inner: Options, link: str) -> dict[str, Any]:
    target, many = NAVS[it.kind][nav]
    page = run(x.session, target, _restrict(it, nav), x.scope, inner, inner.page if many else 1)
    items = load(x.session, target, page.rows)
    x.spend(len(items))
    if not many:
        return {nav: render(x, items[0], inner)} if items else {}
    out: dict[str, Any] = {}
    if inner.count:
        out[f"{nav}@iot.count"] = page.count
    out[nav] = [render(x, i, inner) for i in items]
    if page.more:
        params = {k: v for k, v in inner.raw.items() if k not in ("$top", "$skip")}
        params |= {"$top": str(inner.page), "$skip": str(inner.skip + inner.page)}
        out[f"{nav}@iot.nextLink"] = f"{link}/{nav}?{urlencode(params)}"
    return out


def load(session: Session, kind: str, rows: list[Any]) -> list[Item]:
    """The entities of a page's keys, in page order."""
    if not rows:
        return []
    found = session.scalars(select(Device).where(Device.id.in_({r.dev for r in rows})))
    devs = {d.id: d for d in found}
    if kind != "Observation":
        return [Item(kind, devs[r.dev], r.k if kind == "Datastream" else 0) for r in rows]
    rids = {r.rid for r in rows}
    readings = {r.id: r for r in session.scalars(select(Reading).where(Reading.id.in_(rids)))}
    return [Item(kind, devs[r.dev], r.k, readings[r.rid]) for r in rows]


# --- responses --------------------------------------------------------------------------------


def collection(x: Req, kind: str, only: Restrict) -> dict[str, Any]:
    opts = x.opts
    check(kind, opts, True)
    page = run(x.session, kind, only, x.scope, opts, opts.page)
    items = load(x.session, kind, page.rows)
    x.spend(len(items))
    out: dict[str, Any] = {}
    if opts.count:
        out["@iot.count"] = page.count
    if page.more:
        params = dict(x.request.query_params)
        params |= {"$skip": str(opts.skip + opts.page), "$top": str(opts.page)}
        out["@iot.nextLink"] = f"{str(x.request.url).split('?')[0]}?{urlencode(params)}"
    if opts.result_format is not None:
        out["value"] = data_array(x, items, opts.select)
    else:
        out["value"] = [render(x, it, opts) for it in items]
    return out


def data_array(x: Req, items: list[Item], select_: list[str] | None) -> list[dict[str, Any]]:
    """STA 1.1 Data Array extension: the observations of each datastream as rows of values."""
    comps = ["id" if c == "@iot.id" else c for c in (select_ or COMPONENTS)]
    groups: dict[int, dict[str, Any]] = {}
    for it in items:
        ds = it.dev.id * 8 + it.k
        link = f"{x.base}/Datastreams({ds})"
        g = groups.setdefault(ds, {"Datastream@iot.navigationLink": link, "components": comps})
        g.setdefault("dataArray@iot.count", 0)
        g.setdefault("dataArray", [])
        obs = _json(x, it)
        g["dataArray"].append([obs["@iot.id" if c == "id" else c] for c in comps])
        g["dataArray@iot.count"] += 1
    return list(groups.values())


def entity(x: Req, kind: str, only: Restrict, name: str, opts: Options | None = None) -> Item:
    """One entity the caller may see, or 404."""
    probe = opts or Options()
    page = run(x.session, kind, only, x.scope, probe, 1)
    items = load(x.session, kind, page.rows)
    if not items:
        raise NotFound("iot.sta_not_found", entity=name)
    return items[0]


def single(x: Req, kind: str, only: Restrict, name: str) -> dict[str, Any]:
    check(kind, x.opts, False, name)
    it = entity(x, kind, only, name)
    x.spend(1)
    return render(x, it, x.opts)


def _ds(ds_id: int) -> Restrict:
    # A datastream id is device id x 8 + metric: past the device ids' 32 bits, no such stream.
    if ds_id // 8 > MAX_ID:
        raise NotFound("iot.sta_not_found", entity=f"Datastreams({ds_id})")
    return Restrict(dev=ds_id // 8, k=ds_id % 8)


@router.get("")
def sta_root(request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/") + PREFIX
    names = ("Things", "Locations", "Datastreams", "Observations")
    spec = "http://www.opengis.net/spec/iot_sensing/1.1/req"
    return {
        "value": [{"name": n, "url": f"{base}/{n}"} for n in names],
        "serverSettings": {
            "conformance": [
                f"{spec}/datamodel",
                f"{spec}/resource-path/resource-path-to-entities",
                f"{spec}/request-data",
                f"{spec}/data-array/data-array",
            ]
        },
    }


@router.get("/Things")
def sta_things(request: Request, session: DbSession, who: CurrentPrincipal) -> dict[str, Any]:
    return collection(Req(request, session, who), "Thing", Restrict())


@router.get("/Things({thing_id})")
def sta_thing(
    thing_id: Id, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    return single(
        Req(request, session, who), "Thing", Restrict(dev=thing_id), f"Things({thing_id})"
    )


@router.get("/Things({thing_id})/Locations")
def sta_thing_locations(
    thing_id: Id, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    x = Req(request, session, who)
    entity(x, "Thing", Restrict(dev=thing_id), f"Things({thing_id})")
    return collection(x, "Location", Restrict(dev=thing_id))


@router.get("/Things({thing_id})/Datastreams")
def sta_thing_datastreams(
    thing_id: Id, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    x = Req(request, session, who)
    entity(x, "Thing", Restrict(dev=thing_id), f"Things({thing_id})")
    return collection(x, "Datastream", Restrict(dev=thing_id))


@router.get("/Locations")
def sta_locations(request: Request, session: DbSession, who: CurrentPrincipal) -> dict[str, Any]:
    return collection(Req(request, session, who), "Location", Restrict())


@router.get("/Locations({loc_id})")
def sta_location(
    loc_id: Id, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    return single(
        Req(request, session, who), "Location", Restrict(dev=loc_id), f"Locations({loc_id})"
    )


@router.get("/Locations({loc_id})/Things")
def sta_location_things(
    loc_id: Id, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    x = Req(request, session, who)
    entity(x, "Location", Restrict(dev=loc_id), f"Locations({loc_id})")
    return collection(x, "Thing", Restrict(dev=loc_id))


@router.get("/Datastreams")
def sta_datastreams(request: Request, session: DbSession, who: CurrentPrincipal) -> dict[str, Any]:
    return collection(Req(request, session, who), "Datastream", Restrict())


@router.get("/Datastreams({ds_id})")
def sta_datastream(
    ds_id: BigId, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    return single(Req(request, session, who), "Datastream", _ds(ds_id), f"Datastreams({ds_id})")


@router.get("/Datastreams({ds_id})/Thing")
def sta_datastream_thing(
    ds_id: BigId, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    x = Req(request, session, who)
    entity(x, "Datastream", _ds(ds_id), f"Datastreams({ds_id})")
    return single(x, "Thing", Restrict(dev=ds_id // 8), f"Datastreams({ds_id})/Thing")


@router.get("/Datastreams({ds_id})/Observations")
def sta_datastream_observations(
    ds_id: BigId, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    x = Req(request, session, who)
    entity(x, "Datastream", _ds(ds_id), f"Datastreams({ds_id})")
    return collection(x, "Observation", _ds(ds_id))


@router.get("/Observations")
def sta_observations(request: Request, session: DbSession, who: CurrentPrincipal) -> dict[str, Any]:
    return collection(Req(request, session, who), "Observation", Restrict())


@router.get("/Observations({obs_id})")
def sta_observation(
    obs_id: BigId, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    only = Restrict(rid=obs_id // 8, k=obs_id % 8)
    return single(Req(request, session, who), "Observation", only, f"Observations({obs_id})")


@router.get("/Observations({obs_id})/Datastream")
def sta_observation_datastream(
    obs_id: BigId, request: Request, session: DbSession, who: CurrentPrincipal
) -> dict[str, Any]:
    x = Req(request, session, who)
    name = f"Observations({obs_id})"
    it = entity(x, "Observation", Restrict(rid=obs_id // 8, k=obs_id % 8), name)
    return single(x, "Datastream", _ds(it.dev.id * 8 + it.k), f"{name}/Datastream")
