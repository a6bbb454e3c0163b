"""The catalog domain: the government data catalog (目录), its API, pages, CLI and demo."""

from __future__ import annotations

from mudan.domain import Domain
from mudan.hooks import NavEntry

DOMAIN = Domain(
    name="catalog",
    package="mudan.domains.catalog",
    routers=("mudan.domains.catalog.views:router", "mudan.domains.catalog.pages:router"),
    templates=True,
    nav=(NavEntry("data", "catalog.nav", "/catalog", "catalog.read", 10),),
    cli=(("catalog", "mudan.domains.catalog.cli:catalog"),),
    demo="mudan.domains.catalog.demo:build_catalog",
    todos="mudan.domains.catalog.todos:providers",
)
