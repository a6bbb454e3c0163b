"""Comparing two published versions of an entry (the version page shows what changed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# snapshot field → i18n label key where they differ
_LABELS = {"region_code": "region"}
_SKIPPED = {"id", "version", "status", "review_note", "items", "department_name"}


@dataclass(frozen=True)
class VersionChanges:
    fields: list[str] = field(default_factory=list)  # label keys under ``catalog.``
    added: list[str] = field(default_factory=list)  # information items
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


def compare(old: dict[str, Any], new: dict[str, Any]) -> VersionChanges:
    fields = [_LABELS.get(k, k) for k in new if k not in _SKIPPED and old.get(k) != new.get(k)]
    before = {i["name"]: i for i in old.get("items", [])}
    after = {i["name"]: i for i in new.get("items", [])}
    return VersionChanges(
        fields=fields,
        added=[n for n in after if n not in before],
        removed=[n for n in before if n not in after],
        changed=[n for n in after if n in before and after[n] != before[n]],
    )
