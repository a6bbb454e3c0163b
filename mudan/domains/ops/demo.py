"""The operations centre's demo data: default screen layouts and the synthetic camera layer."""

from __future__ import annotations

from mudan.demo.context import DemoContext
from mudan.domains.ops.layouts import seed_defaults
from mudan.domains.ops.mapdata import set_demo_points


def build_ops_demo(ctx: DemoContext) -> None:
    seed_defaults(ctx.session)
    set_demo_points(ctx.session, count=ctx.scaled(290_000), seed=ctx.seed)
