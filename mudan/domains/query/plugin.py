"""The query domain: the SQL console over the lake and derived tables."""

from __future__ import annotations

from datetime import timedelta

from mudan.domain import Domain, lazy
from mudan.hooks import NavEntry, PeriodicJob

DOMAIN = Domain(
    name="query",
    package="mudan.domains.query",
    routers=(
        "mudan.domains.query.views:router",
        "mudan.domains.query.views:pages",
        "mudan.domains.query.derived_views:router",
        "mudan.domains.query.derived_views:pages",
    ),
    templates=True,
    nav=(
        NavEntry("data", "query.title", "/query", "lake.query", 40),
        NavEntry("data", "query.derived.nav", "/query/derived", "lake.query", 41),
    ),
    permissions={
        "bureau_operator": frozenset({"lake.query", "lake.query_all"}),
        "data_officer": frozenset({"lake.query"}),
    },
    jobs=(
        PeriodicJob(
            "query.refresh_derived",
            "刷新派生表",
            timedelta(days=1),
            lazy("mudan.domains.query.jobs:refresh_derived"),
        ),
    ),
)
