"""The audit domain: the tamper-evident log's viewer, API and CLI."""

from __future__ import annotations

from mudan.domain import Domain
from mudan.hooks import NavEntry

DOMAIN = Domain(
    name="audit",
    package="mudan.domains.audit",
    routers=("mudan.domains.audit.views:router", "mudan.domains.audit.views:pages"),
    templates=True,
    nav=(NavEntry("admin", "ui.audit", "/audit", "audit.read", 40),),
    cli=(("audit", "mudan.domains.audit.cli:app"),),
)
