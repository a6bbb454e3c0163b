"""Public portal pages (no login): search with facets, dataset pages, downloads, feedback and
error reports, registration; applications for 有条件开放 data (registered users)."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from mudan.core.deps import DbSession, app_ctx, locale_of, public
from mudan.core.errors import MudanError
from mudan.domains.catalog.enums import OpenType
from mudan.domains.opendata import datastore, service
from mudan.domains.opendata import search as ps
from mudan.domains.opendata.api import base_url, portal_index
from mudan.domains.opendata.enums import LICENCES, MEDIA_TYPES, FeedbackKind, ResourceFormat
from mudan.domains.opendata.errors import NotFoundError
from mudan.domains.opendata.index import group_name
from mudan.domains.opendata.models import OpenApplication, OpenDataset
from mudan.domains.opendata.scoring import POINTS
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.lake import lake_of
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
PAGE = 10
PORTAL_FACETS = ("organization", "groups", "res_format", "open_type", "update_cycle")


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


@router.get("/open")
@public
def portal_home(request: Request, session: DbSession, q: str = "", start: int = 0) -> Response:
    chosen = {k: request.query_params[k] for k in PORTAL_FACETS if request.query_params.get(k)}
    fq = " ".join(f'{k}:"{v}"' for k, v in chosen.items())
    data = {
        "q": q[:200],
        "fq": fq,
        "rows": PAGE,
        "start": max(0, start),
        "facet.field": list(PORTAL_FACETS),
    }
    error = ""
    try:
        params = ps.parse_params(data)
        page = ps.search(session, index=portal_index(request, session), params=params)
    except MudanError as exc:
        error = exc.message(locale_of(request))
        page = ps.SearchPage(0, [], {})
    orgs = dict(
        session.execute(
            select(OpenDataset.department_code, OpenDataset.department_name).distinct()
        ).all()
    )
    themes = {group_name(t): t for t in session.scalars(select(OpenDataset.theme).distinct())}

    def link(**change: Any) -> str:
        params = {"q": q, **chosen, **change}
        return "/open?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})

    return render(
        request,
        "opendata/home.html",
        {
            "page": page,
            "q": q,
            "start": max(0, start),
            "size": PAGE,
            "chosen": chosen,
            "facets": {k: page.facets.get(k, {}) for k in PORTAL_FACETS},
            "titles": {"organization": orgs, "groups": themes},
            "link": link,
            "error": error,
        },
    )


def _chart(ds: OpenDataset, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A bar chart of the first numeric field by the first text field over the preview rows."""
    text = next((f for f in ds.fields if f["type"] == "string"), None)
    num = next((f for f in ds.fields if f["type"] in ("integer", "float", "decimal")), None)
    if text is None or num is None or not rows:
        return None
    return {
        "title": f"{num['label']}（前 {len(rows)} 行）",
        "x": [str(r.get(text["name"])) for r in rows],
        "y": [float(r.get(num["name"]) or 0) for r in rows],
        "name": num["label"],
    }


@router.get("/open/dataset/{name}")
@public
def portal_dataset(
    name: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    ds = service.get_dataset(session, name_or_id=name)
    service.count_view(session, ds=ds)
    allowed = service.can_read_data(session, ds=ds, principal=principal)
    rows: list[dict[str, Any]] = []
    history: list[Any] = []
    lake = lake_of(app_ctx(request))
    if allowed and ds.data_rows:
        table = datastore.preview(lake=lake, ds=ds, limit=20)
        rows = [{k: datastore._json_value(v) for k, v in r.items()} for r in table.to_pylist()]
    if lake.exists(ds.table_ref):
        history = list(reversed(lake.snapshots(ds.table_ref)))[:20]
    mine = None
    if principal.user_id is not None:
        mine = session.scalar(
            select(OpenApplication)
            .where(
                OpenApplication.dataset_id == ds.id, OpenApplication.user_id == principal.user_id
            )
            .order_by(OpenApplication.id.desc())
        )
    base = base_url(request)
    return render(
        request,
        "opendata/dataset.html",
        {
            "ds": ds,
            "allowed": allowed,
            "rows": rows,
            "chart": json.dumps(_chart(ds, rows), ensure_ascii=False),
            "history": history,
            "licence": LICENCES.get(ds.license_id),
            "formats": list(ResourceFormat),
            "base": base,
            "conditional": ds.open_type == OpenType.CONDITIONAL.value,
            "application": mine,
            "points": POINTS,
            "sent": request.query_params.get("sent", ""),
        },
    )


@router.get("/open/dataset/{name}/download.{fmt}")
@public
def portal_download(
    name: str, fmt: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    ds = service.get_dataset(session, name_or_id=name)
    try:
        kind = ResourceFormat(fmt)
    except ValueError:
        raise NotFoundError("opendata.resource_not_found", id=f"{name}.{fmt}") from None
    service.check_data_access(session, ds=ds, principal=principal)
    table = datastore.whole(lake=lake_of(app_ctx(request)), ds=ds)
    labels = {f["name"]: f["label"] for f in ds.fields}
    body = (
        datastore.to_csv(table, labels)
        if kind == ResourceFormat.CSV
        else datastore.to_json(table)
        if kind == ResourceFormat.JSON
        else datastore.to_xlsx(table, labels)
    )
    service.count_download(session, ds=ds)
    headers = {"Content-Disposition": f'attachment; filename="{ds.name}.{kind.value}"'}
    return Response(body, media_type=MEDIA_TYPES[kind], headers=headers)


@router.post("/open/dataset/{name}/feedback")
@public
def portal_feedback(
    name: str, session: DbSession, principal: CurrentPrincipal, form: FormData
) -> Response:
    """意见建议 or 纠错 from anyone; 纠错 opens a correction ticket for the provider."""
    ds = service.get_dataset(session, name_or_id=name)
    kind = FeedbackKind.ERROR if form.get("kind") == "error" else FeedbackKind.FEEDBACK
    service.report(
        session,
        principal=principal,
        ds=ds,
        kind=kind,
        content=form.get("content", ""),
        contact=form.get("contact", ""),
    )
    return RedirectResponse(f"/open/dataset/{ds.name}?sent={kind.value}", status_code=303)


@router.post("/open/dataset/{name}/apply", dependencies=[require("opendata.apply")])
def portal_apply(
    name: str, session: DbSession, principal: CurrentPrincipal, form: FormData
) -> Response:
    ds = service.get_dataset(session, name_or_id=name)
    service.apply(session, principal=principal, ds=ds, purpose=form.get("purpose", ""))
    return RedirectResponse(f"/open/dataset/{ds.name}?sent=apply", status_code=303)


@router.get("/open/register")
@public
def portal_register_form(request: Request) -> Response:
    return render(request, "opendata/register.html", {"error": ""})


@router.post("/open/register")
@public
def portal_register(request: Request, session: DbSession, form: FormData) -> Response:
    """A member of the public registers (Role.CITIZEN: may apply for 有条件开放 data)."""
    from mudan.kernel.enums import Role
    from mudan.kernel.identity import BindingIn, create_user

    try:
        with session.begin_nested():
            create_user(
                session,
                username=form.get("username", ""),
                display_name=form.get("display_name", ""),
                password=form.get("password", ""),
                bindings=[BindingIn(role=Role.CITIZEN)],
                min_password_length=app_ctx(request).settings.auth.min_password_length,
                actor="self-registration",
                actor_role=Role.PUBLIC.value,
            )
    except MudanError as exc:
        return render(
            request, "opendata/register.html", {"error": exc.message(locale_of(request))}, 422
        )
    return RedirectResponse("/login?next=/open", status_code=303)
