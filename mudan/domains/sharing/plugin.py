"""The sharing domain: share requests and grants, the masked data service, county return
flows (回流) and pushes."""

from __future__ import annotations

from datetime import timedelta

from mudan.domain import Domain, lazy
from mudan.hooks import NavEntry, PeriodicJob

DOMAIN = Domain(
    name="sharing",
    package="mudan.domains.sharing",
    routers=(
        "mudan.domains.sharing.workflow.views:router",
        "mudan.domains.sharing.dataservice.views:router",
        "mudan.domains.sharing.returnflow.views:router",
        "mudan.domains.sharing.workflow.pages:router",
        "mudan.domains.sharing.returnflow.pages:router",
    ),
    templates=True,
    nav=(
        NavEntry("share", "sharing.nav_requests", "/share/requests", "share.read", 10),
        NavEntry("share", "sharing.nav_new", "/share/requests/new", "share.request", 11),
        NavEntry("share", "sharing.nav_inbox", "/share/inbox", "share.approve", 12),
        NavEntry("share", "sharing.nav_grants", "/share/grants", "grant.read", 13),
        NavEntry("share", "sharing.nav_usage", "/share/usage", "grant.read", 14),
        NavEntry("share", "sharing.nav_rates", "/share/rates", "share.read", 15),
        NavEntry("share", "sharing.nav_nodes", "/share/nodes", "returnflow.read", 16),
    ),
    permissions={
        "bureau_operator": frozenset(
            {
                "county.manage",
                "grant.manage",
                "grant.read",
                "returnflow.read",
                "share.approve",
                "share.approve_bureau",
                "share.read",
                "share.request",
            }
        ),
        "data_officer": frozenset({"grant.read", "share.approve", "share.read", "share.request"}),
        "county_operator": frozenset(
            {"grant.read", "returnflow.read", "share.read", "share.request"}
        ),
        "evaluator": frozenset({"share.read"}),
        "system": frozenset({"dataservice.call"}),
    },
    indicators="mudan.domains.sharing.workflow.indicators:specs",
    todos="mudan.domains.sharing.workflow.todos:providers",
    cli=(("share", "mudan.domains.sharing.cli:share"),),
    demo="mudan.domains.sharing.demo:build_sharing",
    demo_when="last",  # after the catalog (and org) demo data exist
    jobs=(
        PeriodicJob(
            "sharing.tick",
            "共享时限、回流与推送",
            timedelta(minutes=5),
            lazy("mudan.domains.sharing.jobs:tick"),
        ),
    ),
)
