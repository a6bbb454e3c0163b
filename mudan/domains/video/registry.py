"""The device and channel registry: register (upsert) by GB/T 28181 code, locate, list, scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput, NotFound
from mudan.domains.video.codes import check_channel_code, check_device_code
from mudan.domains.video.enums import CatalogStatus, OwnerUnit
from mudan.domains.video.models import VideoChannel, VideoDevice
from mudan.kernel.geo import CITY_CODE, Locator
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope


@dataclass(frozen=True)
class ChannelIn:
    channel_code: str
    device_code: str
    name: str
    owner_unit: OwnerUnit
    lon: float | None = None
    lat: float | None = None
    snapshot_url: str | None = None
    rtsp_url: str | None = None
    catalog_status: CatalogStatus = CatalogStatus.ON
    device_name: str | None = None


@dataclass(frozen=True)
class Place:
    district: str | None
    street: str | None
    community: str | None
    grid: str | None


def place_of(locator: Locator, lon: float | None, lat: float | None, centre: str) -> Place:
    """Region chain of a point; without a point, the district in the code's centre prefix."""
    if lon is None or lat is None:
        return Place(centre[:6] if centre[:4] == CITY_CODE else None, None, None, None)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("video.bad_point", lon=lon, lat=lat)
    found = locator.locate(lon, lat)
    if found is None:
        raise InvalidInput("video.outside_city", lon=lon, lat=lat)

    def code(ref: object) -> str | None:
        return getattr(ref, "code", None)

    return Place(code(found.district), code(found.street), code(found.community), code(found.grid))


def register_channel(
    session: Session, *, data: ChannelIn, locator: Locator, devices: dict[str, VideoDevice]
) -> tuple[VideoChannel, bool]:
    """Insert or update one channel (and its device); returns (channel, created). ``devices``
    caches devices by code across a batch. Validates everything before writing anything."""
    ch = check_channel_code(data.channel_code)
    dev = check_device_code(data.device_code)
    if not data.name.strip():
        raise InvalidInput("video.name_required", code=data.channel_code)
    place = place_of(locator, data.lon, data.lat, ch.centre)
    device = devices.get(dev.code) or session.scalar(
        select(VideoDevice).where(VideoDevice.code == dev.code)
    )
    if device is None:
        device = VideoDevice(
            code=dev.code,
            name=(data.device_name or f"{data.name}设备")[:200],
            type_code=dev.type_code,
            centre=dev.centre,
            industry=dev.industry,
            network=dev.network,
            owner_unit=data.owner_unit.value,
            district_code=place.district,
            keepalive_interval_s=60,
            registered=False,
            online=False,
        )
        session.add(device)
        session.flush()
    devices[dev.code] = device
    channel = session.scalar(select(VideoChannel).where(VideoChannel.code == ch.code))
    created = channel is None
    if channel is None:
        channel = VideoChannel(code=ch.code, online=False, retrieved=False)
        session.add(channel)
    channel.device_id = device.id
    channel.name = data.name.strip()[:200]
    channel.type_code, channel.centre = ch.type_code, ch.centre
    channel.industry, channel.network = ch.industry, ch.network
    channel.owner_unit = data.owner_unit.value
    channel.district_code, channel.street_code = place.district, place.street
    channel.community_code, channel.grid_code = place.community, place.grid
    channel.lon, channel.lat = data.lon, data.lat
    channel.snapshot_url, channel.rtsp_url = data.snapshot_url, data.rtsp_url
    channel.catalog_status = data.catalog_status.value
    session.flush()
    return channel, created


# --- reading --------------------------------------------------------------------------------


def region_scope(principal: Principal) -> Scope:
    """The regions a principal's channels must fall in (by region only: channels have no
    owning department here)."""
    return Scope.of(None, principal)


def scoped(q: Select[Any], scope: Scope) -> Select[Any]:
    """Channels placed (at any level of the chain) in one of the scope's regions."""
    if scope.whole_city:
        return q
    c = VideoChannel
    levels = (c.district_code, c.street_code, c.community_code, c.grid_code)
    return q.where(scope.where(region_codes=levels))


@dataclass(frozen=True)
class ChannelFilter:
    district: str | None = None
    street: str | None = None
    owner_unit: str | None = None
    status: str | None = None  # online | offline | not_retrieved
    q: str | None = None


def list_channels(
    session: Session,
    *,
    scope: Scope,
    filters: ChannelFilter,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[VideoChannel], int]:
    c = VideoChannel
    q = scoped(select(c), scope)
    if filters.district:
        q = q.where(c.district_code == filters.district)
    if filters.street:
        q = q.where(c.street_code == filters.street)
    if filters.owner_unit:
        q = q.where(c.owner_unit == filters.owner_unit)
    if filters.status == "online":
        q = q.where(c.online.is_(True))
    elif filters.status == "offline":
        q = q.where(c.online.is_(False))
    elif filters.status == "not_retrieved":
        q = q.where(c.online.is_(True), c.retrieved.is_(False))
    if filters.q:
        like = f"%{filters.q.strip()[:40]}%"
        q = q.where(or_(c.code.like(like), c.name.like(like)))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(c.id).offset((page - 1) * page_size).limit(page_size))
    return [r for r in rows if isinstance(r, VideoChannel)], total


def get_channel(session: Session, *, channel_id: int, scope: Scope) -> VideoChannel:
    row = session.scalar(scoped(select(VideoChannel).where(VideoChannel.id == channel_id), scope))
    if not isinstance(row, VideoChannel):
        raise NotFound("video.channel_not_found", channel=channel_id)
    return row


def channel_by_code(session: Session, *, code: str) -> VideoChannel:
    row = session.scalar(select(VideoChannel).where(VideoChannel.code == code))
    if row is None:
        raise NotFound("video.channel_not_found", channel=code)
    return row


def scoped_counts(session: Session, *, scope: Scope) -> tuple[int, int, int]:
    """(channels, online, retrieved) within a scope."""
    from sqlalchemy import case

    c = VideoChannel
    q = select(
        func.count(c.id),
        func.coalesce(func.sum(case((c.online.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((c.retrieved.is_(True), 1), else_=0)), 0),
    )
    row = session.execute(scoped(q, scope)).one()
    return int(row[0]), int(row[1]), int(row[2])
