"""Listing the catalog: SQL browsing with facet counts, and full-text search on the index."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.catalog.schemas import HitOut, PageOut
from mudan.kernel.models import Department

if TYPE_CHECKING:
    from mudan.kernel.rbac import Principal
    from mudan.search import SearchIndex

# facet name → entry column (the department facet is keyed by department code)
_COLUMNS: dict[str, Any] = {
    "theme": CatalogEntry.theme,
    "grade": CatalogEntry.grade,
    "share_type": CatalogEntry.share_type,
    "open_type": CatalogEntry.open_type,
    "format": CatalogEntry.format,
    "update_cycle": CatalogEntry.update_cycle,
    "region": CatalogEntry.region_code,
    "status": CatalogEntry.status,
    "department": Department.code,
}
BROWSE_FACETS = tuple(_COLUMNS)


@dataclass(frozen=True)
class Visibility:
    """Which entries a reader may list: everything (approvers, CLI), or what was ever published
    plus the working copies of the reader's own departments."""

    everything: bool
    department_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, principal: Principal) -> Visibility:
        return cls(principal.can("catalog.approve"), principal.department_ids)


EVERYTHING = Visibility(everything=True)


@dataclass(frozen=True, kw_only=True)
class Query:
    visibility: Visibility
    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    offset: int = 0
    limit: int = 20


def _visible(stmt: Select[Any], visibility: Visibility) -> Select[Any]:
    if visibility.everything:
        return stmt
    return stmt.where(
        or_(CatalogEntry.version > 0, CatalogEntry.department_id.in_(visibility.department_ids))
    )


def _hit(e: CatalogEntry, snippet: str = "") -> HitOut:
    return HitOut(
        id=e.id,
        code=e.code,
        name=e.name,
        department_name=e.department.name,
        theme=e.theme,
        status=e.status,
        version=e.version,
        share_type=e.share_type,
        open_type=e.open_type,
        snippet=snippet,
    )


def _filtered(stmt: Select[Any], filters: Mapping[str, str], skip: str = "") -> Select[Any]:
    for name, value in filters.items():
        if name in _COLUMNS and value and name != skip:
            stmt = stmt.where(_COLUMNS[name] == value)
    return stmt


def count(session: Session, *, visibility: Visibility, filters: Mapping[str, str]) -> int:
    """How many entries ``browse`` lists for these filters (one COUNT, no facets)."""
    base = select(func.count(CatalogEntry.id)).join(
        Department, Department.id == CatalogEntry.department_id
    )
    return int(session.scalar(_filtered(_visible(base, visibility), filters)) or 0)


def browse(session: Session, *, query: Query) -> PageOut:
    """Entries the reader may see (drafts only their own), filtered, with facet counts."""
    base = select(CatalogEntry).join(Department, Department.id == CatalogEntry.department_id)
    stmt = _filtered(_visible(base, query.visibility), query.filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(CatalogEntry.code).offset(query.offset).limit(query.limit)
    ).unique()
    facets: dict[str, dict[str, int]] = {}
    for name, col in _COLUMNS.items():
        counted = _filtered(
            _visible(
                select(col, func.count())
                .select_from(CatalogEntry)
                .join(Department, Department.id == CatalogEntry.department_id),
                query.visibility,
            ),
            query.filters,
        ).group_by(col)
        facets[name] = {str(v): int(n) for v, n in session.execute(counted).all()}
    return PageOut(
        total=int(total),
        offset=query.offset,
        limit=query.limit,
        items=[_hit(e) for e in rows],
        facets=facets,
    )


def search(session: Session, *, index: SearchIndex, query: Query) -> PageOut:
    """Full-text search over published entries (tantivy + jieba), with the index's facets."""
    filters = {k: [v] for k, v in query.filters.items() if v and k != "status"}
    result = index.search(query.q, filters=filters, limit=query.limit, offset=query.offset)
    ids = [int(h.id) for h in result.hits]
    by_id = {
        e.id: e
        for e in session.scalars(select(CatalogEntry).where(CatalogEntry.id.in_(ids))).unique()
    }
    items = [_hit(by_id[int(h.id)], h.snippet) for h in result.hits if int(h.id) in by_id]
    facets = {str(k): {str(v): int(n) for v, n in c.items()} for k, c in result.facets.items()}
    return PageOut(
        total=int(result.total),
        offset=query.offset,
        limit=query.limit,
        items=items,
        facets=facets,
    )


def select_entries(
    session: Session, *, filters: Mapping[str, str], visibility: Visibility
) -> Iterator[CatalogEntry]:
    """Every visible entry matching the facet filters, ordered by code (for export)."""
    stmt = _filtered(
        _visible(
            select(CatalogEntry).join(Department, Department.id == CatalogEntry.department_id),
            visibility,
        ),
        filters,
    ).order_by(CatalogEntry.code)
    yield from session.scalars(stmt).unique()
