"""The video domain's service layer (what other domains, the API, CLI, pages and jobs call).

Functions take a session and never commit; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction
from mudan.domains.video.importer import ImportReport, RowError, import_catalog
from mudan.domains.video.models import VideoChannel
from mudan.domains.video.probe import ProbeOutcome, run_probes, store_outcomes, targets
from mudan.domains.video.rates import RateRow, local_day, store_day_rates
from mudan.domains.video.registry import (
    ChannelFilter,
    ChannelIn,
    get_channel,
    list_channels,
    region_scope,
    register_channel,
)
from mudan.domains.video.repairs import RepairReport, alert_low_rates, open_repairs
from mudan.domains.video.status import DeviceEvent, StatusSummary, apply_events, recompute
from mudan.settings import VideoSettings

__all__ = [
    "ChannelFilter",
    "ChannelIn",
    "DeviceEvent",
    "ImportReport",
    "RateRow",
    "RefreshReport",
    "RowError",
    "apply_events",
    "get_channel",
    "import_catalog",
    "list_channels",
    "probe_channels",
    "recompute",
    "refresh",
    "region_scope",
    "register_channel",
]


@dataclass(frozen=True)
class RefreshReport:
    status: StatusSummary
    rate_rows: int
    repairs: RepairReport | None
    alerts: int


def refresh(
    session: Session,
    *,
    at: datetime,
    config: VideoSettings,
    pm: pluggy.PluginManager | None = None,
) -> RefreshReport:
    """Recompute every channel's status at ``at``, store the day's rates, hand long outages to
    the cases domain and low district rates to the operations centre. Does not commit."""
    status = recompute(session, at=at)
    day = local_day(at)
    rows = store_day_rates(session, day=day)
    repairs, alerts = None, 0
    if pm is not None:
        after = timedelta(minutes=config.repair_after_minutes)
        repairs = open_repairs(session, pm=pm, at=at, after=after)
        alerts = alert_low_rates(session, pm=pm, day=day)
    return RefreshReport(status=status, rate_rows=rows, repairs=repairs, alerts=alerts)


def probe_channels(
    sessions: sessionmaker[Session],
    *,
    channel_ids: Sequence[int] | None,
    config: VideoSettings,
    batch: int = 5000,
) -> list[ProbeOutcome]:
    """Probe channels (all when ``channel_ids`` is None) in batches: read targets, probe with no
    transaction open, then store outcomes and recompute those devices' channels — one short
    transaction per batch (this function owns them: it is a job, not a request)."""
    with sessions() as s:
        todo = targets(s, channel_ids=channel_ids)
    out: list[ProbeOutcome] = []
    for lo in range(0, len(todo), batch):
        chunk = todo[lo : lo + batch]
        outcomes = run_probes(
            chunk, concurrency=config.probe_concurrency, timeout=config.probe_timeout_s
        )
        with transaction(sessions) as s:
            store_outcomes(s, outcomes=outcomes)
            ids = [o.channel_id for o in outcomes]
            devices = set(s.scalars(select(VideoChannel.device_id).where(VideoChannel.id.in_(ids))))
            if outcomes:
                recompute(s, at=max(o.at for o in outcomes), device_ids=sorted(devices))
        out += outcomes
    return out
