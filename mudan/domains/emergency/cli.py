"""``mudan emergency …``: plans, incidents, raising a level, the duty roster, overdue marks."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.cli.common import console, db_session, handle_errors
from mudan.core.db import as_utc, utcnow
from mudan.core.errors import NotFound
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import ROMAN, IncidentStatus
from mudan.domains.emergency.system import SYSTEM_ACTOR
from mudan.kernel.identity import principal_for_user
from mudan.kernel.models import User
from mudan.kernel.rbac import Principal

emergency = typer.Typer(help="应急指挥 (emergency command)", no_args_is_help=True)


def _actor(session: Session, username: str | None) -> Principal:
    if not username:
        return SYSTEM_ACTOR
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("emergency.unknown_user", username=username)
    return principal_for_user(session, user=user, via="cli")


def _level(n: int | None) -> str:
    return f"{ROMAN[n]}级" if n else "—"


@emergency.command("plans")
@handle_errors
def plans() -> None:
    """List emergency plans (应急预案) with their levels and roles."""
    table = Table("code", "name", "type", "department", "levels", "roles")
    with db_session() as s:
        for p in es.list_plans(s):
            levels = " ".join(ROMAN[lv.level] for lv in p.levels)
            table.add_row(
                p.code, p.name, p.event_type, p.department_code, levels, str(len(p.roles))
            )
    console.print(table)


@emergency.command("incidents")
@handle_errors
def incidents(
    open_only: bool = typer.Option(False, "--open", help="only incidents still open"),
    mark_overdue: bool = typer.Option(False, help="mark overdue reports (信息报送超时) first"),
) -> None:
    """List incidents with their level and reports due."""
    table = Table("id", "number", "title", "type", "level", "status", "overdue reports")
    with db_session() as s:
        if mark_overdue:
            console.print(f"标记超时报送 {len(es.mark_overdue(s))} 条")
        status = IncidentStatus.OPEN if open_only else None
        for i in es.list_incidents(s, actor=SYSTEM_ACTOR, status=status):
            overdue = sum(1 for v in es.reports_of(s, incident_id=i.id) if v.status == "overdue")
            table.add_row(
                str(i.id), i.number, i.title, i.event_type, _level(i.level), i.status, str(overdue)
            )
    console.print(table)


@emergency.command("raise")
@handle_errors
def raise_level(
    incident_id: int = typer.Argument(..., help="incident id"),
    level: int = typer.Argument(..., min=1, max=4, help="1 = Ⅰ级 (highest) … 4 = Ⅳ级"),
    reason: str = typer.Option("", help="why"),
    user: str | None = typer.Option(None, help="act as this user (default: system)"),
) -> None:
    """Set, raise or lower an incident's response level; raising notifies the role holders."""
    with db_session() as s:
        change = es.change_level(
            s, incident_id=incident_id, level=level, reason=reason, actor=_actor(s, user)
        )
        a = change.activation
        console.print(
            f"{change.incident.number}: {_level(change.previous)} → {_level(level)}；"
            f"通知 {len({d.recipient for d in a.deliveries})} 人（{len(a.deliveries)} 条），"
            f"报送时限 {len(a.reports)} 项，职责事项 {len(a.checklist)} 项"
        )


@emergency.command("duty")
@handle_errors
def duty(
    at: datetime | None = typer.Option(None, help="time to look up (default: now, UTC)"),
) -> None:
    """Who is on duty (值班) now, or at --at."""
    when = as_utc(at) if at else utcnow()
    table = Table("post", "name", "shift", "day", "department")
    with db_session() as s:
        for d in es.on_duty(s, at=when, actor=SYSTEM_ACTOR):
            table.add_row(d.post, d.name, d.shift, d.day.isoformat(), d.department_code)
    console.print(table)
