"""The read-only SQL console over the lake: permission per table, audited, limited."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.kernel.identity import department_codes
from mudan.kernel.rbac import Principal
from mudan.lake.catalog import Lake
from mudan.lake.query import QueryEngine, QueryResult

MAX_ROWS = 10_000
TIMEOUT_S = 30.0


def table_permission(session: Session, principal: Principal) -> Callable[[str], bool]:
    """Bureau operators read every table; a department reads its own namespace (``d<code>``)."""
    if principal.can("lake.query_all"):
        return lambda _ident: True
    own = {f"d{code}" for code in department_codes(session, principal)}
    return lambda ident: ident.split(".", 1)[0] in own


def run_query(
    session: Session,
    *,
    lake: Lake,
    principal: Principal,
    sql: str,
    max_rows: int = 1000,
    snapshots: dict[str, int] | None = None,
) -> QueryResult:
    allowed = table_permission(session, principal)
    try:
        result = QueryEngine(lake).query(
            sql,
            allowed=allowed,
            max_rows=min(max_rows, MAX_ROWS),
            timeout_s=TIMEOUT_S,
            snapshots=snapshots,
        )
    except Exception as exc:
        audit.record(
            session,
            actor=principal.username,
            role=principal.primary_role,
            action="lake.query",
            object_type="sql",
            object_id="-",
            outcome="denied",
            detail={"sql": sql[:2000], "error": getattr(exc, "code", type(exc).__name__)},
        )
        raise
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="lake.query",
        object_type="sql",
        object_id=",".join(sorted(result.snapshots))[:128],
        detail={
            "sql": sql[:2000],
            "rows": result.rows.num_rows,
            "snapshots": {k: v for k, v in result.snapshots.items()},
        },
    )
    return result
