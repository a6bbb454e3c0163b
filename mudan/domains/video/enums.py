"""Vocabularies of the video domain: owner units, probe results, event kinds."""

from __future__ import annotations

from enum import StrEnum


class OwnerUnit(StrEnum):
    """Who built and runs a camera (权属/建设单位)."""

    POLICE_SKYNET = "police_skynet"  # 公安天网
    POLICE_XUELIANG = "police_xueliang"  # 公安雪亮
    URBAN = "urban"  # 城管
    TRAFFIC = "traffic"  # 交通
    COMMUNITY = "community"  # 社区
    EDUCATION = "education"  # 教育
    OTHER = "other"


#: Chinese names accepted in platform catalogs (and shown in the UI through i18n).
OWNER_NAMES: dict[str, OwnerUnit] = {
    "公安天网": OwnerUnit.POLICE_SKYNET,
    "天网": OwnerUnit.POLICE_SKYNET,
    "公安雪亮": OwnerUnit.POLICE_XUELIANG,
    "雪亮": OwnerUnit.POLICE_XUELIANG,
    "城管": OwnerUnit.URBAN,
    "交通": OwnerUnit.TRAFFIC,
    "社区": OwnerUnit.COMMUNITY,
    "教育": OwnerUnit.EDUCATION,
    "其他": OwnerUnit.OTHER,
}


class ChannelStatus(StrEnum):
    """The channel-list filter: online, offline, or online without a usable image."""

    ONLINE = "online"
    OFFLINE = "offline"
    NOT_RETRIEVED = "not_retrieved"


class ProbeResult(StrEnum):
    OK = "ok"
    BLACK = "black"  # 黑屏: online, but no usable image
    FROZEN = "frozen"  # 画面冻结: same frame as the last probe
    BLURRED = "blurred"  # 模糊: an image, flagged for quality
    UNREACHABLE = "unreachable"  # connection refused / HTTP error
    TIMEOUT = "timeout"
    BAD_IMAGE = "bad_image"  # answered, but not a decodable image


#: Results where the camera answered with a frame: it is online (在线).
ANSWERED = frozenset({ProbeResult.OK, ProbeResult.BLACK, ProbeResult.FROZEN, ProbeResult.BLURRED})
#: Results that count as an image retrieved (出图). Black and frozen frames do not.
RETRIEVED = frozenset({ProbeResult.OK, ProbeResult.BLURRED})
#: Results that mean the channel could not be reached: it counts as offline.
DOWN = frozenset({ProbeResult.UNREACHABLE, ProbeResult.TIMEOUT})


class EventKind(StrEnum):
    """GB/T 28181 signalling a gateway (e.g. wvp) forwards: REGISTER, Keepalive, Catalog."""

    REGISTER = "register"
    KEEPALIVE = "keepalive"
    UNREGISTER = "unregister"
    CATALOG = "catalog"


class CatalogStatus(StrEnum):
    ON = "ON"
    OFF = "OFF"


class RateDim(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    OWNER = "owner"
