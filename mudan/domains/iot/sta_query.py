"""What one SensorThings request reads: the caller's scope, the size budget, the options, and
the entities behind a page of keys. The SQL of the entity sets is :mod:`sta_sets` (over the
expressions of :mod:`sta_sql`); this module turns a page of keys into loaded entities and an
``@iot.id`` into the restriction it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from mudan.core.errors import NotFound
from mudan.core.params import MAX_ID
from mudan.domains.iot.models import Device, Reading
from mudan.domains.iot.registry import scope_clause
from mudan.domains.iot.sta_expr import bad
from mudan.domains.iot.sta_options import Options, parse
from mudan.domains.iot.sta_sets import Page, Restrict, run

PREFIX = "/sta/v1.1"
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


# --- ids and navigations as restrictions ------------------------------------------------------


def by_device(dev_id: int) -> Restrict:
    """A Thing or a Location: the device row itself."""
    return Restrict(dev=dev_id)


def by_datastream(ds_id: int) -> Restrict:
    # A datastream id is device id x 8 + metric: past the device ids' 32 bits, no such stream.
    if ds_id // 8 > MAX_ID:
        raise NotFound("iot.sta_not_found", entity=f"Datastreams({ds_id})")
    return Restrict(dev=ds_id // 8, k=ds_id % 8)


def by_observation(obs_id: int) -> Restrict:
    return Restrict(rid=obs_id // 8, k=obs_id % 8)


def related(it: Item, nav: str) -> Restrict:
    """The entities ``nav`` leads to from ``it``: the same device, and the same metric where
    the navigation stays on one datastream."""
    same_metric = (it.kind, nav) in (("Datastream", "Observations"), ("Observation", "Datastream"))
    return Restrict(dev=it.dev.id, k=it.k if same_metric else None)


# --- pages of entities -------------------------------------------------------------------------


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


def page(x: Req, kind: str, only: Restrict, opts: Options, size: int) -> tuple[Page, list[Item]]:
    """A page of the entity set (the caller's scope applied) and its entities, counted
    against the response's size budget."""
    found = run(x.session, kind, only, x.scope, opts, size)
    items = load(x.session, kind, found.rows)
    x.spend(len(items))
    return found, items


def entity(x: Req, kind: str, only: Restrict, name: str, opts: Options | None = None) -> Item:
    """One entity the caller may see, or 404."""
    probe = opts or Options()
    found = run(x.session, kind, only, x.scope, probe, 1)
    items = load(x.session, kind, found.rows)
    if not items:
        raise NotFound("iot.sta_not_found", entity=name)
    return items[0]
