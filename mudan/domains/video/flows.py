"""Video flows that own their transactions: probing channels around network calls."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction
from mudan.domains.video.models import VideoChannel
from mudan.domains.video.probe import ProbeOutcome, run_probes, store_outcomes, targets
from mudan.domains.video.registry import get_channel
from mudan.domains.video.status import recompute
from mudan.kernel.scope import Scope
from mudan.settings import VideoSettings


def probe_channels(
    sessions: sessionmaker[Session],
    *,
    channel_ids: Sequence[int] | None,
    config: VideoSettings,
    batch: int = 5000,
) -> list[ProbeOutcome]:
    """Probe channels (all when ``channel_ids`` is None) in batches: read targets, probe with no
    transaction open, then store outcomes and recompute those devices' channels — one short
    transaction per batch."""
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


def probe_in_scope(
    sessions: sessionmaker[Session],
    *,
    channel_ids: Sequence[int],
    scope: Scope,
    config: VideoSettings,
) -> list[ProbeOutcome]:
    """A user's probe: every channel must be in their scope (404 otherwise) before any probe."""
    with transaction(sessions) as s:
        for cid in channel_ids:
            get_channel(s, channel_id=cid, scope=scope)
    return probe_channels(sessions, channel_ids=channel_ids, config=config)
