"""The ingest domain: loads from department sources into the lake, schedules, lineage."""

from __future__ import annotations

from datetime import timedelta

from mudan.domain import Domain, lazy
from mudan.hooks import NavEntry, PeriodicJob

DOMAIN = Domain(
    name="ingest",
    package="mudan.domains.ingest",
    routers=(
        "mudan.domains.ingest.views:router",
        "mudan.domains.ingest.pages:router",
        "mudan.domains.ingest.source_pages:router",
    ),
    templates=True,
    nav=(
        NavEntry("data", "ingest.title", "/ingest", "ingest.read", 20),
        NavEntry("data", "ingest.sources.nav", "/ingest/sources", "ingest.run", 21),
    ),
    permissions={
        "bureau_operator": frozenset({"ingest.read", "ingest.run", "lineage.read"}),
        "data_officer": frozenset({"ingest.read", "ingest.run", "lineage.read"}),
        "county_operator": frozenset({"ingest.read"}),
        "evaluator": frozenset({"ingest.read", "lineage.read"}),
    },
    indicators="mudan.domains.ingest.rates:indicator_specs",
    demo="mudan.domains.ingest.demo:plan_demo_loads",
    demo_when="last",  # after the catalog has registered its 需归集 tables
    cli=(
        ("ingest", "mudan.domains.ingest.cli:ingest_app"),
        ("scheduler", "mudan.domains.ingest.cli:scheduler_app"),
    ),
    jobs=(
        PeriodicJob(
            "ingest.sweep_orphans",
            "清理孤立数据文件",
            timedelta(days=1),
            lazy("mudan.domains.ingest.periodic:sweep_orphans"),
        ),
        PeriodicJob(
            "ingest.sweep_uploads",
            "清理已用完的上传文件",
            timedelta(hours=1),
            lazy("mudan.domains.ingest.periodic:sweep_used_uploads"),
        ),
    ),
    todos="mudan.domains.ingest.todos:providers",
)
