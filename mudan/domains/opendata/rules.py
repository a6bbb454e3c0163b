"""Which catalog entries become open datasets, and which of their items may be seen.

The rule (documented in ``docs/opendata.md``):

* an entry is opened when it is live (published, not withdrawn), its open type is 无条件开放
  or 有条件开放, and its grade is 一般数据 (GB/T 43697 核心/重要 data is never opened, whatever
  its open type says);
* an item (column) is opened when it holds no personal information (``personal_kind`` is
  empty), is not 不予共享, and its sensitivity is L1 公开 — or L2 内部 for a 有条件开放
  dataset, which only approved applicants read. L3 敏感 and L4 高敏感 items are never opened;
* an entry with no openable item is not opened at all.

The rule reads the entry's last *published* version (``EntryOut`` snapshot): edits waiting for
approval never reach the portal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from mudan.domains.catalog.enums import Grade, OpenType, ShareType

OPEN_TYPES = (OpenType.UNCONDITIONAL.value, OpenType.CONDITIONAL.value)
MAX_LEVEL = {OpenType.UNCONDITIONAL.value: 1, OpenType.CONDITIONAL.value: 2}


class ItemLike(Protocol):
    """An information item: a catalog item row or an item of a published snapshot."""

    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def personal_kind(self) -> str | None: ...
    @property
    def share_type(self) -> str: ...
    @property
    def sensitivity(self) -> int: ...


class EntryLike(Protocol):
    @property
    def open_type(self) -> str: ...
    @property
    def grade(self) -> str: ...
    @property
    def items(self) -> Sequence[ItemLike]: ...


def item_is_open(item: ItemLike, open_type: str) -> bool:
    return (
        item.personal_kind is None
        and item.share_type != ShareType.NONE.value
        and item.sensitivity <= MAX_LEVEL.get(open_type, 0)
    )


def open_items(entry: EntryLike) -> list[ItemLike]:
    return [i for i in entry.items if item_is_open(i, entry.open_type)]


def entry_is_open(entry: EntryLike, *, live: bool) -> bool:
    """``live``: the entry has a published version and is not withdrawn (``is_live``)."""
    return (
        live
        and entry.open_type in OPEN_TYPES
        and entry.grade == Grade.GENERAL.value
        and bool(open_items(entry))
    )


def field_dicts(entry: EntryLike) -> list[dict[str, Any]]:
    return [
        {"name": i.name, "label": i.label, "type": str(i.type), "description": i.description}
        for i in open_items(entry)
    ]
