"""``mudan video import|probe|status|rates|schedule`` and ``mudan simulate video``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from mudan.cli.common import console, db_session, handle_errors, runtime, settings
from mudan.core.db import transaction, utcnow

video_app = typer.Typer(help="视频资源 (video channels)", no_args_is_help=True)
simulate_video = typer.Typer(help="模拟器 (simulators)", no_args_is_help=True)


@video_app.command("import")
@handle_errors
def import_cmd(path: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Import a platform catalog (XLSX/CSV); bad rows are listed with their reasons."""
    from mudan.core.progress import RichReporter
    from mudan.domains.video.importer import import_catalog
    from mudan.kernel.regions import build_locator

    with db_session() as s, RichReporter() as progress:
        report = import_catalog(
            s,
            data=path.read_bytes(),
            filename=path.name,
            locator=build_locator(s),
            progress=progress,
        )
    table = Table("row", "field", "code", "reason")
    for e in report.rejected[:200]:
        table.add_row(str(e.row), e.field, e.code, e.message)
    if report.rejected:
        console.print(table)
    console.print(
        f"新增 {report.created} 路，更新 {report.updated} 路，拒绝 {len(report.rejected)} 行"
    )


@video_app.command("probe")
@handle_errors
def probe_cmd(
    channel: list[str] = typer.Option([], "--channel", help="channel code (repeatable)"),
    bucket: int | None = typer.Option(None, help="probe one schedule slot"),
    all_channels: bool = typer.Option(False, "--all", help="probe every channel"),
) -> None:
    """Probe channels now (snapshot fetch and frame checks)."""
    from collections import Counter

    from sqlalchemy import select

    from mudan.domains.video.models import VideoChannel
    from mudan.domains.video.schedule import bucket_channel_ids
    from mudan.domains.video.service import probe_channels

    cfg = settings()
    with runtime(cfg) as rt:
        sessions = rt.sessions
        with sessions() as s:
            if channel:
                ids: list[int] | None = list(
                    s.scalars(select(VideoChannel.id).where(VideoChannel.code.in_(channel)))
                )
            elif bucket is not None:
                ids = bucket_channel_ids(s, bucket=bucket, buckets=cfg.video.probe_buckets)
            elif all_channels:
                ids = None
            else:
                raise typer.BadParameter("give --channel, --bucket or --all")
        with console.status("巡检中…"):
            outcomes = probe_channels(sessions, channel_ids=ids, config=cfg.video)
    counts = Counter(o.result.value for o in outcomes)
    console.print(f"巡检 {len(outcomes)} 路：" + "，".join(f"{k} {v}" for k, v in counts.items()))


@video_app.command("status")
@handle_errors
def status_cmd(
    at: datetime | None = typer.Option(None, help="ISO time with offset (default now)"),
) -> None:
    """Recompute status and today's rates; open repair cases for long outages."""
    from mudan.domains.video.service import refresh

    cfg = settings()
    when = at or utcnow()
    if when.tzinfo is None:
        raise typer.BadParameter("--at needs a UTC offset, e.g. 2024-06-01T10:00:00+08:00")
    with runtime(cfg) as rt, transaction(rt.sessions) as s:
        rep = refresh(s, at=when, config=cfg.video, pm=rt.pm)
    st = rep.status

    def rate(n: int) -> str:
        return f"{100 * n / st.total:.2f}%" if st.total else "—"

    console.print(
        f"{st.total} 路通道：在线 {st.online}（{rate(st.online)}），出图 {st.retrieved}"
        f"（{rate(st.retrieved)}）；在线设备 {st.devices_online}"
    )
    if rep.repairs is not None:
        console.print(f"待派维修 {rep.repairs.due}，已派 {rep.repairs.opened}")


@video_app.command("rates")
@handle_errors
def rates_cmd(
    period: str = typer.Option("", help="YYYY-MM-DD (default latest day) or YYYY-MM"),
    dim: str = typer.Option("district", help="city | district | street | owner"),
) -> None:
    """在线率 and 出图率 by district, street or owner unit."""
    from datetime import date

    from mudan.domains.video.enums import RateDim
    from mudan.domains.video.rates import day_rates, latest_day, month_rates

    d = RateDim(dim)
    with db_session() as s:
        if len(period) == 7:
            rows = month_rates(s, year=int(period[:4]), month=int(period[5:]), dim=d)
        else:
            day = date.fromisoformat(period) if period else latest_day(s)
            rows = day_rates(s, day=day, dim=d) if day else []
    table = Table(dim, "channels", "online", "在线率", "retrieved", "出图率")
    for r in rows:
        table.add_row(
            r.key, str(r.total), str(r.online), f"{r.online_rate}%", str(r.retrieved),
            f"{r.retrieved_rate}%",
        )  # fmt: skip
    console.print(table)


@video_app.command("schedule")
@handle_errors
def schedule_cmd() -> None:
    """Write the daily probe slots and the refresh job to the persistent job store."""
    from mudan.core.scheduler import make_scheduler
    from mudan.domains.video.schedule import sync_schedule

    cfg = settings()
    scheduler = make_scheduler(cfg.database.url)
    scheduler.start(paused=True)
    try:
        rep = sync_schedule(scheduler, buckets=cfg.video.probe_buckets, now=utcnow())
    finally:
        scheduler.shutdown(wait=False)
    console.print(f"巡检时段 {rep.buckets} 个（新增 {rep.added}，移除 {rep.removed}）")


@simulate_video.command("video")
def simulate_video_cmd(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8554),
    stall_s: float = typer.Option(30.0, help="how long stalling cameras take to answer"),
    mudan_url: str = typer.Option("", help="Mudan base URL to send keepalives to"),
    token: str = typer.Option("", help="API token (video.ingest) for the event API"),
    interval: int = typer.Option(60, help="keepalive interval (s)"),
) -> None:
    """Serve simulated camera snapshots; optionally send register/keepalive events."""
    import threading

    import uvicorn

    from mudan.domains.video.simulator import CameraSimulator

    if mudan_url:
        codes = _device_codes()
        thread = threading.Thread(
            target=_keepalive_loop, args=(mudan_url, token, codes, interval), daemon=True
        )
        thread.start()
        console.print(f"保活：{len(codes)} 台设备，每 {interval} 秒")
    console.print(f"摄像机模拟器：http://{host}:{port}/snap/<通道编码>.jpg")
    uvicorn.run(CameraSimulator(stall_s=stall_s).app(), host=host, port=port, log_level="warning")


def _device_codes() -> list[str]:
    from sqlalchemy import select

    from mudan.domains.video.models import VideoDevice

    with db_session() as s:
        return list(s.scalars(select(VideoDevice.code).order_by(VideoDevice.id)))


def _keepalive_loop(url: str, token: str, codes: list[str], interval: int) -> None:
    import time

    import httpx

    from mudan.domains.video.simulator import keepalive_events

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    first = True
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        while True:
            events = keepalive_events(codes, at=utcnow(), register=first, interval_s=interval)
            for lo in range(0, len(events), 5000):
                r = client.post("/api/v1/video/events", json={"events": events[lo : lo + 5000]})
                if r.status_code != 200:
                    console.print(f"[red]events: HTTP {r.status_code}[/red] {r.text[:200]}")
            first = False
            time.sleep(interval)


def attach(app: typer.Typer) -> None:
    """Add ``video`` and, into the shared ``simulate`` group (created if absent), ``video``."""
    app.add_typer(video_app, name="video")
    for group in app.registered_groups:
        if group.name == "simulate" and group.typer_instance is not None:
            group.typer_instance.registered_commands += simulate_video.registered_commands
            return
    app.add_typer(simulate_video, name="simulate")
