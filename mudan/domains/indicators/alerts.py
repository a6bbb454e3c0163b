"""Alerts: raise (de-duplicated by ``dedup_key``), acknowledge, handle, hand off, close — each
step on the alert's timeline and in the audit trail.

Ids only grow and inserts are serialised (an advisory lock on PostgreSQL, SQLite has one
writer), so ids become visible in order and a screen in another process can poll ``id > last``.
"""

from __future__ import annotations

from datetime import datetime

import pluggy
from sqlalchemy import ColumnElement, Select, or_, select, text
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict, InvalidInput, NotFound
from mudan.domains.indicators.enums import LEVEL_RANK, AlertKind, AlertLevel, AlertStatus
from mudan.domains.indicators.models import Alert, AlertEvent
from mudan.domains.indicators.schemas import AlertDetailOut, AlertEventOut, AlertOut
from mudan.hooks import AlertSignal, TaskRequest

ACTIVE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.HANDLING)
ALERT_LOCK = 7173009
CITY_CODE = "3717"  # city-wide alerts concern every district


def alert_out(a: Alert) -> AlertOut:
    return AlertOut(
        id=a.id,
        kind=a.kind,
        source=a.source,
        level=AlertLevel(a.level),
        status=a.status,
        title=a.title,
        detail=a.detail,
        dedup_key=a.dedup_key,
        indicator_code=a.indicator_code,
        region_code=a.region_code,
        object_ref=a.object_ref,
        value=a.value,
        lon=a.lon,
        lat=a.lat,
        repeats=a.repeats,
        first_seen=as_utc(a.first_seen),
        last_seen=as_utc(a.last_seen),
        closed_at=as_utc(a.closed_at) if a.closed_at else None,
        task_ref=a.task_ref,
    )


def _event(
    session: Session, alert: Alert, *, at: datetime, actor: str, action: str, note: str = ""
) -> None:
    session.add(
        AlertEvent(
            alert_id=alert.id, at=at, actor=actor, action=action, level=alert.level, note=note
        )
    )


def active_by_key(session: Session, *, dedup_key: str) -> Alert | None:
    return session.scalar(
        select(Alert)
        .where(Alert.dedup_key == dedup_key, Alert.status.in_([str(s) for s in ACTIVE]))
        .order_by(Alert.id.desc())
        .limit(1)
    )


def last_closed_by_key(session: Session, *, dedup_key: str) -> Alert | None:
    return session.scalar(
        select(Alert)
        .where(Alert.dedup_key == dedup_key, Alert.status == str(AlertStatus.CLOSED))
        .order_by(Alert.closed_at.desc())
        .limit(1)
    )


def raise_alert(
    session: Session,
    *,
    kind: AlertKind,
    source: str,
    level: AlertLevel,
    title: str,
    dedup_key: str,
    at: datetime | None = None,
    actor: str = "system",
    indicator_code: str | None = None,
    region_code: str | None = None,
    detail: str = "",
    object_ref: str = "",
    value: float | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> tuple[Alert, bool]:
    """Raise an alert, or update the active one with the same ``dedup_key`` (a repeat; a higher
    level escalates it). Returns (alert, whether it is new). Never commits."""
    at = as_utc(at or utcnow())
    if level not in set(AlertLevel):
        raise InvalidInput("indicators.bad_level", level=str(level)[:20])
    level = AlertLevel(level)
    if not dedup_key:
        raise InvalidInput("indicators.dedup_key_required")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({ALERT_LOCK})"))
    existing = active_by_key(session, dedup_key=dedup_key)
    if existing is not None:
        existing.repeats += 1
        existing.last_seen = max(as_utc(existing.last_seen), at)
        existing.value = value if value is not None else existing.value
        if detail:
            existing.detail = detail
        if LEVEL_RANK[level] > LEVEL_RANK[AlertLevel(existing.level)]:
            existing.level = str(level)
            existing.title = title
            _event(session, existing, at=at, actor=actor, action="escalated", note=detail)
        session.flush()
        return existing, False
    alert = Alert(
        kind=str(kind),
        source=source,
        level=str(level),
        status=str(AlertStatus.OPEN),
        title=title,
        detail=detail,
        dedup_key=dedup_key,
        indicator_code=indicator_code,
        region_code=region_code,
        object_ref=object_ref,
        value=value,
        lon=lon,
        lat=lat,
        repeats=1,
        first_seen=at,
        last_seen=at,
        task_ref="",
        created_at=utcnow(),
    )
    session.add(alert)
    session.flush()
    _event(session, alert, at=at, actor=actor, action="raised", note=detail)
    session.flush()
    return alert, True


def raise_signal(session: Session, *, signal: AlertSignal) -> int:
    """The ``mudan_raise_alert`` hook: a domain's signal, de-duplicated by its ``dedup_key``."""
    alert, _ = raise_alert(
        session,
        kind=AlertKind.SIGNAL,
        source=signal.source,
        level=signal.level,  # type: ignore[arg-type]  # checked by raise_alert
        title=signal.title,
        dedup_key=signal.dedup_key,
        at=signal.observed_at,
        actor=signal.source,
        region_code=signal.region_code,
        detail=signal.detail,
        object_ref=signal.object_ref,
        lon=signal.lon,
        lat=signal.lat,
    )
    return alert.id


def get_alert(session: Session, *, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("indicators.alert_not_found", id=alert_id)
    return alert


def detail_out(session: Session, alert: Alert) -> AlertDetailOut:
    events = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)
    )
    timeline = [
        AlertEventOut(at=as_utc(e.at), actor=e.actor, action=e.action, level=e.level, note=e.note)
        for e in events
    ]
    return AlertDetailOut(**alert_out(alert).model_dump(), timeline=timeline)


_MOVES: dict[str, tuple[AlertStatus, tuple[AlertStatus, ...]]] = {
    "acknowledge": (AlertStatus.ACKNOWLEDGED, (AlertStatus.OPEN,)),
    "handle": (AlertStatus.HANDLING, (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)),
    "close": (AlertStatus.CLOSED, ACTIVE),
}


def transition(
    session: Session,
    *,
    alert_id: int,
    action: str,
    actor: str,
    role: str,
    note: str = "",
    at: datetime | None = None,
) -> Alert:
    """acknowledge | handle | close, on the timeline and audited."""
    if action not in _MOVES:
        raise InvalidInput("indicators.bad_action", action=action)
    alert = get_alert(session, alert_id=alert_id)
    target, allowed = _MOVES[action]
    if AlertStatus(alert.status) not in allowed:
        raise Conflict(
            "indicators.bad_transition",
            state=alert.status,
            action=action,
            details=[{"allowed_from": [str(s) for s in allowed]}],
        )
    at = as_utc(at or utcnow())
    alert.status = str(target)
    if target is AlertStatus.CLOSED:
        alert.closed_at = at
    _event(session, alert, at=at, actor=actor, action=action, note=note)
    audit.record(
        session,
        actor=actor,
        role=role,
        action=f"alerts.{action}",
        object_type="alert",
        object_id=str(alert.id),
        detail={"note": note[:500], "status": alert.status},
    )
    session.flush()
    return alert


def hand_off(
    session: Session,
    *,
    alert_id: int,
    department_code: str,
    actor: str,
    role: str,
    pm: pluggy.PluginManager,
    note: str = "",
) -> Alert:
    """Hand the alert to a department as a task through ``mudan_open_task`` (the cases domain).
    Idempotent per alert; ``indicators.cases_not_installed`` when no domain takes tasks."""
    alert = get_alert(session, alert_id=alert_id)
    if alert.status == AlertStatus.CLOSED:
        raise Conflict("indicators.alert_closed", id=alert_id)
    task = TaskRequest(
        source="alert",
        title=alert.title,
        description=(alert.detail + ("\n" + note if note else "")).strip(),
        department_code=department_code,
        region_code=alert.region_code,
        lon=alert.lon,
        lat=alert.lat,
        object_ref=f"alert:{alert.id}",
        idempotency_key=f"alert:{alert.id}",
    )
    ref = pm.hook.mudan_open_task(session=session, task=task)
    if ref is None:
        raise Conflict("indicators.cases_not_installed")
    alert.task_ref = str(ref)
    if alert.status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
        alert.status = str(AlertStatus.HANDLING)
    note_text = f"{department_code} → {ref}" + (f"：{note}" if note else "")
    _event(session, alert, at=utcnow(), actor=actor, action="handed_off", note=note_text)
    audit.record(
        session,
        actor=actor,
        role=role,
        action="alerts.handed_off",
        object_type="alert",
        object_id=str(alert.id),
        detail={"department": department_code, "task": str(ref)},
    )
    session.flush()
    return alert


def alerts_query(
    *,
    status: str | None = None,
    region_prefixes: list[str] | None = None,
    level: str | None = None,
) -> Select[Alert]:
    """Alerts by status (``active``: open, acknowledged or handling), region scope and level."""
    q = select(Alert)
    if status == "active":
        q = q.where(Alert.status.in_([str(s) for s in ACTIVE]))
    elif status:
        q = q.where(Alert.status == status)
    if region_prefixes is not None:
        q = q.where(_in_regions(region_prefixes))
    if level:
        q = q.where(Alert.level == level)
    return q


def list_alerts(
    session: Session,
    *,
    status: str | None = None,
    region_prefixes: list[str] | None = None,
    level: str | None = None,
    limit: int = 200,
) -> list[AlertOut]:
    q = alerts_query(status=status, region_prefixes=region_prefixes, level=level)
    return [alert_out(a) for a in session.scalars(q.order_by(Alert.id.desc()).limit(limit))]


def _in_regions(prefixes: list[str]) -> ColumnElement[bool]:
    conds = [Alert.region_code.like(p + "%") for p in prefixes]
    return or_(Alert.region_code.is_(None), Alert.region_code == CITY_CODE, *conds)
