"""Quality service: rules CRUD, recording a load's evaluation, quarantine release/reject.

Keyword-only, takes a session, never commits. Ingest calls, per load::

    registry.register_table(session, spec=..., department_code=...)   # mudan.lake.registry
    rules = load_rules(session, table_ref=spec.ident)
    ev = evaluate(batch, spec, rules, row_offset=..., context=rule_context(session, today=...))
    record_evaluation(session, table_ref=..., job_id=..., department_code=..., evaluation=ev,
                      total_rows=...)   # or close_tickets_if_clean(...) on a clean reload
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.core.errors import InvalidInput, NotFound
from mudan.domains.quality.engine import (
    Evaluation,
    FreshnessResult,
    check_freshness,
)
from mudan.domains.quality.enums import (
    QuarantineStatus,
    RuleKind,
    Severity,
    TicketSource,
    UpdateCycle,
)
from mudan.domains.quality.models import (
    CorrectionTicket,
    QualityRule,
    QualityScore,
    QuarantineRow,
)
from mudan.domains.quality.quarantine import (
    Released,
    by_row,
    list_quarantine,
    load_rules,
    reject,
    release,
)
from mudan.domains.quality.rules import Rule, RuleContext, parse_kind, validate_rule
from mudan.domains.quality.scope import in_tables
from mudan.domains.quality.tickets import (
    close_tickets_if_clean,
    department_scores,
    get_ticket,
    list_tickets,
    live_ticket,
    mark_overdue,
    open_ticket,
    table_scores,
    transition,
)
from mudan.kernel.models import Region
from mudan.kernel.scope import Scope
from mudan.lake.models import LakeTable
from mudan.lake.registry import get_table, mark_loaded, table_spec

__all__ = [
    "Released",
    "close_tickets_if_clean",
    "create_rule",
    "delete_rule",
    "department_scores",
    "get_rule",
    "get_ticket",
    "last_loads",
    "list_quarantine",
    "list_rules",
    "list_tickets",
    "load_rules",
    "mark_overdue",
    "open_ticket",
    "record_evaluation",
    "record_success",
    "reject",
    "release",
    "rule_context",
    "table_freshness",
    "table_scores",
    "transition",
    "update_rule",
]


# --- rules ------------------------------------------------------------------------------------


def list_rules(
    session: Session, *, table_ref: str | None = None, scope: Scope | None = None
) -> list[QualityRule]:
    """``scope``: a principal's (``data_scope``); None: every rule."""
    q = select(QualityRule).order_by(QualityRule.table_ref, QualityRule.id)
    cond = in_tables(scope, QualityRule.table_ref) if scope is not None else None
    if cond is not None:
        q = q.where(cond)
    if table_ref:
        q = q.where(QualityRule.table_ref == table_ref)
    return list(session.scalars(q))


def _severity(value: str) -> Severity:
    try:
        return Severity(value)
    except ValueError as exc:
        raise InvalidInput("quality.bad_severity", severity=value) from exc


def create_rule(
    session: Session,
    *,
    table_ref: str,
    kind: str,
    column: str | None,
    params: Mapping[str, Any],
    severity: str = "error",
    enabled: bool = True,
    actor: str,
) -> QualityRule:
    spec = table_spec(session, table_ref=table_ref)
    rule = Rule(0, parse_kind(kind), column or None, dict(params), _severity(severity))
    validate_rule(rule, spec)
    row = QualityRule(
        table_ref=table_ref,
        column=rule.column,
        kind=rule.kind.value,
        params=dict(rule.params),
        severity=rule.severity.value,
        enabled=enabled,
        created_by=actor,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def get_rule(session: Session, *, rule_id: int) -> QualityRule:
    row = session.get(QualityRule, rule_id)
    if row is None:
        raise NotFound("quality.rule_not_found", id=rule_id)
    return row


def update_rule(
    session: Session,
    *,
    rule_id: int,
    column: str | None = None,
    params: Mapping[str, Any] | None = None,
    severity: str | None = None,
    enabled: bool | None = None,
) -> QualityRule:
    row = get_rule(session, rule_id=rule_id)
    new_column = column if column is not None else row.column
    new_params = dict(params) if params is not None else dict(row.params)
    new_sev = _severity(severity) if severity is not None else Severity(row.severity)
    rule = Rule(row.id, RuleKind(row.kind), new_column or None, new_params, new_sev)
    validate_rule(rule, table_spec(session, table_ref=row.table_ref))
    row.column, row.params, row.severity = rule.column, new_params, new_sev.value
    if enabled is not None:
        row.enabled = enabled
    session.flush()
    return row


def delete_rule(session: Session, *, rule_id: int) -> None:
    session.delete(get_rule(session, rule_id=rule_id))
    session.flush()


def rule_context(session: Session, *, today: date, **extra: Any) -> RuleContext:
    """A context with every region code in the database (GB/T 2260 6- and 12-digit codes)."""
    codes = frozenset(session.scalars(select(Region.code)))
    return RuleContext(today=today, region_codes=codes, **extra)


# --- recording a load -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    quarantined: int
    score: float
    ticket: CorrectionTicket | None


def _score(total: int, bad_rows: int, warning_rows: int) -> float:
    if total <= 0:
        return 100.0
    return round(max(0.0, 100.0 * (total - bad_rows - 0.5 * warning_rows) / total), 2)


def record_evaluation(
    session: Session,
    *,
    table_ref: str,
    job_id: str,
    department_code: str,
    evaluation: Evaluation,
    total_rows: int,
    now: datetime | None = None,
) -> Recorded:
    """Quarantine the bad rows, snapshot the score, open or extend the department's ticket.

    Call once per batch with that batch's evaluation and ``total_rows`` of the whole load
    (the score snapshot is per job: a later batch of the same job updates it).
    """
    now = as_utc(now or utcnow())
    rows = by_row(evaluation.bad)
    for number, vs in rows.items():
        first = vs[0]
        session.add(
            QuarantineRow(
                table_ref=table_ref,
                job_id=job_id,
                row_number=number,
                rule_id=str(first.rule_id),
                rule_kind=first.rule_kind,
                column=first.column,
                reason="；".join(dict.fromkeys(v.reason for v in vs)),
                values=first.values,
                status=QuarantineStatus.PENDING.value,
                created_at=now,
            )
        )
    warn_rows = len(set(by_row(evaluation.warnings)) - set(rows))
    snap = session.scalars(
        select(QualityScore).where(
            QualityScore.table_ref == table_ref, QualityScore.job_id == job_id
        )
    ).first()
    if snap is None:
        spec = get_table(session, table_ref=table_ref).spec if _known(session, table_ref) else {}
        snap = QualityScore(
            table_ref=table_ref,
            department_code=department_code,
            job_id=job_id,
            rows=total_rows,
            bad_rows=0,
            warning_rows=0,
            score=100.0,
            spec=spec,
            at=now,
        )
        session.add(snap)
    snap.rows = total_rows
    snap.bad_rows += len(rows)
    snap.warning_rows += warn_rows
    snap.score = _score(total_rows, snap.bad_rows, snap.warning_rows)
    ticket = None
    if rows:
        ticket = _ticket_for(session, table_ref, department_code, job_id, len(rows), now)
    session.flush()
    return Recorded(len(rows), snap.score, ticket)


def _known(session: Session, table_ref: str) -> bool:
    try:
        get_table(session, table_ref=table_ref)
    except NotFound:
        return False
    return True


def _ticket_for(
    session: Session, table_ref: str, dept: str, job_id: str, n: int, now: datetime
) -> CorrectionTicket:
    ticket = live_ticket(session, table_ref=table_ref)
    line = f"{now:%Y-%m-%d %H:%M} 归集任务 {job_id}：{n} 行未通过质量规则，已隔离。"
    if ticket is not None:
        ticket.violations += n
        ticket.detail = f"{ticket.detail}\n{line}".strip()
        ticket.job_id = job_id
        return ticket
    return open_ticket(
        session,
        table_ref=table_ref,
        department_code=dept,
        title=f"数据质量纠错：{table_ref}",
        detail=line,
        source=TicketSource.QUALITY,
        job_id=job_id,
        violations=n,
        now=now,
    )


def record_success(session: Session, *, table_ref: str, at: datetime | None = None) -> None:
    """Remember the last successful load (freshness against the declared update cycle)."""
    mark_loaded(session, table_ref=table_ref, at=at or utcnow())


def last_loads(session: Session) -> dict[str, datetime]:
    """When each known table last loaded successfully (aware UTC); never-loaded ones omitted."""
    rows = session.execute(
        select(LakeTable.table_ref, LakeTable.last_success_at).where(
            LakeTable.last_success_at.is_not(None)
        )
    )
    return {ref: at for ref, at in rows if at is not None}


def table_freshness(
    session: Session, *, table_ref: str, now: datetime | None = None
) -> FreshnessResult:
    """Freshness of a table against its declared update cycle (daily when undeclared)."""
    row = get_table(session, table_ref=table_ref)
    cycle = UpdateCycle(row.update_cycle) if row.update_cycle else UpdateCycle.DAILY
    last = as_utc(row.last_success_at) if row.last_success_at else None
    return check_freshness(last, cycle, now or utcnow())
