"""Rules an entry must satisfy before it is saved (each failure has a stable error code)."""

from __future__ import annotations

import re

from mudan.core.errors import InvalidInput
from mudan.domains.catalog.codes import CATEGORY_CODES, THEME_CODES
from mudan.domains.catalog.enums import Grade, OpenType, ShareType
from mudan.domains.catalog.schemas import EntryIn

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
FORMATS = (
    "数据库表",
    "电子文件",
    "电子表格",
    "图像",
    "接口",
    "csv",
    "xlsx",
    "json",
    "api",
    "parquet",
    "other",
)


def check_entry(data: EntryIn) -> None:
    """Raise ``InvalidInput`` for the first broken rule (named by code, with the culprit)."""
    if not data.name.strip():
        raise InvalidInput("catalog.name_required")
    if data.theme not in THEME_CODES:
        raise InvalidInput("catalog.bad_theme", theme=data.theme)
    if data.category not in CATEGORY_CODES:
        raise InvalidInput("catalog.bad_category", category=data.category)
    if data.format not in FORMATS:
        raise InvalidInput("catalog.bad_format", format=data.format)
    if data.share_type == ShareType.NONE and not data.legal_basis.strip():
        raise InvalidInput("catalog.legal_basis_required")
    if data.share_type == ShareType.CONDITIONAL and not data.share_conditions.strip():
        raise InvalidInput("catalog.share_conditions_required")
    if data.open_type == OpenType.CONDITIONAL and not data.open_conditions.strip():
        raise InvalidInput("catalog.open_conditions_required")
    if data.share_type == ShareType.NONE and data.open_type != OpenType.NONE:
        raise InvalidInput("catalog.open_without_share")
    if data.grade == Grade.CORE and data.open_type != OpenType.NONE:
        raise InvalidInput("catalog.core_data_not_openable")
    seen: set[str] = set()
    for item in data.items:
        if not NAME_RE.match(item.name):
            raise InvalidInput("catalog.bad_item_name", item=item.name)
        if item.name in seen:
            raise InvalidInput("catalog.duplicate_item", item=item.name)
        seen.add(item.name)
        if item.personal_kind is not None and item.sensitivity < 3:
            raise InvalidInput("catalog.personal_item_too_low", item=item.name)
        if item.sensitivity == 4 and item.share_type == ShareType.UNCONDITIONAL:
            raise InvalidInput("catalog.sensitive_item_unconditional", item=item.name)
    for key in data.key_columns:
        if key not in seen:
            raise InvalidInput("catalog.key_not_an_item", column=key)
    if len(set(data.key_columns)) != len(data.key_columns):
        raise InvalidInput("catalog.duplicate_key", column=",".join(data.key_columns))
    if data.aggregated and not data.items:
        raise InvalidInput("catalog.aggregated_needs_items")
