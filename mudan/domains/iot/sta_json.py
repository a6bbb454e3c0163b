"""SensorThings documents: an entity as STA 1.1 JSON, ``$select`` and ``$expand`` applied,
collections with ``@iot.count`` and ``@iot.nextLink``, the Data Array extension, and the
service root. Reads go through :mod:`sta_query`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mudan.core.db import as_utc
from mudan.domains.iot.enums import TYPES, DeviceType
from mudan.domains.iot.sta_options import COMPONENTS, Options, check
from mudan.domains.iot.sta_query import PREFIX, Item, Req, entity, page, related
from mudan.domains.iot.sta_sets import MEASUREMENT, NAVS, Restrict

ROOT_SETS = ("Things", "Locations", "Datastreams", "Observations")
CONFORMANCE = (
    "datamodel",
    "resource-path/resource-path-to-entities",
    "request-data",
    "data-array/data-array",
)


def entity_json(x: Req, it: Item) -> dict[str, Any]:
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
    out = entity_json(x, it)
    for nav, inner in opts.expand.items():
        out |= _expand(x, it, nav, inner, out["@iot.selfLink"])
    return _select(out, opts.select, set(opts.expand))


def _expand(x: Req, it: Item, nav: str, inner: Options, link: str) -> dict[str, Any]:
    target, many = NAVS[it.kind][nav]
    found, items = page(x, target, related(it, nav), inner, inner.page if many else 1)
    if not many:
        return {nav: render(x, items[0], inner)} if items else {}
    out: dict[str, Any] = {}
    if inner.count:
        out[f"{nav}@iot.count"] = found.count
    out[nav] = [render(x, i, inner) for i in items]
    if found.more:
        params = {k: v for k, v in inner.raw.items() if k not in ("$top", "$skip")}
        params |= {"$top": str(inner.page), "$skip": str(inner.skip + inner.page)}
        out[f"{nav}@iot.nextLink"] = f"{link}/{nav}?{urlencode(params)}"
    return out


def collection(x: Req, kind: str, only: Restrict) -> dict[str, Any]:
    opts = x.opts
    check(kind, opts, True)
    found, items = page(x, kind, only, opts, opts.page)
    out: dict[str, Any] = {}
    if opts.count:
        out["@iot.count"] = found.count
    if found.more:
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
        obs = entity_json(x, it)
        g["dataArray"].append([obs["@iot.id" if c == "id" else c] for c in comps])
        g["dataArray@iot.count"] += 1
    return list(groups.values())


def single(x: Req, kind: str, only: Restrict, name: str) -> dict[str, Any]:
    check(kind, x.opts, False, name)
    it = entity(x, kind, only, name)
    x.spend(1)
    return render(x, it, x.opts)


def root(base_url: str) -> dict[str, Any]:
    """The service root: the entity sets and the conformance classes served."""
    base = base_url.rstrip("/") + PREFIX
    spec = "http://www.opengis.net/spec/iot_sensing/1.1/req"
    return {
        "value": [{"name": n, "url": f"{base}/{n}"} for n in ROOT_SETS],
        "serverSettings": {"conformance": [f"{spec}/{c}" for c in CONFORMANCE]},
    }
