"""Threshold alerts on indicator values: four levels, persistence, hysteresis, cooldown.

- level: the highest of blue/yellow/orange/red whose threshold the value breaches (above it,
  or below it for a higher-is-better indicator);
- persistence: a level counts only when every value of the last ``persistence_hours`` breaches
  it and the values reach back the whole window (AQI above 200 for 48 hours);
- hysteresis: an active alert clears only once the condition no longer holds *and* the value is
  back past its level's threshold by ``hysteresis`` (no flapping around the line); it is then
  closed by ``system`` as recovered;
- de-duplication: one active alert per indicator and region (``indicator:<code>:<region>``), a
  higher level escalates it;
- cooldown: after an alert closes, no new one for the same key within ``cooldown_hours``.
Time is always passed in (``at``), so the rules are tested by driving time explicitly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.domains.indicators import alerts as al
from mudan.domains.indicators import defs
from mudan.domains.indicators.enums import (
    LEVEL_RANK,
    AlertKind,
    AlertLevel,
    AlertStatus,
    Frequency,
    ValueStatus,
)
from mudan.domains.indicators.models import Alert, IndicatorDef, IndicatorValue
from mudan.domains.indicators.timeutil import step

LEVELS = (AlertLevel.RED, AlertLevel.ORANGE, AlertLevel.YELLOW, AlertLevel.BLUE)
LEVEL_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}


def breaches(value: float, threshold: float, higher_is_better: bool) -> bool:
    return value < threshold if higher_is_better else value > threshold


def level_for(ind: IndicatorDef, value: float | None) -> AlertLevel | None:
    if value is None:
        return None
    for level in LEVELS:
        th = ind.thresholds.get(str(level))
        if th is not None and breaches(value, th, ind.higher_is_better):
            return level
    return None


def clears(ind: IndicatorDef, value: float, level: AlertLevel) -> bool:
    """Back past the alert level's threshold by the hysteresis margin."""
    th = ind.thresholds.get(str(level))
    if th is None:
        return True
    if ind.higher_is_better:
        return value >= th + ind.hysteresis
    return value <= th - ind.hysteresis


def _window(
    session: Session, ind: IndicatorDef, version_id: int, region: str, at: datetime
) -> list[tuple[datetime, float | None]]:
    hours = ind.persistence_hours or 24 * 31  # no persistence: just the latest value
    since = at - timedelta(hours=hours)
    rows = session.execute(
        select(IndicatorValue.period_start, IndicatorValue.value)
        .where(
            IndicatorValue.version_id == version_id,
            IndicatorValue.region_code == region,
            IndicatorValue.status == str(ValueStatus.OK),
            IndicatorValue.period_start <= at,
            IndicatorValue.period_start > since,
        )
        .order_by(IndicatorValue.period_start)
    ).all()
    return [(p, v) for p, v in rows]


def persistent_level(
    ind: IndicatorDef, window: list[tuple[datetime, float | None]], at: datetime
) -> AlertLevel | None:
    if not window:
        return None
    if ind.persistence_hours:
        reach = at - timedelta(hours=ind.persistence_hours) + step(Frequency(ind.frequency))
        if window[0][0] > reach:  # not enough history to say it has lasted
            return None
    else:
        window = window[-1:]
    levels = [level_for(ind, v) for _, v in window]
    if any(lv is None for lv in levels):
        return None
    return min((lv for lv in levels if lv is not None), key=lambda lv: LEVEL_RANK[lv])


def cooling_down(session: Session, key: str, hours: int, at: datetime) -> bool:
    """Whether an alert with this key closed less than ``hours`` before ``at``."""
    if not hours:
        return False
    closed = al.last_closed_by_key(session, dedup_key=key)
    return (
        closed is not None
        and closed.closed_at is not None
        and as_utc(closed.closed_at) > at - timedelta(hours=hours)
    )


def evaluate(session: Session, *, code: str, region_code: str, at: datetime) -> Alert | None:
    """Apply the rules at time ``at``; returns the active alert afterwards (None if none)."""
    at = as_utc(at)
    ind = defs.get_def(session, code=code)
    if not ind.thresholds:
        return None
    ver = defs.current(session, indicator=ind)
    window = _window(session, ind, ver.id, region_code, at)
    if not window:
        return None
    latest = window[-1][1]
    key = f"indicator:{code}:{region_code}"
    active = al.active_by_key(session, dedup_key=key)
    level = persistent_level(ind, window, at)
    if active is not None and level is None:
        if latest is not None and clears(ind, latest, AlertLevel(active.level)):
            al.transition(
                session,
                alert_id=active.id,
                action="close",
                actor="system",
                role="system",
                note=f"恢复正常：{latest:g}{ind.unit}",
                at=at,
            )
            return None
        return active
    if level is None:
        return None
    if active is None and cooling_down(session, key, ind.cooldown_hours, at):
        return None
    lasted = f"，持续{ind.persistence_hours}小时" if ind.persistence_hours else ""
    title = f"{ind.name}{LEVEL_ZH[str(level)]}预警（{region_code}）"
    detail = f"{ind.name} {latest:g}{ind.unit}{lasted}，阈值 {ind.thresholds.get(str(level)):g}"
    alert, _ = al.raise_alert(
        session,
        kind=AlertKind.THRESHOLD,
        source="indicators.threshold",
        level=level,
        title=title,
        dedup_key=key,
        at=at,
        indicator_code=code,
        region_code=region_code,
        detail=detail,
        value=latest,
    )
    return alert if alert.status != AlertStatus.CLOSED else None


def evaluate_all(session: Session, *, at: datetime, codes: list[str] | None = None) -> int:
    """Evaluate every indicator with thresholds for every region it has a value for at ``at``."""
    n = 0
    for ind in defs.list_defs(session, enabled_only=True):
        if not ind.thresholds or (codes is not None and ind.code not in codes):
            continue
        ver = defs.current(session, indicator=ind)
        regions = session.scalars(
            select(IndicatorValue.region_code)
            .where(IndicatorValue.version_id == ver.id, IndicatorValue.period_start <= as_utc(at))
            .distinct()
        )
        for region in list(regions):
            if evaluate(session, code=ind.code, region_code=region, at=at) is not None:
                n += 1
    return n
