"""Quarantined rows: listing, release after a re-check (optionally fixed), rejection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.core.errors import Conflict, InvalidInput, NotFound
from mudan.domains.quality.engine import Violation, evaluate
from mudan.domains.quality.enums import QuarantineStatus, RuleKind, Severity
from mudan.domains.quality.models import QualityRule, QuarantineRow
from mudan.domains.quality.rules import Rule, RuleContext
from mudan.domains.quality.scope import in_tables
from mudan.kernel.scope import Scope
from mudan.lake.registry import table_spec

MAX_BATCH = 1000


def by_row(violations: Sequence[Violation]) -> dict[int, list[Violation]]:
    rows: dict[int, list[Violation]] = {}
    for v in violations:
        rows.setdefault(v.row_number, []).append(v)
    return rows


def load_rules(session: Session, *, table_ref: str) -> list[Rule]:
    """The enabled rules of a table, ready for :func:`evaluate`."""
    q = (
        select(QualityRule)
        .where(QualityRule.table_ref == table_ref, QualityRule.enabled.is_(True))
        .order_by(QualityRule.id)
    )
    return [
        Rule(r.id, RuleKind(r.kind), r.column, dict(r.params), Severity(r.severity))
        for r in session.scalars(q)
    ]


# -------------------------------------------------------------


def list_quarantine(
    session: Session,
    *,
    table_ref: str | None = None,
    status: QuarantineStatus | None = QuarantineStatus.PENDING,
    rule_kind: str | None = None,
    job_id: str | None = None,
    page: int = 1,
    page_size: int = 50,
    scope: Scope | None = None,
) -> tuple[list[QuarantineRow], int]:
    """``scope`` (:func:`~mudan.domains.quality.scope.data_scope`; None: every row) limits rows
    to its departments' tables (``d<code>.…``)."""
    q = select(QuarantineRow)
    cond = in_tables(scope, QuarantineRow.table_ref) if scope is not None else None
    if cond is not None:
        q = q.where(cond)
    if table_ref:
        q = q.where(QuarantineRow.table_ref == table_ref)
    if status is not None:
        q = q.where(QuarantineRow.status == status.value)
    if rule_kind:
        q = q.where(QuarantineRow.rule_kind == rule_kind)
    if job_id:
        q = q.where(QuarantineRow.job_id == job_id)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    page, page_size = max(1, page), min(max(1, page_size), 500)
    rows = session.scalars(
        q.order_by(QuarantineRow.id).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows), total


def _pending(session: Session, ids: Sequence[int]) -> list[QuarantineRow]:
    if not ids or len(ids) > MAX_BATCH:
        raise InvalidInput("quality.bad_ids", count=len(ids))
    rows = list(session.scalars(select(QuarantineRow).where(QuarantineRow.id.in_(ids))))
    found = {r.id for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound("quality.quarantine_not_found", id=missing[0])
    if len({r.table_ref for r in rows}) != 1:
        raise InvalidInput("quality.mixed_tables")
    done = [r.id for r in rows if r.status != QuarantineStatus.PENDING.value]
    if done:
        raise Conflict("quality.already_resolved", id=done[0])
    return sorted(rows, key=lambda r: r.id)


@dataclass(frozen=True)
class Released:
    table_ref: str
    released: list[int]
    still_bad: dict[int, str]  # quarantine id -> reasons after the fix
    good: pa.RecordBatch  # typed rows, in ``released`` order: the caller appends them to the lake


def release(
    session: Session,
    *,
    ids: Sequence[int],
    fixed_values: Mapping[int, Mapping[str, str | None]] | None = None,
    actor: str,
    context: RuleContext,
    now: datetime | None = None,
    apply: bool = True,
) -> Released:
    """Re-check (fixed) rows against the table's rules; release those that now pass.
    ``apply=False`` only computes the verdicts (no writes), so the caller can write the good
    rows to the lake before this session takes the database's write lock (SQLite)."""
    rows = _pending(session, ids)
    table_ref = rows[0].table_ref
    spec = table_spec(session, table_ref=table_ref)
    fixes = fixed_values or {}
    merged: list[dict[str, str | None]] = []
    for r in rows:
        values = {c.name: r.values.get(c.name) for c in spec.columns}
        fix = fixes.get(r.id) or {}
        unknown = set(fix) - set(values)
        if unknown:
            raise InvalidInput("quality.unknown_column", column=sorted(unknown)[0])
        values.update(fix)
        merged.append(values)
    batch = pa.RecordBatch.from_pylist(
        merged, schema=pa.schema([pa.field(c.name, pa.string()) for c in spec.columns])
    )
    ev = evaluate(
        batch, spec, load_rules(session, table_ref=table_ref), row_offset=0, context=context
    )
    failing = by_row(ev.bad)
    now = as_utc(now or utcnow())
    released, still_bad = [], {}
    for i, r in enumerate(rows, start=1):
        if i in failing:
            still_bad[r.id] = "；".join(dict.fromkeys(v.reason for v in failing[i]))
        else:
            released.append(r.id)
        if not apply:
            continue
        if fixes.get(r.id):
            r.fixed_values = dict(fixes[r.id])
        if i in failing:
            r.reason = still_bad[r.id]
        else:
            r.status, r.resolved_by, r.resolved_at = QuarantineStatus.RELEASED.value, actor, now
    if apply:
        session.flush()
    return Released(table_ref, released, still_bad, ev.good)


def reject(session: Session, *, ids: Sequence[int], actor: str, now: datetime | None = None) -> int:
    rows = _pending(session, ids)
    for r in rows:
        r.status, r.resolved_by, r.resolved_at = (
            QuarantineStatus.REJECTED.value,
            actor,
            as_utc(now or utcnow()),
        )
    session.flush()
    return len(rows)
