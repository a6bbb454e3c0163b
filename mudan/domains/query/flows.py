"""Flows that own their transactions: refreshing a derived table around a lake commit."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction
from mudan.core.errors import MudanError
from mudan.domains.query import derived
from mudan.domains.query.models import DerivedTable
from mudan.lake.catalog import Lake


def refresh(
    sessions: sessionmaker[Session], *, lake: Lake, derived_id: int, actor: str, role: str
) -> DerivedTable:
    """Read the definition, materialise it with no transaction open (SQLite: the lake's catalog
    commit must not wait on ours), then record the outcome. A failure is recorded and re-raised;
    the table keeps its previous snapshot."""
    with transaction(sessions) as s:
        row = derived.get(s, derived_id=derived_id)
        table_ref, sql = row.table_ref, row.sql
    try:
        spec, rows, snap = derived.materialise(lake, table_ref=table_ref, sql=sql)
    except MudanError as exc:
        with transaction(sessions) as s:
            derived.record_refresh(
                s,
                derived_id=derived_id,
                actor=actor,
                role=role,
                spec=None,
                rows=0,
                snapshot_id=None,
                error=f"[{exc.code}] {exc.message()}",
            )
        raise
    with transaction(sessions) as s:
        return derived.record_refresh(
            s,
            derived_id=derived_id,
            actor=actor,
            role=role,
            spec=spec,
            rows=rows,
            snapshot_id=snap,
        )
