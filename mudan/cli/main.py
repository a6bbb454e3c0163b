"""The ``mudan`` command. Core commands live here; domains add theirs through ``mudan_cli``."""

from __future__ import annotations

import typer

from mudan.cli.backup import backup, restore
from mudan.cli.common import console, runtime, settings
from mudan.cli.ids import app as ids_app
from mudan.cli.lake import app as lake_app
from mudan.hooks import make_plugin_manager

db_app = typer.Typer(help="数据库 (database)", no_args_is_help=True)
auth_app = typer.Typer(help="签名密钥 (signing keys)", no_args_is_help=True)


@auth_app.command("rotate-key")
def auth_rotate_key() -> None:
    """Start signing with a new key; sessions signed with the last 3 keys stay valid."""
    from mudan.core.errors import MudanError
    from mudan.core.secrets import rotate

    try:
        path = rotate(settings())
    except MudanError as exc:
        console.print(f"[red]{exc.message()}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"已生成新的签名密钥（{path}）：重启 Web 进程后生效，已登录的会话不受影响。")


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply Alembic migrations to MUDAN_DATABASE__URL."""
    from mudan.core.migrate import upgrade

    cfg = settings()
    upgrade(cfg.database.url, revision)
    console.print(f"数据库已迁移到 {revision}")


def serve(
    host: str | None = typer.Option(None),
    port: int | None = typer.Option(None),
    reload: bool = typer.Option(False),
) -> None:
    """Serve the web app and API (uvicorn)."""
    import uvicorn

    from mudan.cli.common import db_session
    from mudan.domains.ingest.jobs import mark_interrupted

    cfg = settings()
    with db_session(cfg) as s:  # jobs a previous process left running can never finish now
        stale = mark_interrupted(s)
    if stale:
        console.print(f"{stale} 个未完成的加载任务已标记为中断，可在“数据归集”页面重试。")
    console.print(f"Mudan 城市大脑: http://{host or cfg.web.host}:{port or cfg.web.port}/")
    uvicorn.run(
        "mudan.app:create_app",
        factory=True,
        host=host or cfg.web.host,
        port=port or cfg.web.port,
        reload=reload,
        log_level="warning",
        # X-Forwarded-For is believed only from the proxies the operator lists.
        proxy_headers=bool(cfg.web.forwarded_allow_ips),
        forwarded_allow_ips=cfg.web.forwarded_allow_ips or None,
    )


def demo(
    scale: float = typer.Option(0.05, help="1 = Heze's real sizes; small values for laptops"),
    seed: int = typer.Option(3717, help="RNG seed; same seed, same world"),
) -> None:
    """Migrate and generate the deterministic Heze demo world (idempotent)."""
    from mudan.core.progress import RichReporter
    from mudan.demo.world import generate
    from mudan.domains.org.demo import DEMO_PASSWORD

    with RichReporter() as reporter, runtime() as rt:
        generate(rt, seed=seed, scale=scale, progress=reporter)
    console.print(
        f"演示数据已生成（seed={seed}, scale={scale}）。演示登录：admin / {DEMO_PASSWORD}"
    )


def build() -> typer.Typer:
    app = typer.Typer(help="Mudan 牡丹 城市大脑", no_args_is_help=True, add_completion=False)
    app.command("serve")(serve)
    app.command("demo")(demo)
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.add_typer(db_app, name="db")
    app.add_typer(auth_app, name="auth")
    app.add_typer(ids_app, name="ids")
    app.add_typer(lake_app, name="lake")
    make_plugin_manager().hook.mudan_cli(app=app)
    return app


def main() -> None:
    build()()
