"""Pages: the indicator tree by section, one indicator (trend with forecast, region comparison,
versions), alerts with their timeline and actions, and the printable daily/monthly reports."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.errors import InvalidInput, MudanError, NotFound
from mudan.core.params import Id
from mudan.domains.indicators import defs, service
from mudan.domains.indicators.enums import Aggregation, AlertLevel, FormulaKind, Frequency
from mudan.domains.indicators.report_pdf import render_pdf
from mudan.domains.indicators.reports import SECTION_ZH, build_report
from mudan.domains.indicators.schemas import IndicatorIn
from mudan.domains.indicators.scope import alert_prefixes, check_region, sees_alert_region
from mudan.domains.indicators.timeutil import TZ, local_day
from mudan.kernel.deps import current_principal, require
from mudan.kernel.models import Region
from mudan.kernel.rbac import Principal
from mudan.lake import lake_of
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
READ, ALERTS_READ = require("indicators.read"), require("alerts.read")
MANAGE = require("indicators.manage")
ALERTS_HANDLE, REPORTS = require("alerts.handle"), require("reports.read")


def _districts(session: DbSession) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Region.code, Region.name).where(Region.level == "district").order_by(Region.code)
    )
    return [(c, n) for c, n in rows]


@router.get("/indicators")
def indicators_page(
    request: Request, session: DbSession, region_code: str = service.CITY, who: Principal = READ
) -> Response:
    return _index(request, session, who, region_code)


def _index(
    request: Request, session: DbSession, who: Principal, region_code: str, **extra: Any
) -> Response:
    check_region(session, who, region_code)
    values = service.latest_values(session, region_code=region_code, pm=app_ctx(request).pm)
    tree: dict[str, list[Any]] = {}
    for v in values:
        tree.setdefault(v.section, []).append(v)
    return render(
        request,
        "indicators/index.html",
        {
            "tree": tree,
            "sections": SECTION_ZH,
            "region_code": region_code,
            "districts": _districts(session),
            "kinds": list(FormulaKind),
            "aggregations": list(Aggregation),
            "frequencies": list(Frequency),
            **extra,
        },
        422 if extra.get("error") else 200,
    )


@router.post("/indicators")
def indicators_create_page(
    request: Request,
    session: DbSession,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
    section: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    formula: Annotated[str, Form()],
    aggregation: Annotated[str, Form()] = "sum",
    frequency: Annotated[str, Form()] = "daily",
    unit: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    who: Principal = MANAGE,
) -> Response:
    form = {"code": code, "name": name, "section": section, "kind": kind, "formula": formula}
    form |= {"aggregation": aggregation, "frequency": frequency, "unit": unit, "target": target}
    try:
        with session.begin_nested():
            try:
                data = IndicatorIn(
                    code=code.strip(), name=name.strip(), section=section, kind=kind,
                    formula=formula, aggregation=aggregation, frequency=frequency,
                    unit=unit.strip(), target=float(target) if target.strip() else None,
                )  # fmt: skip
            except (ValidationError, ValueError) as exc:
                raise InvalidInput("indicators.bad_definition", reason=str(exc)[:300]) from exc
            ind = defs.create_def(
                session, data=data, actor=who.username, lake=lake_of(app_ctx(request))
            )
            audit.record(
                session,
                actor=who.username,
                role=who.primary_role,
                action="indicators.created",
                object_type="indicator",
                object_id=ind.code,
            )
    except MudanError as exc:
        msg = exc.message(locale_of(request))
        return _index(request, session, who, service.CITY, error=msg, form=form)
    return RedirectResponse(f"/indicators/{ind.code}", status_code=303)


@router.get("/indicators/{code}")
def indicator_page(
    code: str,
    request: Request,
    session: DbSession,
    region_code: str = service.CITY,
    days: int = 7,
    who: Principal = READ,
) -> Response:
    check_region(session, who, region_code)
    ind = defs.get_def(session, code=code)
    days = max(1, min(days, 90))
    series = service.series(
        session, code=code, region_code=region_code, since=utcnow() - timedelta(days=days)
    )
    fmt = "%m-%d %H:00" if ind.frequency == "hourly" else "%Y-%m-%d"
    chart = {
        "actual": [[p.at.astimezone(TZ).strftime(fmt), p.value] for p in series.points],
        "forecast": [
            [f.at.astimezone(TZ).strftime(fmt), round(f.value, 1)] for f in series.forecast
        ],
        "target": ind.target,
        "thresholds": ind.thresholds,
    }
    # compare the children of the chosen region (streets of a district), else the districts
    parent = region_code
    regions = service.region_values(session, code=code, parent_code=parent)
    if not regions and parent != service.CITY:
        parent = service.CITY
        regions = service.region_values(session, code=code, parent_code=parent)
    names = {
        c: n
        for c, n in session.execute(
            select(Region.code, Region.name).where(Region.parent_code == parent)
        )
    }
    comparison = {
        "names": [names.get(r.region_code, r.region_code) for r in regions],
        "values": [r.value for r in regions],
    }
    latest = service.latest_values(session, codes=[code], region_code=region_code)
    return render(
        request,
        "indicators/detail.html",
        {
            "ind": defs.def_out(session, ind),
            "latest": latest[0] if latest else None,
            "versions": defs.list_versions(session, code=code),
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "comparison_json": json.dumps(comparison, ensure_ascii=False),
            "region_code": region_code,
            "districts": _districts(session),
            "days": days,
        },
    )


@router.post("/indicators/{code}/compute")
def indicator_compute_page(
    code: str, request: Request, session: DbSession, who: Principal = MANAGE
) -> Response:
    ctx, now = app_ctx(request), utcnow()
    result = service.compute(session, code=code, at=now, lake=lake_of(ctx), pm=ctx.pm)
    service.evaluate_all(session, at=now, codes=[code])
    audit.record(
        session,
        actor=who.username,
        role=who.primary_role,
        action="indicators.computed",
        object_type="indicator",
        object_id=code,
        detail={"status": str(result.status)},
    )
    return RedirectResponse(f"/indicators/{code}", status_code=303)


@router.get("/alerts")
def alerts_page(
    request: Request,
    session: DbSession,
    status: str = "active",
    level: str = "",
    who: Principal = ALERTS_READ,
) -> Response:
    level = level if level in set(AlertLevel) else ""
    alerts = service.list_alerts(
        session, status=status or None, region_prefixes=alert_prefixes(who), level=level or None
    )
    ctx = {"alerts": alerts, "status": status, "level": level, "levels": list(AlertLevel)}
    return render(request, "indicators/alerts.html", ctx)


def _alert_page(request: Request, session: DbSession, alert_id: int, **extra: Any) -> Response:
    alert = service.get_alert(session, alert_id=alert_id)
    if not sees_alert_region(current_principal(request), alert.region_code):
        raise NotFound("indicators.alert_not_found", id=alert_id)
    ctx: dict[str, Any] = {"alert": service.detail_out(session, alert)}
    ctx.update(extra)
    return render(request, "indicators/alert.html", ctx, 422 if extra.get("error") else 200)


@router.get("/alerts/{alert_id}", dependencies=[ALERTS_READ])
def alert_page(alert_id: Id, request: Request, session: DbSession) -> Response:
    return _alert_page(request, session, alert_id)


@router.post("/alerts/{alert_id}/act")
def alert_act(
    alert_id: Id,
    request: Request,
    session: DbSession,
    action: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    department_code: Annotated[str, Form()] = "",
    who: Principal = ALERTS_HANDLE,
) -> Response:
    try:
        with session.begin_nested():
            alert = service.get_alert(session, alert_id=alert_id)
            if not sees_alert_region(who, alert.region_code):
                raise NotFound("indicators.alert_not_found", id=alert_id)
            if action == "handoff":
                if not department_code.strip():
                    raise InvalidInput("indicators.department_required")
                service.hand_off(
                    session, alert_id=alert_id, department_code=department_code.strip(),
                    actor=who.username, role=who.primary_role, pm=app_ctx(request).pm, note=note,
                )  # fmt: skip
            else:
                service.transition(
                    session, alert_id=alert_id, action=action, actor=who.username,
                    role=who.primary_role, note=note,
                )  # fmt: skip
    except MudanError as exc:
        return _alert_page(request, session, alert_id, error=exc.message(locale_of(request)))
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


def _day(value: str) -> date:
    if not value:
        return local_day(utcnow())
    try:
        return date.fromisoformat(value if len(value) > 7 else value + "-01")
    except ValueError as exc:
        raise InvalidInput("indicators.bad_date", value=value[:20]) from exc


@router.get("/reports/{kind}", dependencies=[REPORTS])
def report_page(kind: str, request: Request, session: DbSession, day: str = "") -> Response:
    if kind.endswith(".pdf"):
        data = build_report(session, kind=kind.removesuffix(".pdf"), day=_day(day))
        name = f"report-{data.kind}-{data.start.astimezone(TZ):%Y%m%d}.pdf"
        return Response(
            render_pdf(data),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )
    data = build_report(session, kind=kind, day=_day(day))
    charts = {
        "trend": {"x": [x for x, _ in data.trend], "y": [y for _, y in data.trend]},
        "districts": {"x": [x for x, _ in data.districts], "y": [y for _, y in data.districts]},
    }
    return render(
        request,
        "indicators/report.html",
        {"r": data, "day": day, "charts_json": json.dumps(charts, ensure_ascii=False)},
    )
