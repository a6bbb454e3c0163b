"""The lake's table registry (:class:`~mudan.lake.models.LakeTable`): TableSpec <-> JSON, and
the tables ingest, quality, query and the catalog find by ``table_ref`` (spec, provider,
update cycle, last successful load)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.errors import NotFound
from mudan.lake.models import LakeTable
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec


def spec_to_json(spec: TableSpec) -> dict[str, Any]:
    return {
        "namespace": spec.namespace,
        "name": spec.name,
        "key": list(spec.key),
        "columns": [
            {
                "name": c.name,
                "type": c.type.value,
                "label": c.label,
                "length": c.length,
                "nullable": c.nullable,
            }
            for c in spec.columns
        ],
    }


def spec_from_json(data: dict[str, Any]) -> TableSpec:
    return TableSpec(
        namespace=data["namespace"],
        name=data["name"],
        key=tuple(data.get("key", ())),
        columns=tuple(
            ColumnSpec(
                name=c["name"],
                type=ItemType(c["type"]),
                label=c.get("label", ""),
                length=c.get("length"),
                nullable=c.get("nullable", True),
            )
            for c in data["columns"]
        ),
    )


def register_table(
    session: Session,
    *,
    spec: TableSpec,
    department_code: str,
    update_cycle: str | None = None,
) -> LakeTable:
    """Register a table (the catalog, ingest or a derived table calls this; idempotent).
    ``update_cycle``: the declared cycle's value (e.g. a ``StrEnum``; None keeps the old one)."""
    row = session.get(LakeTable, spec.ident)
    if row is None:
        row = LakeTable(table_ref=spec.ident, department_code=department_code)
        session.add(row)
    row.department_code = department_code
    row.spec = spec_to_json(spec)
    if update_cycle is not None:
        row.update_cycle = str(update_cycle)
    row.updated_at = utcnow()
    session.flush()
    return row


def get_table(session: Session, *, table_ref: str) -> LakeTable:
    row = session.get(LakeTable, table_ref)
    if row is None:
        raise NotFound("quality.unknown_table", table=table_ref)  # the code clients know
    return row


def table_spec(session: Session, *, table_ref: str) -> TableSpec:
    return spec_from_json(get_table(session, table_ref=table_ref).spec)


def mark_loaded(session: Session, *, table_ref: str, at: datetime) -> None:
    row = session.get(LakeTable, table_ref)
    if row is not None:
        row.last_success_at = at
        session.flush()
