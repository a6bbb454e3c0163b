"""The cases domain's periodic jobs: 督办 escalation and the photo-file sweep."""

from __future__ import annotations

from mudan.domains.cases.escalation import supervise
from mudan.domains.cases.photofiles import sweep
from mudan.hooks import JobContext


def run_supervision(ctx: JobContext) -> int:
    return len(supervise(ctx.session, now=ctx.now))


def photo_sweep(ctx: JobContext) -> int:
    return sweep(ctx.session, var_dir=ctx.settings.var_dir)
