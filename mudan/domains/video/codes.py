"""GB/T 28181 codes of devices and channels, checked and parsed by the foundation's checker
(:func:`mudan.core.ids.check_gb28181` / :func:`~mudan.core.ids.parse_gb28181`), and the code
fields each owner unit uses when the demo builds codes.

Industry codes (digits 9-10) follow GB/T 28181-2016 appendix D (00 社会治安路面接入, 01 社会
治安社区接入, 04 交通路面接入, 08 城市管理接入, 11 教育部门接入); type codes (11-13) 111 DVR,
118 NVR, 131 camera, 132 IPC; network (14) 0-4 监控报警专网, 6 政务网, 7 互联网, 8 社会资源接入网.
"""

from __future__ import annotations

from dataclasses import dataclass

from mudan.core.errors import InvalidInput
from mudan.core.ids import check_gb28181, parse_gb28181
from mudan.domains.video.enums import OwnerUnit

#: Front-end type codes that are video channels (a camera view), not recorders or platforms.
CHANNEL_TYPES = frozenset({"131", "132"})
DEVICE_TYPES = {"111": "DVR", "118": "NVR", "131": "摄像机", "132": "网络摄像机"}

#: (industry, network) used for the codes of each owner unit's cameras.
OWNER_CODE_FIELDS: dict[OwnerUnit, tuple[str, str]] = {
    OwnerUnit.POLICE_SKYNET: ("00", "0"),
    OwnerUnit.POLICE_XUELIANG: ("01", "1"),
    OwnerUnit.URBAN: ("08", "6"),
    OwnerUnit.TRAFFIC: ("04", "6"),
    OwnerUnit.COMMUNITY: ("01", "8"),
    OwnerUnit.EDUCATION: ("11", "7"),
    OwnerUnit.OTHER: ("03", "8"),
}


@dataclass(frozen=True)
class CodeInfo:
    code: str
    centre: str
    industry: str
    type_code: str
    network: str
    serial: str
    network_name: str
    is_device: bool


def check_code(code: str, *, field: str = "code") -> CodeInfo:
    """Parse a 20-digit GB/T 28181 code or raise ``video.bad_code`` with the checker's reason."""
    verdict = check_gb28181(code)
    if not verdict.valid:
        raise InvalidInput(
            "video.bad_code",
            code=code,
            reason=verdict.message,
            details=[{"field": field, "code": verdict.code, "value": code}],
        )
    p = parse_gb28181(code)
    return CodeInfo(
        code=code,
        centre=p.centre,
        industry=p.industry,
        type_code=p.type_code,
        network=p.network,
        serial=p.serial,
        network_name=p.network_name,
        is_device=p.is_device,
    )


def check_channel_code(code: str, *, field: str = "channel_code") -> CodeInfo:
    info = check_code(code, field=field)
    if info.type_code not in CHANNEL_TYPES:
        raise InvalidInput(
            "video.not_a_channel",
            code=code,
            type_code=info.type_code,
            details=[{"field": field, "code": "video.not_a_channel", "value": code}],
        )
    return info


def check_device_code(code: str, *, field: str = "device_code") -> CodeInfo:
    info = check_code(code, field=field)
    if not info.is_device:
        raise InvalidInput(
            "video.not_a_device",
            code=code,
            type_code=info.type_code,
            details=[{"field": field, "code": "video.not_a_device", "value": code}],
        )
    return info


def owner_department(owner: str, district_code: str | None) -> str:
    """The department a repair case for this owner unit's camera goes to (demo org codes)."""
    county = district_code if district_code and len(district_code) == 6 else None
    if county in ("371771", "371772"):  # development zones: served by 牡丹区 bureaus
        county = "371702"
    if owner in (OwnerUnit.POLICE_SKYNET, OwnerUnit.POLICE_XUELIANG):
        return f"{county}002" if county else "371700002"  # 公安分局 / 公安局
    if owner == OwnerUnit.URBAN:
        return f"{county}003" if county else "371700003"  # 综合行政执法局 / 城市管理局
    if owner == OwnerUnit.TRAFFIC:
        return "371700008"  # 交通运输局
    if owner == OwnerUnit.EDUCATION:
        return "371700006"  # 教育局
    return f"{county}001" if county else "371700001"  # 大数据中心 / 大数据局
