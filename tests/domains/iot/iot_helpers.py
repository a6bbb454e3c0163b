"""Helpers of the iot tests: a fake alert plugin and a device that has not reported yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.hooks import AlertSignal, hookimpl


class FakeAlerts:
    """Implements ``mudan_raise_alert`` like the indicators domain: one alert per dedup key."""

    def __init__(self) -> None:
        self.calls: list[AlertSignal] = []
        self.open: dict[str, int] = {}

    @hookimpl
    def mudan_raise_alert(self, session: Session, signal: AlertSignal) -> int | None:
        assert isinstance(session, Session)
        self.calls.append(signal)
        return self.open.setdefault(signal.dedup_key, len(self.open) + 1)


def some_device(session: Session, device_type: str) -> Any:
    """An active device of the type that has not reported yet (the demo simulator fed some).

    The demo connects only the simulator's fleet; the others are registered but not connected
    (pending): when no active one is left, a pending one is connected in the ledger (committed).
    """
    from mudan.domains.iot.models import Device, Latest

    def first(status: str) -> Any:
        return session.scalars(
            select(Device)
            .where(Device.type == device_type, Device.status == status)
            .where(~select(Latest.device_id).where(Latest.device_id == Device.id).exists())
            .order_by(Device.id)
        ).first()

    dev = first("active")
    if dev is None:
        dev = first("pending")
        if dev is not None:
            dev.status = "active"
            session.commit()
    return dev
