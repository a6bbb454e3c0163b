"""The open-data domain: the portal, the CKAN-compatible API, DCAT, applications."""

from __future__ import annotations

from datetime import timedelta

from mudan.domain import Domain, lazy
from mudan.hooks import NavEntry, PeriodicJob

DOMAIN = Domain(
    name="opendata",
    package="mudan.domains.opendata",
    routers=(
        "mudan.domains.opendata.api:router",
        "mudan.domains.opendata.dcat_views:router",
        "mudan.domains.opendata.pages:router",
        "mudan.domains.opendata.staff_pages:router",
    ),
    templates=True,
    nav=(
        NavEntry("share", "opendata.nav_portal", "/open", None, 60),
        NavEntry("share", "opendata.nav_applications", "/open/applications", "opendata.manage", 61),
        NavEntry("share", "opendata.nav_rate", "/open/qualification", "opendata.manage", 62),
    ),
    permissions={
        "bureau_operator": frozenset({"opendata.manage"}),
        "data_officer": frozenset({"opendata.manage"}),
        "citizen": frozenset({"opendata.apply"}),
    },
    indicators="mudan.domains.opendata.indicators:indicator_specs",
    jobs=(
        PeriodicJob(
            "opendata.sync",
            "开放数据同步（目录发布/修订/下架、数据重载）",
            timedelta(minutes=1),
            lazy("mudan.domains.opendata.jobs:sync"),
        ),
    ),
    cli=(("opendata", "mudan.domains.opendata.cli:opendata"),),
    demo="mudan.domains.opendata.demo:build_portal",
    demo_when="last",  # after the catalog (and beside ingest, whose loads go first)
    todos="mudan.domains.opendata.todos:providers",
)
