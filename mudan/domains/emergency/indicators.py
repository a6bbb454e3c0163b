"""What the emergency domain offers the operations centre: indicators (open incidents, report
timeliness) and one-map point layers (resources, open incidents)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.workcal import CHINA_TZ
from mudan.domains.emergency.enums import IncidentStatus
from mudan.domains.emergency.models import Incident, Report, Resource
from mudan.domains.emergency.scope import incident_scope, resource_scope
from mudan.hooks import IndicatorSpec, MapLayer, MapPoints, MetricValue
from mudan.kernel.rbac import Principal

CITY = "3717"


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA_TZ)


def open_incidents(session: Session, day: date) -> list[MetricValue]:
    """Incidents open at the end of ``day`` (China time), for the city and each district."""
    end = _end_of(day)
    rows = session.execute(
        select(Incident.district_code).where(
            Incident.opened_at < end,
            or_(Incident.closed_at.is_(None), Incident.closed_at >= end),
        )
    ).scalars()
    per = Counter(code for code in rows if code)
    total = sum(per.values())
    return [MetricValue(CITY, float(total))] + [
        MetricValue(code, float(n)) for code, n in sorted(per.items())
    ]


def report_timeliness(session: Session, day: date) -> list[MetricValue]:
    """Share of the reports due by the end of ``day`` that were submitted on time (%)."""
    end = _end_of(day)
    rows = session.execute(
        select(Report.due_at, Report.submitted_at, Incident.district_code)
        .join(Incident, Incident.id == Report.incident_id)
        .where(Report.due_at.is_not(None), Report.due_at < end)
    ).all()
    due: Counter[str] = Counter()
    ok: Counter[str] = Counter()
    for due_at, done, district in rows:
        good = done is not None and due_at is not None and as_utc(done) <= as_utc(due_at)
        for key in (CITY, district):
            if key:
                due[key] += 1
                ok[key] += int(good)
    if not due:
        return [MetricValue(CITY, None)]
    return [
        MetricValue(k, round(100 * ok[k] / due[k], 2), float(ok[k]), float(due[k]))
        for k in sorted(due)
    ]


def specs() -> list[IndicatorSpec]:
    return [
        IndicatorSpec(
            "emergency.open_incidents", "在办突发事件数", "起", "govern",
            higher_is_better=False, compute=open_incidents,
        ),
        IndicatorSpec(
            "emergency.report_timeliness", "应急信息报送及时率", "%", "govern",
            target=100.0, compute=report_timeliness,
        ),
    ]  # fmt: skip


def resource_points(session: Session, principal: Principal) -> MapPoints:
    """The resources the principal sees in full (as ``GET /resources`` lists them)."""
    rows = session.execute(
        select(Resource.id, Resource.lon, Resource.lat, Resource.name)
        .where(resource_scope(session, principal))
        .order_by(Resource.id)
    ).all()
    return MapPoints(
        ids=[str(r[0]) for r in rows],
        lons=[r[1] for r in rows],
        lats=[r[2] for r in rows],
        labels=[r[3] for r in rows],
    )


def incident_points(session: Session, principal: Principal) -> MapPoints:
    """The open incidents in the principal's regions (as ``GET /incidents`` lists them)."""
    rows = session.execute(
        select(Incident.id, Incident.lon, Incident.lat, Incident.title)
        .where(Incident.status == IncidentStatus.OPEN.value, incident_scope(principal))
        .order_by(Incident.id)
    ).all()
    return MapPoints(
        ids=[str(r[0]) for r in rows],
        lons=[r[1] for r in rows],
        lats=[r[2] for r in rows],
        labels=[r[3] for r in rows],
    )


def layers() -> list[MapLayer]:
    return [
        MapLayer(
            "emergency.resources", "应急资源", "point", "/api/v1/emergency/resources",
            "emergency.read", points=resource_points, detail_href="/emergency/resources/{id}",
        ),
        MapLayer(
            "emergency.incidents", "在办突发事件", "point", "/api/v1/emergency/incidents",
            "emergency.read", points=incident_points, detail_href="/emergency/incidents/{id}",
        ),
    ]  # fmt: skip
