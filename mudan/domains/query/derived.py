"""Derived tables (派生表): a saved SELECT over lake tables, materialised as a lake table.

The definition is checked like a console query (SELECT only, every source table readable by
its author) and lives in the author's department namespace. A refresh runs it on DuckDB and
replaces the table's content in one Iceberg snapshot, so readers see the old or the new
result, never half. Lineage: source tables → the definition (a view node) → the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from mudan.domains.ingest.service import lineage
from mudan.domains.query.models import DerivedTable
from mudan.domains.query.service import table_permission
from mudan.kernel.identity import department_codes
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope
from mudan.lake import registry
from mudan.lake.catalog import Lake
from mudan.lake.guard import check_select
from mudan.lake.query import QueryEngine
from mudan.lake.schema import ARROW_TYPES, ColumnSpec, ItemType, TableSpec

MAX_ROWS = 5_000_000  # a derived table is a summary or an extract, not a copy of the lake
TIMEOUT_S = 300.0
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def _item_type(t: pa.DataType) -> ItemType:
    if pa.types.is_integer(t):
        return ItemType.INTEGER
    if pa.types.is_floating(t):
        return ItemType.FLOAT
    if pa.types.is_decimal(t):
        return ItemType.DECIMAL
    if pa.types.is_boolean(t):
        return ItemType.BOOLEAN
    if pa.types.is_date(t):
        return ItemType.DATE
    if pa.types.is_timestamp(t):
        return ItemType.TIMESTAMP
    return ItemType.STRING


def spec_for(table_ref: str, schema: pa.Schema) -> TableSpec:
    """The lake schema of a result: each column mapped to the nearest information-item type."""
    ns, name = table_ref.split(".", 1)
    columns = []
    for f in schema:
        if not _NAME_RE.match(f.name):
            raise InvalidInput("query.derived_bad_column", column=f.name)
        columns.append(ColumnSpec(f.name, _item_type(f.type)))
    return TableSpec(namespace=ns, name=name, columns=tuple(columns))


def _conform(table: pa.Table, spec: TableSpec) -> Iterator[pa.RecordBatch]:
    cols = []
    for c in spec.columns:
        col = table.column(c.name)
        target = ARROW_TYPES[c.type]
        if pa.types.is_timestamp(col.type) and col.type.tz is not None:
            col = pc.cast(col, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
        cols.append(pc.cast(col, target) if col.type != target else col)
    yield from pa.table(cols, names=[c.name for c in spec.columns]).to_batches(100_000)


def _department(session: Session, principal: Principal, code: str | None) -> str:
    own = department_codes(session, principal)
    if code is None:
        if len(own) != 1:
            raise InvalidInput("query.derived_department_required")
        return next(iter(own))
    if code not in own and not principal.can("lake.query_all"):
        raise Forbidden("query.derived_not_own_department", department=code)
    return code


def define(
    session: Session,
    *,
    principal: Principal,
    name: str,
    title: str,
    sql: str,
    department_code: str | None = None,
) -> DerivedTable:
    """Save a definition (not yet materialised). Its sources must be readable by the author."""
    if not _NAME_RE.match(name):
        raise InvalidInput("query.derived_bad_name", name=name)
    dept = _department(session, principal, department_code)
    table_ref = f"d{dept}.x_{name}"
    if session.scalar(select(DerivedTable).where(DerivedTable.table_ref == table_ref)):
        raise Conflict("query.derived_exists", table=table_ref)
    guarded = check_select(sql)
    allowed = table_permission(session, principal)
    for ident in sorted(guarded.tables):
        if not allowed(ident):
            raise Forbidden("lake.table_forbidden", table=ident)
        if ident == table_ref:
            raise InvalidInput("query.derived_self_reference", table=table_ref)
    row = DerivedTable(
        table_ref=table_ref,
        department_code=dept,
        title=title.strip() or name,
        sql=guarded.sql,
        sources=sorted(guarded.tables),
        created_by=principal.username,
    )
    session.add(row)
    session.flush()
    lineage.record_derivation(session, sources=row.sources, view_ref=row.view_ref)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="query.derived_define",
        object_type="derived_table",
        object_id=table_ref,
        detail={"sql": row.sql[:2000], "sources": row.sources},
    )
    return row


def get(session: Session, *, derived_id: int) -> DerivedTable:
    row = session.get(DerivedTable, derived_id)
    if row is None:
        raise NotFound("query.derived_not_found", id=derived_id)
    return row


def visible(session: Session, *, principal: Principal) -> list[DerivedTable]:
    scope = Scope.of_departments(session, principal, every_with=("lake.query_all",))
    stmt = select(DerivedTable).order_by(DerivedTable.table_ref)
    if not scope.whole_city:
        stmt = stmt.where(scope.where(department=DerivedTable.department_code))
    return list(session.scalars(stmt))


def materialise(lake: Lake, *, table_ref: str, sql: str) -> tuple[TableSpec, int, int | None]:
    """Run the query and replace the table's content in one snapshot (no session held: the
    lake's catalog may share the metadata database). Returns (spec, rows, snapshot id)."""
    result = QueryEngine(lake).query(
        sql, allowed=lambda _t: True, max_rows=MAX_ROWS, timeout_s=TIMEOUT_S
    )
    if result.truncated:
        raise InvalidInput("query.derived_too_large", rows=MAX_ROWS)
    spec = spec_for(table_ref, result.rows.schema)
    lake.ensure_table(spec)
    batch_id = f"derived-{utcnow():%Y%m%dT%H%M%S%f}"
    loaded = lake.load(spec, _conform(result.rows, spec), batch_id=batch_id, mode="replace")
    return spec, result.rows.num_rows, loaded.snapshot_id


def record_refresh(
    session: Session,
    *,
    derived_id: int,
    actor: str,
    role: str,
    spec: TableSpec | None,
    rows: int,
    snapshot_id: int | None,
    error: str | None = None,
) -> DerivedTable:
    """Write down a refresh's outcome (and, on success, register the table and its lineage)."""
    row = get(session, derived_id=derived_id)
    row.refreshed_at = utcnow()
    row.error = error
    if spec is not None:
        row.rows, row.snapshot_id = rows, str(snapshot_id) if snapshot_id else None
        registry.register_table(session, spec=spec, department_code=row.department_code)
        lineage.record_derivation(
            session, sources=row.sources, view_ref=row.view_ref, table_ref=row.table_ref
        )
    audit.record(
        session,
        actor=actor,
        role=role,
        action="query.derived_refresh",
        object_type="derived_table",
        object_id=row.table_ref,
        outcome="error" if error else "ok",
        detail={"rows": rows, "snapshot": row.snapshot_id, "error": error},
    )
    session.flush()
    return row


def check_manage(session: Session, *, principal: Principal, row: DerivedTable) -> None:
    """Refreshing or deleting is for the owning department (and bureau-wide readers)."""
    _department(session, principal, row.department_code)


def delete(session: Session, *, principal: Principal, derived_id: int) -> str:
    """Forget the definition and its lineage; the caller drops the lake table after commit."""
    row = get(session, derived_id=derived_id)
    check_manage(session, principal=principal, row=row)
    lineage.forget_derivation(session, view_ref=row.view_ref)
    ref = row.table_ref
    session.delete(row)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="query.derived_delete",
        object_type="derived_table",
        object_id=ref,
    )
    session.flush()
    return ref
