"""Catalog entry (as a published snapshot) → search document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mudan.search import SearchDoc

FACETS = (
    "department",
    "theme",
    "grade",
    "share_type",
    "open_type",
    "format",
    "update_cycle",
    "region",
)


def doc_fields(snap: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a ``SearchDoc`` for one snapshot (see ``service.snapshot``)."""
    items = snap.get("items") or []
    body = "\n".join(
        [
            str(snap.get("abstract", "")),
            " ".join(str(t) for t in snap.get("tags") or []),
            str(snap.get("industry", "")),
            str(snap.get("department_name", "")),
            " ".join(f"{i['label']} {i['name']}" for i in items),
            str(snap.get("code", "")),
        ]
    )
    facets = {
        "department": [str(snap["department_code"])],
        "theme": [str(snap["theme"])],
        "grade": [str(snap["grade"])],
        "share_type": [str(snap["share_type"])],
        "open_type": [str(snap["open_type"])],
        "format": [str(snap["format"])],
        "update_cycle": [str(snap["update_cycle"])],
        "region": [str(snap["region_code"])],
    }
    return {
        "id": str(snap["id"]),
        "title": str(snap["name"]),
        "body": body,
        "facets": facets,
        "sort_key": str(snap.get("code", "")),
    }


def to_doc(snap: Mapping[str, Any]) -> SearchDoc:
    from mudan.search import SearchDoc

    return SearchDoc(**doc_fields(snap))
