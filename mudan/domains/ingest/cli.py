"""``mudan ingest run-source ID`` and ``mudan scheduler run``."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

from mudan.cli.common import console, handle_errors, runtime
from mudan.core.runtime import Runtime

ingest_app = typer.Typer(help="数据归集 (ingest)", no_args_is_help=True)
scheduler_app = typer.Typer(help="定时抽取调度 (pull scheduler)", no_args_is_help=True)


@ingest_app.command("run-source")
@handle_errors
def run_source_cmd(source_id: int) -> None:
    """Pull one registered source now and load it into its table."""
    from mudan.domains.ingest import schedule
    from mudan.domains.ingest.jobs import get_job

    with runtime() as rt:
        job_id = schedule.run_source(source_id, runtime=rt)
        with rt.sessions() as s:
            job = get_job(s, job_id=job_id)
            console.print(job.log.rstrip())
            status, rows = job.status, job.rows_written
    console.print(f"任务 {job_id}: {status}（写入 {rows} 行）")
    if status != "succeeded":
        raise typer.Exit(1)


@scheduler_app.command("run")
@handle_errors
def scheduler_run(
    resync_seconds: int = typer.Option(60, help="re-read the sources table this often"),
) -> None:
    """Run the scheduler (pulls and periodic jobs) until Ctrl-C (one process per deployment)."""
    with runtime() as rt:
        _run(rt, resync_seconds)


def _run(rt: Runtime, resync_seconds: int) -> None:
    """The scheduler process: its one runtime serves every stored callable and periodic job."""
    from mudan.core import scheduler as core_scheduler
    from mudan.core.db import transaction
    from mudan.domains.ingest import schedule

    core_scheduler.use_runtime(rt)
    sessions = rt.sessions
    scheduler = core_scheduler.make_scheduler(rt.settings.database.url)
    scheduler.start()
    periodic = core_scheduler.sync_periodic(scheduler, rt.pm)
    console.print(f"周期任务：{', '.join(sorted(periodic)) or '无变化'}")
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stop.is_set():
            with transaction(sessions) as s:
                report = schedule.sync_schedule(scheduler, s)
            if report.added or report.updated or report.removed:
                console.print(
                    f"调度已同步：新增 {report.added} 更新 {report.updated} 移除 {report.removed}"
                )
            stop.wait(resync_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown()
        core_scheduler.use_runtime(None)
