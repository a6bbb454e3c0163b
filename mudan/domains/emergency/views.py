"""Emergency API under /api/v1/emergency: plans, resources, duty, incidents, inbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Query

from mudan.core.db import utcnow
from mudan.core.deps import DbSession
from mudan.core.errors import Unauthenticated
from mudan.core.params import Id
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import IncidentStatus, ResourceKind
from mudan.domains.emergency.models import Incident, Plan
from mudan.domains.emergency.reports import ReportView
from mudan.domains.emergency.schemas import (
    ActionIn,
    ChecklistOut,
    CloseIn,
    DeliveryOut,
    DutyIn,
    DutyOut,
    InboxOut,
    IncidentIn,
    IncidentOut,
    LevelIn,
    NearbyOut,
    PlanIn,
    PlanSummaryOut,
    RaiseOut,
    ReportIn,
    ReportOut,
    ResourceIn,
    ResourceOut,
    ResourceSummaryOut,
    ReviewIn,
    ReviewOut,
    TimelineOut,
)
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.kernel.rbac import Principal

router = APIRouter(prefix="/api/v1/emergency", tags=["emergency"])
READ, COMMAND = require("emergency.read"), require("emergency.command")


def plan_summary(p: Plan) -> PlanSummaryOut:
    return PlanSummaryOut(
        id=p.id,
        code=p.code,
        name=p.name,
        event_type=p.event_type,
        department_code=p.department_code,
        levels=[lv.level for lv in p.levels],
        roles=len(p.roles),
    )


def report_out(v: ReportView) -> ReportOut:
    r = v.report
    return ReportOut(
        id=r.id, level=r.level, title=r.title, due_at=r.due_at, submitted_at=r.submitted_at,
        submitted_by=r.submitted_by, content=r.content, status=v.status.value,
    )  # fmt: skip


def incident_out(i: Incident) -> IncidentOut:
    return IncidentOut.model_validate(i, from_attributes=True)


def change_out(change: es.LevelChange) -> RaiseOut:
    a = change.activation
    now = utcnow()
    return RaiseOut(
        incident=incident_out(change.incident),
        notified=[DeliveryOut.model_validate(d, from_attributes=True) for d in a.deliveries],
        reports=[report_out(ReportView(r, es.status_of(r, now))) for r in a.reports],
        checklist=[ChecklistOut.model_validate(c, from_attributes=True) for c in a.checklist],
    )


@router.get("/plans", response_model=list[PlanSummaryOut])
def list_plans(session: DbSession, event_type: str | None = None, _: Principal = READ) -> list[Any]:
    return [plan_summary(p) for p in es.list_plans(session, event_type=event_type)]


@router.post("/plans", response_model=PlanSummaryOut, status_code=201)
def create_plan(body: PlanIn, session: DbSession, who: Principal = COMMAND) -> PlanSummaryOut:
    return plan_summary(es.create_plan(session, data=body, actor=who))


@router.put("/plans/{plan_id}", response_model=PlanSummaryOut)
def update_plan(
    plan_id: Id, body: PlanIn, session: DbSession, who: Principal = COMMAND
) -> PlanSummaryOut:
    return plan_summary(es.update_plan(session, plan_id=plan_id, data=body, actor=who))


@router.get("/resources", response_model=list[ResourceOut])
def list_resources(
    session: DbSession,
    kind: ResourceKind | None = None,
    district_code: str | None = None,
    who: Principal = READ,
) -> list[ResourceOut]:
    """The resources in the caller's area (regions or own departments), in full."""
    rows = es.list_resources(session, actor=who, kind=kind, district_code=district_code)
    return [ResourceOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/resources/summary", response_model=list[ResourceSummaryOut])
def resource_summary(session: DbSession, _: Principal = READ) -> list[ResourceSummaryOut]:
    """Every district's resources by kind (count, capacity) for mutual aid, city-wide."""
    return [ResourceSummaryOut.model_validate(r) for r in es.resource_summary(session)]


@router.post("/resources", response_model=ResourceOut, status_code=201)
def create_resource(body: ResourceIn, session: DbSession, who: Principal = COMMAND) -> ResourceOut:
    row = es.create_resource(session, data=body, actor=who, locator=es.locator_of(session))
    return ResourceOut.model_validate(row, from_attributes=True)


@router.put("/resources/{resource_id}", response_model=ResourceOut)
def update_resource(
    resource_id: Id, body: ResourceIn, session: DbSession, who: Principal = COMMAND
) -> ResourceOut:
    row = es.update_resource(
        session, resource_id=resource_id, data=body, actor=who, locator=es.locator_of(session)
    )
    return ResourceOut.model_validate(row, from_attributes=True)


@router.get("/resources/nearby", response_model=list[NearbyOut])
def nearby(
    session: DbSession,
    lon: float,
    lat: float,
    n: int = 10,
    kind: list[ResourceKind] = Query(default=[]),
    who: Principal = READ,
) -> list[NearbyOut]:
    found = es.nearest(session, lon=lon, lat=lat, n=n, kinds=kind or None, actor=who)
    return [
        NearbyOut(resource=ResourceOut.model_validate(f.resource, from_attributes=True),
                  distance_m=f.distance_m)
        for f in found
    ]  # fmt: skip


@router.get("/duty", response_model=list[DutyOut])
def duty_roster(
    session: DbSession, start: date | None = None, days: int = 7, who: Principal = READ
) -> list[DutyOut]:
    """The caller's roster: shifts of departments in its regions or of its own departments."""
    rows = es.roster(session, start=start or utcnow().date(), days=days, actor=who)
    return [DutyOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/duty/now", response_model=list[DutyOut])
def duty_now(session: DbSession, at: datetime | None = None, who: Principal = READ) -> list[Any]:
    rows = es.on_duty(session, at=at or utcnow(), actor=who)
    return [DutyOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/duty", response_model=DutyOut, status_code=201)
def assign_duty(body: DutyIn, session: DbSession, who: Principal = COMMAND) -> DutyOut:
    return DutyOut.model_validate(
        es.assign_duty(session, data=body, actor=who), from_attributes=True
    )


@router.put("/duty/{duty_id}", response_model=DutyOut)
def update_duty(duty_id: Id, body: DutyIn, session: DbSession, who: Principal = COMMAND) -> DutyOut:
    row = es.update_duty(session, duty_id=duty_id, data=body, actor=who)
    return DutyOut.model_validate(row, from_attributes=True)


@router.delete("/duty/{duty_id}", status_code=204)
def remove_duty(duty_id: Id, session: DbSession, who: Principal = COMMAND) -> None:
    es.remove_duty(session, duty_id=duty_id, actor=who)


@router.get("/incidents", response_model=list[IncidentOut])
def list_incidents(
    session: DbSession, status: IncidentStatus | None = None, who: Principal = READ
) -> list[IncidentOut]:
    return [incident_out(i) for i in es.list_incidents(session, actor=who, status=status)]


@router.post("/incidents", response_model=RaiseOut, status_code=201)
def open_incident(body: IncidentIn, session: DbSession, who: Principal = COMMAND) -> RaiseOut:
    change = es.open_incident(session, data=body, actor=who, locator=es.locator_of(session))
    return change_out(change)


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(incident_id: Id, session: DbSession, who: Principal = READ) -> IncidentOut:
    return incident_out(es.get_incident(session, incident_id=incident_id, actor=who))


@router.get("/incidents/{incident_id}/timeline", response_model=list[TimelineOut])
def get_timeline(incident_id: Id, session: DbSession, who: Principal = READ) -> list[Any]:
    es.get_incident(session, incident_id=incident_id, actor=who)
    rows = es.timeline(session, incident_id=incident_id)
    return [TimelineOut.model_validate(e, from_attributes=True) for e in rows]


@router.get("/incidents/{incident_id}/reports", response_model=list[ReportOut])
def get_reports(incident_id: Id, session: DbSession, who: Principal = READ) -> list[ReportOut]:
    es.get_incident(session, incident_id=incident_id, actor=who)
    return [report_out(v) for v in es.reports_of(session, incident_id=incident_id)]


@router.get("/incidents/{incident_id}/checklist", response_model=list[ChecklistOut])
def get_checklist(incident_id: Id, session: DbSession, who: Principal = READ) -> list[Any]:
    es.get_incident(session, incident_id=incident_id, actor=who)
    rows = es.checklist_of(session, incident_id=incident_id)
    return [ChecklistOut.model_validate(c, from_attributes=True) for c in rows]


@router.get("/incidents/{incident_id}/deliveries", response_model=list[DeliveryOut])
def get_deliveries(incident_id: Id, session: DbSession, who: Principal = READ) -> list[Any]:
    es.get_incident(session, incident_id=incident_id, actor=who)
    rows = es.deliveries_of(session, incident_id=incident_id)
    return [DeliveryOut.model_validate(d, from_attributes=True) for d in rows]


@router.post("/incidents/{incident_id}/level", response_model=RaiseOut)
def set_level(
    incident_id: Id, body: LevelIn, session: DbSession, who: Principal = COMMAND
) -> RaiseOut:
    change = es.change_level(
        session, incident_id=incident_id, level=body.level, reason=body.reason, actor=who
    )
    return change_out(change)


@router.post("/incidents/{incident_id}/actions", response_model=TimelineOut, status_code=201)
def add_action(
    incident_id: Id, body: ActionIn, session: DbSession, who: Principal = COMMAND
) -> TimelineOut:
    entry = es.add_action(session, incident_id=incident_id, text=body.text, actor=who)
    return TimelineOut.model_validate(entry, from_attributes=True)


@router.post("/incidents/{incident_id}/reports", response_model=ReportOut, status_code=201)
def submit_report(
    incident_id: Id, body: ReportIn, session: DbSession, who: Principal = COMMAND
) -> ReportOut:
    view = es.submit_report(
        session, incident_id=incident_id, content=body.content, report_id=body.report_id, actor=who
    )
    return report_out(view)


@router.post("/incidents/{incident_id}/checklist/{item_id}/done", response_model=ChecklistOut)
def complete_item(
    incident_id: Id, item_id: Id, session: DbSession, who: Principal = COMMAND
) -> ChecklistOut:
    item = es.complete_item(session, incident_id=incident_id, item_id=item_id, actor=who)
    return ChecklistOut.model_validate(item, from_attributes=True)


@router.post("/incidents/{incident_id}/close", response_model=IncidentOut)
def close_incident(
    incident_id: Id, body: CloseIn, session: DbSession, who: Principal = COMMAND
) -> IncidentOut:
    return incident_out(
        es.close_incident(session, incident_id=incident_id, note=body.note, actor=who)
    )


@router.put("/incidents/{incident_id}/review", response_model=ReviewOut)
def save_review(
    incident_id: Id, body: ReviewIn, session: DbSession, who: Principal = COMMAND
) -> ReviewOut:
    row = es.save_review(session, incident_id=incident_id, data=body, actor=who)
    return ReviewOut.model_validate(row, from_attributes=True)


@router.get("/inbox", response_model=list[InboxOut])
def inbox(session: DbSession, who: CurrentPrincipal, unread: bool = False) -> list[InboxOut]:
    uid = _uid(who)
    rows = es.messages(session, user_id=uid, unread_only=unread)
    return [InboxOut.model_validate(m, from_attributes=True) for m in rows]


@router.get("/inbox/unread")
def inbox_unread(session: DbSession, who: CurrentPrincipal) -> dict[str, int]:
    return {"unread": es.unread_count(session, user_id=_uid(who))}


@router.post("/inbox/read")
def inbox_read(
    session: DbSession, who: CurrentPrincipal, message_id: int | None = None
) -> dict[str, int]:
    return {"marked": es.mark_read(session, user_id=_uid(who), message_id=message_id)}


def _uid(who: Principal) -> int:
    if who.user_id is None:
        raise Unauthenticated("auth.required")
    return who.user_id
