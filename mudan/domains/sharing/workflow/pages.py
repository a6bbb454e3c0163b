"""Sharing pages: request form, my requests / all, approval inbox, request timeline with the
decision form, grants (revoke), service usage, 及时共享率 (the county nodes page is
``returnflow/pages.py``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from mudan.core.deps import DbSession, locale_of
from mudan.core.errors import MudanError
from mudan.core.i18n import t
from mudan.core.params import Id
from mudan.domains.sharing.enums import Decision, RequestStatus
from mudan.domains.sharing.workflow import deadlines, grants, requests
from mudan.domains.sharing.workflow.schemas import RequestIn, RequestQuery, ResubmitIn
from mudan.domains.sharing.workflow.views import request_out
from mudan.kernel.deps import current_principal, require
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
READ, ASK = require("share.read"), require("share.request")
GRANT_READ = require("grant.read")


def _csv(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]


@router.get("/share/requests", dependencies=[READ])
def list_page(
    request: Request,
    session: DbSession,
    page: int = 1,
) -> Response:
    who = current_principal(request)
    query, bad = RequestQuery.for_page(request.query_params)
    box = query.box if query.box in ("all", "mine", "inbox") else "all"
    status, overdue = query.status or "", query.overdue
    rows, total = requests.list_requests(
        session,
        principal=who,
        box=box,
        status=query.status,
        overdue=overdue,
        page=max(1, page),
    )
    return render(
        request,
        "sharing/requests.html",
        {
            "rows": [request_out(session, r) for r in rows],
            "total": total,
            "box": box,
            "status": status,
            "overdue": overdue,
            "statuses": list(RequestStatus),
            "page": max(1, page),
            "pages": max(1, (total + 49) // 50),
            "error": _bad_filter(request, bad),
        },
        422 if bad else 200,  # a bad filter value is ignored and named, as the API's 422
    )


def _bad_filter(request: Request, bad: list[str]) -> str | None:
    if not bad:
        return None
    loc = locale_of(request)
    names = "、".join(t(f"sharing.{'overdue_only' if k == 'overdue' else k}", loc) for k in bad)
    return t("sharing.bad_filter", loc, fields=names)


@router.get("/share/inbox", dependencies=[READ])
def inbox_page() -> Response:
    return RedirectResponse("/share/requests?box=inbox", status_code=303)


def _form_page(request: Request, form: dict[str, Any], error: str = "") -> Response:
    return render(
        request, "sharing/new.html", {"form": form, "error": error}, 422 if error else 200
    )


@router.get("/share/requests/new", dependencies=[ASK])
def new_page(request: Request, entry_code: str = "") -> Response:
    today = date.today()
    form = {
        "entry_code": entry_code,
        "period_start": today.isoformat(),
        "period_end": (today + timedelta(days=365)).isoformat(),
    }
    return _form_page(request, form)


@router.post("/share/requests/new")
def new_submit(
    request: Request,
    session: DbSession,
    entry_code: Annotated[str, Form()] = "",
    items: Annotated[str, Form()] = "",
    unmasked_items: Annotated[str, Form()] = "",
    region_codes: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
    legal_basis: Annotated[str, Form()] = "",
    period_start: Annotated[str, Form()] = "",
    period_end: Annotated[str, Form()] = "",
    systems: Annotated[str, Form()] = "",
    who: Any = ASK,
) -> Response:
    form = dict(
        entry_code=entry_code,
        items=items,
        unmasked_items=unmasked_items,
        region_codes=region_codes,
        purpose=purpose,
        legal_basis=legal_basis,
        period_start=period_start,
        period_end=period_end,
        systems=systems,
    )
    try:
        data = RequestIn(
            entry_code=entry_code.strip(),
            items=_csv(items),
            unmasked_items=_csv(unmasked_items),
            region_codes=_csv(region_codes),
            purpose=purpose,
            legal_basis=legal_basis,
            period_start=period_start,
            period_end=period_end,
            systems=_csv(systems),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        return _form_page(request, form, f"{'.'.join(map(str, first['loc']))}: {first['msg']}")
    try:
        with session.begin_nested():
            req = requests.create_request(session, principal=who, data=data)
    except MudanError as exc:
        return _form_page(request, form, exc.message(locale_of(request)))
    return RedirectResponse(f"/share/requests/{req.id}", status_code=303)


def _detail(request: Request, session: DbSession, request_id: int, error: str = "") -> Response:
    who = current_principal(request)
    req = requests.get_request(session, principal=who, request_id=request_id)
    ctx = {
        "req": request_out(session, req, timeline=True),
        "can_act": requests.can_act(session, who, req),
        "can_resubmit": req.status == RequestStatus.NEEDS_INFO
        and (req.requester_department_id in who.department_ids or who.can("*")),
        "error": error,
    }
    return render(request, "sharing/request.html", ctx, 422 if error else 200)


@router.get("/share/requests/{request_id}", dependencies=[READ])
def detail_page(request: Request, session: DbSession, request_id: Id) -> Response:
    return _detail(request, session, request_id)


@router.post("/share/requests/{request_id}/decision")
def decision_submit(
    request: Request,
    session: DbSession,
    request_id: Id,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    who: Any = READ,
) -> Response:
    try:
        with session.begin_nested():
            choice = Decision(decision) if decision in set(Decision) else None
            if choice is None:
                return _detail(request, session, request_id, "decision?")
            requests.decide(
                session, principal=who, request_id=request_id, decision=choice, reason=reason
            )
    except MudanError as exc:
        return _detail(request, session, request_id, exc.message(locale_of(request)))
    return RedirectResponse(f"/share/requests/{request_id}", status_code=303)


@router.post("/share/requests/{request_id}/resubmit")
def resubmit_submit(
    request: Request,
    session: DbSession,
    request_id: Id,
    note: Annotated[str, Form()] = "",
    who: Any = ASK,
) -> Response:
    try:
        with session.begin_nested():
            requests.resubmit(
                session, principal=who, request_id=request_id, data=ResubmitIn(note=note or "-")
            )
    except MudanError as exc:
        return _detail(request, session, request_id, exc.message(locale_of(request)))
    return RedirectResponse(f"/share/requests/{request_id}", status_code=303)


@router.get("/share/grants", dependencies=[GRANT_READ])
def grants_page(request: Request, session: DbSession, error: str = "") -> Response:
    who = current_principal(request)
    rows = [grants.grant_out(g) for g in grants.list_grants(session, principal=who)]
    return render(request, "sharing/grants.html", {"rows": rows, "error": error})


@router.post("/share/grants/{grant_id}/revoke")
def revoke_submit(
    request: Request,
    session: DbSession,
    grant_id: Id,
    reason: Annotated[str, Form()] = "",
    who: Any = require("grant.manage"),
) -> Response:
    try:
        with session.begin_nested():
            if len(reason.strip()) < 2:
                raise MudanError("sharing.reason_required")
            grants.revoke(session, principal=who, grant_id=grant_id, reason=reason)
    except MudanError as exc:
        return grants_page(request, session, exc.message(locale_of(request)))
    return RedirectResponse("/share/grants", status_code=303)


@router.get("/share/usage", dependencies=[GRANT_READ])
def usage_page(request: Request, session: DbSession) -> Response:
    data = grants.usage(session, principal=current_principal(request))
    return render(request, "sharing/usage.html", data)


@router.get("/share/rates", dependencies=[READ])
def rates_page(request: Request, session: DbSession, year: int | None = None) -> Response:
    rates = deadlines.on_time_rates(session, year=year)
    return render(request, "sharing/rates.html", {"rates": rates, "year": year, "target": 99.0})
