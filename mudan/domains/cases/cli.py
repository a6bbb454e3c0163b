"""``mudan cases …``: intake, board, one case, the loop, 督办 (for the scheduler), assessment."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import true

from mudan.cli.common import console, db_session, handle_errors
from mudan.domains.cases import assess
from mudan.domains.cases import service as cs
from mudan.domains.cases.enums import Action, Channel, Mediation
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal

cases = typer.Typer(help="事件工单 (12345 / grid cases)", no_args_is_help=True)
CLI = Principal(
    user_id=None, username="cli", display_name="命令行", roles=frozenset({Role.ADMIN}), via="cli"
)


@cases.command("seed")
@handle_errors
def seed() -> None:
    """Insert the seed categories and routing rules (idempotent)."""
    with db_session() as s:
        console.print(f"新增类别 {cs.seed_categories(s)} 个")


@cases.command("categories")
@handle_errors
def categories() -> None:
    """List categories with their time limits."""
    table = Table("code", "group", "name", "limit", "dispute")
    with db_session() as s:
        for c in cs.categories(s):
            table.add_row(
                c.code,
                c.group_name,
                c.name,
                f"{c.limit_value} {c.limit_unit}",
                "yes" if c.is_dispute else "",
            )
    console.print(table)


@cases.command("new")
@handle_errors
def new(
    category: str = typer.Option(..., help="category code, e.g. SJ0102"),
    title: str = typer.Option(...),
    lon: float | None = typer.Option(None),
    lat: float | None = typer.Option(None),
    region: str | None = typer.Option(None, help="region code when there is no point"),
    description: str = typer.Option(""),
    key: str | None = typer.Option(None, help="idempotency key"),
) -> None:
    """Take in a case (as the 12345 channel)."""
    with db_session() as s:
        case = cs.intake(
            s,
            data=cs.IntakeIn(
                channel=Channel.HOTLINE,
                category_code=category,
                title=title,
                lon=lon,
                lat=lat,
                region_code=region,
                description=description,
                idempotency_key=key,
            ),
            actor="cli",
        )
        console.print(f"{case.number} {case.state} {case.department_code or '-'}")


@cases.command("list")
@handle_errors
def board(queue: str = typer.Option("all", help="all|manual|overdue|due_soon|closed")) -> None:
    """The dispatcher board."""
    table = Table("number", "state", "department", "due (UTC)", "rung", "title")
    with db_session() as s:
        rows, total = cs.board(s, principal=CLI, filt=cs.BoardFilter(queue=queue, limit=200))
        for c in rows:
            table.add_row(
                c.number,
                c.state,
                c.department_code or "-",
                f"{c.due_at:%Y-%m-%d %H:%M}",
                c.escalation_rung,
                c.title,
            )
    console.print(table)
    console.print(f"共 {total} 件")


@cases.command("show")
@handle_errors
def show(number: str) -> None:
    """One case with its timeline."""
    with db_session() as s:
        case = cs.get_case(s, number=number)
        console.print(f"{case.number} {case.state} {case.category_code} {case.title}")
        for e in cs.timeline(s, case=case):
            console.print(f"  {e.at:%Y-%m-%d %H:%M} {e.kind} {e.actor} {e.to_state or ''} {e.note}")


@cases.command("act")
@handle_errors
def act(
    number: str,
    action: Action,
    note: str = typer.Option(""),
    department: str | None = typer.Option(None),
    assist: list[str] = typer.Option([], help="协办 department (repeatable)"),
    mediation: Mediation | None = typer.Option(None),
) -> None:
    """Apply one action of the loop (as an administrator)."""
    with db_session() as s:
        case = cs.get_case(s, number=number)
        cs.act(
            s,
            case=case,
            principal=CLI,
            data=cs.ActIn(
                action=action,
                note=note,
                department_code=department,
                assist_codes=assist,
                mediation=mediation,
            ),
        )
        console.print(f"{case.number} → {case.state}")


@cases.command("supervise")
@handle_errors
def supervise() -> None:
    """督办: escalate cases past 80 %/100 %/200 % of their limit (run by the scheduler)."""
    with db_session() as s:
        done = cs.supervise(s)
        for e in done:
            console.print(f"{e.number} → {e.rung} ({e.region_code}) {e.share:.0%}")
        console.print(f"督办 {len(done)} 次")


@cases.command("assess")
@handle_errors
def assessment(by: str = typer.Option("department", help="department|district")) -> None:
    """On-time rate, satisfaction, returns and reopenings."""
    table = Table(by, "closed", "on time %", "satisfaction", "returns", "reopenings")
    with db_session() as s:
        for a in assess.assessment(s, scope=true(), by=by):  # the whole city
            table.add_row(
                a.key,
                str(a.closed),
                str(a.on_time_rate),
                str(a.satisfaction),
                str(a.returns),
                str(a.reopenings),
            )
    console.print(table)
