"""Catalog pages: list with facets, entry page, edit form with an item table, transitions."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from mudan.core.deps import DbSession, locale_of
from mudan.core.errors import MudanError
from mudan.core.params import Id
from mudan.domains.catalog import service, versions
from mudan.domains.catalog.codes import CATEGORIES, THEMES
from mudan.domains.catalog.enums import Grade, OpenType, PersonalKind, ShareType, UpdateCycle
from mudan.domains.catalog.schemas import EntryIn
from mudan.domains.catalog.validate import FORMATS
from mudan.domains.catalog.views import query_from, run_query, track_index
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.kernel.models import Department
from mudan.kernel.rbac import Principal
from mudan.lake.schema import ItemType
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
ITEM_FIELDS = (
    "name",
    "label",
    "type",
    "length",
    "share_type",
    "sensitivity",
    "personal_kind",
    "description",
)
BLANK_ROWS = 2


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


def _choices() -> dict[str, Any]:
    return {
        "themes": list(THEMES.values()),
        "categories": list(CATEGORIES.values()),
        "formats": FORMATS,
        "cycles": [c.value for c in UpdateCycle],
        "grades": [g.value for g in Grade],
        "share_types": [s.value for s in ShareType],
        "open_types": [o.value for o in OpenType],
        "item_types": [i.value for i in ItemType],
        "personal_kinds": [p.value for p in PersonalKind],
    }


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("；", ",").replace(";", ",").split(",") if p.strip()]


def entry_from_form(form: dict[str, str]) -> EntryIn:
    """Build the service input from the plain HTML form (items as ``items-N-field`` rows)."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        if key.startswith("items-"):
            _, idx, fname = key.split("-", 2)
            if idx.isdigit() and fname in ITEM_FIELDS:
                rows.setdefault(int(idx), {})[fname] = value.strip()
    items = [
        {k: v for k, v in row.items() if v != ""}
        for _, row in sorted(rows.items())
        if row.get("name") or row.get("label")
    ]
    data: dict[str, Any] = {
        k: form[k].strip()
        for k in (
            "name",
            "department_code",
            "abstract",
            "category",
            "format",
            "update_cycle",
            "release_date",
            "theme",
            "industry",
            "region_code",
            "grade",
            "share_type",
            "share_conditions",
            "share_method",
            "legal_basis",
            "open_type",
            "open_conditions",
        )
        if form.get(k, "").strip()
    }
    data["related"] = _split(form.get("related", ""))
    data["tags"] = _split(form.get("tags", ""))
    data["key_columns"] = _split(form.get("key_columns", ""))
    data["aggregated"] = form.get("aggregated") == "on"
    data["items"] = items
    return EntryIn.model_validate(data)


@router.get("/catalog")
def catalog_page(
    request: Request,
    session: DbSession,
    q: str = "",
    offset: int = 0,
    limit: int = 20,
    principal: Principal = require("catalog.read"),
) -> Response:
    query = query_from(request, principal, q, max(0, offset), min(max(1, limit), 100))
    page = run_query(request, session, query)
    depts = {code: name for code, name in session.execute(select(Department.code, Department.name))}

    def link(**change: Any) -> str:
        params = {"q": query.q, **query.filters, **change}
        return "/catalog?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})

    return render(
        request,
        "catalog/list.html",
        {"page": page, "query": query, "link": link, "departments": depts},
    )


def _form_page(
    request: Request, session: DbSession, *, entry: Any = None, form: Any = None, error: str = ""
) -> Response:
    depts = session.scalars(select(Department).order_by(Department.code)).all()
    items = list(form["items"]) if form else []
    ctx = {
        "entry": entry,
        "form": form,
        "items": items + [None] * BLANK_ROWS,
        "error": error,
        "departments": depts,
        **_choices(),
    }
    return render(request, "catalog/edit.html", ctx, status_code=422 if error else 200)


@router.get("/catalog/new", dependencies=[require("catalog.edit")])
def catalog_new_page(request: Request, session: DbSession) -> Response:
    return _form_page(request, session)


@router.get("/catalog/_item_row", dependencies=[require("catalog.edit")])
def catalog_item_row(request: Request, i: int = 0) -> Response:
    return render(request, "catalog/_item_row.html", {"i": i, "it": None, **_choices()})


def _save(
    request: Request,
    session: DbSession,
    form: dict[str, str],
    principal: Principal,
    entry_id: int | None,
) -> Response:
    entry = service.get_entry(session, entry_id=entry_id) if entry_id else None
    try:
        data = entry_from_form(form)
        with session.begin_nested():
            if entry_id is None:
                saved = service.create_entry(session, principal=principal, data=data)
            else:
                saved = service.update_entry(
                    session, principal=principal, entry_id=entry_id, data=data
                )
    except ValidationError as exc:
        msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _form_page(request, session, entry=entry, form=_raw(form), error=msg)
    except MudanError as exc:
        if exc.status == 403:
            raise
        return _form_page(
            request, session, entry=entry, form=_raw(form), error=exc.message(locale_of(request))
        )
    return RedirectResponse(f"/catalog/{saved.id}", status_code=303)


def _raw(form: dict[str, str]) -> dict[str, Any]:
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        if key.startswith("items-"):
            _, idx, fname = key.split("-", 2)
            if idx.isdigit():
                rows.setdefault(int(idx), {})[fname] = value
    items = [r for _, r in sorted(rows.items()) if r.get("name") or r.get("label")]
    return {**form, "items": items}


@router.post("/catalog/new")
def catalog_create_page(
    request: Request,
    session: DbSession,
    form: FormData,
    principal: Principal = require("catalog.edit"),
) -> Response:
    return _save(request, session, form, principal, None)


@router.get("/catalog/{entry_id}", dependencies=[require("catalog.read")])
def catalog_entry_page(
    entry_id: Id, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    entry = service.get_visible_entry(session, principal=principal, entry_id=entry_id)
    if not service.sees_working_copy(principal, entry) and entry.status not in (
        service.PUBLIC_STATES
    ):
        # an unpublished revision of a published entry: readers see the published version
        return RedirectResponse(f"/catalog/{entry_id}/versions/{entry.version}", status_code=303)
    versions = service.list_versions(session, entry_id=entry_id)
    return render(
        request,
        "catalog/entry.html",
        {
            "entry": entry,
            "versions": versions,
            "can_edit": service.can_edit(principal, entry.department_id),
            "can_approve": principal.can("catalog.approve"),
        },
    )


@router.get("/catalog/{entry_id}/versions/{version}")
def catalog_version_page(
    entry_id: Id,
    version: Id,
    request: Request,
    session: DbSession,
    principal: Principal = require("catalog.read"),
) -> Response:
    """One published version as it was, with what changed since the one before."""
    entry = service.get_visible_entry(session, principal=principal, entry_id=entry_id)
    ver = service.get_version(session, entry_id=entry_id, version=version)
    previous = None
    changes = None
    if version > 1:
        prev = service.get_version(session, entry_id=entry_id, version=version - 1)
        previous = prev.version
        changes = versions.compare(prev.snapshot, ver.snapshot)
    return render(
        request,
        "catalog/version.html",
        {
            "entry_id": entry_id,
            "v": ver.snapshot,
            "version": ver,
            "latest": entry.version,
            "previous": previous,
            "changes": changes,
        },
    )


@router.get("/catalog/{entry_id}/edit", dependencies=[require("catalog.edit")])
def catalog_edit_page(entry_id: Id, request: Request, session: DbSession) -> Response:
    entry = service.get_entry(session, entry_id=entry_id)
    out = service.entry_out(entry).model_dump(mode="json")
    form = {
        **out,
        "related": "；".join(out["related"]),
        "tags": "；".join(out["tags"]),
        "key_columns": ",".join(out["key_columns"]),
    }
    return _form_page(request, session, entry=entry, form=form)


@router.post("/catalog/{entry_id}/edit")
def catalog_update_page(
    entry_id: Id,
    request: Request,
    session: DbSession,
    form: FormData,
    principal: Principal = require("catalog.edit"),
) -> Response:
    return _save(request, session, form, principal, entry_id)


@router.post("/catalog/{entry_id}/transition")
def catalog_transition_page(
    entry_id: Id,
    request: Request,
    session: DbSession,
    form: FormData,
    principal: Principal = require("catalog.read"),
) -> Response:
    track_index(request, session)
    service.transition(
        session,
        principal=principal,
        entry_id=entry_id,
        action=form.get("action", ""),
        reason=form.get("reason", ""),
    )
    return RedirectResponse(f"/catalog/{entry_id}", status_code=303)
