"""Catalog API under /api/v1/catalog: list/search, entries, versions, transitions, XLSX."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.deps import DbSession, app_ctx
from mudan.core.errors import TooLarge
from mudan.core.params import Id
from mudan.domains.catalog import browse, indexing, service
from mudan.domains.catalog import xlsx as catalog_xlsx
from mudan.domains.catalog.schemas import EntryIn, EntryOut, PageOut, TransitionIn, VersionOut
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal

if TYPE_CHECKING:
    from mudan.search import SearchIndex

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 10 * 1024 * 1024  # the app-wide body limit


class RowErrorOut(BaseModel):
    sheet: str
    row: int
    column: str
    reason: str


class ImportOut(BaseModel):
    created: list[str]
    updated: list[str]
    errors: list[RowErrorOut]


def catalog_index(request: Request) -> SearchIndex:
    ctx = app_ctx(request)
    return indexing.app_index(ctx.extras, ctx.settings)


def track_index(request: Request, session: Session) -> None:
    """Update the search index after this request's transaction commits."""
    ctx = app_ctx(request)
    indexing.follow(session, ctx.sessions, lambda: catalog_index(request))


def run_query(request: Request, session: Session, query: browse.Query) -> PageOut:
    """Full-text search on the index when there is a query text, SQL browsing otherwise."""
    if query.q.strip():
        return browse.search(session, index=catalog_index(request), query=query)
    return browse.browse(session, query=query)


def query_from(
    request: Request, principal: Principal, q: str, offset: int, limit: int
) -> browse.Query:
    filters = {
        k: v for k, v in request.query_params.items() if k in browse.BROWSE_FACETS and v.strip()
    }
    return browse.Query(
        visibility=browse.Visibility.of(principal),
        q=q,
        filters=filters,
        offset=offset,
        limit=limit,
    )


@router.get("/entries", response_model=PageOut)
def catalog_list(
    request: Request,
    session: DbSession,
    principal: Principal = require("catalog.read"),
    q: str = Query(default="", max_length=200),
    offset: int = Query(default=0, ge=0, le=100000),
    limit: int = Query(default=20, ge=1, le=200),
) -> PageOut:
    """List or search entries. Facet filters: department (code), theme, grade, share_type,
    open_type, format, update_cycle, region, status (status only without ``q``)."""
    return run_query(request, session, query_from(request, principal, q, offset, limit))


@router.get("/entries/{entry_id}", response_model=EntryOut)
def catalog_get(
    entry_id: Id, session: DbSession, principal: Principal = require("catalog.read")
) -> EntryOut:
    """The working copy for the providing department and approvers; the last published
    version for everyone else (drafts never published are not found)."""
    return service.visible_out(session, principal=principal, entry_id=entry_id)


@router.get(
    "/entries/{entry_id}/versions",
    response_model=list[VersionOut],
)
def catalog_versions(
    entry_id: Id, session: DbSession, principal: Principal = require("catalog.read")
) -> list[VersionOut]:
    service.get_visible_entry(session, principal=principal, entry_id=entry_id)
    return [
        VersionOut(
            version=v.version,
            published_at=v.published_at,
            published_by=v.published_by,
            snapshot=v.snapshot,
        )
        for v in service.list_versions(session, entry_id=entry_id)
    ]


@router.get(
    "/entries/{entry_id}/versions/{version}",
    response_model=VersionOut,
)
def catalog_version(
    entry_id: Id, version: Id, session: DbSession, principal: Principal = require("catalog.read")
) -> VersionOut:
    service.get_visible_entry(session, principal=principal, entry_id=entry_id)
    v = service.get_version(session, entry_id=entry_id, version=version)
    return VersionOut(
        version=v.version,
        published_at=v.published_at,
        published_by=v.published_by,
        snapshot=v.snapshot,
    )


@router.post("/entries", response_model=EntryOut, status_code=201)
def catalog_create(
    body: EntryIn, session: DbSession, principal: Principal = require("catalog.edit")
) -> EntryOut:
    return service.entry_out(service.create_entry(session, principal=principal, data=body))


@router.put("/entries/{entry_id}", response_model=EntryOut)
def catalog_update(
    entry_id: Id,
    body: EntryIn,
    session: DbSession,
    principal: Principal = require("catalog.edit"),
) -> EntryOut:
    entry = service.update_entry(session, principal=principal, entry_id=entry_id, data=body)
    return service.entry_out(entry)


@router.post("/entries/{entry_id}/transitions", response_model=EntryOut)
def catalog_transition(
    entry_id: Id,
    body: TransitionIn,
    request: Request,
    session: DbSession,
    principal: Principal = require("catalog.read"),
) -> EntryOut:
    """``submit`` (draft → pending), ``approve`` (pending → published, version N+1),
    ``reject`` (pending → draft, with a reason), ``withdraw`` (published → withdrawn)."""
    track_index(request, session)
    entry = service.transition(
        session, principal=principal, entry_id=entry_id, action=body.action, reason=body.reason
    )
    return service.entry_out(entry)


@router.get("/export.xlsx", dependencies=[require("catalog.read")])
def catalog_export(
    request: Request,
    session: DbSession,
    principal: Principal = require("catalog.read"),
) -> Response:
    filters = {
        k: v for k, v in request.query_params.items() if k in browse.BROWSE_FACETS and v.strip()
    }
    entries = list(
        browse.select_entries(session, filters=filters, visibility=browse.Visibility.of(principal))
    )
    data = catalog_xlsx.export_xlsx(entries)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="catalog.export",
        object_type="catalog",
        object_id="xlsx",
        detail={"entries": len(entries), "filters": filters},
    )
    return Response(
        data,
        media_type=XLSX_MIME,
        headers={"Content-Disposition": 'attachment; filename="catalog.xlsx"'},
    )


@router.post("/import", response_model=ImportOut)
def catalog_import(
    file: Annotated[UploadFile, File()],
    session: DbSession,
    partial: Annotated[bool, Form()] = False,
    principal: Principal = require("catalog.edit"),
) -> ImportOut:
    """Import an XLSX (sheets 目录 and 信息项). All-or-nothing unless ``partial``."""
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge("catalog.import_too_large", limit=MAX_IMPORT_BYTES)
    report = catalog_xlsx.import_xlsx(session, principal=principal, data=data, partial=partial)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="catalog.import",
        object_type="catalog",
        object_id=file.filename or "xlsx",
        detail={
            "created": len(report.created),
            "updated": len(report.updated),
            "errors": len(report.errors),
            "partial": partial,
        },
    )
    return ImportOut(
        created=report.created,
        updated=report.updated,
        errors=[RowErrorOut(**e.__dict__) for e in report.errors],
    )
