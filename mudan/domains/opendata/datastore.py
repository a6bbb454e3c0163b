"""``datastore_search`` and downloads over a dataset's lake table, on DuckDB.

Only the dataset's open fields are ever selected (the lake table may hold more columns).
Filters, ``q`` and sort are bound parameters or checked field names, never pasted text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from mudan.domains.opendata.errors import ValidationError
from mudan.domains.opendata.models import OpenDataset
from mudan.lake.catalog import Lake
from mudan.lake.serve.files import View, files_view
from mudan.lake.sql import quote_ident

DEFAULT_LIMIT = 100
MAX_LIMIT = 32_000
DOWNLOAD_MAX_ROWS = 1_000_000
CKAN_TYPES = {
    "string": "text",
    "integer": "int",
    "decimal": "numeric",
    "float": "float",
    "date": "date",
    "timestamp": "timestamp",
    "boolean": "bool",
}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _as_dict(value: Any, name: str) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError("opendata.bad_json_object", field=name) from None
    if not isinstance(value, dict):
        raise ValidationError("opendata.bad_json_object", field=name)
    return value


def _as_list(value: Any, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ValidationError("opendata.bad_fields", field=name)


def _int(data: Mapping[str, Any], name: str, default: int, high: int) -> int:
    try:
        value = int(data.get(name, default))
    except (TypeError, ValueError):
        raise ValidationError("opendata.bad_integer", field=name, value="") from None
    if not 0 <= value <= high:
        raise ValidationError("opendata.out_of_range", field=name, low=0, high=high)
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "")
    return bool(value)


def _view(lake: Lake, ds: OpenDataset) -> AbstractContextManager[View]:
    """The dataset's lake table as ``t``, open fields only (all text when it has no data)."""
    names = [f["name"] for f in ds.fields]
    files = lake.data_files(ds.table_ref) if lake.exists(ds.table_ref) else []
    return files_view(files, pa.schema([(n, pa.string()) for n in names]), columns=names)


def _where(
    ds: OpenDataset, filters: Mapping[str, Any], q: Any, names: Sequence[str]
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for col, value in filters.items():
        if col not in names:
            raise ValidationError("opendata.unknown_filter_field", field="filters", name=col)
        values = value if isinstance(value, list) else [value]
        if not values or any(isinstance(v, dict | list) for v in values):
            raise ValidationError("opendata.bad_filter_value", field="filters", name=col)
        marks = ", ".join("?" for _ in values)
        clauses.append(f"CAST({quote_ident(col)} AS VARCHAR) IN ({marks})")
        params += [str(v) for v in values]
    if isinstance(q, dict):
        for col, text in q.items():
            if col not in names:
                raise ValidationError("opendata.unknown_filter_field", field="q", name=col)
            clauses.append(f"CAST({quote_ident(col)} AS VARCHAR) ILIKE ?")
            params.append(f"%{text}%")
    elif isinstance(q, str) and q.strip():
        ors = " OR ".join(f"CAST({quote_ident(n)} AS VARCHAR) ILIKE ?" for n in names)
        clauses.append(f"({ors})")
        params += [f"%{q.strip()}%"] * len(names)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _order(sort: str, names: Sequence[str]) -> str:
    parts = []
    for part in sort.split(","):
        bits = part.split()
        if not bits:
            continue
        col, order = bits[0].strip('"'), (bits[1].lower() if len(bits) > 1 else "asc")
        if col not in names or order not in ("asc", "desc"):
            raise ValidationError("opendata.bad_sort", field="sort", value=part.strip()[:60])
        parts.append(f"{quote_ident(col)} {order.upper()}")
    return " ORDER BY " + ", ".join(parts) if parts else ""


def field_infos(ds: OpenDataset, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"id": "_id", "type": "int"}]
    for f in ds.fields:
        if names is None or f["name"] in names:
            out.append(
                {
                    "id": f["name"],
                    "type": CKAN_TYPES.get(f["type"], "text"),
                    "info": {"label": f["label"], "notes": f.get("description", "")},
                }
            )
    return out


def datastore_search(
    *, lake: Lake, ds: OpenDataset, resource_id: str, data: Mapping[str, Any], action_url: str
) -> dict[str, Any]:
    names = [f["name"] for f in ds.fields]
    filters = _as_dict(data.get("filters"), "filters")
    q = data.get("q")
    if isinstance(q, str) and q.startswith("{"):
        q = _as_dict(q, "q")
    fields = _as_list(data.get("fields"), "fields")
    for name in fields:
        if name not in names and name != "_id":
            raise ValidationError("opendata.unknown_field", field="fields", name=name)
    chosen = [n for n in names if not fields or n in fields]
    limit = _int(data, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    offset = _int(data, "offset", 0, 10_000_000)
    include_total = _bool(data.get("include_total", True))
    sort = str(data.get("sort") or "")
    where, params = _where(ds, filters, q, names)
    order = _order(sort, names) if sort else ""
    cols = ", ".join(quote_ident(n) for n in chosen)
    sql = (
        f"SELECT row_number() OVER () AS _id, {cols} FROM t{where}{order} "
        f"LIMIT {limit} OFFSET {offset}"
    )
    with _view(lake, ds) as view:
        heads, rows = view.rows(sql, params)
        total: int | None = None
        if include_total:
            counted = view.rows(f"SELECT count(*) FROM t{where}", params)[1]
            total = int(counted[0][0]) if counted else 0
    records = [{h: _json_value(v) for h, v in zip(heads, r, strict=True)} for r in rows]
    if fields and "_id" not in fields:
        for r in records:
            r.pop("_id")
    base = f"{action_url}?resource_id={resource_id}"
    out: dict[str, Any] = {
        "resource_id": resource_id,
        "fields": [f for f in field_infos(ds, chosen) if not fields or f["id"] in [*fields]],
        "records": records,
        "records_format": "objects",
        "limit": limit,
        "offset": offset,
        "include_total": include_total,
        "_links": {"start": base, "next": f"{base}&offset={offset + limit}"},
    }
    if filters:
        out["filters"] = filters
    if q:
        out["q"] = q
    if sort:
        out["sort"] = sort
    if total is not None:
        out["total"] = total
        out["total_was_estimated"] = False
    return out


def preview(*, lake: Lake, ds: OpenDataset, limit: int = 20) -> pa.Table:
    cols = ", ".join(quote_ident(f["name"]) for f in ds.fields)
    with _view(lake, ds) as view:
        return view.arrow(f"SELECT {cols} FROM t LIMIT {int(limit)}")


def whole(*, lake: Lake, ds: OpenDataset) -> pa.Table:
    cols = ", ".join(quote_ident(f["name"]) for f in ds.fields)
    with _view(lake, ds) as view:
        return view.arrow(f"SELECT {cols} FROM t LIMIT {DOWNLOAD_MAX_ROWS}")


def to_csv(table: pa.Table, labels: Mapping[str, str]) -> bytes:
    sink = io.BytesIO()
    sink.write(b"\xef\xbb\xbf")  # Excel on Chinese Windows needs the BOM to read UTF-8
    renamed = table.rename_columns([labels.get(n, n) for n in table.column_names])
    pacsv.write_csv(renamed, sink)
    return sink.getvalue()


def to_json(table: pa.Table) -> bytes:
    rows = [{k: _json_value(v) for k, v in r.items()} for r in table.to_pylist()]
    return json.dumps(rows, ensure_ascii=False).encode()


def to_xlsx(table: pa.Table, labels: Mapping[str, str]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append([labels.get(n, n) for n in table.column_names])
    for row in table.to_pylist():
        ws.append([_json_value(v) if isinstance(v, Decimal) else v for v in row.values()])
    sink = io.BytesIO()
    wb.save(sink)
    return sink.getvalue()
