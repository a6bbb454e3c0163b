"""The video domain's service layer (what other domains, the API, CLI, pages and jobs call).

Functions take a session and never commit; the caller owns the transaction. ``probe_channels``
owns its transactions and lives in ``flows`` (named here for the existing callers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pluggy
from sqlalchemy.orm import Session

from mudan.domains.video.flows import probe_channels
from mudan.domains.video.importer import ImportReport, RowError, import_catalog
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
