"""Identifier checks: scalar rules, generators, corruptors, and bulk ≡ scalar agreement.

python-stdnum is the external reference; where it disagrees with us on purpose (region history,
lowercase-free inputs, USCC departments A/N/Y) the tests pin the difference down explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from random import Random

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidComponent

from mudan.core.ids import (
    CITIZEN_ID_CORRUPTIONS,
    PROVINCE_CODES,
    USCC_CORRUPTIONS,
    USCC_ORG_TYPES,
    check_citizen_id,
    check_gb28181,
    check_region_code,
    check_uscc,
    citizen_id_check_char,
    corrupt_citizen_id,
    corrupt_uscc,
    gen_citizen_id,
    gen_gb28181,
    gen_uscc,
    org_code_check_char,
    parse_gb28181,
    uscc_check_char,
)
from mudan.core.ids_bulk import ID_CODES, USCC_CODES, check_citizen_ids, check_usccs

HEZE = ("371702", "371703", "371721", "371722", "371723", "371724", "371725", "371726", "371728")
TODAY = date(2025, 6, 30)


def _id_codes(values: Sequence[str | None], today: date = TODAY) -> list[str | None]:
    return [check_citizen_id(v, today=today).code if v is not None else "id.empty" for v in values]


def _uscc_codes(values: Sequence[str | None]) -> list[str | None]:
    return [check_uscc(v).code if v is not None else "uscc.empty" for v in values]


def _random_id(
    rng: Random, regions: tuple[str, ...] = HEZE, years: tuple[int, int] = (1950, 2020)
) -> str:
    birth = date(rng.randint(*years), rng.randint(1, 12), rng.randint(1, 28))
    return gen_citizen_id(rng, rng.choice(regions), birth, rng.choice("MF"))


def _mixed_ids(seed: int, n: int, broken: float = 0.3) -> list[str]:
    rng = Random(seed)
    out = []
    for _ in range(n):
        s = _random_id(rng, (*HEZE, "110105", "650102", "440305"), (1900, 2024))
        out.append(corrupt_citizen_id(rng, s) if rng.random() < broken else s)
    return out


# --- citizen ID: scalar ----------------------------------------------------------------------


def test_check_char_by_hand() -> None:
    # 11010519491231002: Σ digit·weight = 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10
    #                    +1·5+0·8+0·4+2·2 = 167; 167 mod 11 = 2; (12 - 2) mod 11 = 10 → "X"
    assert citizen_id_check_char("11010519491231002") == "X"
    assert citizen_id_check_char("36042619910101007") == "1"


@pytest.mark.parametrize(
    "value",
    ["11010519491231002X", "360426199101010071", "371702198805200010", "371728201601010029"],
)
def test_known_valid_ids(value: str) -> None:
    verdict = check_citizen_id(value, today=TODAY)
    assert verdict.valid and verdict.code is None and verdict.warnings == ()
    assert verdict.message == "校验通过"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id.empty"),
        ("11010519491231002", "id.format"),
        ("11010519491231002XX", "id.format"),
        ("1101051949123100 X", "id.format"),
        ("11010519491231002Y", "id.format"),
        ("１1010519491231002X", "id.format"),  # full-width digit
        ("110105194912310021", "id.checksum"),
        ("991234199001010014", "id.checksum"),
        ("991234199001010012", "id.region"),
        ("370000199001010011", "id.region"),
        ("440524188001010014", "id.birthdate"),  # GB 11643's own 1880 example: before 1900
        ("11010519900230001X", "id.birthdate"),  # 30 February
        ("110105199013010018", "id.birthdate"),
        ("11010520300101001X", "id.birthdate"),  # future
    ],
)
def test_invalid_ids(value: str, code: str) -> None:
    verdict = check_citizen_id(value, today=TODAY)
    assert (verdict.valid, verdict.code) == (False, code)
    assert verdict.message  # Chinese message for the failure


def test_lowercase_x_is_valid_with_warning() -> None:
    verdict = check_citizen_id("11010519491231002x", today=TODAY)
    assert verdict.valid and verdict.warnings == ("id.lowercase_x",)


def test_leap_day_and_today_bound() -> None:
    leap = gen_citizen_id(Random(1), "371702", date(2000, 2, 29), "F")
    assert check_citizen_id(leap, today=TODAY).valid
    born_today = gen_citizen_id(Random(1), "371702", TODAY, "M")
    assert check_citizen_id(born_today, today=TODAY).valid
    assert check_citizen_id(born_today, today=date(2025, 6, 29)).code == "id.birthdate"


def test_stdnum_rejects_heze_ids_born_before_2000_we_accept() -> None:
    """stdnum's region table says 371702 牡丹区 exists only since 2000, so it rejects everyone
    born there earlier, although their IDs carry that code. We accept them with no warning."""
    value = gen_citizen_id(Random(7), "371702", date(1985, 3, 14), "M")
    verdict = check_citizen_id(value, today=TODAY)
    assert verdict.valid and verdict.warnings == ()
    assert not stdnum_ric.is_valid(value)
    stdnum_ric.get_birth_date(value)  # the date itself is fine for stdnum …
    with pytest.raises(InvalidComponent):
        stdnum_ric.get_birth_place(value)  # … it is the region-by-date lookup that fails
    later = gen_citizen_id(Random(7), "371702", date(2005, 3, 14), "M")
    assert stdnum_ric.is_valid(later) and check_citizen_id(later, today=TODAY).valid


def test_stdnum_accepts_province_level_region_we_reject() -> None:
    value = "370000199001010011"  # 山东省 itself is not a county: our id.region
    assert stdnum_ric.is_valid(value)
    assert check_citizen_id(value, today=TODAY).code == "id.region"


def test_stdnum_normalises_full_width_digits_we_do_not() -> None:
    value = "１1010519491231002X"
    assert stdnum_ric.is_valid(value)
    assert check_citizen_id(value, today=TODAY).code == "id.format"


# --- generators and corruptors ---------------------------------------------------------------


def _stdnum_knows(region: str, year: int) -> bool:
    if region == "371703":  # 定陶区 since 2016
        return year >= 2016
    return year >= 2000 or not region.startswith("3717")


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), year=st.integers(1950, 2020), sex=st.sampled_from("MF男女"))
def test_generated_ids_valid_for_us_and_stdnum(seed: int, year: int, sex: str) -> None:
    rng = Random(seed)
    region = rng.choice((*HEZE, "110105"))
    birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
    value = gen_citizen_id(rng, region, birth, sex)
    assert check_citizen_id(value, today=TODAY).valid
    assert (int(value[16]) % 2 == 1) == (sex in "M男")
    if _stdnum_knows(region, year):
        assert stdnum_ric.is_valid(value)


def test_generators_are_deterministic() -> None:
    assert [_random_id(Random(3)) for _ in range(3)] == [_random_id(Random(3)) for _ in range(3)]
    assert gen_uscc(Random(3), "371700") == gen_uscc(Random(3), "371700")


@pytest.mark.parametrize(
    ("region", "birth", "sex"),
    [("370000", date(1990, 1, 1), "M"), ("3717", date(1990, 1, 1), "F"),
     ("371702", date(1890, 1, 1), "M"), ("371702", date(1990, 1, 1), "X")],
)  # fmt: skip
def test_gen_citizen_id_rejects_impossible_requests(region: str, birth: date, sex: str) -> None:
    with pytest.raises(ValueError):
        gen_citizen_id(Random(0), region, birth, sex)


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), mode=st.sampled_from(sorted(CITIZEN_ID_CORRUPTIONS)))
def test_corrupted_ids_fail_with_the_expected_code(seed: int, mode: str) -> None:
    rng = Random(seed)
    value = _random_id(rng, (*HEZE, "110105"), (2016, 2020))
    broken = corrupt_citizen_id(rng, value, mode)
    assert check_citizen_id(broken, today=TODAY).code == CITIZEN_ID_CORRUPTIONS[mode]
    # stdnum has no 1900 floor, no future check, accepts province-level xx0000 codes and
    # normalises full-width digits, so only these modes are rejected by both
    if mode in ("checksum", "format", "province", "birthdate"):
        assert not stdnum_ric.is_valid(broken)


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), region=st.sampled_from((*HEZE, "370000", "100000")))
def test_generated_usccs_valid_for_us_and_stdnum(seed: int, region: str) -> None:
    value = gen_uscc(Random(seed), region)
    verdict = check_uscc(value)
    assert verdict.valid and verdict.warnings == ()
    # stdnum requires the first 8 chars to be digits: departments A / N / Y are ours only
    assert stdnum_uscc.is_valid(value) == value[0].isdigit()


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), mode=st.sampled_from(sorted(USCC_CORRUPTIONS)))
def test_corrupted_usccs_fail_with_the_expected_code(seed: int, mode: str) -> None:
    rng = Random(seed)
    broken = corrupt_uscc(rng, gen_uscc(rng, "371702"), mode)
    assert check_uscc(broken).code == USCC_CORRUPTIONS[mode]
    if mode == "checksum":
        assert not stdnum_uscc.is_valid(broken)


# --- USCC, region codes, GB/T 28181 -----------------------------------------------------------


def test_uscc_known_examples() -> None:
    assert uscc_check_char("91110000600037341") == "L"
    assert org_code_check_char("60003734") == "1"
    assert check_uscc("91110000600037341L").valid  # stdnum's doc example
    assert check_uscc("91110000600037341L").warnings == ()
    assert check_uscc("91110000600037342L").code == "uscc.checksum"
    national = "11100000" + "00001312" + "7"
    national += uscc_check_char(national)
    assert check_uscc(national).valid  # central bodies register under 100000


def test_uscc_rules_order_and_warning() -> None:
    assert check_uscc("").code == "uscc.empty"
    assert check_uscc("91110000600037341l").code == "uscc.format"
    assert check_uscc("9111000060003734IL").code == "uscc.format"
    assert check_uscc("91A10000600037341L").code == "uscc.format"
    body = "92371702MA3C1D2E3"  # 个体工商户 with a non-GB 11714 subject code
    verdict = check_uscc(body + uscc_check_char(body))
    assert verdict.valid and verdict.warnings == ("uscc.org_code_checksum",)
    for dept in USCC_ORG_TYPES:
        assert gen_uscc(Random(1), "371700", dept=dept)[0] == dept


def test_region_codes() -> None:
    assert len(PROVINCE_CODES) == 34 and PROVINCE_CODES["37"] == "山东省"
    assert all(check_region_code(c).valid for c in (*HEZE, "370000", "810000"))
    assert check_region_code("37170").code == "region.format"
    assert check_region_code("37170a").code == "region.format"
    assert check_region_code("991702").code == "region.province"


def test_gb28181_parse_and_check() -> None:
    code = parse_gb28181("37170200001320000042")
    assert (code.centre, code.industry, code.type_code, code.network, code.serial) == (
        "37170200", "00", "132", "0", "000042",
    )  # fmt: skip
    assert (code.province, code.city, code.county, code.basic_unit) == ("37", "17", "02", "00")
    assert code.is_device and not code.is_platform and code.network_name == "监控报警专网"
    assert str(code) == "37170200001320000042"
    assert check_gb28181("37170200002000000001").valid  # 200: SIP server
    assert check_gb28181("37170200002160000001").valid  # 216: virtual organisation
    assert check_gb28181("3717020000132000004").code == "gb28181.format"
    assert check_gb28181("3717020000132000004a").code == "gb28181.format"
    assert check_gb28181("99170200001320000042").code == "gb28181.region"
    assert check_gb28181("37170200003000000001").code == "gb28181.type"  # 300: user
    assert check_gb28181("37170200001100000001").code == "gb28181.type"
    with pytest.raises(ValueError):
        parse_gb28181("x" * 20)


def test_gen_gb28181() -> None:
    value = gen_gb28181(Random(2), "37170200", "00", "118", "5")
    assert check_gb28181(value).valid and parse_gb28181(value).type_code == "118"
    with pytest.raises(ValueError):
        gen_gb28181(Random(2), "37170200", "00", "400", "5")
    with pytest.raises(ValueError):
        gen_gb28181(Random(2), "3717020", "00", "118", "5")


# --- bulk ≡ scalar ---------------------------------------------------------------------------

_ID_CHARS = st.sampled_from("0123456789") | st.sampled_from("Xx Y-１é\x00")


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.none() | st.text(_ID_CHARS, max_size=20), max_size=30))
def test_bulk_ids_agree_on_arbitrary_text(values: list[str | None]) -> None:
    assert check_citizen_ids(values, today=TODAY).codes == _id_codes(values)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.none() | st.text(max_size=20), max_size=20))
def test_bulk_agrees_on_any_unicode(values: list[str | None]) -> None:
    assert check_citizen_ids(values, today=TODAY).codes == _id_codes(values)
    assert check_usccs(values).codes == _uscc_codes(values)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(0, 60))
def test_bulk_ids_agree_on_generated_and_corrupted(seed: int, n: int) -> None:
    values = _mixed_ids(seed, n, broken=0.5)
    result = check_citizen_ids(values, today=TODAY)
    assert result.codes == _id_codes(values)
    assert result.valid.tolist() == [c is None for c in result.codes]


_USCC_CHARS = st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY") | st.sampled_from("IOZa -")


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    noise=st.lists(st.none() | st.text(_USCC_CHARS, min_size=16, max_size=19), max_size=20),
)
def test_bulk_usccs_agree(seed: int, noise: list[str | None]) -> None:
    rng = Random(seed)
    values: list[str | None] = list(noise)
    for _ in range(30):
        value = gen_uscc(rng, rng.choice((*HEZE, "100000", "370000")))
        values.append(corrupt_uscc(rng, value) if rng.random() < 0.5 else value)
    rng.shuffle(values)
    assert check_usccs(values).codes == _uscc_codes(values)


def test_bulk_arrow_inputs() -> None:
    values = [*_mixed_ids(11, 500), None, "", "x"]
    expected = _id_codes(values)
    arrays = [
        pa.array(values, pa.string()),
        pa.array(values, pa.large_string()),
        pa.array([v.encode() if v is not None else None for v in values], pa.binary()),
        pa.array(values, pa.string()).dictionary_encode(),
    ]
    for arr in arrays:
        assert check_citizen_ids(arr, today=TODAY).codes == expected
    sliced = pa.array(values, pa.string()).slice(7, 300)
    assert check_citizen_ids(sliced, today=TODAY).codes == expected[7:307]
    chunked = pa.chunked_array([pa.array(values[:100]), pa.array(values[100:])])
    assert check_citizen_ids(chunked, today=TODAY).codes == expected
    valid_only = pa.array([v for v, c in zip(values, expected, strict=True) if c is None])
    assert check_citizen_ids(valid_only, today=TODAY).valid.all()  # contiguous fast path
    assert len(check_citizen_ids([], today=TODAY)) == 0
    assert check_citizen_ids(pa.array([None, None], pa.string())).codes == ["id.empty"] * 2


def test_bulk_result_codes_and_counts() -> None:
    result = check_citizen_ids(["11010519491231002X", "", "110105194912310021", None])
    assert result.codes == [None, "id.empty", "id.checksum", "id.empty"]
    assert result.counts() == {"valid": 1, "id.empty": 2, "id.checksum": 1}
    assert result.code_names == ID_CODES and check_usccs([]).code_names == USCC_CODES
    assert result.valid.dtype == np.bool_ and result.error.dtype == np.uint8


def test_bulk_agrees_with_scalar_on_100k_mixed_ids() -> None:
    values = _mixed_ids(2025, 100_000, broken=0.25)
    expected = _id_codes(values)
    result = check_citizen_ids(pa.array(values), today=TODAY)
    assert result.codes == expected
    assert check_citizen_ids(values, today=TODAY).codes == expected
    counts = result.counts()
    assert 0.70 < counts["valid"] / 100_000 < 0.80
    assert {"id.format", "id.checksum", "id.region", "id.birthdate"} <= counts.keys()
