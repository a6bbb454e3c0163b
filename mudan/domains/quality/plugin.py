"""The quality domain: rules, quarantine and correction tickets back to the source."""

from __future__ import annotations

from datetime import timedelta

from mudan.domain import Domain, lazy
from mudan.hooks import NavEntry, PeriodicJob

DOMAIN = Domain(
    name="quality",
    package="mudan.domains.quality",
    routers=("mudan.domains.quality.views:router", "mudan.domains.quality.pages:router"),
    templates=True,
    nav=(
        NavEntry("data", "quality.nav_quarantine", "/quality/quarantine", "quality.read", 40),
        NavEntry("data", "quality.nav_tickets", "/quality/tickets", "quality.read", 41),
        NavEntry("data", "quality.nav_rules", "/quality/rules", "quality.read", 42),
    ),
    permissions={
        "bureau_operator": frozenset({"quality.manage", "quality.read"}),
        "data_officer": frozenset({"quality.manage", "quality.read"}),
        "evaluator": frozenset({"quality.read"}),
    },
    cli=(("quality", "mudan.domains.quality.cli:quality"),),
    jobs=(
        PeriodicJob(
            "quality.mark_overdue",
            "标记超期纠错工单",
            timedelta(minutes=30),
            lazy("mudan.domains.quality.jobs:mark_tickets_overdue"),
        ),
    ),
    todos="mudan.domains.quality.todos:providers",
)
