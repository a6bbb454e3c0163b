"""Helpers for the video tests: valid codes, a device with channels placed in a real grid."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.video.enums import OwnerUnit
from mudan.domains.video.models import VideoChannel, VideoDevice
from mudan.domains.video.registry import ChannelIn, register_channel
from mudan.kernel.models import Region
from mudan.kernel.regions import build_locator

T0 = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Heze
_serial = itertools.count(900_001)


def code(kind: str = "131", centre: str = "37170200", industry: str = "09", net: str = "6") -> str:
    """A fresh valid GB/T 28181 code (serials from 900001 up never clash with the demo's)."""
    return f"{centre}{industry}{kind}{net}{next(_serial):06d}"


def only_ours(session: Session) -> None:
    """Drop the demo world's video rows: tests that count exactly start from nothing."""
    from sqlalchemy import delete

    from mudan.domains.video.models import VideoRateDay

    session.execute(delete(VideoRateDay))
    session.execute(delete(VideoChannel))
    session.execute(delete(VideoDevice))


def grid_point(session: Session, district: str = "371702") -> tuple[float, float, str]:
    """(lon, lat, grid code) of the centre of a grid in ``district``."""
    row = session.execute(
        select(Region.code, Region.lon, Region.lat)
        .where(Region.level == "grid", Region.path.like(f"3717/{district}/%"))
        .order_by(Region.code)
        .limit(1)
    ).one()
    return float(row[1]), float(row[2]), str(row[0])


def add_device(
    session: Session,
    *,
    channels: int = 2,
    district: str = "371702",
    owner: OwnerUnit = OwnerUnit.COMMUNITY,
    urls: list[str | None] | None = None,
) -> tuple[VideoDevice, list[VideoChannel]]:
    lon, lat, _ = grid_point(session, district)
    device_code = code("118")
    made = []
    devices: dict[str, VideoDevice] = {}
    locator = build_locator(session)
    for i in range(channels):
        ch, _ = register_channel(
            session,
            data=ChannelIn(
                channel_code=code("131", centre=f"{district}00"),
                device_code=device_code,
                name=f"测试通道{i}",
                owner_unit=owner,
                lon=lon,
                lat=lat,
                snapshot_url=(urls or [None] * channels)[i],
            ),
            locator=locator,
            devices=devices,
        )
        made.append(ch)
    return devices[device_code], made
