"""Masking (脱敏) driven by grading: personal items and items graded L3+ are masked unless the
grant explicitly lists them as unmasked. Each pattern exists twice: a Python reference
(``mask_value``) and the DuckDB SQL expression the data service runs (``mask_sql``), so
masking happens inside the query; a test checks the two agree.

| kind       | example in → out                         |
|------------|------------------------------------------|
| citizen_id | 371702199001011234 → 371702********1234  |
| phone      | 13812345678 → 138****5678                 |
| name       | 张三 → 张*, 欧阳娜娜 → 欧***              |
| address    | 菏泽市中华路12号 → 菏泽市中华路****       |
| bank_card  | 6222021234567890123 → 622202*********0123 |
| email      | wang@heze.gov.cn → w***@heze.gov.cn       |
| plate      | 鲁R12345 → 鲁R***45                        |
| other      | anything → ******  (non-text: null)       |
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from mudan.lake.sql import quote_ident

STARS = "******"


def needs_mask(item: Any, unmasked: Collection[str]) -> bool:
    if item.name in unmasked:
        return False
    return item.personal_kind is not None or int(item.sensitivity) >= 3


def mask_value(kind: str | None, value: str | None) -> str | None:
    if value is None:
        return None
    n = len(value)
    if kind == "citizen_id":
        return value[:6] + "********" + value[14:] if n == 18 else "*" * n
    if kind == "phone":
        return value[:3] + "*" * (n - 7) + value[-4:] if n >= 8 else "*" * n
    if kind == "name":
        return value[:1] + "*" * (n - 1) if n > 1 else "*"
    if kind == "address":
        return value[:6] + "****"
    if kind == "bank_card":
        return value[:6] + "*" * (n - 10) + value[-4:] if n > 10 else "*" * n
    if kind == "email":
        local, at, domain = value.partition("@")
        return (local[:1] + "***@" + domain) if at else STARS
    if kind == "plate":
        return value[:2] + "*" * (n - 4) + value[-2:] if n > 4 else "*" * n
    return STARS


def _keep(c: str, head: int, tail: int, min_len: int) -> str:
    """Keep ``head`` and ``tail`` characters, star the middle (all stars when too short)."""
    n = f"length({c})"
    middle = f"repeat('*', {n} - {head + tail})"
    kept = f"substr({c}, 1, {head}) || {middle} || right({c}, {tail})"
    return f"CASE WHEN {n} >= {min_len} THEN {kept} ELSE repeat('*', {n}) END"


def mask_sql(kind: str | None, column: str, *, text: bool) -> str:
    """A DuckDB expression masking ``column`` like :func:`mask_value` (aliased to its name)."""
    return f"{mask_expr(kind, column, text=text)} AS {quote_ident(column)}"


def mask_expr(kind: str | None, column: str, *, text: bool) -> str:
    """The DuckDB expression masking ``column`` like :func:`mask_value` (no alias)."""
    c = quote_ident(column)
    n = f"length({c})"
    if not text:
        expr = "CAST(NULL AS VARCHAR)"
    elif kind == "citizen_id":
        expr = f"CASE WHEN {n} = 18 THEN {_keep(c, 6, 4, 18)} ELSE repeat('*', {n}) END"
    elif kind == "phone":
        expr = _keep(c, 3, 4, 8)
    elif kind == "name":
        expr = f"CASE WHEN {n} > 1 THEN substr({c}, 1, 1) || repeat('*', {n} - 1) ELSE '*' END"
    elif kind == "address":
        expr = f"substr({c}, 1, 6) || '****'"
    elif kind == "bank_card":
        expr = _keep(c, 6, 4, 11)
    elif kind == "email":
        domain = f"split_part({c}, '@', 2)"
        expr = f"CASE WHEN strpos({c}, '@') > 0 THEN substr({c}, 1, 1) || '***@' || {domain} "
        expr += f"ELSE '{STARS}' END"
    elif kind == "plate":
        expr = _keep(c, 2, 2, 5)
    else:
        expr = f"'{STARS}'"
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE {expr} END"


def order_expr(column: str, salt: str) -> str:
    """A keyed hash of ``column`` (SHA-256 of a secret hex salt and the value, 128 bits) to
    order and page rows by when the caller may not see the key in clear: the order it gives
    is stable for one salt and says nothing about the raw values (see docs/sharing.md)."""
    if not salt or any(ch not in "0123456789abcdef" for ch in salt):
        raise ValueError("the order salt must be lowercase hex")
    return f"substr(sha256('{salt}' || CAST({quote_ident(column)} AS VARCHAR)), 1, 32)"
