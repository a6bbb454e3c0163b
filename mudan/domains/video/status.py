"""Status fusion: GB/T 28181 registration/keepalive events, catalog status and probe results.

A device is online while it is registered and its keepalives keep arriving (the last one plus
``interval × misses`` has not passed). A channel is online when its device is online, the
platform catalog says ``ON`` and its latest probe (within the probe window) did not fail to
connect. It counts as an image retrieved (出图) when it is online and its latest probe in the
window returned a usable frame — a black or frozen frame keeps it online but not retrieved.

:func:`recompute` does this for every channel with a handful of set-based SQL statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, not_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from mudan.core.db import as_utc
from mudan.core.errors import InvalidInput
from mudan.domains.video.enums import DOWN, RETRIEVED, CatalogStatus, EventKind
from mudan.domains.video.models import VideoChannel, VideoDevice

PROBE_WINDOW = timedelta(hours=26)  # probes run daily; a little slack for a late slot
CLOCK_SKEW = timedelta(minutes=5)  # events stamped further in the future are refused


@dataclass(frozen=True)
class DeviceEvent:
    kind: EventKind
    device_code: str
    at: datetime
    interval_s: int | None = None  # REGISTER: the device's keepalive interval
    channels: tuple[tuple[str, CatalogStatus], ...] = ()  # CATALOG: channel code, status


@dataclass(frozen=True)
class EventReject:
    index: int
    device_code: str
    code: str


@dataclass
class EventReport:
    accepted: int = 0
    rejected: list[EventReject] = field(default_factory=list)
    device_ids: set[int] = field(default_factory=set)


def apply_events(
    session: Session, *, events: Sequence[DeviceEvent], now: datetime, misses: int
) -> EventReport:
    """Apply a batch of gateway events; a bad event is refused on its own. Does not commit."""
    report = EventReport()
    codes = {e.device_code for e in events}
    devices = {
        d.code: d for d in session.scalars(select(VideoDevice).where(VideoDevice.code.in_(codes)))
    }
    for i, event in enumerate(events):
        device = devices.get(event.device_code)
        at = as_utc(event.at)
        reason = None
        if device is None:
            reason = "video.unknown_device"
        elif at > as_utc(now) + CLOCK_SKEW:
            reason = "video.clock_ahead"
        elif event.kind == EventKind.KEEPALIVE and not device.registered:
            reason = "video.not_registered"
        if reason is not None or device is None:
            report.rejected.append(EventReject(i, event.device_code, reason or ""))
            continue
        reason = _apply(session, device, event, at, misses)
        if reason:
            report.rejected.append(EventReject(i, event.device_code, reason))
            continue
        report.accepted += 1
        report.device_ids.add(device.id)
    session.flush()
    return report


def _later(a: datetime | None, b: datetime) -> bool:
    return a is None or as_utc(a) < b


def _apply(
    session: Session, device: VideoDevice, event: DeviceEvent, at: datetime, misses: int
) -> str | None:
    if event.kind == EventKind.REGISTER:
        if event.interval_s is not None and not 5 <= event.interval_s <= 3600:
            return "video.bad_interval"
        device.keepalive_interval_s = event.interval_s or device.keepalive_interval_s
        device.registered = True
        device.last_register_at = at
    if event.kind in (EventKind.REGISTER, EventKind.KEEPALIVE) and _later(
        device.last_keepalive_at, at
    ):  # duplicates and late arrivals never move the clock back
        device.last_keepalive_at = at
        device.keepalive_deadline = at + timedelta(seconds=device.keepalive_interval_s * misses)
    if event.kind == EventKind.UNREGISTER:
        device.registered = False
        device.keepalive_deadline = at
    if event.kind == EventKind.CATALOG:
        wanted = dict(event.channels)
        rows = session.scalars(
            select(VideoChannel).where(
                VideoChannel.code.in_(list(wanted)), VideoChannel.device_id == device.id
            )
        ).all()
        if len(rows) != len(wanted):
            return "video.catalog_unknown_channel"
        for row in rows:
            row.catalog_status = CatalogStatus(wanted[row.code]).value
    return None


# --- set-based recompute --------------------------------------------------------------------


@dataclass(frozen=True)
class StatusSummary:
    at: datetime
    total: int
    online: int
    retrieved: int
    devices_online: int


def device_online_expr(at: datetime) -> ColumnElement[bool]:
    d = VideoDevice
    return and_(
        d.registered.is_(True), d.keepalive_deadline.is_not(None), d.keepalive_deadline >= at
    )


def channel_online_expr(at: datetime, window: timedelta) -> ColumnElement[bool]:
    c = VideoChannel
    probe_down = and_(
        c.last_probe_result.is_not(None),
        c.last_probe_at.is_not(None),
        c.last_probe_result.in_([r.value for r in DOWN]),
        c.last_probe_at >= at - window,
    )
    return and_(
        VideoDevice.online.is_(True),
        c.catalog_status == CatalogStatus.ON.value,
        not_(probe_down),
    )


def channel_retrieved_expr(at: datetime, window: timedelta) -> ColumnElement[bool]:
    c = VideoChannel
    return and_(
        channel_online_expr(at, window),
        c.last_probe_result.is_not(None),
        c.last_probe_at.is_not(None),
        c.last_probe_result.in_([r.value for r in RETRIEVED]),
        c.last_probe_at >= at - window,
    )


def _flag(expr: ColumnElement[bool]) -> ColumnElement[bool]:
    """A boolean column value that is never NULL (SQLite stores 0/1, PostgreSQL a boolean)."""
    return case((expr, True), else_=False)


def recompute(
    session: Session,
    *,
    at: datetime,
    window: timedelta = PROBE_WINDOW,
    device_ids: Sequence[int] | None = None,
) -> StatusSummary:
    """Fuse keepalives, catalog status and probes into every channel's status at ``at``
    (or only the channels of ``device_ids``). Set-based; does not commit."""
    at = as_utc(at)
    d, c = VideoDevice, VideoChannel
    dev_on = device_online_expr(at)
    went_off = case((d.keepalive_deadline < at, d.keepalive_deadline), else_=at)
    dq = update(d).values(
        online=_flag(dev_on),
        offline_since=case((dev_on, None), else_=func.coalesce(d.offline_since, went_off)),
    )
    if device_ids is not None:
        dq = dq.where(d.id.in_(list(device_ids)))
    session.execute(dq.execution_options(synchronize_session=False))
    ch_on = channel_online_expr(at, window)
    cq = (
        update(c)
        .where(c.device_id == d.id)
        .values(
            online=_flag(ch_on),
            retrieved=_flag(channel_retrieved_expr(at, window)),
            offline_since=case((ch_on, None), else_=func.coalesce(c.offline_since, at)),
            status_at=at,
        )
    )
    if device_ids is not None:
        cq = cq.where(c.device_id.in_(list(device_ids)))
    session.execute(cq.execution_options(synchronize_session=False))
    session.expire_all()
    return summary(session, at=at)


def summary(session: Session, *, at: datetime) -> StatusSummary:
    c, d = VideoChannel, VideoDevice
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((c.online.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(case((c.retrieved.is_(True), 1), else_=0)), 0),
        ).select_from(c)
    ).one()
    dev = session.scalar(select(func.count()).select_from(d).where(d.online.is_(True))) or 0
    return StatusSummary(at, int(row[0]), int(row[1]), int(row[2]), int(dev))


def check_not_future(at: datetime, now: datetime) -> None:
    if as_utc(at) > as_utc(now) + CLOCK_SKEW:
        raise InvalidInput("video.clock_ahead", at=at.isoformat())
