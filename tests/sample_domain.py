"""A third-party domain written as a ``Domain`` descriptor (the way built-in domains are)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from mudan.domain import Domain, lazy
from mudan.hooks import JobContext, NavEntry, PeriodicJob
from mudan.kernel.deps import CurrentPrincipal, require

router = APIRouter(prefix="/api/v1/sample-domain", tags=["sample"])
JOB_RUNS: list[str] = []


@router.get("/hello", dependencies=[require("sample.read")])
def sample_domain_hello(principal: CurrentPrincipal) -> dict[str, str]:
    return {"hello": principal.username}


def tick(ctx: JobContext) -> str:
    JOB_RUNS.append(ctx.now.isoformat())
    return "ticked"


DOMAIN = Domain(
    name="sample",
    package="tests",
    routers=("tests.sample_domain:router",),
    nav=(NavEntry("serve", "一件事示例", "/api/v1/sample-domain/hello", "sample.read"),),
    permissions={"grid_worker": frozenset({"sample.read"})},
    jobs=(
        PeriodicJob(
            "sample.tick", "示例任务", timedelta(hours=1), lazy("tests.sample_domain:tick")
        ),
    ),
)
