"""Assessment per department and district, the indicator specs and the open-events map layer.

On-time: closed at or before the (possibly extended) due time. Returns and reopenings are summed
over the cases each department or district holds now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.orm import Session

from mudan.domains.cases.access import case_scope
from mudan.domains.cases.enums import CaseState
from mudan.domains.cases.models import Case, open_clause
from mudan.hooks import IndicatorSpec, MapPoints, MetricValue
from mudan.kernel.geo import CITY_CODE
from mudan.kernel.rbac import Principal


@dataclass(frozen=True)
class Assessment:
    key: str
    closed: int
    on_time: int
    on_time_rate: float | None
    satisfaction: float | None
    returns: int
    reopenings: int


def assessment(
    session: Session, *, scope: ColumnElement[bool], by: str = "department"
) -> list[Assessment]:
    """Per department or district, over the cases ``scope`` selects (``access.case_scope`` of
    the caller, ``true()`` for the whole city)."""
    col = Case.department_code if by == "department" else Case.district_code
    closed = Case.state == CaseState.CLOSED
    on_time = closed & (Case.closed_at <= Case.due_at)
    rows = session.execute(
        select(
            col,
            func.sum(case((closed, 1), else_=0)),
            func.sum(case((on_time, 1), else_=0)),
            func.avg(Case.satisfaction),
            func.sum(Case.returns),
            func.sum(Case.reopenings),
        )
        .where(col.is_not(None), scope)
        .group_by(col)
        .order_by(col)
    )
    out = []
    for key, n_closed, n_on_time, sat, ret, reo in rows:
        n_closed, n_on_time = int(n_closed or 0), int(n_on_time or 0)
        out.append(
            Assessment(
                key=str(key),
                closed=n_closed,
                on_time=n_on_time,
                on_time_rate=round(100 * n_on_time / n_closed, 2) if n_closed else None,
                satisfaction=round(float(sat), 2) if sat is not None else None,
                returns=int(ret or 0),
                reopenings=int(reo or 0),
            )
        )
    return out


def _ontime(session: Session, day: date) -> list[MetricValue]:
    by_district = assessment(session, scope=true(), by="district")
    total_closed = sum(a.closed for a in by_district)
    total_on_time = sum(a.on_time for a in by_district)
    city = MetricValue(
        CITY_CODE,
        round(100 * total_on_time / total_closed, 2) if total_closed else None,
        total_on_time,
        total_closed,
    )
    return [city] + [
        MetricValue(a.key, a.on_time_rate, a.on_time, a.closed) for a in by_district if a.closed
    ]


def _satisfaction(session: Session, day: date) -> list[MetricValue]:
    rows = session.execute(
        select(Case.district_code, func.avg(Case.satisfaction), func.count(Case.satisfaction))
        .where(Case.satisfaction.is_not(None))
        .group_by(Case.district_code)
    ).all()
    n = sum(int(c) for _, _, c in rows)
    avg = sum(float(a) * int(c) for _, a, c in rows) / n if n else None
    out = [MetricValue(CITY_CODE, round(avg, 2) if avg is not None else None)]
    return out + [MetricValue(str(d), round(float(a), 2)) for d, a, _ in rows if d]


def _open(session: Session, day: date) -> list[MetricValue]:
    rows = session.execute(
        select(Case.district_code, func.count(), func.count())
        .where(open_clause())
        .group_by(Case.district_code)
    ).all()
    total = sum(int(c) for _, c, _ in rows)
    return [MetricValue(CITY_CODE, float(total))] + [
        MetricValue(str(d), float(c)) for d, c, _ in rows if d
    ]


INDICATORS = (
    IndicatorSpec("cases.ontime_rate", "事件按期办结率", "%", "govern", 95.0, True, _ontime),
    IndicatorSpec("cases.satisfaction", "事件回访满意度", "分", "govern", 4.5, True, _satisfaction),
    IndicatorSpec("cases.open", "在办事件数", "件", "govern", None, False, _open),
)


def open_points(session: Session, principal: Principal) -> MapPoints:
    """The open cases the principal sees on the board (``case_scope``) that have a position."""
    rows = session.execute(
        select(Case.number, Case.lon, Case.lat, Case.title)
        .where(open_clause(), Case.lon.is_not(None), case_scope(session, principal))
        .order_by(Case.id)
    ).all()
    return MapPoints(
        ids=[r[0] for r in rows],
        lons=[float(r[1] or 0) for r in rows],
        lats=[float(r[2] or 0) for r in rows],
        labels=[r[3] for r in rows],
    )
