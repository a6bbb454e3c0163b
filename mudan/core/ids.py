"""Scalar checks for Chinese identifiers: citizen IDs, USCC, region codes and GB/T 28181 codes.

Every check returns an :class:`IdVerdict` whose ``code`` is the stable machine code of the *first*
failing rule (``None`` when valid). The order of the rules is part of the contract: the vectorised
checker in :mod:`mudan.core.ids_bulk` reports exactly the same code for every input.

* GB 11643 citizen ID (18 chars): ``id.empty`` → ``id.format`` → ``id.checksum`` → ``id.region``
  → ``id.birthdate``. A lowercase ``x`` check char is accepted with the warning ``id.lowercase_x``.
  The region rule is deliberately structural (valid province prefix, digits 3-6 not all zero);
  whether a county code existed on the birth date is *not* checked (python-stdnum does, and wrongly
  rejects e.g. 371702 牡丹区 IDs of people born before the district was created in 2000).
* GB 32100 USCC (18 chars): ``uscc.empty`` → ``uscc.format`` → ``uscc.checksum`` → ``uscc.dept``
  → ``uscc.org_type`` → ``uscc.region``. A wrong GB 11714 organisation-code check char in
  positions 9-17 is only a warning (``uscc.org_code_checksum``): codes of 个体工商户 often lack one.

Generators build *valid* identifiers deterministically from a :class:`random.Random`; the
``corrupt_*`` helpers break one on purpose (tests, benches). No import-time work beyond constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random

__all__ = [
    "CITIZEN_ID_CORRUPTIONS",
    "CITIZEN_ID_WEIGHTS",
    "GB28181_NETWORKS",
    "PROVINCE_CODES",
    "USCC_ALPHABET",
    "USCC_CORRUPTIONS",
    "USCC_NATIONAL_REGION",
    "USCC_ORG_TYPES",
    "USCC_WEIGHTS",
    "Gb28181Code",
    "IdVerdict",
    "check_citizen_id",
    "check_gb28181",
    "check_region_code",
    "check_uscc",
    "citizen_id_check_char",
    "corrupt_citizen_id",
    "corrupt_uscc",
    "gen_citizen_id",
    "gen_gb28181",
    "gen_uscc",
    "org_code_check_char",
    "parse_gb28181",
    "uscc_check_char",
]

#: The 34 province-level divisions of GB/T 2260 (first two digits of a region code).
PROVINCE_CODES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省",
    "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip

#: ISO 7064 MOD 11-2 weights (2^(17-i) mod 11) for the 17 body digits of a citizen ID.
CITIZEN_ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

#: GB 32100 character set (no I, O, Z, S, V) and weights (3^i mod 31).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}

#: Registration department code (position 1) → allowed organisation type codes (position 2).
USCC_ORG_TYPES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}
#: Registration region used by central (national-level) registrations, e.g. 国务院 bodies.
USCC_NATIONAL_REGION = "100000"
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: GB/T 28181-2016 network identifiers (digit 14 of a 20-digit code).
GB28181_NETWORKS: dict[str, str] = {
    **dict.fromkeys("01234", "监控报警专网"),
    "5": "公安信息网",
    "6": "政务网",
    "7": "互联网",
    "8": "社会资源接入网",
    "9": "预留",
}

_DIGITS = frozenset("0123456789")

_MESSAGES: dict[str, str] = {
    "id.empty": "身份证号为空",
    "id.format": "身份证号格式错误：应为17位数字加1位数字或X",
    "id.checksum": "身份证号校验码错误",
    "id.region": "身份证号地址码无效",
    "id.birthdate": "身份证号出生日期无效",
    "uscc.empty": "统一社会信用代码为空",
    "uscc.format": "统一社会信用代码格式错误：应为18位数字或大写字母（不含I、O、Z、S、V）",
    "uscc.checksum": "统一社会信用代码校验码错误",
    "uscc.dept": "统一社会信用代码登记管理部门代码无效",
    "uscc.org_type": "统一社会信用代码机构类别代码无效",
    "uscc.region": "统一社会信用代码登记管理机关行政区划码无效",
    "region.format": "行政区划代码格式错误：应为6位数字",
    "region.province": "行政区划代码省级代码无效",
    "gb28181.format": "GB/T 28181 编码格式错误：应为20位数字",
    "gb28181.region": "GB/T 28181 编码中心编码省级代码无效",
    "gb28181.type": "GB/T 28181 编码类型码无效：应为111-199（设备）或200-299（平台）",
}
_OK_MESSAGE = "校验通过"


@dataclass(frozen=True, slots=True)
class IdVerdict:
    """Result of one identifier check. ``code`` is the first failing rule, ``None`` if valid."""

    valid: bool
    code: str | None
    message: str
    warnings: tuple[str, ...] = ()


def _ok(warnings: tuple[str, ...] = ()) -> IdVerdict:
    return IdVerdict(True, None, _OK_MESSAGE, warnings)


def _fail(code: str) -> IdVerdict:
    return IdVerdict(False, code, _MESSAGES[code])


def _is_digits(s: str) -> bool:
    return all(c in _DIGITS for c in s)  # str.isdigit() would accept full-width digits


# --- citizen ID (GB 11643) -------------------------------------------------------------------


def citizen_id_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character for 17 ASCII body digits."""
    total = sum(int(c) * w for c, w in zip(body17, CITIZEN_ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _valid_birth(ymd: str, today: date) -> bool:
    year, month, day = int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8])
    if year < 1900:
        return False
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return born <= today


def check_citizen_id(s: str, *, today: date | None = None) -> IdVerdict:
    """Check an 18-char GB 11643 citizen ID (format, check char, region prefix, birth date).

    ``today`` (default: :meth:`date.today`) bounds the birth date; pass it for reproducible runs.
    """
    if not s:
        return _fail("id.empty")
    if len(s) != 18 or not _is_digits(s[:17]) or s[17] not in "0123456789Xx":
        return _fail("id.format")
    if citizen_id_check_char(s[:17]) != s[17].upper():
        return _fail("id.checksum")
    if s[:2] not in PROVINCE_CODES or s[2:6] == "0000":
        return _fail("id.region")
    if not _valid_birth(s[6:14], today or date.today()):
        return _fail("id.birthdate")
    return _ok(("id.lowercase_x",) if s[17] == "x" else ())


# --- region code (GB/T 2260) -----------------------------------------------------------------


def check_region_code(s: str) -> IdVerdict:
    """Check a 6-digit GB/T 2260 administrative division code (format + province prefix)."""
    if len(s) != 6 or not _is_digits(s):
        return _fail("region.format")
    if s[:2] not in PROVINCE_CODES:
        return _fail("region.province")
    return _ok()


# --- unified social credit code (GB 32100) ---------------------------------------------------


def uscc_check_char(body17: str) -> str:
    """GB 32100 check character for 17 body characters from :data:`USCC_ALPHABET`."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[-total % 31]


def org_code_check_char(body8: str) -> str:
    """GB 11714 organisation-code check character for 8 body chars (digits / uppercase)."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_CODE_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def check_uscc(s: str) -> IdVerdict:
    """Check an 18-char GB 32100 unified social credit code."""
    if not s:
        return _fail("uscc.empty")
    if len(s) != 18 or any(c not in _USCC_VALUE for c in s) or not _is_digits(s[2:8]):
        return _fail("uscc.format")
    if uscc_check_char(s[:17]) != s[17]:
        return _fail("uscc.checksum")
    if s[0] not in USCC_ORG_TYPES:
        return _fail("uscc.dept")
    if s[1] not in USCC_ORG_TYPES[s[0]]:
        return _fail("uscc.org_type")
    region = s[2:8]
    if region != USCC_NATIONAL_REGION and region[:2] not in PROVINCE_CODES:
        return _fail("uscc.region")
    org = s[8:17]
    if org_code_check_char(org[:8]) != org[8]:
        return _ok(("uscc.org_code_checksum",))
    return _ok()


# --- GB/T 28181 device / platform codes ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gb28181Code:
    """A parsed 20-digit GB/T 28181-2016 code: centre 8 + industry 2 + type 3 + net 1 + serial 6."""

    centre: str
    industry: str
    type_code: str
    network: str
    serial: str

    @property
    def province(self) -> str:
        return self.centre[:2]

    @property
    def city(self) -> str:
        return self.centre[2:4]

    @property
    def county(self) -> str:
        return self.centre[4:6]

    @property
    def basic_unit(self) -> str:
        return self.centre[6:8]

    @property
    def is_device(self) -> bool:
        """Front-end device type (111-199, e.g. 111 DVR, 118 NVR, 131 camera, 132 IPC)."""
        return 111 <= int(self.type_code) <= 199

    @property
    def is_platform(self) -> bool:
        """Platform / centre type (200-299, e.g. 200 SIP server, 215 业务分组, 216 虚拟组织)."""
        return 200 <= int(self.type_code) <= 299

    @property
    def network_name(self) -> str:
        return GB28181_NETWORKS[self.network]

    def __str__(self) -> str:
        return f"{self.centre}{self.industry}{self.type_code}{self.network}{self.serial}"


def parse_gb28181(s: str) -> Gb28181Code:
    """Split a 20-digit GB/T 28181 code into its fields. Raises ``ValueError`` on bad format."""
    if len(s) != 20 or not _is_digits(s):
        raise ValueError(_MESSAGES["gb28181.format"])
    return Gb28181Code(s[:8], s[8:10], s[10:13], s[13], s[14:])


def check_gb28181(s: str) -> IdVerdict:
    """Check a GB/T 28181 code: 20 digits, province prefix, device (111-199) or platform type."""
    try:
        code = parse_gb28181(s)
    except ValueError:
        return _fail("gb28181.format")
    if code.province not in PROVINCE_CODES:
        return _fail("gb28181.region")
    if not (code.is_device or code.is_platform):
        return _fail("gb28181.type")
    return _ok()


# --- generators (valid identifiers, deterministic from a Random) ------------------------------

_MALE = frozenset({"M", "m", "男", "male"})
_FEMALE = frozenset({"F", "f", "女", "female"})
_NON_PROVINCES = tuple(f"{i:02d}" for i in range(100) if f"{i:02d}" not in PROVINCE_CODES)


def gen_citizen_id(rng: Random, region_code: str, birth: date, sex: str) -> str:
    """A valid citizen ID for a county-level ``region_code``; the sequence digit parity encodes
    ``sex`` ("M"/"F", "男"/"女"). Raises ``ValueError`` if no valid ID can be built."""
    if sex in _MALE:
        seq = rng.randrange(0, 500) * 2 + 1
    elif sex in _FEMALE:
        seq = rng.randrange(1, 500) * 2
    else:
        raise ValueError(f"sex must be M/F/男/女, got {sex!r}")
    body = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    s = body + citizen_id_check_char(body) if len(body) == 17 and _is_digits(body) else body
    verdict = check_citizen_id(s, today=birth)  # a birth date is never in its own future
    if not verdict.valid:
        raise ValueError(f"cannot build a valid ID: {verdict.code}")
    return s


def gen_uscc(
    rng: Random, region_code: str, *, dept: str | None = None, org_type: str | None = None
) -> str:
    """A valid USCC registered in ``region_code``; department / organisation type are drawn from
    :data:`USCC_ORG_TYPES` unless given. Positions 9-17 are a valid GB 11714 organisation code."""
    dept = dept if dept is not None else rng.choice(tuple(USCC_ORG_TYPES))
    if dept not in USCC_ORG_TYPES:
        raise ValueError(f"unknown registration department {dept!r}")
    org_type = org_type if org_type is not None else rng.choice(USCC_ORG_TYPES[dept])
    org_body = f"{rng.randrange(10**8):08d}"
    body = f"{dept}{org_type}{region_code}{org_body}{org_code_check_char(org_body)}"
    if len(body) != 17 or any(c not in _USCC_VALUE for c in body):
        raise ValueError(f"cannot build a USCC from region {region_code!r}")
    s = body + uscc_check_char(body)
    verdict = check_uscc(s)
    if not verdict.valid:
        raise ValueError(f"cannot build a valid USCC: {verdict.code}")
    return s


def gen_gb28181(rng: Random, centre: str, industry: str, type_code: str, network: str) -> str:
    """A valid 20-digit GB/T 28181 code with a random 6-digit serial."""
    s = f"{centre}{industry}{type_code}{network}{rng.randrange(10**6):06d}"
    if (len(centre), len(industry), len(type_code), len(network)) != (8, 2, 3, 1):
        raise ValueError("centre/industry/type/network must have 8/2/3/1 digits")
    verdict = check_gb28181(s)
    if not verdict.valid:
        raise ValueError(f"cannot build a valid GB/T 28181 code: {verdict.code}")
    return s


# --- corruptors (deliberately invalid identifiers) --------------------------------------------

#: Corruption modes of :func:`corrupt_citizen_id` → the verdict code they produce.
CITIZEN_ID_CORRUPTIONS: dict[str, str] = {
    "checksum": "id.checksum",
    "format": "id.format",
    "fullwidth": "id.format",  # one full-width digit (python-stdnum silently normalises it)
    "province": "id.region",  # first two digits not a province
    "county": "id.region",  # digits 3-6 all zero (xx0000)
    "birthdate": "id.birthdate",  # impossible calendar date (month 13, 31 April …)
    "pre1900": "id.birthdate",
    "future": "id.birthdate",
}
#: Corruption modes of :func:`corrupt_uscc` → the verdict code they produce.
USCC_CORRUPTIONS: dict[str, str] = {
    m: f"uscc.{m}" for m in ("checksum", "format", "dept", "org_type", "region")
}
_BAD_DATES = ("0001", "1301", "0100", "0132", "0230", "0431", "0631", "0931", "1131", "9999")


def _with_id_check(body: str) -> str:
    return body + citizen_id_check_char(body)


def corrupt_citizen_id(rng: Random, s: str, mode: str | None = None) -> str:
    """Break a *valid* citizen ID so it fails with ``CITIZEN_ID_CORRUPTIONS[mode]`` (random mode
    if ``None``). Date and region corruptions keep a correct check char."""
    mode = mode or rng.choice(tuple(CITIZEN_ID_CORRUPTIONS))
    body = s[:17]
    if mode == "checksum":
        return body + rng.choice(_ID_CHECK_CHARS.replace(s[17].upper(), ""))
    if mode == "format":
        pos = rng.randrange(17)
        kind = rng.randrange(4)
        if kind == 0:
            return s[:pos] + rng.choice("ABOxX -/.") + s[pos + 1 :]
        if kind == 1:
            return s[: rng.randrange(1, 18)]
        if kind == 2:
            return s + str(rng.randrange(10))
        return body + rng.choice("YZ?*")
    if mode == "fullwidth":
        pos = rng.randrange(17)
        return s[:pos] + chr(0xFF10 + int(s[pos])) + s[pos + 1 :]
    if mode == "province":
        return _with_id_check(rng.choice(_NON_PROVINCES) + body[2:])
    if mode == "county":
        return _with_id_check(body[:2] + "0000" + body[6:])
    if mode == "birthdate":
        return _with_id_check(body[:10] + rng.choice(_BAD_DATES) + body[14:])
    if mode == "pre1900":
        return _with_id_check(body[:6] + str(rng.randrange(1000, 1900)) + body[10:])
    if mode == "future":
        return _with_id_check(body[:6] + str(rng.randrange(2100, 10000)) + body[10:])
    raise ValueError(f"unknown corruption mode {mode!r}")


def corrupt_uscc(rng: Random, s: str, mode: str | None = None) -> str:
    """Break a *valid* USCC so it fails with ``USCC_CORRUPTIONS[mode]`` (random mode if ``None``).
    Department, organisation-type and region corruptions keep a correct check char."""
    mode = mode or rng.choice(tuple(USCC_CORRUPTIONS))
    body = s[:17]
    if mode == "checksum":
        return body + rng.choice(USCC_ALPHABET.replace(s[17], ""))
    if mode == "format":
        pos = rng.randrange(18)
        kind = rng.randrange(3)
        if kind == 0:
            return s[:pos] + rng.choice("IOZSVa*-") + s[pos + 1 :]
        if kind == 1:
            return s[: rng.randrange(1, 18)]
        return s[:2] + rng.choice("ABCDEF") + s[3:]  # region code must be digits
    if mode == "dept":
        bad = "".join(c for c in USCC_ALPHABET if c not in USCC_ORG_TYPES)
        new = rng.choice(bad) + body[1:]
    elif mode == "org_type":
        bad = "".join(c for c in USCC_ALPHABET if c not in USCC_ORG_TYPES[s[0]])
        new = s[0] + rng.choice(bad) + body[2:]
    elif mode == "region":
        prov = rng.choice(tuple(p for p in _NON_PROVINCES if p != USCC_NATIONAL_REGION[:2]))
        new = body[:2] + prov + body[4:]
    else:
        raise ValueError(f"unknown corruption mode {mode!r}")
    return new + uscc_check_char(new)
