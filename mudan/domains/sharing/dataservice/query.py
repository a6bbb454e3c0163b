"""The data service of a grant: filters, field selection, keyset paging, masking — all
compiled into one parameterised DuckDB query over the granted table. The grant's region
filter and column list are part of that SQL; nothing is filtered in Python afterwards.

Query parameters: ``<item>=v`` (eq), ``<item>__in=a,b``, ``<item>__gte|__gt|__lte|__lt=v``,
``_fields=a,b``, ``_size`` (1–1000, default 100), ``_after`` (the opaque ``next`` token of the
previous page), ``_format=json|csv``.

A masked item is never a filter: any filter on an item the grant delivers masked is refused
(``sharing.filter_masked``), since comparing against the raw column would let a caller
recover the value (a range bisection, ``__in`` batches, equality guesses). Rows are ordered
by the key only when the caller sees the key in clear; otherwise by a keyed hash of it
(:func:`masking.order_expr`), so the order of a page says nothing about raw values.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mudan.core.errors import Forbidden, InvalidInput
from mudan.domains.sharing.dataservice.masking import mask_expr, mask_sql, needs_mask, order_expr
from mudan.lake.serve.cache import Layout
from mudan.lake.sql import quote_ident

OPS = {"eq": "=", "gte": ">=", "gt": ">", "lte": "<=", "lt": "<", "in": "IN"}
MAX_SIZE, DEFAULT_SIZE = 1000, 100


@dataclass(frozen=True)
class Item:
    name: str
    type: str
    sensitivity: int
    personal_kind: str | None


@dataclass(frozen=True)
class Plan:
    """What a call may touch: the grant's items (in catalog order) and its row filter."""

    grant_id: int
    table_ref: str
    items: tuple[Item, ...]
    unmasked: frozenset[str]
    all_items: frozenset[str]
    region_column: str | None
    region_codes: tuple[str, ...]
    key: str | None
    layout: Layout = field(default_factory=Layout)
    # the salt of the keyed hash rows are paged by when the key is not in clear: stable per
    # instance for the data service (cursors stay valid), random for a one-off bulk read
    order_salt: str = field(default_factory=lambda: secrets.token_hex(16))


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: list[Any]
    fields: list[str]
    size: int
    fmt: str


def bad(param: str, reason: str) -> InvalidInput:
    return InvalidInput("sharing.bad_filter", status=400, filter=param, reason=reason)


def masked_filter(param: str, item: str) -> InvalidInput:
    return InvalidInput("sharing.filter_masked", status=400, filter=param, item=item)


def _parse(item: Item, raw: str, param: str) -> Any:
    try:
        if item.type == "integer":
            return int(raw)
        if item.type == "float":
            return float(raw)
        if item.type == "decimal":
            return Decimal(raw)
        if item.type == "date":
            return date.fromisoformat(raw)
        if item.type == "timestamp":
            return datetime.fromisoformat(raw)
        if item.type == "boolean":
            if raw.lower() not in ("true", "false", "1", "0"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1")
    except (ValueError, InvalidOperation) as e:
        raise bad(param, f"not a {item.type}: {raw[:40]}") from e
    return raw


class Cursors:
    """Opaque ``next`` tokens: the last key, AES-GCM sealed and bound to the grant (a
    masked key never leaks, and a token of another grant is refused)."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(("share-cursor:" + secret).encode()).digest())

    def seal(self, grant_id: int, value: Any) -> str:
        nonce = os.urandom(12)
        blob = self._aead.encrypt(nonce, str(value).encode(), str(grant_id).encode())
        return base64.urlsafe_b64encode(nonce + blob).decode().rstrip("=")

    def open(self, grant_id: int, token: str, key: Item) -> Any:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            text = self._aead.decrypt(raw[:12], raw[12:], str(grant_id).encode()).decode()
        except (ValueError, InvalidTag) as e:
            raise bad("_after", "not a cursor of this grant") from e
        return _parse(key, text, "_after")


def region_filter(plan: Plan) -> tuple[str, list[Any]]:
    """The grant's rows as SQL: region code prefixes written as ranges (``p <= col < p'``,
    p' = p with its last character incremented), which DuckDB prunes Parquet row groups by."""
    assert plan.region_column is not None
    col = quote_ident(plan.region_column)
    parts: list[str] = []
    args: list[Any] = []
    for code in plan.region_codes:
        parts.append(f"({col} >= ? AND {col} < ?)")
        args += [code, code[:-1] + chr(ord(code[-1]) + 1)]
    return "(" + " OR ".join(parts) + ")", args


def _check_region(plan: Plan, param: str, values: list[Any]) -> None:
    if not plan.region_codes:
        return
    for v in values:
        if not any(str(v).startswith(code) for code in plan.region_codes):
            raise Forbidden("sharing.region_not_granted", filter=param, region=str(v)[:20])


ORDER_TOKEN = Item("__order", "string", 1, None)


def order_by(plan: Plan, premasked: Mapping[str, str]) -> tuple[str, Item]:
    """What rows are ordered and paged by, and the type of its cursor value: the key when
    the grant shows it in clear, else its keyed hash (read from the backend if precomputed)."""
    assert plan.key is not None
    key = next((i for i in plan.items if i.name == plan.key), None)
    if key is not None and not needs_mask(key, plan.unmasked):
        return quote_ident(plan.key), key
    expr = order_expr(plan.key, plan.order_salt)
    col = premasked.get(expr)
    return (quote_ident(col) if col else expr), ORDER_TOKEN


def _select(item: Item, unmasked: frozenset[str], premasked: Mapping[str, str]) -> str:
    """The item as the grant may see it: masked unless unmasked; a mask the backend holds
    precomputed (same expression) is read from its column instead of evaluated."""
    if not needs_mask(item, unmasked):
        return quote_ident(item.name)
    expr = mask_expr(item.personal_kind, item.name, text=item.type == "string")
    col = premasked.get(expr)
    return f"{quote_ident(col) if col else expr} AS {quote_ident(item.name)}"


def compile_query(
    plan: Plan,
    params: Mapping[str, str],
    cursors: Cursors,
    premasked: Mapping[str, str] | None = None,
    key_index: bool = False,
) -> Compiled:
    """``premasked``: mask expression -> column of the backend holding its values;
    ``key_index``: the backend has an index on the key (see the lookup note below)."""
    granted = {i.name: i for i in plan.items}
    fields_raw = params.get("_fields")
    if fields_raw:
        fields = [f.strip() for f in fields_raw.split(",") if f.strip()]
        for f in fields:
            if f not in plan.all_items:
                raise bad("_fields", f"unknown item {f[:40]}")
            if f not in granted:
                raise Forbidden("sharing.column_not_granted", column=f)
    else:
        fields = list(granted)
    try:
        size = int(params.get("_size", DEFAULT_SIZE))
    except ValueError as e:
        raise bad("_size", "not an integer") from e
    if not 1 <= size <= MAX_SIZE:
        raise bad("_size", f"must be 1..{MAX_SIZE}")
    fmt = params.get("_format", "json")
    if fmt not in ("json", "csv"):
        raise bad("_format", "json or csv")
    where: list[str] = []
    args: list[Any] = []
    seek: list[str] = []  # key lookups, answered from the key index first
    seek_args: list[Any] = []
    if plan.region_codes:
        region_sql, region_args = region_filter(plan)
        where.append(region_sql)
        args += region_args
    for param, raw in params.items():
        if param.startswith("_"):
            if param not in ("_fields", "_size", "_after", "_format"):
                raise bad(param, "unknown parameter")
            continue
        name, _, op = param.partition("__")
        op = op or "eq"
        if name not in plan.all_items:
            raise bad(param, "unknown item")
        if name not in granted:
            raise Forbidden("sharing.column_not_granted", column=name)
        if op not in OPS:
            raise bad(param, f"unknown operator {op[:20]}")
        item = granted[name]
        if needs_mask(item, plan.unmasked):
            raise masked_filter(param, name)  # checked before the value is even parsed
        lookup = key_index and name == plan.key and op in ("eq", "in")
        if op == "in":
            values = [_parse(item, v, param) for v in raw.split(",") if v != ""]
            if not values:
                raise bad(param, "empty list")
            cond = f"{quote_ident(name)} IN ({', '.join('?' for _ in values)})"
        else:
            values = [_parse(item, raw, param)]
            cond = f"{quote_ident(name)} {OPS[op]} ?"
        (seek if lookup else where).append(cond)
        (seek_args if lookup else args).extend(values)
        if name == plan.region_column and op in ("eq", "in"):
            _check_region(plan, param, values)
    order = ""
    select = [_select(granted[f], plan.unmasked, premasked or {}) for f in fields]
    after = params.get("_after")
    if plan.key is not None:
        by, cursor_item = order_by(plan, premasked or {})
        select.append(f"{by} AS __k")
        order = " ORDER BY __k"
        if after:
            where.append(f"{by} > ?")
            args.append(cursors.open(plan.grant_id, after, cursor_item))
    elif after:
        raise bad("_after", "this table has no key to page by")
    sql = f"SELECT {', '.join(select)} FROM t"
    if seek:
        # DuckDB answers a filter from an index only when it is the scan's sole filter: the
        # key lookup runs alone in a materialised CTE, and every other condition (the
        # grant's region filter too) applies to the rows it found.
        found = f"SELECT * FROM t WHERE {' AND '.join(seek)}"
        sql = f"WITH c AS MATERIALIZED ({found}) SELECT {', '.join(select)} FROM c"
        args = seek_args + args
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f"{order} LIMIT {size + 1}"
    return Compiled(sql=sql, params=args, fields=fields, size=size, fmt=fmt)


def bulk_query(plan: Plan) -> tuple[str, list[Any]]:
    """Every granted row and item (masked, region-filtered) for bulk delivery."""
    select = [
        mask_sql(i.personal_kind, i.name, text=i.type == "string")
        if needs_mask(i, plan.unmasked)
        else quote_ident(i.name)
        for i in plan.items
    ]
    sql = f"SELECT {', '.join(select)} FROM t"
    args: list[Any] = []
    if plan.region_codes:
        region_sql, args = region_filter(plan)
        sql += " WHERE " + region_sql
    if plan.key is not None:
        sql += f" ORDER BY {order_by(plan, {})[0]}"
    return sql, args
