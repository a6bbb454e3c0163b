"""The emergency domain: incidents, plans, resources, duty roster and 信息报送."""

from __future__ import annotations

from datetime import timedelta

from mudan.domain import Domain, lazy
from mudan.hooks import NavEntry, PeriodicJob

DOMAIN = Domain(
    name="emergency",
    package="mudan.domains.emergency",
    routers=(  # the forms first: /emergency/plans/new is not a plan id
        "mudan.domains.emergency.views:router",
        "mudan.domains.emergency.edit_pages:router",
        "mudan.domains.emergency.pages:router",
    ),
    templates=True,
    nav=(
        NavEntry("govern", "emergency.nav_incidents", "/emergency/incidents", "emergency.read", 60),
        NavEntry("govern", "emergency.nav_plans", "/emergency/plans", "emergency.read", 61),
        NavEntry("govern", "emergency.nav_resources", "/emergency/resources", "emergency.read", 62),
        NavEntry("govern", "emergency.nav_duty", "/emergency/duty", "emergency.read", 63),
        NavEntry("govern", "emergency.nav_inbox", "/emergency/inbox", None, 64),
    ),
    permissions={
        "county_operator": frozenset({"emergency.read"}),
        "duty_officer": frozenset({"emergency.command", "emergency.read"}),
        "evaluator": frozenset({"emergency.read"}),
        "dispatcher": frozenset({"emergency.command", "emergency.read"}),
    },
    cli=(("emergency", "mudan.domains.emergency.cli:emergency"),),
    demo="mudan.domains.emergency.demo:build_emergency_world",
    indicators="mudan.domains.emergency.indicators:specs",
    map_layers="mudan.domains.emergency.indicators:layers",
    # 信息报送: mark reports past their deadline every 5 minutes (each marked once)
    jobs=(
        PeriodicJob(
            "emergency.mark_overdue",
            "信息报送超时标记",
            timedelta(minutes=5),
            lazy("mudan.domains.emergency.jobs:mark_reports_overdue"),
        ),
    ),
    todos="mudan.domains.emergency.todos:providers",
)
