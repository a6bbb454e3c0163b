"""The portal's own search index (``<var_dir>/search/opendata``): one document per active
dataset, with CKAN's facet names. The sort key is the inverted modification time, so the
index's order (score, then sort key) is CKAN's default ``score desc, metadata_modified desc``."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.catalog.codes import THEME_CODES
from mudan.domains.opendata.enums import DatasetState, ResourceFormat
from mudan.domains.opendata.models import OpenDataset
from mudan.domains.opendata.sync import INDEX_KEY

if TYPE_CHECKING:
    from mudan.search import SearchDoc, SearchIndex
    from mudan.search.follow import Feed
    from mudan.settings import Settings

FACETS = (
    "organization",
    "groups",
    "tags",
    "res_format",
    "license_id",
    "open_type",
    "update_cycle",
)
_EXTRAS = "opendata.index"
_lock = threading.Lock()
MAX_TS = 9_999_999_999


def group_name(theme: str) -> str:
    return f"theme-{THEME_CODES.get(theme, '16')}"


def to_doc(ds: OpenDataset) -> SearchDoc:
    from mudan.search import SearchDoc

    body = "\n".join(
        [
            ds.notes,
            " ".join(ds.tags),
            ds.department_name,
            ds.theme,
            " ".join(f"{f['label']} {f['name']}" for f in ds.fields),
            ds.name,
        ]
    )
    modified = int(ds.modified_at.timestamp())
    return SearchDoc(
        id=str(ds.id),
        title=ds.title,
        body=body,
        facets={
            "organization": [ds.department_code],
            "groups": [group_name(ds.theme)],
            "tags": list(ds.tags),
            "res_format": [f.value.upper() for f in ResourceFormat],
            "license_id": [ds.license_id or "notspecified"],
            "open_type": [ds.open_type],
            "update_cycle": [ds.update_cycle],
        },
        sort_key=f"{MAX_TS - modified:010d}",
    )


def _active(session: Session, ids: Iterable[int] | None = None) -> list[OpenDataset]:
    stmt = select(OpenDataset).where(OpenDataset.state == DatasetState.ACTIVE.value)
    if ids is not None:
        stmt = stmt.where(OpenDataset.id.in_(list(ids)))
    return list(session.scalars(stmt.order_by(OpenDataset.id)))


def open_index(settings: Settings) -> SearchIndex:
    from mudan.search import SearchIndex

    return SearchIndex(settings.var_dir / "search" / "opendata", FACETS)


def rebuild(index: SearchIndex, session: Session) -> int:
    return index.rebuild(to_doc(d) for d in _active(session))


def sync(index: SearchIndex, session: Session, ids: set[int]) -> None:
    docs = [to_doc(d) for d in _active(session, ids)]
    gone = [str(i) for i in ids - {d.id for d in _active(session, ids)}]
    if docs:
        index.upsert(docs)
    if gone:
        index.delete(gone)


def app_index(extras: dict[str, Any], settings: Settings, session: Session) -> SearchIndex:
    """The app's index, opened once; rebuilt when it disagrees with the database (e.g. a
    fresh folder, or datasets synced by another process)."""
    with _lock:
        index: SearchIndex | None = extras.get(_EXTRAS)
        if index is None:
            index = open_index(settings)
            active = session.scalar(
                select(func.count())
                .select_from(OpenDataset)
                .where(OpenDataset.state == DatasetState.ACTIVE.value)
            )
            if index.count() != (active or 0):
                rebuild(index, session)
            extras[_EXTRAS] = index
        return index


# the columns ``to_doc`` reads: a change in one of them rewrites the dataset's document
DOC_FIELDS = (
    "name",
    "title",
    "notes",
    "tags",
    "department_code",
    "department_name",
    "theme",
    "fields",
    "license_id",
    "open_type",
    "update_cycle",
    "modified_at",
    "state",
)


def feed() -> Feed:
    """The datasets the portal's index follows (ids also marked by ``sync.mark_changed``)."""
    from mudan.search.follow import Feed

    return Feed(INDEX_KEY, OpenDataset, DOC_FIELDS)
