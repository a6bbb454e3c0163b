"""Repair hand-off: a channel offline longer than the configured time becomes a case through
the ``mudan_open_task`` hook (the cases domain), once per outage; a district whose day 在线率 is
under target raises an alert through ``mudan_raise_alert`` (the operations centre)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.domains.video.codes import owner_department
from mudan.domains.video.enums import RateDim
from mudan.domains.video.models import VideoChannel
from mudan.domains.video.rates import ONLINE_TARGET, day_rates
from mudan.hooks import AlertSignal, TaskRequest


def outage_key(channel: VideoChannel) -> str:
    since = as_utc(channel.offline_since) if channel.offline_since else None
    return f"video.repair:{channel.code}:{since:%Y%m%dT%H%M%S}" if since else ""


@dataclass(frozen=True)
class RepairReport:
    due: int  # channels past the threshold without a case for this outage
    opened: int  # cases opened now
    installed: bool  # False: no domain implements mudan_open_task


def open_repairs(
    session: Session, *, pm: pluggy.PluginManager, at: datetime, after: timedelta, limit: int = 5000
) -> RepairReport:
    """Ask for a repair case for every channel offline since before ``at - after``; each outage
    asks once (the key is the channel and the start of its outage). Does not commit."""
    c = VideoChannel
    cutoff = as_utc(at) - after
    rows = session.scalars(
        select(c)
        .where(c.online.is_(False), c.offline_since.is_not(None), c.offline_since <= cutoff)
        .order_by(c.offline_since, c.id)
    ).all()
    due = [ch for ch in rows if ch.repair_key != outage_key(ch)]
    opened, installed = 0, True
    for ch in due[:limit]:
        key = outage_key(ch)
        task = TaskRequest(
            source="video.repair",
            title=f"视频通道离线维修：{ch.name}",
            description=(
                f"通道 {ch.code} 自 {as_utc(ch.offline_since or at):%Y-%m-%d %H:%M} UTC 起离线，"
                f"超过 {int(after.total_seconds() // 60)} 分钟，请派员检修。"
            ),
            category_code="video.repair",
            department_code=owner_department(ch.owner_unit, ch.district_code),
            region_code=ch.grid_code or ch.community_code or ch.street_code or ch.district_code,
            lon=ch.lon,
            lat=ch.lat,
            object_ref=f"video.channel:{ch.code}",
            idempotency_key=key,
        )
        case_no = pm.hook.mudan_open_task(session=session, task=task)
        if case_no is None:
            installed = False
            break
        ch.repair_key, ch.repair_case = key, str(case_no)
        opened += 1
    session.flush()
    return RepairReport(due=len(due), opened=opened, installed=installed)


def alert_low_rates(session: Session, *, pm: pluggy.PluginManager, day: date) -> int:
    """An alert per district whose 在线率 on ``day`` is under target; returns how many."""
    raised = 0
    for row in day_rates(session, day=day, dim=RateDim.DISTRICT):
        rate = row.online_rate
        if rate is None or rate >= ONLINE_TARGET or not row.key:
            continue
        signal = AlertSignal(
            source="video.online_rate",
            level="yellow" if rate >= ONLINE_TARGET - 5 else "orange",
            title=f"视频在线率低于目标：{rate:.1f}%（目标 {ONLINE_TARGET:.0f}%）",
            dedup_key=f"video.online_rate:{row.key}:{day.isoformat()}",
            region_code=row.key,
            detail=f"{row.online}/{row.total} 路在线",
            object_ref=f"video.district:{row.key}",
        )
        if pm.hook.mudan_raise_alert(session=session, signal=signal) is not None:
            raised += 1
    return raised
