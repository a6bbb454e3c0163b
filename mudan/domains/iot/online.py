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
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mudan.domains.iot.dbutil import aware
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
    end = min(start + timedelta(days=1), aware(now))
    return start.timestamp(), end.timestamp()


def online_seconds(
    session: Session, *, day: date, now: datetime
) -> tuple[list[tuple[int, str, str, str | None]], np.ndarray, np.ndarray]:
    """(devices, online seconds, registered seconds) for every active device in the day."""
    ws, we = day_window(day, now)
    devices = session.execute(
        select(
            Device.id,
            Device.type,
            Device.department_code,
            Device.district_code,
            Device.interval_s,
            Device.installed_at,
        ).where(Device.status == "active")
    ).all()
    if not devices or we <= ws:
        return [], np.zeros(0), np.zeros(0)
    pos = {d[0]: i for i, d in enumerate(devices)}
    grace = np.array([OFFLINE_FACTOR * d[4] for d in devices], dtype=float)
    installed = np.array([aware(d[5]).timestamp() for d in devices])
    lo = datetime.fromtimestamp(ws - float(grace.max()), UTC)  # binds in UTC (SQLite keeps
    hi = datetime.fromtimestamp(we, UTC)  # no offset)
    rows = session.execute(
        select(Reading.device_id, Reading.received_at)
        .where(Reading.received_at >= lo, Reading.received_at < hi)
        .order_by(Reading.device_id, Reading.received_at)
    ).all()
    online: np.ndarray[Any, Any] = np.zeros(len(devices))
    if rows:
        idx = np.array([pos.get(r[0], -1) for r in rows])
        t = np.array([aware(r[1]).timestamp() for r in rows])
        keep = idx >= 0
        idx, t = idx[keep], t[keep]
        end = t + grace[idx]
        nxt = np.full(len(t), np.inf)
        same = idx[1:] == idx[:-1]
        nxt[:-1][same] = t[1:][same]
        stop = np.minimum(np.minimum(end, nxt), we)
        start = np.clip(t, ws, we)
        covered = np.clip(stop - start, 0, None)
        online = np.bincount(idx, weights=covered, minlength=len(devices))
    total = np.clip(we - np.maximum(installed, ws), 0, None)
    online = np.minimum(online, total)
    return [(d[0], d[1], d[2], d[3]) for d in devices], online, total


def _group(
    devices: list[tuple[int, str, str, str | None]], online: np.ndarray, total: np.ndarray, by: str
) -> list[RateRow]:
    col = {"type": 1, "department": 2, "region": 3}[by]
    acc: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for i, d in enumerate(devices):
        for key in (CITY, str(d[col] or "")):
            a = acc[key]
            a[0] += 1
            a[1] += float(online[i])
            a[2] += float(total[i])
    city = acc.pop(CITY, [0, 0.0, 0.0])
    rows = [RateRow(k, int(v[0]), v[1], v[2]) for k, v in sorted(acc.items())]
    return [RateRow(CITY, int(city[0]), city[1], city[2]), *rows]


def _today(now: datetime) -> date:
    return aware(now).astimezone(BEIJING).date()


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
    devices, online, total = online_seconds(session, day=day, now=now)
    return _group(devices, online, total, by)


def summarise_day(session: Session, *, day: date, now: datetime) -> int:
    """Store a finished day's rates for every dimension (replacing an earlier summary)."""
    if not _finished(day, now):
        raise ValueError(f"{day} is not over yet")
    devices, online, total = online_seconds(session, day=day, now=now)
    session.execute(delete(OnlineDay).where(OnlineDay.day == day))
    stored = 0
    for by in DIMENSIONS:
        for r in _group(devices, online, total, by):
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
