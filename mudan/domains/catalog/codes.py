"""The resource code scheme (资源代码), after GB/T 21063.4's 类-项-目 classification.

A code reads ``{provider}-{class}-{item}-{seq}``, e.g. ``371700002-01-02-0003``:

* ``provider``: the providing department's code (9 digits: 6-digit GB/T 2260 region + 3-digit
  department number, e.g. ``371700002`` 菏泽市公安局);
* ``class`` (类, 2 digits): the theme, from ``THEMES`` (``01`` 人口 … ``16`` 其他);
* ``item`` (项, 2 digits): the resource category, from ``CATEGORIES`` (``01`` 基础信息,
  ``02`` 业务信息, ``03`` 统计信息, ``04`` 电子证照);
* ``seq`` (目/顺序码, 4 digits): ``0001``–``9999`` within provider + class + item.

Codes are assigned by ``next_code`` and never reused, so a withdrawn entry keeps its code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

THEMES: dict[str, str] = {
    "01": "人口",
    "02": "法人",
    "03": "电子证照",
    "04": "社保",
    "05": "不动产",
    "06": "交通",
    "07": "生态环境",
    "08": "教育",
    "09": "医疗卫生",
    "10": "应急",
    "11": "市场监管",
    "12": "农业农村",
    "13": "城市管理",
    "14": "文化旅游",
    "15": "财政经济",
    "16": "其他",
}
THEME_CODES: dict[str, str] = {name: code for code, name in THEMES.items()}
CATEGORIES: dict[str, str] = {
    "01": "基础信息",
    "02": "业务信息",
    "03": "统计信息",
    "04": "电子证照",
}
CATEGORY_CODES: dict[str, str] = {name: code for code, name in CATEGORIES.items()}

_CODE_RE = re.compile(r"^(\d{9})-(\d{2})-(\d{2})-(\d{4})$")


@dataclass(frozen=True)
class ResourceCode:
    provider: str
    klass: str
    item: str
    seq: int

    def __str__(self) -> str:
        return f"{self.provider}-{self.klass}-{self.item}-{self.seq:04d}"

    @property
    def prefix(self) -> str:
        return f"{self.provider}-{self.klass}-{self.item}-"


def parse_code(code: str) -> ResourceCode | None:
    """The parts of a well-formed code, or None (unknown theme/category codes are malformed)."""
    m = _CODE_RE.match(code.strip())
    if m is None or m[2] not in THEMES or m[3] not in CATEGORIES or int(m[4]) == 0:
        return None
    return ResourceCode(m[1], m[2], m[3], int(m[4]))


def theme_code(theme: str) -> str:
    return THEME_CODES.get(theme, "16")


def next_code(provider: str, theme: str, category: str, taken: Iterable[str]) -> ResourceCode:
    """The next free code for provider + theme + category, given the codes already taken."""
    klass = theme_code(theme)
    item = CATEGORY_CODES.get(category, category if category in CATEGORIES else "02")
    prefix = f"{provider}-{klass}-{item}-"
    used = [int(c[len(prefix) :]) for c in taken if c.startswith(prefix)]
    seq = max(used, default=0) + 1
    if seq > 9999:
        raise ValueError(f"resource code space exhausted for {prefix}")
    return ResourceCode(provider, klass, item, seq)
