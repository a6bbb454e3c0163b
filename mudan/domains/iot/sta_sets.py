"""The four SensorThings entity sets as SQL over the registry and the hot readings.

Things and Locations are devices. A Datastream is one metric of a device and an Observation one
metric of a hot reading, so their sets are a UNION ALL of one arm per metric index ``k``
(``@iot.id`` = row id × 8 + ``k``). ``$filter`` and ``$orderby`` become SQL in every arm
(:mod:`sta_sql`), ``$count``, ``$skip`` and ``$top`` run over the union: nothing is evaluated
in Python and nothing is cut off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    false,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from mudan.core.errors import MudanError
from mudan.domains.iot.enums import MAX_METRICS, TYPES
from mudan.domains.iot.models import Device, Reading
from mudan.domains.iot.sta_expr import Node, bad
from mudan.domains.iot.sta_sql import Branch, Typed, condition, value

MERGE_MAX = 5000  # rows per arm merged in Python for a page in the default order
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
SETS = {"Things": "Thing", "Locations": "Location", "Datastreams": "Datastream"}
SETS["Observations"] = "Observation"
# navigation property → (target kind, to-many)
NAVS: dict[str, dict[str, tuple[str, bool]]] = {
    "Thing": {"Locations": ("Location", True), "Datastreams": ("Datastream", True)},
    "Location": {"Things": ("Thing", True)},
    "Datastream": {"Thing": ("Thing", False), "Observations": ("Observation", True)},
    "Observation": {"Datastream": ("Datastream", False)},
}
# to-many navigations that are the same device row (a device is its own one location)
SAME_ROW = {("Thing", "Locations"), ("Location", "Things")}
PROPERTIES = {
    "Thing": ("name", "description", "properties"),
    "Location": ("name", "description", "encodingType", "location"),
    "Datastream": ("name", "description", "unitOfMeasurement", "observationType", "properties"),
    "Observation": ("phenomenonTime", "resultTime", "result"),
}
_THING_PROPS = {
    "type": "type",
    "model": "model",
    "department": "department_code",
    "district": "district_code",
    "street": "street_code",
    "community": "community_code",
    "grid": "grid_code",
    "status": "status",
    "protocol": "protocol",
}


def types_with(k: int) -> list[str]:
    return [str(t) for t, spec in TYPES.items() if len(spec.metrics) > k]


def _metric(dev: Any, k: int, pick: Callable[[Any], str]) -> Any:
    whens = {str(t): pick(s.metrics[k]) for t, s in TYPES.items() if len(s.metrics) > k}
    return case(whens, value=dev.type, else_=None).cast(String)


def reading_value(rd: Any, k: int) -> Any:
    return getattr(rd, f"v{k}")


@dataclass(frozen=True)
class Ctx:
    """An entity of ``kind`` on the row of ``dev`` (a Device), metric ``k``, reading ``rd``."""

    kind: str
    dev: Any
    k: int = 0
    rd: Any = None


def props(ctx: Ctx) -> dict[str, Typed]:
    d, k = ctx.dev, ctx.k

    def s(x: Any) -> Typed:
        return Typed(x, "str")

    if ctx.kind == "Thing":
        out = {"id": Typed(d.id, "num"), "name": s(d.code)}
        out["description"] = s(d.type + " " + d.model)
        out |= {f"properties/{p}": s(getattr(d, c)) for p, c in _THING_PROPS.items()}
        out["properties/interval_s"] = Typed(d.interval_s, "num")
        return out
    if ctx.kind == "Location":
        return {
            "id": Typed(d.id, "num"),
            "name": s(d.code),
            "description": s(func.coalesce(d.grid_code, "")),
            "encodingType": s(literal("application/geo+json", String)),
        }
    if ctx.kind == "Datastream":
        code = _metric(d, k, lambda m: m.code)
        return {
            "id": Typed(d.id * 8 + k, "num", ids=(d.id, k)),
            "name": s(d.code + ":" + code),
            "description": s(d.type + " " + code),
            "unitOfMeasurement/name": s(_metric(d, k, lambda m: m.unit or "1")),
            "unitOfMeasurement/symbol": s(_metric(d, k, lambda m: m.unit)),
            "unitOfMeasurement/definition": s(literal("", String)),
            "observationType": s(literal(MEASUREMENT, String)),
            "properties/metric": s(code),
            "properties/device": s(d.code),
        }
    r = ctx.rd
    return {
        "id": Typed(r.id * 8 + k, "num", ids=(r.id, k)),
        "phenomenonTime": Typed(r.ts, "time"),
        "resultTime": Typed(r.ts, "time"),
        "result": Typed(reading_value(r, k), "num"),
    }


def _split(kind: str, path: str) -> tuple[list[str], list[str], str]:
    """``Datastream/Thing/name`` on an Observation → (navigations, kinds after each, property)."""
    parts = path.split("/")
    navs: list[str] = []
    kinds: list[str] = []
    while parts and parts[0] in NAVS[kind]:
        navs.append(parts.pop(0))
        kind = NAVS[kind][navs[-1]][0]
        kinds.append(kind)
    return navs, kinds, "/".join(parts)


def _one(ctx: Ctx, nav: str) -> Ctx:
    target, many = NAVS[ctx.kind][nav]
    if many and (ctx.kind, nav) not in SAME_ROW:
        raise bad(f"{nav} is a to-many navigation")
    return Ctx(target, ctx.dev, ctx.k, ctx.rd)


def _many(ctx: Ctx, nav: str) -> list[tuple[ColumnElement[bool] | None, Any, Ctx]]:
    if ctx.kind == "Thing":  # Datastreams: one branch per metric index
        return [(ctx.dev.type.in_(types_with(k)), None, Ctx("Datastream", ctx.dev, k))
                for k in range(MAX_METRICS)]  # fmt: skip
    rd = aliased(Reading)  # Datastream → Observations

    def exists(c: ColumnElement[bool], k: int = ctx.k) -> ColumnElement[bool]:
        on = and_(rd.device_id == ctx.dev.id, reading_value(rd, k).is_not(None), c)
        return select(literal(1)).where(on).exists()

    return [(None, exists, Ctx("Observation", ctx.dev, ctx.k, rd))]


def _is_many(kind: str, nav: str) -> bool:
    return NAVS[kind][nav][1] and (kind, nav) not in SAME_ROW


@dataclass
class Res:
    """Paths of ``ctx`` as SQL; ``bound`` holds a to-many prefix already expanded (a Branch)."""

    ctx: Ctx
    dialect: str
    bound: dict[str, Ctx] = field(default_factory=dict)

    def _root(self, path: str) -> tuple[Ctx, str]:
        for prefix, ctx in self.bound.items():
            if path.startswith(prefix + "/"):
                return ctx, path[len(prefix) + 1 :]
        return self.ctx, path

    def column(self, path: str) -> Typed:
        ctx, rest = self._root(path)
        navs, _, prop = _split(ctx.kind, rest)
        for nav in navs:
            ctx = _one(ctx, nav)
        got = props(ctx).get("id" if prop == "@iot.id" else prop)
        if got is None:
            raise bad(f"{ctx.kind} has no property {prop!r}")
        return got

    def many(self, path: str) -> str | None:
        ctx, rest = self._root(path)
        if ctx is not self.ctx:
            return None
        navs, kinds, _ = _split(ctx.kind, rest)
        last = [i for i, nav in enumerate(navs) if _is_many([ctx.kind, *kinds][i], nav)]
        return "/".join(navs[: last[-1] + 1]) if last else None

    def branches(self, prefix: str) -> list[Branch]:
        todo: list[tuple[ColumnElement[bool] | None, Any, Ctx]] = [(None, None, self.ctx)]
        for nav in prefix.split("/"):
            nxt = []
            for guard, wrap, ctx in todo:
                if not _is_many(ctx.kind, nav):
                    nxt.append((guard, wrap, _one(ctx, nav)))
                    continue
                for g, w, child in _many(ctx, nav):
                    nxt.append(
                        (_and(guard, g) if wrap is None else guard, _compose(wrap, g, w), child)
                    )
            todo = nxt
        return [
            Branch(g, w or (lambda c: c), Res(self.ctx, self.dialect, {prefix: c}))
            for g, w, c in todo
        ]


def _and(a: ColumnElement[bool] | None, b: ColumnElement[bool] | None) -> Any:
    return b if a is None else a if b is None else and_(a, b)


def _compose(outer: Any, guard: Any, inner: Any) -> Any:
    if outer is None:
        return inner
    return lambda c: outer(_and(guard, inner(c) if inner else c))


# --- collections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arm:
    ctx: Ctx
    froms: Any
    where: tuple[Any, ...]
    keys: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Restrict:
    """The part of a set a resource path names: one device (one metric of it, one reading)."""

    dev: int | None = None
    k: int | None = None
    rid: int | None = None  # one reading (an Observation by id)


def arms(kind: str, only: Restrict) -> list[Arm]:
    ks = [only.k] if only.k is not None else list(range(MAX_METRICS))
    if only.k is not None and not 0 <= only.k < MAX_METRICS:  # an id no metric has: none
        return [replace(a, where=(*a.where, false())) for a in arms(kind, Restrict(only.dev, 0))]
    if kind in ("Thing", "Location"):
        where: tuple[Any, ...] = () if only.dev is None else (Device.id == only.dev,)
        return [Arm(Ctx(kind, Device), Device, where, (("dev", Device.id),))]
    out = []
    for k in ks:
        const: Any = literal_column(str(int(k)))
        if kind == "Datastream":
            where = (Device.type.in_(types_with(k)),)
            where += () if only.dev is None else (Device.id == only.dev,)
            out.append(Arm(Ctx(kind, Device, k), Device, where, (("dev", Device.id), ("k", const))))
            continue
        froms = Reading.__table__.join(Device.__table__, Device.id == Reading.device_id)
        where = (reading_value(Reading, k).is_not(None),)  # set only for a metric the type has
        where += () if only.dev is None else (Reading.device_id == only.dev,)
        where += () if only.rid is None else (Reading.id == only.rid,)
        keys = (("rid", Reading.id), ("k", const), ("dev", Reading.device_id), ("ts", Reading.ts))
        out.append(Arm(Ctx(kind, Device, k, Reading), froms, where, keys))
    return out


def default_order(kind: str, only: Restrict) -> tuple[str, ...]:
    if kind == "Observation":  # one datastream's observations in time order
        return ("ts", "rid") if only.dev is not None else ("rid", "k")
    return ("dev", "k") if kind == "Datastream" else ("dev",)


@dataclass
class Page:
    rows: list[Any]
    more: bool
    count: int | None


def arm_selects(
    session: Session,
    kind: str,
    only: Restrict,
    scope: ColumnElement[bool] | None,
    filt: Node | None,
    orderby: list[tuple[Node, bool]],
) -> list[Select[Any]]:
    """One SELECT per arm of its keys and ``o0, o1, …`` (the ``$orderby`` values)."""
    dialect = session.get_bind().dialect.name
    sels: list[Select[Any]] = []
    for arm in arms(kind, only):
        r = Res(arm.ctx, dialect)
        cols = [c.label(n) for n, c in arm.keys]
        for i, (node, _) in enumerate(orderby):
            got = _ordering(node, r)
            cols.append(got.sql.label(f"o{i}"))
        where = list(arm.where) + ([scope] if scope is not None else [])
        if filt is not None:
            where.append(condition(filt, r))
        sels.append(select(*cols).select_from(arm.froms).where(*where))
    return sels


def _ordering(node: Node, r: Res) -> Typed:
    try:
        got = value(node, r)
    except MudanError as exc:  # the same expression language: name the option it came from
        if exc.code == "iot.sta_bad_query":
            exc.details = [{"option": "$orderby"}]
        raise
    if got.type in ("interval", "null"):
        raise bad("$orderby needs a value", "$orderby")
    return got


def run(
    session: Session,
    kind: str,
    only: Restrict,
    scope: ColumnElement[bool] | None,
    opts: Any,
    top: int,
) -> Page:
    """One page (``opts.skip``, ``top``) of the set in ``$orderby`` order, then a stable one."""
    sels = arm_selects(session, kind, only, scope, opts.filter, opts.orderby)
    keys = default_order(kind, only)
    u = (union_all(*sels) if len(sels) > 1 else sels[0]).subquery()
    want = opts.skip + top + 1
    if len(sels) > 1 and not opts.orderby and want <= MERGE_MAX:
        # each arm reads its first rows in key order (an index scan), merged here: PostgreSQL
        # would sort the whole union for ORDER BY … LIMIT
        parts = [session.execute(q.order_by(*keys).limit(want)).all() for q in sels]
        rows = sorted(
            (r for part in parts for r in part), key=lambda r: tuple(r._mapping[k] for k in keys)
        )
        rows = rows[opts.skip : want]
    else:
        order = [
            (u.c[f"o{i}"].desc().nulls_last() if desc else u.c[f"o{i}"].asc().nulls_first())
            for i, (_, desc) in enumerate(opts.orderby)
        ] + [u.c[key] for key in keys]
        rows = list(session.execute(select(u).order_by(*order).offset(opts.skip).limit(top + 1)))
    count = None
    if opts.count:
        count = int(session.scalar(select(func.count()).select_from(u)) or 0)
    return Page(rows[:top], len(rows) > top, count)
