"""Pages: 12345 intake, dispatcher board, handler's phone page, supervision, one case's timeline."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from mudan.core.deps import DbSession, app_ctx, locale_of, public
from mudan.core.errors import InvalidInput, MudanError
from mudan.domains.cases import assess
from mudan.domains.cases import service as cs
from mudan.domains.cases.access import case_scope
from mudan.domains.cases.enums import Action, Channel, Mediation
from mudan.domains.cases.present import case_out
from mudan.domains.cases.ratelimit import RateLimited, client_keys, limiter_of
from mudan.kernel.deps import require
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
READ, INTAKE = require("cases.read"), require("cases.intake")
DISPATCH, HANDLE = require("cases.dispatch"), require("cases.handle")


def _float(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError as exc:
        raise InvalidInput("cases.bad_point", lon=value[:20], lat="") from exc


@router.get("/cases/intake")
def intake_page(request: Request, session: DbSession, who: Principal = INTAKE) -> Response:
    return render(request, "cases/intake.html", {"categories": cs.categories(session)})


@router.post("/cases/intake")
def intake_submit(
    request: Request,
    session: DbSession,
    category_code: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    lon: Annotated[str, Form()] = "",
    lat: Annotated[str, Form()] = "",
    reporter_name: Annotated[str, Form()] = "",
    reporter_phone: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
    who: Principal = INTAKE,
) -> Response:
    try:
        with session.begin_nested():
            case = cs.intake(
                session,
                data=cs.IntakeIn(
                    channel=Channel.GRID if Role.GRID_WORKER in who.roles else Channel.HOTLINE,
                    category_code=category_code,
                    title=title,
                    description=description,
                    address=address,
                    lon=_float(lon),
                    lat=_float(lat),
                    reporter_name=reporter_name,
                    reporter_phone=reporter_phone,
                    idempotency_key=idempotency_key or None,
                ),
                actor=who.username,
            )
    except MudanError as exc:
        ctx = {"categories": cs.categories(session), "error": exc.message(locale_of(request))}
        return render(request, "cases/intake.html", ctx, 422)
    return RedirectResponse(f"/cases/{quote(case.number)}", status_code=303)


@router.get("/cases/board")
def board_page(
    request: Request, session: DbSession, queue: str = "all", who: Principal = DISPATCH
) -> Response:
    queue = queue if queue in ("all", "manual", "overdue", "due_soon", "closed") else "all"
    rows, total = cs.board(session, principal=who, filt=cs.BoardFilter(queue=queue, limit=100))
    items = [case_out(session, c, who) for c in rows]
    return render(request, "cases/board.html", {"items": items, "total": total, "queue": queue})


@router.get("/cases/mobile")
def mobile_page(request: Request, session: DbSession, who: Principal = HANDLE) -> Response:
    rows = session.scalars(cs.handler_queue(session, who).limit(50))
    items = [case_out(session, c, who) for c in rows]
    return render(request, "cases/mobile.html", {"items": items, "mediations": list(Mediation)})


@router.get("/cases/supervise")
def supervise_page(request: Request, session: DbSession, who: Principal = READ) -> Response:
    overdue, n_over = cs.board(session, principal=who, filt=cs.BoardFilter(queue="overdue"))
    soon, n_soon = cs.board(session, principal=who, filt=cs.BoardFilter(queue="due_soon"))
    scope = case_scope(session, who)
    ctx: dict[str, Any] = {
        "overdue": [case_out(session, c, who) for c in overdue],
        "n_over": n_over,
        "soon": [case_out(session, c, who) for c in soon],
        "n_soon": n_soon,
        "departments": assess.assessment(session, scope=scope, by="department"),
        "districts": assess.assessment(session, scope=scope, by="district"),
    }
    return render(request, "cases/supervise.html", ctx)


def _detail(
    request: Request, session: DbSession, number: str, who: Principal, **extra: Any
) -> Response:
    case = cs.get_case(session, number=number, principal=who)
    ctx: dict[str, Any] = {
        "case": case_out(session, case, who),
        "events": cs.timeline(session, case=case),
        "photos": cs.photos(session, case=case),
        "mediations": list(Mediation),
    }
    ctx.update(extra)
    return render(request, "cases/detail.html", ctx, 422 if extra.get("error") else 200)


@router.get("/cases/{number}")
def case_page(request: Request, session: DbSession, number: str, who: Principal = READ) -> Response:
    return _detail(request, session, number, who)


@router.post("/cases/{number}/act")
def case_act(
    request: Request,
    session: DbSession,
    number: str,
    action: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    department_code: Annotated[str, Form()] = "",
    assist_codes: Annotated[str, Form()] = "",
    mediation: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    who: Principal = READ,
) -> Response:
    try:
        with session.begin_nested():
            if action not in set(Action):
                raise InvalidInput("cases.bad_action", action=action[:30])
            case = cs.get_case(session, number=number, principal=who)
            data = cs.ActIn(
                action=Action(action),
                note=note,
                department_code=department_code or None,
                assist_codes=[
                    c.strip() for c in assist_codes.replace("，", ",").split(",") if c.strip()
                ],
                mediation=Mediation(mediation) if mediation in set(Mediation) else None,
            )
            cs.act(session, case=case, data=data, principal=who)
    except MudanError as exc:
        if exc.status == 404:
            raise
        return _detail(request, session, number, who, error=exc.message(locale_of(request)))
    target = back if back in ("/cases/mobile", "/cases/board") else f"/cases/{quote(number)}"
    return RedirectResponse(target, status_code=303)


@router.post("/cases/{number}/photo")
def case_photo_upload(
    request: Request,
    session: DbSession,
    number: str,
    file: Annotated[UploadFile, File()],
    back: Annotated[str, Form()] = "",
    who: Principal = READ,
) -> Response:
    try:
        with session.begin_nested():
            case = cs.get_case(session, number=number, principal=who)
            cs.store_photo(
                session,
                case=case,
                data=file.file.read(cs.MAX_PHOTO_BYTES + 1),
                principal=who,
                var_dir=app_ctx(request).settings.var_dir,
            )
    except MudanError as exc:
        if exc.status == 404:
            raise
        return _detail(request, session, number, who, error=exc.message(locale_of(request)))
    target = "/cases/mobile" if back == "/cases/mobile" else f"/cases/{quote(number)}"
    return RedirectResponse(target, status_code=303)


# --- the citizen's report page (public; phone-sized layout) ------------------------------------


@router.get("/report")
@public
def citizen_page(request: Request, session: DbSession) -> Response:
    return render(request, "cases/report.html", {"categories": cs.categories(session)})


@router.post("/report")
@public
def citizen_submit(
    request: Request,
    session: DbSession,
    category_code: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    lon: Annotated[str, Form()] = "",
    lat: Annotated[str, Form()] = "",
    reporter_name: Annotated[str, Form()] = "",
    reporter_phone: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    """A citizen's report (CSRF-checked like every form); answers with the case number only.
    Each client address may submit ``cases.report_limit`` reports per window."""
    try:
        limiter_of(request).take(*client_keys(request))
    except RateLimited as exc:
        ctx = {"categories": cs.categories(session), "error": exc.message(locale_of(request))}
        page = render(request, "cases/report.html", ctx, exc.status)
        page.headers.update(exc.headers)
        return page
    try:
        with session.begin_nested():
            case = cs.intake(
                session,
                data=cs.IntakeIn(
                    channel=Channel.CITIZEN,
                    category_code=category_code,
                    title=description.strip()[:40],
                    description=description,
                    address=address,
                    lon=_float(lon),
                    lat=_float(lat),
                    reporter_name=reporter_name,
                    reporter_phone=reporter_phone,
                    idempotency_key=f"citizen:{idempotency_key}" if idempotency_key else None,
                ),
                actor="citizen",
            )
    except MudanError as exc:
        ctx = {"categories": cs.categories(session), "error": exc.message(locale_of(request))}
        return render(request, "cases/report.html", ctx, 422)
    ctx = {"categories": cs.categories(session), "created": case.number}
    return render(request, "cases/report.html", ctx)
