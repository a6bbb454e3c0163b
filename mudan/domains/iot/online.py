"""Online rate (在线率), time-weighted per day.

A device is online for ``OFFLINE_FACTOR`` × its reporting interval after each reading it sends
(server receive time). Its online time in a day is the length of the union of those windows
within the day (Beijing time), up to ``now``; the rate of a group is online time over the
registered time of its active devices (a device counts from its installation).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.domains.iot.models import Device, OnlineDay, Reading
from mudan.domains.iot.parse import BEIJING
from mudan.domains.iot.pipeline import OFFLINE_FACTOR

CITY = "3717"
SUMMARY_LOOKBACK = 1  # yesterday: its readings stay in the hot window all of today

DIMENSIONS = {
    "type": Device.type,
    "department": Device.department_code,
    "region": Device.district_code,
}


@dataclass(frozen=True)
class RateRow:
    key: str  # a type, a department code, a district code, or CITY for the whole city
    devices: int
    online_s: float
    total_s: float

    @property
    def rate(self) -> float | None:
        return round(100 * self.online_s / self.total_s, 2) if self.total_s > 0 else None


def day_window(day: date, now: datetime) -> tuple[float, float]:
    start = datetime.combine(day, time(0), BEIJING)
    end = min(start + timedelta(days=1), as_utc(now))
    return start.timestamp(), end.timestamp()


Group = tuple[str, str, str | None]  # (type, department code, district code)


def online_seconds(
    session: Session, *, day: date, now: datetime
) -> tuple[list[tuple[int, str, str, str | None]], np.ndarray, np.ndarray]:
    """(devices, online seconds, registered seconds) for the active devices that reported
    in (or just before) the day; the silent ones are counted in SQL by ``group_seconds``."""
    ws, we = day_window(day, now)
    if we <= ws:
        return [], np.zeros(0), np.zeros(0)
    longest = session.scalar(select(func.max(Device.interval_s)).where(Device.status == "active"))
    if longest is None:
        return [], np.zeros(0), np.zeros(0)
    lo = datetime.fromtimestamp(ws - OFFLINE_FACTOR * float(longest), UTC)  # binds in UTC
    hi = datetime.fromtimestamp(we, UTC)  # (SQLite keeps no offset)
    window = (Reading.received_at >= lo, Reading.received_at < hi)
    reporting = select(Reading.device_id).where(*window).distinct()
    devices = session.execute(
        select(
            Device.id,
            Device.type,
            Device.department_code,
            Device.district_code,
            Device.interval_s,
            Device.installed_at,
        ).where(Device.status == "active", Device.id.in_(reporting))
    ).all()
    if not devices:
        return [], np.zeros(0), np.zeros(0)
    pos = {d[0]: i for i, d in enumerate(devices)}
    grace = np.array([OFFLINE_FACTOR * d[4] for d in devices], dtype=float)
    installed = np.array([as_utc(d[5]).timestamp() for d in devices])
    rows = session.execute(
        select(Reading.device_id, Reading.received_at)
        .where(*window)
        .order_by(Reading.device_id, Reading.received_at)
    ).all()
    idx = np.array([pos.get(r[0], -1) for r in rows])
    t = np.array([as_utc(r[1]).timestamp() for r in rows])
    keep = idx >= 0
    idx, t = idx[keep], t[keep]
    end = t + grace[idx]
    nxt = np.full(len(t), np.inf)
    same = idx[1:] == idx[:-1]
    nxt[:-1][same] = t[1:][same]
    stop = np.minimum(np.minimum(end, nxt), we)
    start = np.clip(t, ws, we)
    covered = np.clip(stop - start, 0, None)
    online: np.ndarray[Any, Any] = np.bincount(idx, weights=covered, minlength=len(devices))
    total = np.clip(we - np.maximum(installed, ws), 0, None)
    online = np.minimum(online, total)
    return [(d[0], d[1], d[2], d[3]) for d in devices], online, total


def group_seconds(session: Session, *, day: date, now: datetime) -> dict[Group, list[float]]:
    """[devices, online s, registered s] per (type, department, district) for the day.

    Registered time is counted in SQL (2,000,000 terminals at scale 1): a device installed
    before the day counts the whole window; only those installed during it are read one by
    one. Online time comes from the devices that reported (``online_seconds``).
    """
    ws, we = day_window(day, now)
    acc: dict[Group, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    if we <= ws:
        return acc
    ws_dt, we_dt = datetime.fromtimestamp(ws, UTC), datetime.fromtimestamp(we, UTC)
    cols = (Device.type, Device.department_code, Device.district_code)
    active = Device.status == "active"
    for typ, dept, dist, n in session.execute(
        select(*cols, func.count()).where(active, Device.installed_at < ws_dt).group_by(*cols)
    ):
        a = acc[(typ, dept, dist)]
        a[0] += n
        a[2] += n * (we - ws)
    for typ, dept, dist, inst in session.execute(
        select(*cols, Device.installed_at).where(
            active, Device.installed_at >= ws_dt, Device.installed_at < we_dt
        )
    ):
        a = acc[(typ, dept, dist)]
        a[0] += 1
        a[2] += we - max(as_utc(inst).timestamp(), ws)
    devices, online, _ = online_seconds(session, day=day, now=now)
    for i, d in enumerate(devices):
        acc[(d[1], d[2], d[3])][1] += float(online[i])
    return acc


def _group(groups: dict[Group, list[float]], by: str) -> list[RateRow]:
    col = {"type": 0, "department": 1, "region": 2}[by]
    acc: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for g, (n, on, tot) in groups.items():
        for key in (CITY, str(g[col] or "")):
            a = acc[key]
            a[0] += n
            a[1] += on
            a[2] += tot
    city = acc.pop(CITY, [0, 0.0, 0.0])
    rows = [RateRow(k, int(v[0]), v[1], v[2]) for k, v in sorted(acc.items())]
    return [RateRow(CITY, int(city[0]), city[1], city[2]), *rows]


def _today(now: datetime) -> date:
    return as_utc(now).astimezone(BEIJING).date()


def _finished(day: date, now: datetime) -> bool:
    return day < _today(now)


def online_rates(session: Session, *, day: date, now: datetime, by: str) -> list[RateRow]:
    """Rates grouped by ``type``, ``department`` or ``region`` (district), city row first.

    A finished day that was summarised is read from ``iot_online_day`` (its hot readings may
    be gone); today, and a finished day not summarised yet, are computed from the readings.
    """
    if by not in DIMENSIONS:
        raise ValueError(by)
    if _finished(day, now):
        stored = session.scalars(
            select(OnlineDay).where(OnlineDay.day == day, OnlineDay.dim == by)
        ).all()
        if stored:
            rows = [RateRow(r.key, r.devices, r.online_s, r.total_s) for r in stored]
            rows.sort(key=lambda r: (r.key != CITY, r.key))
            return rows
        if day < _today(now) - timedelta(days=SUMMARY_LOOKBACK):
            return []  # its hot readings are (partly) pruned: no figure rather than a wrong one
    return _group(group_seconds(session, day=day, now=now), by)


def summarise_day(session: Session, *, day: date, now: datetime) -> int:
    """Store a finished day's rates for every dimension (replacing an earlier summary)."""
    if not _finished(day, now):
        raise ValueError(f"{day} is not over yet")
    groups = group_seconds(session, day=day, now=now)
    session.execute(delete(OnlineDay).where(OnlineDay.day == day))
    return store_day(session, day=day, groups=groups)


def store_day(session: Session, *, day: date, groups: dict[Group, list[float]]) -> int:
    """Add a day's summary rows, one per dimension and key, from per-group seconds."""
    stored = 0
    for by in DIMENSIONS:
        for r in _group(groups, by):
            session.add(
                OnlineDay(
                    day=day,
                    dim=by,
                    key=r.key,
                    devices=r.devices,
                    online_s=r.online_s,
                    total_s=r.total_s,
                )
            )
            stored += 1
    session.flush()
    return stored


def summarise_missing(
    session: Session, *, now: datetime, days: int = SUMMARY_LOOKBACK
) -> list[date]:
    """Summarise the finished days still in the hot window that have no summary yet.

    Run hourly: the hot readings are kept 48 h after they reach the lake, so yesterday is
    complete in the hot window for the whole of today; an older day may be partly pruned
    and is never summarised late (no figure rather than a wrong one).
    """
    today = _today(now)
    wanted = [today - timedelta(days=k) for k in range(days, 0, -1)]
    have = set(session.scalars(select(OnlineDay.day).where(OnlineDay.day.in_(wanted)).distinct()))
    done = [d for d in wanted if d not in have]
    for d in done:
        summarise_day(session, day=d, now=now)
    return done
