"""Flows that own their transactions: derived tables around a lake commit, the audited query."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction
from mudan.core.errors import MudanError
from mudan.core.uow import lake_step
from mudan.domains.query import derived
from mudan.domains.query.models import DerivedTable
from mudan.domains.query.service import run_query
from mudan.kernel.rbac import Principal
from mudan.lake.catalog import Lake
from mudan.lake.query import QueryResult
from mudan.lake.schema import TableSpec

_Materialised = tuple[TableSpec, int, int | None]


def refresh(
    sessions: sessionmaker[Session],
    *,
    lake: Lake,
    derived_id: int,
    actor: str,
    role: str,
    principal: Principal | None = None,
) -> DerivedTable:
    """Read the definition (checking ``principal`` may manage it, when given), materialise it
    with no transaction open (SQLite: the lake's catalog commit must not wait on ours), then
    record the outcome. A failure is recorded and re-raised; the table keeps its previous
    snapshot."""

    def prepare(s: Session) -> tuple[str, str]:
        row = derived.get(s, derived_id=derived_id)
        if principal is not None:
            derived.check_manage(s, principal=principal, row=row)
        return row.table_ref, row.sql

    def work(definition: tuple[str, str]) -> _Materialised:
        table_ref, sql = definition
        return derived.materialise(lake, table_ref=table_ref, sql=sql)

    def finish(s: Session, done: _Materialised) -> DerivedTable:
        spec, rows, snap = done
        return derived.record_refresh(
            s,
            derived_id=derived_id,
            actor=actor,
            role=role,
            spec=spec,
            rows=rows,
            snapshot_id=snap,
        )

    def failed(s: Session, exc: Exception) -> None:
        assert isinstance(exc, MudanError)
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

    return lake_step(
        sessions, prepare=prepare, work=work, finish=finish, failed=failed, catch=(MudanError,)
    )


def refresh_as(
    sessions: sessionmaker[Session], *, lake: Lake, principal: Principal, derived_id: int
) -> DerivedTable:
    """A user's refresh: only of a table they may manage."""
    return refresh(
        sessions,
        lake=lake,
        derived_id=derived_id,
        actor=principal.username,
        role=principal.primary_role,
        principal=principal,
    )


def check_manage(sessions: sessionmaker[Session], *, principal: Principal, derived_id: int) -> None:
    """Refuse (404/403) before any work when ``principal`` may not manage the table."""
    with transaction(sessions) as s:
        derived.check_manage(s, principal=principal, row=derived.get(s, derived_id=derived_id))


def define(
    sessions: sessionmaker[Session],
    *,
    lake: Lake,
    principal: Principal,
    name: str,
    title: str,
    sql: str,
    department_code: str | None = None,
    refresh_now: bool = True,
) -> DerivedTable:
    """Save the definition in its own transaction, then (by default) materialise it."""
    with transaction(sessions) as s:
        row = derived.define(
            s,
            principal=principal,
            name=name,
            title=title,
            sql=sql,
            department_code=department_code,
        )
    if not refresh_now:
        return row
    return refresh(
        sessions,
        lake=lake,
        derived_id=row.id,
        actor=principal.username,
        role=principal.primary_role,
    )


def delete(
    sessions: sessionmaker[Session], *, lake: Lake, principal: Principal, derived_id: int
) -> None:
    """Forget the definition (committed), then drop its lake table."""
    with transaction(sessions) as s:
        ref = derived.delete(s, principal=principal, derived_id=derived_id)
    if lake.exists(ref):
        lake.drop_table(ref)


def audited_query(
    sessions: sessionmaker[Session],
    *,
    lake: Lake,
    principal: Principal,
    sql: str,
    max_rows: int,
    snapshots: dict[str, int],
) -> QueryResult:
    """Run one query in its own transaction. A refused query is still audited: its transaction
    commits the audit record, then the error is raised."""
    refused: MudanError
    with transaction(sessions) as s:
        try:
            return run_query(
                s, lake=lake, principal=principal, sql=sql, max_rows=max_rows, snapshots=snapshots
            )
        except MudanError as exc:
            refused = exc
    raise refused
