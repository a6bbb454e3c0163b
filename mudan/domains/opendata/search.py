"""``package_search``: CKAN's parameters (q, fq, rows, start, sort, facet.field, facet.limit)
over the portal index, answering CKAN's ``{count, results, facets, search_facets, sort}``.

Text goes to the tantivy/jieba index; ``field:value`` terms in ``q`` or ``fq`` become facet
filters (AND across fields, OR within one). The default sort (``score desc,
metadata_modified desc``) is the index's own order; other sorts take every match from the
index and order the page in SQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.opendata.errors import SearchQueryError, ValidationError
from mudan.domains.opendata.index import FACETS
from mudan.domains.opendata.models import OpenDataset

if TYPE_CHECKING:
    from mudan.search import SearchIndex

DEFAULT_SORT = "score desc, metadata_modified desc"
MAX_ROWS = 1000
_TERM = re.compile(r'([+-]?)([A-Za-z_.]+):("(?:[^"]*)"|\S+)')
_IGNORED = {"dataset_type": "dataset", "capacity": "public", "state": "active"}
_SORTS: dict[str, Any] = {
    "metadata_modified": OpenDataset.modified_at,
    "metadata_created": OpenDataset.created_at,
    "title_string": OpenDataset.title,
    "name": OpenDataset.name,
    "views_recent": OpenDataset.view_count,
    "views_total": OpenDataset.view_count,
    "downloads": OpenDataset.download_count,
}


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: Mapping[str, list[str]] = field(default_factory=dict)
    rows: int = 10
    start: int = 0
    sort: list[tuple[str, str]] = field(default_factory=list)
    sort_text: str = DEFAULT_SORT
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50


def _int(data: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    raw = data.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError("opendata.bad_integer", field=name, value=str(raw)[:40]) from None
    if not low <= value <= high:
        raise ValidationError("opendata.out_of_range", field=name, low=low, high=high)
    return value


def _terms(text: str, source: str, filters: dict[str, list[str]]) -> str:
    """Move ``field:value`` terms of ``text`` into ``filters``; return the rest."""
    rest = []
    pos = 0
    for m in _TERM.finditer(text):
        rest.append(text[pos : m.start()])
        pos = m.end()
        sign, name, value = m.group(1), m.group(2), m.group(3).strip('"')
        if name in _IGNORED and value == _IGNORED[name]:
            continue
        if sign == "-" or name not in FACETS:
            raise SearchQueryError("opendata.bad_filter", source=source, term=m.group(0)[:80])
        filters.setdefault(name, []).append(value)
    rest.append(text[pos:])
    return " ".join(" ".join(rest).split())


def _list(value: Any, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else [value]
        except ValueError:
            raise ValidationError("opendata.bad_json_list", field=name) from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("opendata.bad_json_list", field=name)
    return value


def _sort(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split(","):
        bits = part.split()
        if not bits:
            continue
        name, order = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if (name != "score" and name not in _SORTS) or order not in ("asc", "desc"):
            raise ValidationError("opendata.bad_sort", field="sort", value=part.strip()[:60])
        out.append((name, order))
    return out


def parse_params(data: Mapping[str, Any]) -> SearchParams:
    filters: dict[str, list[str]] = {}
    q = _terms(str(data.get("q") or "").replace("*:*", ""), "q", filters)
    fq = data.get("fq") or ""
    if isinstance(fq, list):
        fq = " ".join(str(x) for x in fq)
    _terms(str(fq), "fq", filters)
    facets = _list(data.get("facet.field"), "facet.field")
    for name in facets:
        if name not in FACETS:
            raise ValidationError("opendata.unknown_facet", field="facet.field", facet=name)
    sort_text = str(data.get("sort") or DEFAULT_SORT)
    return SearchParams(
        q=q,
        filters=filters,
        rows=_int(data, "rows", 10, 0, MAX_ROWS),
        start=_int(data, "start", 0, 0, 100_000),
        sort=_sort(sort_text),
        sort_text=sort_text,
        facet_fields=facets,
        facet_limit=_int(data, "facet.limit", 50, -1, 10_000),
    )


def _index_order(params: SearchParams) -> bool:
    keys = [k for k in params.sort if k[0] != "score"]
    return keys in ([], [("metadata_modified", "desc")]) and (
        not params.sort or params.sort[0] in (("score", "desc"), ("metadata_modified", "desc"))
    )


@dataclass(frozen=True)
class SearchPage:
    count: int
    datasets: list[OpenDataset]
    facets: dict[str, dict[str, int]]


def search(session: Session, *, index: SearchIndex, params: SearchParams) -> SearchPage:
    from mudan.search.index import MAX_LIMIT, MAX_WINDOW

    if params.start + max(params.rows, 1) > MAX_WINDOW:
        raise ValidationError("opendata.out_of_range", field="start", low=0, high=MAX_WINDOW)
    filters = {k: list(v) for k, v in params.filters.items()}
    if _index_order(params):
        res = index.search(
            params.q, filters=filters, limit=max(params.rows, 1), offset=params.start
        )
        ids = [int(h.id) for h in res.hits][: params.rows]
        total, facets = res.total, res.facets
    else:  # every match, then order in SQL
        res = index.search(params.q, filters=filters, limit=MAX_LIMIT, offset=0)
        total, facets = res.total, res.facets
        all_ids = [int(h.id) for h in res.hits]
        while len(all_ids) < min(total, MAX_WINDOW):
            more = index.search(params.q, filters=filters, limit=MAX_LIMIT, offset=len(all_ids))
            if not more.hits:
                break
            all_ids += [int(h.id) for h in more.hits]
        order = [
            (_SORTS[n].desc() if o == "desc" else _SORTS[n].asc())
            for n, o in params.sort
            if n != "score"
        ]
        stmt = (
            select(OpenDataset.id)
            .where(OpenDataset.id.in_(all_ids))
            .order_by(*order, OpenDataset.id)
            .offset(params.start)
            .limit(params.rows)
        )
        ids = list(session.scalars(stmt)) if params.rows else []
    by_id = {d.id: d for d in session.scalars(select(OpenDataset).where(OpenDataset.id.in_(ids)))}
    return SearchPage(total, [by_id[i] for i in ids if i in by_id], facets)


def facet_items(
    counts: Mapping[str, int], limit: int, titles: Mapping[str, str]
) -> list[dict[str, Any]]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if limit >= 0:
        ranked = ranked[:limit]
    return [{"name": k, "display_name": titles.get(k, k), "count": n} for k, n in ranked]
