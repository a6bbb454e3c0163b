"""``mudan indicators …``: list, compute, show, forecast, report (PDF)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import typer
from rich.table import Table

from mudan.cli.common import console, db_session, handle_errors, runtime
from mudan.core.db import transaction, utcnow
from mudan.core.progress import RichReporter
from mudan.domains.indicators import defs, rules, service

indicators = typer.Typer(help="指标中心 (indicator centre)", no_args_is_help=True)


def _fmt(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".") + unit


@indicators.command("list")
@handle_errors
def list_cmd(region: str = typer.Option("3717", help="region code")) -> None:
    """Every indicator with its latest value against target (or why there is none)."""
    table = Table("code", "名称", "实际值", "目标值", "状态")
    with runtime() as rt, transaction(rt.sessions) as s:
        for v in service.latest_values(s, region_code=region, pm=rt.pm):
            state = v.status_text or (
                "达标" if v.meets_target else "未达标" if v.meets_target is False else ""
            )
            table.add_row(v.code, v.name, _fmt(v.value, v.unit), _fmt(v.target, v.unit), state)
    console.print(table)


@indicators.command("compute")
@handle_errors
def compute_cmd(
    codes: list[str] = typer.Argument(None, help="indicator codes (default: all)"),
    alerts: bool = typer.Option(True, help="evaluate alert rules afterwards"),
) -> None:
    """Compute indicators now (and evaluate their alert rules)."""
    now = utcnow()
    with runtime() as rt, transaction(rt.sessions) as s:
        lake, pm = rt.lake, rt.pm
        wanted = codes or [d.code for d in defs.list_defs(s, enabled_only=True)]
        with RichReporter() as rep, rep.task("计算指标", total=len(wanted)) as task:
            results = []
            for code in wanted:
                results.append(service.compute(s, code=code, at=now, lake=lake, pm=pm))
                task.advance()
        raised = rules.evaluate_all(s, at=now, codes=wanted) if alerts else 0
    for r in results:
        console.print(f"{r.code} v{r.version} {r.status} 区域 {r.regions} {r.error}")
    console.print(f"活动预警 {raised} 条")


@indicators.command("show")
@handle_errors
def show_cmd(code: str, region: str = typer.Option("3717"), days: int = typer.Option(2)) -> None:
    """One indicator: definition, versions and recent values."""
    with db_session() as s:
        ind = defs.def_out(s, defs.get_def(s, code=code))
        console.print(
            f"[bold]{ind.name}[/bold] {ind.code} v{ind.current_version} ({ind.kind}: {ind.formula})"
        )
        console.print(ind.definition)
        for v in defs.list_versions(s, code=code):
            console.print(f"  v{v.version} {v.kind}: {v.formula} [{v.aggregation}] {v.created_by}")
        ser = service.series(
            s, code=code, region_code=region, since=utcnow() - timedelta(days=days)
        )
        table = Table("时间", "值", "状态")
        for p in ser.points[-48:]:
            table.add_row(p.at.strftime("%Y-%m-%d %H:%M"), _fmt(p.value, ind.unit), p.status)
        console.print(table)


@indicators.command("forecast")
@handle_errors
def forecast_cmd(
    code: str = typer.Argument("env.aqi"),
    regions: list[str] = typer.Option(["371702"], "--region", help="region codes"),
) -> None:
    """Run the forecast (statsmodels) and raise early warnings."""
    with db_session() as s:
        for r in service.run_forecast(s, code=code, at=utcnow(), regions=regions):
            console.print(
                f"{r.region_code} 峰值 {r.peak:.1f} @ {r.peak_at:%m-%d %H:%M} 预警 {r.alert_id}"
            )


@indicators.command("report")
@handle_errors
def report_cmd(
    kind: str = typer.Argument("daily", help="daily | monthly"),
    day: str = typer.Option("", help="YYYY-MM-DD (default today)"),
    out: Path = typer.Option(Path("report.pdf"), "--out", "-o"),
) -> None:
    """Write the daily/monthly operations report as a PDF."""
    from mudan.domains.indicators.report_pdf import render_pdf
    from mudan.domains.indicators.reports import build_report
    from mudan.domains.indicators.timeutil import local_day

    when = date.fromisoformat(day) if day else local_day(utcnow())
    with db_session() as s:
        out.write_bytes(render_pdf(build_report(s, kind=kind, day=when)))
    console.print(f"已生成 {out}")
