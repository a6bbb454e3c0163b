"""``mudan share tick|requests|rates|verify-calls|call``. ``tick`` is what a scheduler (cron, a
systemd timer or ``mudan scheduler``) calls every few minutes: reminders and overdue marks,
grant expiry, sealing the call log, and the return flows and pushes that are due. ``call``
is the data service (:mod:`.dataservice.serving`) from a shell, as a named user and logged
like the API."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from mudan.cli.common import console, db_session, handle_errors, runtime
from mudan.core.db import transaction
from mudan.core.i18n import t
from mudan.core.progress import RichReporter
from mudan.core.runtime import Runtime
from mudan.domains.sharing.dataservice import calllog
from mudan.domains.sharing.returnflow import county, delivery
from mudan.domains.sharing.workflow import deadlines, grants, requests
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal

share = typer.Typer(help="数据共享 (share requests, grants, return flows)", no_args_is_help=True)

CLI = Principal(
    user_id=0, username="cli", display_name="命令行", roles=frozenset({Role.ADMIN}), via="cli"
)


@share.command("tick")
@handle_errors
def tick() -> None:
    """Reminders, overdue marks, grant expiry, call-log seal, due return flows and pushes."""
    with runtime() as rt:
        _tick(rt)


def _tick(rt: Runtime) -> None:
    cfg = rt.settings
    with transaction(rt.sessions) as s:
        report = deadlines.remind_and_mark(s)
        expired = grants.expire_due(s)
        sealed = calllog.seal(s)
        flows = county.due_flows(s)
        pushes = delivery.due_pushes(s)
    console.print(
        t(
            "sharing.cli.tick",
            reminded=len(report.reminded),
            overdue=len(report.overdue),
            expired=len(expired),
            sealed=sealed or 0,
        )
    )
    if not flows and not pushes:
        return
    rows = 0
    lake = rt.lake
    with (
        RichReporter() as progress,
        progress.task(t("sharing.cli.deliver"), len(flows) + len(pushes)) as task,
    ):
        for fid in flows:
            with transaction(rt.sessions) as s:
                rows += county.run_flow(s, lake=lake, flow_id=fid)
            task.advance()
        for did in pushes:
            with transaction(rt.sessions) as s:
                rows += delivery.run_delivery(
                    s, lake=lake, folder=cfg.var_dir / "share_exports", delivery_id=did
                ).rows
            task.advance()
    console.print(t("sharing.cli.delivered", flows=len(flows), pushes=len(pushes), rows=rows))


@share.command("requests")
@handle_errors
def list_cmd(status: str = typer.Option("", help="provider_review|bureau_review|…")) -> None:
    """The latest share requests."""
    with db_session() as s:
        rows, total = requests.list_requests(s, principal=CLI, status=status or None)
        table = Table("#", t("sharing.entry"), t("sharing.requester"), t("sharing.status"))
        for r in rows:
            label = t(f"sharing.state.{r.status}") + (" ⚠" if r.overdue else "")
            table.add_row(str(r.id), r.entry.code, r.requester.code, label)
    console.print(table)
    console.print(f"{t('sharing.total')}：{total}")


@share.command("rates")
@handle_errors
def rates_cmd(year: int = typer.Option(0, help="only requests of this year")) -> None:
    """及时共享率 per provider department and for the city."""
    with db_session() as s:
        out = deadlines.on_time_rates(s, year=year or None)
    table = Table(t("sharing.department"), t("sharing.on_time"), t("sharing.total"), "%")
    for r in [*out["departments"], *out["city"]]:
        table.add_row(r.name, str(r.on_time), str(r.total), "—" if r.rate is None else str(r.rate))
    console.print(table)


@share.command("verify-calls")
@handle_errors
def verify_cmd() -> None:
    """Check every sealed batch of data-service calls against its audit record."""
    with db_session() as s:
        check = calllog.verify_seals(s)
    console.print(t("sharing.cli.verified", seals=check.seals, calls=check.calls))
    if not check.ok:
        console.print(t("sharing.cli.broken", seal=check.broken_seal))
        raise typer.Exit(1)


@share.command("call")
@handle_errors
def call_cmd(
    grant_id: int = typer.Argument(..., help="grant id"),
    as_user: str = typer.Option(..., "--as", help="call as this user (the grant's client)"),
    limit: int = typer.Option(100, "--limit", help="rows per page (1–1000)"),
    filters: list[str] = typer.Option([], "--filter", help="item[__op]=value, repeatable"),
    fields: str = typer.Option("", "--fields", help="items to return, comma-separated"),
    after: str = typer.Option("", "--after", help="the next-page token of the previous call"),
    fmt: str = typer.Option("json", "--format", help="json|csv"),
) -> None:
    """Call a grant's data service as a user: the same checks, masking and call log as the API."""
    from mudan.domains.sharing.dataservice import serving
    from mudan.domains.sharing.dataservice.runtime import ServiceRuntime

    pairs = [f.partition("=") for f in filters]
    if any(not sep for _, sep, _ in pairs):
        raise typer.BadParameter("item[__op]=value", param_hint="--filter")
    query = serving.ServiceQuery(
        filters={k: v for k, _, v in pairs},
        fields=tuple(f.strip() for f in fields.split(",") if f.strip()),
        limit=limit,
        after=after or None,
        fmt=fmt,
    )
    with runtime() as core:
        rt = core.cached(
            "sharing.runtime", lambda: ServiceRuntime(core.settings, core.sessions, core.lake)
        )
        try:
            with transaction(core.sessions) as s:
                who = serving.principal_named(s, username=as_user, via="cli")
                answer = serving.call_service(
                    s, runtime=rt, principal=who, grant_id=grant_id, query=query
                )
        except serving.CallRefused as refused:
            raise refused.error from None
    # closing the runtime closed the call writer: this process's calls are sealed
    sys.stdout.buffer.write(answer.content)
    sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
