"""The indicator centre's public service (what other domains and the ops screen call).

Stable read functions (keyword-only, take a session, never commit, never raise for a broken
indicator):

- ``latest_values(session, *, codes, region_code)`` → ``list[IndicatorValueOut]``
- ``series(session, *, code, region_code, since)`` → ``SeriesOut`` (actuals + forecast)
- ``alerts_since(session, *, after_id, limit)`` → ``list[AlertOut]`` (ids only grow)
- ``open_alerts(session, *, region_code)`` → ``list[AlertOut]`` (active alerts in a subtree)
- ``headline_values(session, *, principal)`` → ``list[IndicatorValueOut]`` (the workbench's)

Writes live in :mod:`defs`, :mod:`compute`, :mod:`alerts`, :mod:`rules`, :mod:`forecast` and
are re-exported here.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.i18n import t
from mudan.domains.indicators import defs
from mudan.domains.indicators.alerts import (
    ACTIVE,
    alert_out,
    detail_out,
    get_alert,
    hand_off,
    list_alerts,
    raise_alert,
    raise_signal,
    transition,
)
from mudan.domains.indicators.compute import compute, compute_all, reproduce
from mudan.domains.indicators.defs import create_def, get_def, list_defs, update_def
from mudan.domains.indicators.enums import FormulaKind, ValueStatus
from mudan.domains.indicators.forecast import forecast_points, run_forecast
from mudan.domains.indicators.formula import CITY, find_spec
from mudan.domains.indicators.models import Alert, IndicatorDef, IndicatorValue
from mudan.domains.indicators.rules import evaluate, evaluate_all, level_for
from mudan.domains.indicators.schemas import (
    AlertOut,
    ForecastPointOut,
    IndicatorValueOut,
    PointOut,
    SeriesOut,
)
from mudan.domains.indicators.timeutil import day_start
from mudan.kernel.rbac import Principal

__all__ = [
    "ACTIVE",
    "CITY",
    "alert_out",
    "alerts_since",
    "compute",
    "compute_all",
    "create_def",
    "detail_out",
    "evaluate",
    "evaluate_all",
    "get_alert",
    "get_def",
    "hand_off",
    "headline_values",
    "latest_values",
    "list_alerts",
    "list_defs",
    "open_alerts",
    "raise_alert",
    "raise_signal",
    "record_observations",
    "region_values",
    "reproduce",
    "run_forecast",
    "series",
    "transition",
    "update_def",
]
log = logging.getLogger("mudan.indicators")


def meets(ind: IndicatorDef, value: float | None) -> bool | None:
    if value is None or ind.target is None:
        return None
    return value >= ind.target if ind.higher_is_better else value <= ind.target


def _status_text(status: str, error: str) -> str:
    if status == ValueStatus.ERROR:
        return error or t("indicators.status_error")
    if status == ValueStatus.OK:
        return ""
    return t(f"indicators_status.{status}")


def value_out(
    session: Session,
    ind: IndicatorDef,
    val: IndicatorValue | None,
    region_code: str,
    pm: pluggy.PluginManager | None = None,
) -> IndicatorValueOut:
    base = {
        "code": ind.code,
        "name": ind.name,
        "section": ind.section,
        "unit": ind.unit,
        "region_code": region_code,
        "target": ind.target,
    }
    if val is None:
        status = str(ValueStatus.NOT_COMPUTED)
        if pm is not None:
            ver = defs.current(session, indicator=ind)
            if ver.kind == FormulaKind.METRIC and find_spec(pm, ver.formula) is None:
                status = str(ValueStatus.NO_SOURCE)
        return IndicatorValueOut(
            **base, value=None, status=status, status_text=_status_text(status, "")
        )
    from mudan.domains.indicators.models import IndicatorVersion

    ver_no = session.scalar(
        select(IndicatorVersion.version).where(IndicatorVersion.id == val.version_id)
    )
    return IndicatorValueOut(
        **base,
        value=val.value,
        numerator=val.numerator,
        denominator=val.denominator,
        status=val.status,
        status_text=_status_text(val.status, val.error),
        level=level_for(ind, val.value),
        meets_target=meets(ind, val.value),
        period_start=as_utc(val.period_start),
        computed_at=as_utc(val.computed_at),
        version=ver_no,
    )


def _latest(session: Session, ind: IndicatorDef, region_code: str) -> IndicatorValue | None:
    """The latest value; when the latest period simply has no data yet (a new hour before its
    readings arrive), the last known good value instead (its ``period_start`` shows its age).
    Errors and missing sources are shown as they are."""
    q = (
        select(IndicatorValue)
        .where(IndicatorValue.indicator_id == ind.id, IndicatorValue.region_code == region_code)
        .order_by(IndicatorValue.period_start.desc(), IndicatorValue.id.desc())
        .limit(1)
    )
    latest = session.scalar(q)
    if latest is not None and latest.status == ValueStatus.NO_DATA:
        known = session.scalar(q.where(IndicatorValue.status == str(ValueStatus.OK)))
        return known or latest
    return latest


def record_observations(
    session: Session, *, series: str, rows: list[tuple[str, datetime, float, float | None]]
) -> int:
    """Add readings of a city vital sign (``series`` such as ``aqi``, ``water_level``):
    ``(region_code, at, value, weight)`` rows; a reading already stored for the same series,
    region and time is kept (idempotent). Returns how many were added. For domains that measure
    the city (IoT air stations, hydrology) to feed the series indicators."""
    from mudan.domains.indicators.models import Observation

    added = 0
    for region_code, at, value, weight in rows:
        exists = session.scalar(
            select(Observation.id).where(
                Observation.series == series,
                Observation.region_code == region_code,
                Observation.at == as_utc(at),
            )
        )
        if exists is None:
            session.add(
                Observation(
                    series=series,
                    region_code=region_code,
                    at=as_utc(at),
                    value=value,
                    weight=weight,
                )
            )
            added += 1
    session.flush()
    return added


def latest_values(
    session: Session,
    *,
    codes: list[str] | None = None,
    region_code: str = CITY,
    pm: pluggy.PluginManager | None = None,
) -> list[IndicatorValueOut]:
    """The latest value of each enabled indicator (or of ``codes``, in that order) for one
    region, with target, unit and status. A broken indicator yields ``status="error"`` with the
    reason in ``status_text``; this function does not raise for it. With ``pm``, a metric
    indicator never computed says ``no_source`` when no installed domain provides it."""
    inds = defs.list_defs(session, enabled_only=True)
    if codes is not None:
        by_code = {i.code: i for i in inds}
        inds = [by_code[c] for c in codes if c in by_code]
    out: list[IndicatorValueOut] = []
    for ind in inds:
        try:
            out.append(value_out(session, ind, _latest(session, ind, region_code), region_code, pm))
        except Exception as exc:  # never let one indicator break a screen
            log.exception("indicator %s failed to read", ind.code)
            out.append(
                IndicatorValueOut(
                    code=ind.code,
                    name=ind.name,
                    section=ind.section,
                    unit=ind.unit,
                    region_code=region_code,
                    value=None,
                    target=ind.target,
                    status=str(ValueStatus.ERROR),
                    status_text=f"{type(exc).__name__}: {str(exc)[:200]}",
                )
            )
    return out


#: The workbench's headline indicators: the programme's published targets (及时共享率 99 %,
#: 开放合格率 98 %, 在线率 95 %, 出图率 85 %) and the city's air.
HEADLINES = (
    "share.on_time_rate",
    "open.qualified_rate",
    "sense.video_online_rate",
    "sense.video_image_rate",
    "env.aqi",
)


def headline_region(principal: Principal) -> str | None:
    """The region whose values a principal's workbench shows: the city for a city-wide scope,
    else the first region of its scope (None without a scope)."""
    paths = sorted(principal.scope_paths)
    if not paths:
        return None
    return CITY if CITY in paths else paths[0].rsplit("/", 1)[-1]


def headline_values(
    session: Session, *, principal: Principal, codes: tuple[str, ...] = HEADLINES
) -> list[IndicatorValueOut]:
    """The latest values of the headline indicators for the principal's own region; nothing for
    a principal without ``indicators.read``. Never raises for a broken indicator."""
    region = headline_region(principal)
    if region is None or not principal.can("indicators.read"):
        return []
    return latest_values(session, codes=list(codes), region_code=region)


def region_values(
    session: Session, *, code: str, parent_code: str = CITY
) -> list[IndicatorValueOut]:
    """The latest value of one indicator for each child region of ``parent_code``."""
    from mudan.kernel.models import Region

    ind = get_def(session, code=code)
    children = session.scalars(
        select(Region.code).where(Region.parent_code == parent_code).order_by(Region.code)
    )
    out = []
    for region in children:
        val = _latest(session, ind, region)
        if val is not None:
            out.append(value_out(session, ind, val, region))
    return out


def series(
    session: Session,
    *,
    code: str,
    region_code: str = CITY,
    since: datetime | date,
    until: datetime | None = None,
) -> SeriesOut:
    """Values of the current version from ``since`` (oldest first) and the stored forecast.
    A ``date`` means the start of that day in Heze (Beijing time)."""
    if not isinstance(since, datetime):
        since = day_start(since)
    ind = get_def(session, code=code)
    ver = defs.current(session, indicator=ind)
    q = (
        select(IndicatorValue)
        .where(
            IndicatorValue.version_id == ver.id,
            IndicatorValue.region_code == region_code,
            IndicatorValue.period_start >= as_utc(since),
        )
        .order_by(IndicatorValue.period_start)
    )
    if until is not None:
        q = q.where(IndicatorValue.period_start <= as_utc(until))
    points = [
        PointOut(at=as_utc(v.period_start), value=v.value, status=v.status, version=ver.version)
        for v in session.scalars(q)
    ]
    fc = [
        ForecastPointOut(at=as_utc(f.target_at), value=f.value, lower=f.lower, upper=f.upper)
        for f in forecast_points(session, code=code, region_code=region_code, since=since)
    ]
    return SeriesOut(code=code, region_code=region_code, unit=ind.unit, points=points, forecast=fc)


def alerts_since(session: Session, *, after_id: int, limit: int = 100) -> list[AlertOut]:
    """Alerts with ``id > after_id``, oldest first (poll with the last id you saw)."""
    rows = session.scalars(
        select(Alert).where(Alert.id > after_id).order_by(Alert.id).limit(max(1, min(limit, 1000)))
    )
    return [alert_out(a) for a in rows]


def open_alerts(session: Session, *, region_code: str = CITY) -> list[AlertOut]:
    """Active (open, acknowledged, handling) alerts in the region's subtree, and city-wide ones."""
    prefixes = None if region_code == CITY else [region_code]
    return [a for a in list_alerts(session, status="active", region_prefixes=prefixes)]
