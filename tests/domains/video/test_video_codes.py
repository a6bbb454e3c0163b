"""GB/T 28181 codes are checked and parsed by the foundation's checker, with stable errors."""

from __future__ import annotations

import pytest

from mudan.core.errors import InvalidInput
from mudan.core.ids import check_gb28181
from mudan.domains.video.codes import check_channel_code, check_device_code, owner_department


def test_parse_channel_code_fields() -> None:
    info = check_channel_code("37170200011311000123")
    assert (info.centre, info.industry, info.type_code, info.network, info.serial) == (
        "37170200",
        "01",
        "131",
        "1",
        "000123",
    )
    assert info.network_name == "监控报警专网" and info.is_device


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("3717020001131100012", "gb28181.format"),  # 19 digits
        ("3717020001131100012X", "gb28181.format"),
        ("９７１７０２０００１１３１１０００１２３"[:20], "gb28181.format"),  # full-width digits
        ("99170200011311000123", "gb28181.region"),
        ("37170200010991000123", "gb28181.type"),
    ],
)
def test_bad_codes_carry_the_checker_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        check_channel_code(value)
    assert exc.value.code == "video.bad_code"
    assert exc.value.details[0]["code"] == reason == check_gb28181(value).code
    assert check_gb28181(value).message in exc.value.message()


def test_platform_and_recorder_codes_are_not_channels() -> None:
    with pytest.raises(InvalidInput) as exc:
        check_channel_code("37170200012001000001")  # 200: SIP server
    assert exc.value.code == "video.not_a_channel"
    with pytest.raises(InvalidInput) as exc:
        check_channel_code("37170200011181000001")  # 118: NVR
    assert exc.value.code == "video.not_a_channel"
    assert check_device_code("37170200011181000001").type_code == "118"
    with pytest.raises(InvalidInput) as exc:
        check_device_code("37170200012161000001")  # 216: virtual organisation
    assert exc.value.code == "video.not_a_device"


def test_repair_departments_follow_owner_and_district() -> None:
    assert owner_department("police_skynet", "371721") == "371721002"
    assert owner_department("urban", "371771") == "371702003"  # zone: the host district
    assert owner_department("traffic", "371702") == "371700008"
    assert owner_department("community", None) == "371700001"
