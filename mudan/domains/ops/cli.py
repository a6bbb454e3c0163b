"""``mudan ops …``: list, export and import big-screen layouts; size the demo map layer."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.table import Table

from mudan.cli.common import console, db_session, err_console, handle_errors
from mudan.core import audit
from mudan.domains.ops import layouts
from mudan.domains.ops.mapdata import set_demo_points
from mudan.domains.ops.schemas import ScreenIn

ops = typer.Typer(help="运行中心：大屏布局与一张图 (big screen and one-map)", no_args_is_help=True)


@ops.command("screens")
@handle_errors
def screens_list() -> None:
    """List the carousel's screens (stored layouts and built-in defaults)."""
    table = Table("code", "title", "order", "dwell s", "panels", "stored", "enabled")
    with db_session() as s:
        for sc in layouts.list_screens(s):
            table.add_row(
                sc.code, sc.title, str(sc.position), str(sc.dwell_s), str(len(sc.panels)),
                "yes" if sc.stored else "default", "yes" if sc.enabled else "no",
            )  # fmt: skip
    console.print(table)


@ops.command("export")
@handle_errors
def screen_export(code: str) -> None:
    """Print one screen's layout as JSON (edit it and load it back with ``import``)."""
    with db_session() as s:
        sc = layouts.get_screen(s, code=code)
    body = sc.model_dump(mode="json", exclude={"stored", "updated_by"})
    for p in body["panels"]:
        p.pop("id", None)
    typer.echo(json.dumps(body, ensure_ascii=False, indent=2))


@ops.command("import")
@handle_errors
def screen_import(path: Path) -> None:
    """Store a screen layout from a JSON file (replaces that screen's panels)."""
    try:
        screen = ScreenIn.model_validate_json(path.read_text("utf-8"))
    except ValidationError as exc:
        err_console.print(f"[red][ops.bad_layout][/red] {exc.errors()[0]['msg']}")
        raise typer.Exit(2) from exc
    with db_session() as s:
        layouts.save_screen(s, screen=screen, actor="cli")
        audit.record(
            s, actor="cli", role="system", action="ops.screen_saved",
            object_type="ops_screen", object_id=screen.code, detail={"panels": len(screen.panels)},
        )  # fmt: skip
    console.print(f"{screen.code}: {len(screen.panels)} panels")


@ops.command("demo-points")
@handle_errors
def demo_points(count: int, seed: int = typer.Option(3717, help="RNG seed")) -> None:
    """Serve COUNT deterministic demo points on the one-map (0 removes the layer's points)."""
    with db_session() as s:
        set_demo_points(s, count=count, seed=seed)
    console.print(f"demo points: {count}")
