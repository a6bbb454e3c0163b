"""DCAT-AP 3 endpoints: ``/catalog.ttl`` (``?page=``, hydra paging) and
``/open/dataset/{name}.ttl`` / ``.jsonld``. Public, like the portal."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from mudan.core.deps import DbSession, public
from mudan.core.errors import InvalidInput
from mudan.domains.opendata import dcat, service
from mudan.domains.opendata.api import base_url
from mudan.domains.opendata.models import OpenDataset

router = APIRouter(tags=["opendata"])
PAGE_SIZE = 100


@router.get("/catalog.ttl")
@public
def dcat_catalog(
    request: Request,
    session: DbSession,
    page: int = Query(default=1, ge=1, le=100_000),
    page_size: int = Query(default=PAGE_SIZE, ge=1, le=1000),
) -> Response:
    """The open-data catalog as DCAT-AP 3 Turtle, one page of datasets at a time."""
    total = service.count_datasets(session)
    last = max(1, -(-total // page_size))
    if page > last:
        raise InvalidInput("opendata.bad_page", page=page, last=last)
    stmt = (
        select(OpenDataset)
        .where(service.active())
        .order_by(OpenDataset.name)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    g = dcat.catalog_graph(
        base_url(request), list(session.scalars(stmt)), page=page, page_size=page_size, total=total
    )
    return Response(g.serialize(format="turtle"), media_type="text/turtle; charset=utf-8")


@router.get("/open/dataset/{name}.ttl")
@public
def dcat_dataset_ttl(name: str, request: Request, session: DbSession) -> Response:
    """One dataset as DCAT-AP 3 Turtle."""
    ds = service.get_dataset(session, name_or_id=name)
    g = dcat.dataset_graph(base_url(request), ds)
    return Response(g.serialize(format="turtle"), media_type="text/turtle; charset=utf-8")


@router.get("/open/dataset/{name}.jsonld")
@public
def dcat_dataset_jsonld(name: str, request: Request, session: DbSession) -> Response:
    """One dataset as DCAT-AP 3 JSON-LD."""
    ds = service.get_dataset(session, name_or_id=name)
    g = dcat.dataset_graph(base_url(request), ds)
    return Response(g.serialize(format="json-ld"), media_type="application/ld+json")
