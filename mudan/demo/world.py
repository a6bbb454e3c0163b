"""Generate the Heze demo world: migrate, then let every plugin add its part through the hook."""

from __future__ import annotations

from mudan.core.db import transaction
from mudan.core.migrate import upgrade
from mudan.core.progress import Reporter
from mudan.core.runtime import Runtime
from mudan.demo.context import DemoContext


def generate(runtime: Runtime, *, seed: int, scale: float, progress: Reporter) -> None:
    """Deterministic for (seed, scale) and idempotent: re-running updates, never duplicates."""
    if scale <= 0 or scale > 10:
        raise ValueError("scale must be in (0, 10]")
    upgrade(runtime.settings.database.url)
    with transaction(runtime.sessions) as session:
        ctx = DemoContext(
            session=session, runtime=runtime, seed=seed, scale=scale, progress=progress
        )
        runtime.pm.hook.mudan_demo(ctx=ctx)
    for step in ctx.after_commit:
        step()
