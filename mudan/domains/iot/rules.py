"""Rules on telemetry (threshold, rate of change, no data) raising operations-centre alerts.

Each rule × device has one ``dedup_key`` (``iot.<kind>:<rule>:<device>``) and one
``AlertState`` row: the ``mudan_raise_alert`` hook is called once when the condition starts
(again only after it has cleared), never for every reading while it lasts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pluggy
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.i18n import t
from mudan.domains.iot.dbutil import naive
from mudan.domains.iot.enums import TYPES, DeviceType, RuleKind
from mudan.domains.iot.models import AlertState, Device, Latest, Rule
from mudan.hooks import AlertSignal


@dataclass(frozen=True)
class DevInfo:
    id: int
    code: str
    type: str
    interval_s: int
    status: str
    district_code: str | None
    street_code: str | None
    department_code: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Observed:
    device: DevInfo
    ts: datetime
    values: tuple[float | None, ...]  # v0..v3
    prev_ts: datetime | None
    prev: tuple[float | None, ...] | None


@dataclass(frozen=True)
class RuleDef:
    id: int
    name: str
    device_type: str
    metric: str
    kind: str
    op: str
    limit: float
    level: str


class RuleBook:
    """Enabled rules by device type, reloaded at most every ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float = 30.0) -> None:
        self.ttl_s = ttl_s
        self._by_type: dict[str, list[RuleDef]] = {}
        self._loaded = -1e9

    def rules(self, session: Session) -> dict[str, list[RuleDef]]:
        if time.monotonic() - self._loaded > self.ttl_s:
            by_type: dict[str, list[RuleDef]] = {}
            for r in session.scalars(select(Rule).where(Rule.enabled.is_(True))):
                by_type.setdefault(r.device_type, []).append(
                    RuleDef(r.id, r.name, r.device_type, r.metric, r.kind, r.op, r.limit, r.level)
                )
            self._by_type = by_type
            self._loaded = time.monotonic()
        return self._by_type

    def invalidate(self) -> None:
        self._loaded = -1e9


def _holds(rule: RuleDef, obs: Observed) -> tuple[bool, float | None] | None:
    """(condition, observed figure) or None when the rule cannot be judged on this reading."""
    idx = TYPES[DeviceType(obs.device.type)].metric_index(rule.metric)
    if idx is None or obs.values[idx] is None:
        return None
    value = obs.values[idx]
    assert value is not None
    if rule.kind == RuleKind.THRESHOLD:
        figure = value
    elif rule.kind == RuleKind.RATE:
        if obs.prev is None or obs.prev_ts is None or obs.prev[idx] is None:
            return None
        minutes = (obs.ts - obs.prev_ts).total_seconds() / 60
        if minutes <= 0:
            return None
        figure = abs(value - (obs.prev[idx] or 0.0)) / minutes
    else:
        return None
    return (figure > rule.limit if rule.op == ">" else figure < rule.limit), figure


def _signal(
    rule: RuleDef, dev: DevInfo, key: str, figure: float | None, at: datetime
) -> AlertSignal:
    type_name = t(f"iot.type.{dev.type}")
    title = t(f"iot.alert.{rule.kind}", type=type_name, code=dev.code, rule=rule.name)
    detail = t("iot.alert.detail", metric=rule.metric, figure=figure, op=rule.op, limit=rule.limit)
    return AlertSignal(
        source=f"iot.{rule.kind}",
        level=rule.level,
        title=title,
        dedup_key=key,
        region_code=dev.street_code or dev.district_code,
        detail=detail,
        object_ref=f"iot.device:{dev.code}",
        lon=dev.lon,
        lat=dev.lat,
        observed_at=at,
    )


def apply(
    session: Session,
    *,
    findings: list[tuple[RuleDef, DevInfo, bool, float | None, datetime]],
    pm: pluggy.PluginManager | None,
) -> int:
    """Open/clear alert states; call the hook on each onset. Returns the number raised."""
    if not findings:
        return 0
    keys = {f"iot.{r.kind}:{r.id}:{d.code}" for r, d, _, _, _ in findings}
    states = {
        s.dedup_key: s
        for s in session.scalars(select(AlertState).where(AlertState.dedup_key.in_(keys)))
    }
    raised = 0
    for rule, dev, cond, figure, at in findings:
        key = f"iot.{rule.kind}:{rule.id}:{dev.code}"
        state = states.get(key)
        if cond and (state is None or not state.active):
            alert_id = None
            if pm is not None:
                alert_id = pm.hook.mudan_raise_alert(
                    session=session, signal=_signal(rule, dev, key, figure, at)
                )
            if state is None:
                state = states[key] = AlertState(
                    dedup_key=key, rule_id=rule.id, device_id=dev.id, raised=0, opened_at=at
                )
                session.add(state)
            state.active, state.opened_at, state.last_at = True, at, at
            state.alert_id = alert_id if alert_id is not None else state.alert_id
            state.raised = (state.raised or 0) + 1
            raised += 1
        elif state is not None and state.active:
            state.last_at = at
            if not cond:
                state.active = False
    return raised


def evaluate(
    session: Session,
    *,
    observed: Iterable[Observed],
    book: dict[str, list[RuleDef]],
    pm: pluggy.PluginManager | None,
) -> int:
    findings: list[tuple[RuleDef, DevInfo, bool, float | None, datetime]] = []
    for obs in observed:
        for rule in book.get(obs.device.type, ()):
            res = _holds(rule, obs)
            if res is not None:
                findings.append((rule, obs.device, res[0], res[1], obs.ts))
    return apply(session, findings=findings, pm=pm)


def sweep_nodata(session: Session, *, now: datetime, pm: pluggy.PluginManager | None) -> int:
    """No-data rules: a device whose last reading is older than ``limit`` × its interval (or
    that never reported) raises; a device reporting again clears."""
    rules = list(
        session.scalars(select(Rule).where(Rule.enabled.is_(True), Rule.kind == RuleKind.NODATA))
    )
    findings: list[tuple[RuleDef, DevInfo, bool, float | None, datetime]] = []
    for rule in rules:
        rd = RuleDef(
            rule.id, rule.name, rule.device_type, "", rule.kind, ">", rule.limit, rule.level
        )
        factor = max(rule.limit, 1.0)
        shortest = session.scalar(
            select(func.min(Device.interval_s)).where(Device.type == rule.device_type)
        )
        if shortest is None:
            continue
        cutoff = naive(now) - timedelta(seconds=factor * shortest)
        rows = session.execute(
            select(Device, Latest.received_at)
            .outerjoin(Latest, Latest.device_id == Device.id)
            .where(Device.type == rule.device_type, Device.status == "active")
            .where(
                or_(
                    and_(Latest.device_id.is_(None), Device.installed_at < cutoff),
                    Latest.received_at < cutoff,
                )
            )
        ).all()
        silent_ids = set()
        for dev, last in rows:
            since = as_utc(last) if last is not None else as_utc(dev.installed_at)
            silent = (now - since).total_seconds()
            if silent > factor * dev.interval_s:
                silent_ids.add(dev.id)
                findings.append((rd, info_of(dev), True, round(silent / 60, 1), now))
        active = session.execute(
            select(Device)
            .join(AlertState, AlertState.device_id == Device.id)
            .where(AlertState.rule_id == rule.id, AlertState.active.is_(True))
        ).scalars()
        for dev in active:
            if dev.id not in silent_ids:
                findings.append((rd, info_of(dev), False, None, now))
    return apply(session, findings=findings, pm=pm)


def info_of(d: Device) -> DevInfo:
    return DevInfo(
        d.id,
        d.code,
        d.type,
        d.interval_s,
        d.status,
        d.district_code,
        d.street_code,
        d.department_code,
        d.lon,
        d.lat,
    )
