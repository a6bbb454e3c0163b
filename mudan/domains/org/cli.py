"""``mudan users …`` and ``mudan regions …``."""

from __future__ import annotations

import typer
from rich.table import Table

from mudan.cli.common import console, db_session, handle_errors, settings
from mudan.kernel import identity as org
from mudan.kernel import regions as reg
from mudan.kernel.enums import Role

users = typer.Typer(help="用户与角色 (users and roles)", no_args_is_help=True)
regions = typer.Typer(help="区划与网格 (region tree)", no_args_is_help=True)


@users.command("create")
@handle_errors
def users_create(
    username: str,
    role: Role = typer.Option(..., help="role to grant"),
    display_name: str = typer.Option("", help="full name"),
    department: str | None = typer.Option(None, help="department code, e.g. 371700001"),
    region: str | None = typer.Option(None, help="region code that limits the role"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a user with one role binding."""
    cfg = settings()
    with db_session(cfg) as s:
        user = org.create_user(
            s,
            username=username,
            display_name=display_name or username,
            password=password,
            department_code=department,
            bindings=[org.BindingIn(role, department, region)],
            min_password_length=cfg.auth.min_password_length,
            actor="cli",
        )
    console.print(f"已创建用户 [bold]{user.username}[/bold]（{role.value}）")


@users.command("list")
@handle_errors
def users_list() -> None:
    """List users with their roles."""
    table = Table("username", "name", "roles")
    with db_session() as s:
        for u in org.list_users(s):
            roles = ", ".join(
                f"{b.role}@{b.region_code or b.department_id or '-'}" for b in u.bindings
            )
            table.add_row(u.username, u.display_name, roles)
    console.print(table)


@users.command("set-password")
@handle_errors
def users_set_password(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    revoke_tokens: bool = typer.Option(False, help="also revoke the user's API tokens"),
) -> None:
    """Reset a user's password (ends every browser session of the account, clears a lock-out)."""
    from sqlalchemy import select

    from mudan.core.errors import NotFound
    from mudan.kernel import websessions
    from mudan.kernel.models import User

    cfg = settings()
    with db_session(cfg) as s:
        user = s.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None:
            raise NotFound("user.not_found", username=username)
        websessions.change_password(
            s,
            user=user,
            current=None,
            new=password,
            min_length=cfg.auth.min_password_length,
            actor="cli",
            revoke_tokens=revoke_tokens,
        )
    console.print(f"已重置 [bold]{username}[/bold] 的密码，该账号的所有浏览器会话已结束。")


@regions.command("locate")
@handle_errors
def regions_locate(lon: float, lat: float) -> None:
    """Locate a WGS84 point to grid → community → street → district."""
    with db_session() as s:
        found = reg.locate(reg.build_locator(s), lon=lon, lat=lat)
    for level, ref in (
        ("网格", found.grid),
        ("社区", found.community),
        ("街道", found.street),
        ("区县", found.district),
        ("市", found.city),
    ):
        if ref is not None:
            console.print(f"{level}\t{ref.code}\t{ref.name}")
