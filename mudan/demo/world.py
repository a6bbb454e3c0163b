"""Generate the Heze demo world: migrate, then let every plugin add its part through the hook."""

from __future__ import annotations

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.core.migrate import upgrade
from mudan.core.progress import Reporter
from mudan.demo.context import DemoContext
from mudan.hooks import make_plugin_manager
from mudan.settings import Settings


def generate(settings: Settings, *, seed: int, scale: float, progress: Reporter) -> None:
    """Deterministic for (seed, scale) and idempotent: re-running updates, never duplicates."""
    if scale <= 0 or scale > 10:
        raise ValueError("scale must be in (0, 10]")
    upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            ctx = DemoContext(
                session=session, settings=settings, seed=seed, scale=scale, progress=progress
            )
            pm = make_plugin_manager(settings.plugins_disabled, settings.plugins)
            pm.hook.mudan_demo(ctx=ctx)
        for step in ctx.after_commit:
            step()
    finally:
        engine.dispose()
