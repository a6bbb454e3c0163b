"""``mudan lake sweep``: remove Parquet files that killed loads staged but never committed."""

from __future__ import annotations

import typer

from mudan.cli.common import console, runtime

app = typer.Typer(help="数据湖维护 (lake maintenance)", no_args_is_help=True)


@app.command("sweep")
def sweep(
    dry_run: bool = typer.Option(False, help="list what would go, remove nothing"),
    grace_hours: float = typer.Option(6.0, help="keep files younger than this (running loads)"),
) -> None:
    """Delete staged files no snapshot references (after a SIGKILL mid-load)."""
    from mudan.lake.sweep import sweep_all

    with runtime() as rt:
        reports = sweep_all(rt.lake, grace_s=grace_hours * 3600, dry_run=dry_run)
    files = sum(len(r.removed) for r in reports)
    freed = sum(r.bytes_freed for r in reports) / 1e6
    for r in reports:
        for path in r.removed:
            console.print(f"{'将删除' if dry_run else '已删除'} {r.table}: {path}")
    verb = "可清理" if dry_run else "已清理"
    console.print(f"检查 {len(reports)} 张表，{verb}孤立文件 {files} 个（{freed:.1f} MB）")
