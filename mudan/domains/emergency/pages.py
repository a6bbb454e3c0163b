"""Emergency pages: plans, resources, duty roster, incidents list, the incident command page
(timeline, level, checklists, reports due, nearby resources, review) and the inbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from mudan.core.db import as_utc, utcnow
from mudan.core.deps import DbSession, locale_of
from mudan.core.errors import MudanError
from mudan.core.params import Id
from mudan.core.workcal import CHINA_TZ
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import ROMAN, EventType, IncidentStatus, ResourceKind
from mudan.domains.emergency.schemas import IncidentIn, ReviewIn
from mudan.kernel.deps import CurrentPrincipal, current_principal, require
from mudan.kernel.rbac import Principal
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
READ, COMMAND = require("emergency.read"), require("emergency.command")


def local(value: datetime | None) -> str:
    """A stored time as China wall time for display."""
    return "" if value is None else as_utc(value).astimezone(CHINA_TZ).strftime("%m-%d %H:%M")


def _base() -> dict[str, Any]:
    return {"roman": ROMAN, "local": local, "event_types": list(EventType)}


@router.get("/emergency/plans", dependencies=[READ])
def plans_page(request: Request, session: DbSession) -> Response:
    return render(request, "emergency/plans.html", {**_base(), "plans": es.list_plans(session)})


@router.get("/emergency/plans/{plan_id}", dependencies=[READ])
def plan_page(plan_id: Id, request: Request, session: DbSession) -> Response:
    plan = es.get_plan(session, plan_id=plan_id)
    return render(request, "emergency/plan.html", {**_base(), "plan": plan})


@router.get("/emergency/resources")
def resources_page(
    request: Request, session: DbSession, kind: str = "", who: Principal = READ
) -> Response:
    chosen = ResourceKind(kind) if kind in set(ResourceKind) else None
    rows = es.list_resources(session, actor=who, kind=chosen)
    ctx = {
        **_base(),
        "resources": rows,
        "kinds": list(ResourceKind),
        "kind": kind,
        "summary": es.resource_summary(session),
    }
    return render(request, "emergency/resources.html", ctx)


@router.get("/emergency/resources/{resource_id}")
def resource_page(
    resource_id: Id, request: Request, session: DbSession, who: Principal = READ
) -> Response:
    row = es.get_resource(session, resource_id=resource_id, actor=who)
    ctx = {**_base(), "resources": [row], "kinds": list(ResourceKind), "kind": row.kind}
    return render(request, "emergency/resources.html", ctx)


@router.get("/emergency/duty")
def duty_page(request: Request, session: DbSession, who: Principal = READ) -> Response:
    now = utcnow()
    start = now.astimezone(CHINA_TZ).date() - timedelta(days=1)
    ctx = {
        **_base(),
        "now": es.on_duty(session, at=now, actor=who),
        "roster": es.roster(session, start=start, days=8, actor=who),
    }
    return render(request, "emergency/duty.html", ctx)


@router.get("/emergency/inbox")
def inbox_page(request: Request, session: DbSession) -> Response:
    uid = current_principal(request).user_id or 0
    ctx = {
        **_base(),
        "messages": es.messages(session, user_id=uid),
        "unread": es.unread_count(session, user_id=uid),
    }
    return render(request, "emergency/inbox.html", ctx)


@router.post("/emergency/inbox/read")
def inbox_read(request: Request, session: DbSession, who: CurrentPrincipal) -> Response:
    es.mark_read(session, user_id=who.user_id or 0)
    return RedirectResponse("/emergency/inbox", status_code=303)


def _incidents(
    request: Request,
    session: DbSession,
    status: int = 200,
    state: IncidentStatus | None = None,
    **extra: Any,
) -> Response:
    who = current_principal(request)
    rows = es.list_incidents(session, actor=who, status=state)
    ctx = {**_base(), "incidents": rows, "state": state.value if state else "", **extra}
    return render(request, "emergency/incidents.html", ctx, status)


@router.get("/emergency/incidents", dependencies=[READ])
def incidents_page(request: Request, session: DbSession, status: str = "") -> Response:
    """``status=open``: only the incidents still open."""
    state = IncidentStatus(status) if status in set(IncidentStatus) else None
    return _incidents(request, session, state=state)


@router.post("/emergency/incidents")
def incidents_open(
    request: Request,
    session: DbSession,
    title: Annotated[str, Form()],
    event_type: Annotated[str, Form()],
    lon: Annotated[str, Form()],
    lat: Annotated[str, Form()],
    location_text: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    who: Principal = COMMAND,
) -> Response:
    try:
        data = IncidentIn.model_validate(
            {"title": title, "event_type": event_type, "lon": lon, "lat": lat,
             "location_text": location_text, "description": description}
        )  # fmt: skip
        with session.begin_nested():
            change = es.open_incident(session, data=data, actor=who, locator=es.locator_of(session))
    except ValidationError as exc:
        return _incidents(request, session, 422, error=_first(exc))
    except MudanError as exc:
        return _incidents(request, session, exc.status, error=exc.message(locale_of(request)))
    return RedirectResponse(f"/emergency/incidents/{change.incident.id}", status_code=303)


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


def _command(
    request: Request, session: DbSession, incident_id: int, status: int = 200, **extra: Any
) -> Response:
    who = current_principal(request)
    incident = es.get_incident(session, incident_id=incident_id, actor=who)
    plan = es.plan_of(session, incident)
    ctx = {
        **_base(),
        "incident": incident,
        "plan": plan,
        "roles": {r.id: r for r in plan.roles} if plan else {},
        "timeline": es.timeline(session, incident_id=incident_id),
        "reports": es.reports_of(session, incident_id=incident_id),
        "checklist": es.checklist_of(session, incident_id=incident_id),
        "nearby": es.nearest(session, lon=incident.lon, lat=incident.lat, n=8, actor=who),
        "deliveries": es.deliveries_of(session, incident_id=incident_id),
        "review": es.get_review(session, incident_id=incident_id),
        "on_duty": es.on_duty(session, at=utcnow(), actor=who),
        "can_command": who.can("emergency.command"),
        **extra,
    }
    return render(request, "emergency/incident.html", ctx, status)


@router.get("/emergency/incidents/{incident_id}", dependencies=[READ])
def incident_page(incident_id: Id, request: Request, session: DbSession) -> Response:
    return _command(request, session, incident_id)


@router.post("/emergency/incidents/{incident_id}/{verb}")
def incident_step(
    incident_id: Id,
    verb: str,
    request: Request,
    session: DbSession,
    level: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    item_id: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    lessons: Annotated[str, Form()] = "",
    follow_ups: Annotated[str, Form()] = "",
    who: Principal = COMMAND,
) -> Response:
    """One form endpoint per step: level, action, report, checklist, close, review."""
    try:
        with session.begin_nested():
            _do(session, who, incident_id, verb, level, text, item_id, summary, lessons, follow_ups)
    except (MudanError, ValidationError, ValueError) as exc:
        message = exc.message(locale_of(request)) if isinstance(exc, MudanError) else str(exc)
        code = exc.status if isinstance(exc, MudanError) else 422
        return _command(request, session, incident_id, code, error=message)
    return RedirectResponse(f"/emergency/incidents/{incident_id}", status_code=303)


def _do(
    session: DbSession,
    who: Principal,
    incident_id: int,
    verb: str,
    level: str,
    text: str,
    item_id: str,
    summary: str,
    lessons: str,
    follow_ups: str,
) -> None:
    if verb == "level":
        es.change_level(session, incident_id=incident_id, level=int(level), reason=text, actor=who)
    elif verb == "action":
        es.add_action(session, incident_id=incident_id, text=text.strip() or "-", actor=who)
    elif verb == "report":
        es.submit_report(session, incident_id=incident_id, content=text.strip() or "-", actor=who)
    elif verb == "checklist":
        es.complete_item(session, incident_id=incident_id, item_id=int(item_id), actor=who)
    elif verb == "close":
        es.close_incident(session, incident_id=incident_id, note=text, actor=who)
    elif verb == "review":
        data = ReviewIn(summary=summary, lessons=lessons, follow_ups=follow_ups.splitlines())
        es.save_review(session, incident_id=incident_id, data=data, actor=who)
    else:
        raise ValueError(verb)
