"""``mudan quality …``: rules, tickets (with overdue marking) and scores from the terminal."""

from __future__ import annotations

import typer
from rich.table import Table

from mudan.cli.common import console, db_session, handle_errors
from mudan.domains.quality import service as qs

quality = typer.Typer(help="数据质量与纠错 (quality and corrections)", no_args_is_help=True)


@quality.command("rules")
@handle_errors
def rules_list(table_ref: str | None = typer.Option(None, "--table", help="ns.table")) -> None:
    """List quality rules."""
    table = Table("id", "table", "kind", "column", "params", "severity", "enabled")
    with db_session() as s:
        for r in qs.list_rules(s, table_ref=table_ref):
            table.add_row(
                str(r.id), r.table_ref, r.kind, r.column or "", str(r.params), r.severity,
                "yes" if r.enabled else "no",
            )  # fmt: skip
    console.print(table)


@quality.command("tickets")
@handle_errors
def tickets_list(
    mark_overdue: bool = typer.Option(False, help="mark overdue tickets first"),
) -> None:
    """List correction tickets (纠错工单) with their working-day deadlines."""
    table = Table("id", "table", "department", "status", "violations", "deadline")
    with db_session() as s:
        if mark_overdue:
            console.print(f"标记超期工单 {qs.mark_overdue(s)} 件")
        for t in qs.list_tickets(s):
            table.add_row(
                str(t.id), t.table_ref, t.department_code, t.status, str(t.violations),
                f"{t.deadline:%Y-%m-%d %H:%M}",
            )  # fmt: skip
    console.print(table)


@quality.command("scores")
@handle_errors
def scores() -> None:
    """Quality scores per department (average of their tables' latest scores)."""
    table = Table("department", "tables", "score")
    with db_session() as s:
        for d in qs.department_scores(s):
            table.add_row(d.department_code, str(d.tables), f"{d.score:.2f}")
    console.print(table)
