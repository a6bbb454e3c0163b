"""Sharing flows that own their transactions: due return flows and pushes around the lake."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction
from mudan.domains.sharing.returnflow import county, delivery
from mudan.lake.catalog import Lake


def deliver_due(
    sessions: sessionmaker[Session],
    *,
    lake: Lake,
    folder: Path,
    flow_ids: Iterable[int],
    push_ids: Iterable[int],
) -> None:
    """Run each due return flow, then each due push, each in its own transaction (one that
    fails rolls back alone and stops the rest, as the tick always did)."""
    for fid in flow_ids:
        with transaction(sessions) as s:
            county.run_flow(s, lake=lake, flow_id=fid)
    for did in push_ids:
        with transaction(sessions) as s:
            delivery.run_delivery(s, lake=lake, folder=folder, delivery_id=did)
