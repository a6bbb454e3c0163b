"""``mudan audit verify``."""

from __future__ import annotations

import typer

from mudan.cli.common import console, db_session, err_console
from mudan.core.audit import verify_chain
from mudan.core.i18n import t

app = typer.Typer(help="审计 (audit chain)", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Recompute the SM3 chain; exit 1 and name the first broken record if it was tampered with."""
    with db_session() as s:
        status = verify_chain(s)
    if status.ok:
        console.print(t("ui.chain_ok", checked=status.checked))
        return
    reason = t(f"chain.{status.reason}")
    err_console.print(t("ui.chain_broken", id=status.first_broken_id, reason=reason))
    raise typer.Exit(1)
