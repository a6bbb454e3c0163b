"""Forecast early warning: Holt-Winters (statsmodels) on an hourly indicator per region, the
forecast stored beside the actuals, and one early-warning alert when the forecast crosses a
threshold. Re-running updates the same alert (dedup key ``forecast:<code>:<region>``) instead of
raising another; after it closes, the indicator's cooldown applies."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.domains.indicators import alerts as al
from mudan.domains.indicators import defs
from mudan.domains.indicators.enums import AlertKind, Frequency, ValueStatus
from mudan.domains.indicators.models import Forecast, IndicatorDef, IndicatorValue
from mudan.domains.indicators.rules import LEVEL_ZH, cooling_down, level_for
from mudan.domains.indicators.timeutil import TZ, period_of

HISTORY_DAYS = 14
MIN_POINTS = 72
METHOD = "holt-winters(add,add,24)"  # statsmodels ExponentialSmoothing


@dataclass(frozen=True)
class ForecastResult:
    region_code: str
    points: int
    peak: float
    peak_at: datetime
    alert_id: int | None


def _history(
    session: Session, version_id: int, region: str, end: datetime
) -> tuple[list[datetime], np.ndarray]:
    rows = session.execute(
        select(IndicatorValue.period_start, IndicatorValue.value)
        .where(
            IndicatorValue.version_id == version_id,
            IndicatorValue.region_code == region,
            IndicatorValue.status == str(ValueStatus.OK),
            IndicatorValue.period_start <= end,
            IndicatorValue.period_start > end - timedelta(days=HISTORY_DAYS),
        )
        .order_by(IndicatorValue.period_start)
    ).all()
    if not rows:
        return [], np.array([])
    by_hour = {p: v for p, v in rows if v is not None}
    first = min(by_hour)
    hours = int((as_utc(end) - first).total_seconds() // 3600) + 1
    times = [first + timedelta(hours=i) for i in range(hours)]
    series = np.array([by_hour.get(t, np.nan) for t in times], dtype=float)
    if np.isnan(series).any():  # fill gaps by linear interpolation
        idx = np.arange(len(series))
        ok = ~np.isnan(series)
        series = np.interp(idx, idx[ok], series[ok])
    return times, series


def fit_forecast(series: np.ndarray, horizon: int) -> tuple[np.ndarray, float]:
    """Forecast ``horizon`` steps; returns (forecast, residual standard deviation)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(
            series,
            trend="add",
            seasonal="add",
            seasonal_periods=24,
            initialization_method="heuristic",
        ).fit(method="least_squares", use_brute=False)  # same fit as L-BFGS-B here, ~3x faster
        fc = np.asarray(model.forecast(horizon), dtype=float)
        resid = float(np.nanstd(np.asarray(model.resid, dtype=float)))
    return fc, resid if math.isfinite(resid) else 0.0


def run_forecast(
    session: Session, *, code: str, at: datetime, horizon_hours: int = 24, regions: list[str]
) -> list[ForecastResult]:
    ind = defs.get_def(session, code=code)
    ver = defs.current(session, indicator=ind)
    end, _ = period_of(Frequency.HOURLY, at)
    out: list[ForecastResult] = []
    for region in regions:
        times, series = _history(session, ver.id, region, end)
        if len(series) < MIN_POINTS:
            continue
        fc, sd = fit_forecast(series, horizon_hours)
        fc = np.clip(fc, 0, None)
        session.execute(
            delete(Forecast).where(
                Forecast.indicator_id == ind.id,
                Forecast.region_code == region,
                Forecast.target_at > times[-1],
            )
        )
        targets = [times[-1] + timedelta(hours=i + 1) for i in range(horizon_hours)]
        for t, v in zip(targets, fc, strict=True):
            session.add(
                Forecast(
                    indicator_id=ind.id,
                    region_code=region,
                    run_at=as_utc(at),
                    target_at=t,
                    value=float(v),
                    lower=max(0.0, float(v) - 1.96 * sd),
                    upper=float(v) + 1.96 * sd,
                    method=METHOD,
                )
            )
        session.flush()
        peak_i = int(np.argmax(fc))
        peak, peak_at = float(fc[peak_i]), targets[peak_i]
        alert_id = _warn(session, ind, region, peak, peak_at, at)
        out.append(ForecastResult(region, len(series), peak, peak_at, alert_id))
    return out


def _warn(
    session: Session, ind: IndicatorDef, region: str, peak: float, peak_at: datetime, at: datetime
) -> int | None:
    level = level_for(ind, peak)
    if level is None:
        return None
    key = f"forecast:{ind.code}:{region}"
    active = al.active_by_key(session, dedup_key=key)
    if active is None and cooling_down(session, key, ind.cooldown_hours, as_utc(at)):
        return None
    when = peak_at.astimezone(TZ).strftime("%m-%d %H:00")
    alert, _ = al.raise_alert(
        session,
        kind=AlertKind.FORECAST,
        source="indicators.forecast",
        level=level,
        title=f"{ind.name}预报{LEVEL_ZH[str(level)]}预警（{region}）",
        dedup_key=key,
        at=at,
        indicator_code=ind.code,
        region_code=region,
        detail=f"预计 {when} 达 {peak:.0f}{ind.unit}（{METHOD}）",
        value=peak,
    )
    return alert.id


def forecast_points(
    session: Session, *, code: str, region_code: str, since: datetime
) -> list[Forecast]:
    ind = defs.get_def(session, code=code)
    return list(
        session.scalars(
            select(Forecast)
            .where(
                Forecast.indicator_id == ind.id,
                Forecast.region_code == region_code,
                Forecast.target_at >= since,
            )
            .order_by(Forecast.target_at)
        )
    )
