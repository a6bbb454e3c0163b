"""The cases domain: 12345/grid events through 受理→派遣→处置→核查→结案, Open311, pages."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from mudan.domain import Domain, lazy
from mudan.hooks import MapLayer, NavEntry, PeriodicJob, TaskRequest, hookimpl

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DOMAIN = Domain(
    name="cases",
    package="mudan.domains.cases",
    routers=(
        "mudan.domains.cases.views:router",
        "mudan.domains.cases.open311:router",
        "mudan.domains.cases.pages:router",
    ),
    templates=True,
    nav=(
        NavEntry("govern", "cases.nav_intake", "/cases/intake", "cases.intake", 10),
        NavEntry("govern", "cases.nav_board", "/cases/board", "cases.dispatch", 11),
        NavEntry("govern", "cases.nav_mobile", "/cases/mobile", "cases.handle", 12),
        NavEntry("govern", "cases.nav_supervise", "/cases/supervise", "cases.read", 13),
    ),
    permissions={
        "county_operator": frozenset({"cases.read"}),
        "duty_officer": frozenset(
            {"cases.dispatch", "cases.intake", "cases.read", "cases.supervise"}
        ),
        "grid_worker": frozenset({"cases.handle", "cases.intake", "cases.read"}),
        "evaluator": frozenset({"cases.read"}),
        "call_taker": frozenset({"cases.intake", "cases.pii", "cases.read"}),
        "dispatcher": frozenset(
            {"cases.dispatch", "cases.intake", "cases.pii", "cases.read", "cases.supervise"}
        ),
        "handler": frozenset({"cases.handle", "cases.read"}),
    },
    indicators="mudan.domains.cases.assess:INDICATORS",
    map_layers=(
        MapLayer(
            "cases.open",
            "cases.layer_open",
            "point",
            "/api/v1/cases/map/open",
            "cases.read",
            points=lazy("mudan.domains.cases.assess:open_points"),
            detail_href="/cases/{id}",
        ),
    ),
    todos="mudan.domains.cases.todos:providers",
    cli=(("cases", "mudan.domains.cases.cli:cases"),),
    demo="mudan.domains.cases.demo:build_cases_demo",
    # 督办 every 10 minutes: escalations at 80 %/100 %/200 % of the limit (idempotent: a case
    # is escalated once per rung). Hourly: photo files a crash left half-stored.
    jobs=(
        PeriodicJob(
            "cases.supervise",
            "事件督办",
            timedelta(minutes=10),
            lazy("mudan.domains.cases.jobs:run_supervision"),
        ),
        PeriodicJob(
            "cases.photo_sweep",
            "事件照片整理",
            timedelta(hours=1),
            lazy("mudan.domains.cases.jobs:photo_sweep"),
        ),
    ),
)


@hookimpl
def mudan_open_task(session: Session, task: TaskRequest) -> str | None:
    from mudan.domains.cases.service import open_task

    return open_task(session, task=task)
