"""OGC SensorThings API 1.1, read-only, at ``/sta/v1.1`` (bearer token with ``iot.read``).

Things and Locations are devices; a Datastream is one metric of one device
(``@iot.id`` = device id × 8 + metric index); an Observation is one metric of one hot reading
(``@iot.id`` = reading id × 8 + metric index). Observations cover the hot window kept in the
database; older history is in the lake table ``iot.telemetry``. docs/iot.md lists what is
supported.

This module is the routing only: a table of resource paths (an entity set, one entity, a
navigation from one) and the one handler they share. The query options are parsed by
:mod:`sta_options`, the entity sets are SQL in :mod:`sta_sets` read through :mod:`sta_query`,
and the documents are built by :mod:`sta_json`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from mudan.core.deps import DbSession
from mudan.core.params import BigId, Id
from mudan.domains.iot.sta_json import collection, root, single
from mudan.domains.iot.sta_query import (
    PREFIX,
    Req,
    by_datastream,
    by_device,
    by_observation,
    entity,
    related,
)
from mudan.domains.iot.sta_sets import NAVS, Restrict
from mudan.kernel.deps import CurrentPrincipal, require

router = APIRouter(prefix=PREFIX, tags=["sensorthings"], dependencies=[require("iot.read")])


@dataclass(frozen=True)
class EntitySet:
    name: str  # the path segment, "Things"
    kind: str  # the entity type, "Thing"
    one: str  # the route-name stem of one entity, "thing"
    param: str  # the path id's name
    id_type: Any  # Id, or BigId where ids pass 32 bits (× 8 + metric)
    restrict: Callable[[int], Restrict]  # @iot.id -> the entity it names


SETS = (
    EntitySet("Things", "Thing", "thing", "thing_id", Id, by_device),
    EntitySet("Locations", "Location", "location", "loc_id", Id, by_device),
    EntitySet("Datastreams", "Datastream", "datastream", "ds_id", BigId, by_datastream),
    EntitySet("Observations", "Observation", "observation", "obs_id", BigId, by_observation),
)


@dataclass(frozen=True)
class Route:
    """A resource path: the set, one entity of it (``by_id``), or a navigation from one."""

    set: EntitySet
    by_id: bool = False
    nav: str | None = None

    @property
    def path(self) -> str:
        path = f"/{self.set.name}" + (f"({{{self.set.param}}})" if self.by_id else "")
        return path + (f"/{self.nav}" if self.nav else "")

    @property
    def name(self) -> str:
        """The route's name, which is its OpenAPI operation id: keep it stable."""
        if not self.by_id:
            return f"sta_{self.set.name.lower()}"
        return f"sta_{self.set.one}" + (f"_{self.nav.lower()}" if self.nav else "")

    def handle(self, x: Req, id_: int | None) -> dict[str, Any]:
        if id_ is None:
            return collection(x, self.set.kind, Restrict())
        name = f"{self.set.name}({id_})"
        only = self.set.restrict(id_)
        if self.nav is None:
            return single(x, self.set.kind, only, name)
        parent = entity(x, self.set.kind, only, name)  # 404 unless the caller may see it
        target, many = NAVS[self.set.kind][self.nav]
        if many:
            return collection(x, target, related(parent, self.nav))
        return single(x, target, related(parent, self.nav), f"{name}/{self.nav}")


ROUTES = tuple(
    route
    for s in SETS
    for route in (Route(s), Route(s, True), *(Route(s, True, nav) for nav in NAVS[s.kind]))
)


def endpoint(route: Route) -> Callable[..., dict[str, Any]]:
    """The route's endpoint, with the signature FastAPI reads: the typed path id (bounded,
    so a too-big id is a 422) and the request, session and principal."""

    def call(request: Request, session: Session, who: Any, **ids: int) -> dict[str, Any]:
        return route.handle(Req(request, session, who), ids.get(route.set.param))

    P = inspect.Parameter
    params = [P(route.set.param, P.KEYWORD_ONLY, annotation=route.set.id_type)] * route.by_id
    params += [
        P("request", P.KEYWORD_ONLY, annotation=Request),
        P("session", P.KEYWORD_ONLY, annotation=DbSession),
        P("who", P.KEYWORD_ONLY, annotation=CurrentPrincipal),
    ]
    call.__signature__ = inspect.Signature(params, return_annotation=dict[str, Any])  # type: ignore[attr-defined]
    call.__name__ = call.__qualname__ = route.name
    return call


@router.get("")
def sta_root(request: Request) -> dict[str, Any]:
    return root(str(request.base_url))


for _route in ROUTES:
    router.add_api_route(_route.path, endpoint(_route), methods=["GET"], name=_route.name)
