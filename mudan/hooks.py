"""Pluggy hook specifications: how domains and scenario plugins plug into the core.

A new domain is a new folder with a ``plugin`` module implementing some of these hooks; the
core never imports a domain directly. Built-in domains are registered the same way as
third-party plugins (which use the ``mudan`` setuptools entry-point group).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from sqlalchemy.orm import Session

    from mudan.core.runtime import Runtime
    from mudan.demo.context import DemoContext
    from mudan.kernel.rbac import Principal
    from mudan.settings import Settings

hookspec = pluggy.HookspecMarker("mudan")
hookimpl = pluggy.HookimplMarker("mudan")


@dataclass(frozen=True)
class NavEntry:
    """A navigation entry on the home page and the top bar. ``label`` is an i18n key."""

    section: str
    label: str
    href: str
    permission: str | None = None
    order: int = 100


@dataclass(frozen=True)
class MetricValue:
    """One value of a platform metric for one region (``3717`` is the whole city)."""

    region_code: str
    value: float | None  # None: the domain has no data for this region (never a made-up 0)
    numerator: float | None = None  # for rates: what was counted …
    denominator: float | None = None  # … out of how many


@dataclass(frozen=True)
class IndicatorSpec:
    """A platform metric a domain offers the indicator centre.

    ``name`` is the Chinese display name (indicator definitions are data, not UI chrome).
    ``compute(session, day)`` returns values for the city and whichever regions the domain can
    break down; rates are percentages (0–100) and carry numerator and denominator.
    """

    code: str
    name: str
    unit: str
    section: str  # data | share | open | sense | govern | service | environment
    target: float | None = None
    higher_is_better: bool = True
    compute: Callable[[Session, date], list[MetricValue]] | None = None


@dataclass(frozen=True)
class MapPoints:
    """Column-oriented points of one layer (290,000 cameras must not be 290,000 objects)."""

    ids: list[str]
    lons: list[float]
    lats: list[float]
    labels: list[str] | None = None


@dataclass(frozen=True)
class MapLayer:
    """A one-map layer. ``permission`` is what its own domain asks for the same objects (e.g.
    ``iot.read``): a caller without it does not see the layer and gets 403 on its data.

    ``points(session, principal)`` returns only the points the principal may see, scoped
    exactly as the domain's own list endpoint scopes them. The one-map caches point sets per
    layer and scope, so a source must depend on the principal only through its scope (its
    ``scope_paths``, ``department_ids`` and whether it holds ``*``), and a scope holding the
    city root sees every point. ``scoped=False`` declares points that are the same for every
    caller allowed to see the layer (one cached copy).
    """

    code: str
    name: str
    kind: str  # "polygon" | "point"
    url: str
    permission: str
    points: Callable[[Session, Principal], MapPoints] | None = None  # point layers
    detail_href: str = ""  # page of one object, e.g. "/video/channels/{id}"
    scoped: bool = True


@dataclass(frozen=True)
class AlertSignal:
    """Something a domain noticed that the operations centre should alert on.

    ``source`` names the rule (e.g. ``iot.threshold``); ``dedup_key`` makes repeats of the same
    condition update one open alert instead of raising new ones.
    """

    source: str
    level: str  # blue | yellow | orange | red (蓝/黄/橙/红)
    title: str
    dedup_key: str
    region_code: str | None = None
    detail: str = ""
    object_ref: str = ""  # e.g. "iot.device:371702-AQ-0001" or "video.channel:<code>"
    lon: float | None = None
    lat: float | None = None
    observed_at: datetime | None = None


@dataclass(frozen=True)
class TaskRequest:
    """Work handed to a department as a case (alert hand-off, camera repair …)."""

    source: str  # e.g. "alert", "video.repair"
    title: str
    description: str
    category_code: str | None = None
    department_code: str | None = None
    region_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    object_ref: str = ""
    idempotency_key: str = ""


@dataclass(frozen=True)
class JobContext:
    """What a periodic job gets: settings, a session in its own transaction, "now", and the
    scheduler process's one runtime (``runtime.sessions`` for work in further transactions,
    ``runtime.lake``, ``runtime.pm``): a job never builds an engine or a lake."""

    settings: Settings
    session: Session
    now: datetime
    runtime: Runtime


@dataclass(frozen=True)
class PeriodicJob:
    """Work the scheduler runs every ``interval`` (``code`` is unique, e.g. ``quality.overdue``).

    ``run`` must be idempotent (a coalesced or repeated run does no harm) and never commit.
    """

    code: str
    name: str
    interval: timedelta
    run: Callable[[JobContext], object]


@dataclass(frozen=True)
class Todo:
    """One line of a user's pending work on the workbench (首页工作台「我的待办」).

    ``label`` is an i18n key (``params`` fill its placeholders); ``href`` is the page that
    lists exactly these items (with its filters in the query string where the page has them);
    ``overdue`` says how many of the ``count`` items are past their deadline (0 for a todo that
    is itself a list of overdue items: its label says so).
    """

    code: str  # e.g. "sharing.provider_review"
    label: str
    count: int
    href: str
    severity: str = "info"  # info | warn | danger
    overdue: int = 0
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class TodoProvider:
    """A domain's source of pending work. The workbench calls ``todos(session, principal)``
    only for a signed-in principal holding ``permission``; it must return only items in the
    principal's scope (the domain's own scope rules, as its list page applies them), cost one or
    two COUNT queries, never load rows, and never commit. Todos with a zero count are hidden."""

    code: str
    section: (
        str  # a platform section: data | share | sense | govern | ops | serve | evaluate | admin
    )
    permission: str
    todos: Callable[[Session, Principal], list[Todo]]
    order: int = 100


@dataclass(frozen=True)
class HealthCheck:
    name: str
    check: Callable[[], tuple[bool, str]]
    extra: dict[str, Any] = field(default_factory=dict)


class MudanSpec:
    @hookspec
    def mudan_routers(self) -> list[APIRouter]:  # type: ignore[empty-body]
        """API and page routers this plugin serves."""

    @hookspec
    def mudan_template_dirs(self) -> list[str]:  # type: ignore[empty-body]
        """Folders of Jinja2 templates (namespaced by a sub-folder, e.g. ``org/``)."""

    @hookspec
    def mudan_nav_entries(self) -> list[NavEntry]:  # type: ignore[empty-body]
        """Navigation entries, grouped by platform section."""

    @hookspec
    def mudan_indicators(self) -> list[IndicatorSpec]:  # type: ignore[empty-body]
        """Indicators this domain can provide to the indicator centre."""

    @hookspec
    def mudan_map_layers(self) -> list[MapLayer]:  # type: ignore[empty-body]
        """Layers for the one-map."""

    @hookspec(firstresult=True)
    def mudan_raise_alert(self, session: Session, signal: AlertSignal) -> int | None:
        """Record an alert in the operations centre (the indicators domain implements this).

        Returns the alert id, or None when no alert domain is installed. Never commits.
        """

    @hookspec(firstresult=True)
    def mudan_open_task(self, session: Session, task: TaskRequest) -> str | None:
        """Open a case for a department (the cases domain implements this); returns its number."""

    @hookspec
    def mudan_periodic_jobs(self) -> list[PeriodicJob]:  # type: ignore[empty-body]
        """Periodic work for ``mudan scheduler run`` (reminders, overdue marks, computations)."""

    @hookspec
    def mudan_todos(self) -> list[TodoProvider]:  # type: ignore[empty-body]
        """Sources of "my pending work" for the home page workbench and ``/api/v1/workbench``."""

    @hookspec
    def mudan_permissions(self) -> Mapping[str, frozenset[str]]:  # type: ignore[empty-body]
        """The permissions this plugin grants each role (``{role value: permissions}``)."""

    @hookspec
    def mudan_cli(self, app: typer.Typer) -> None:
        """Add command groups to the ``mudan`` CLI."""

    @hookspec
    def mudan_demo(self, ctx: DemoContext) -> None:
        """Add this domain's demo data to the Heze demo world (must be idempotent)."""


BUILTIN_PLUGINS = (
    "mudan.web.plugin",
    "mudan.domains.org.plugin",
    "mudan.domains.audit.plugin",
    "mudan.domains.catalog.plugin",
    "mudan.domains.quality.plugin",
    "mudan.domains.ingest.plugin",
    "mudan.domains.query.plugin",
    "mudan.domains.sharing.plugin",
    "mudan.domains.opendata.plugin",
    "mudan.domains.indicators.plugin",
    "mudan.domains.ops.plugin",
    "mudan.domains.iot.plugin",
    "mudan.domains.video.plugin",
    "mudan.domains.cases.plugin",
    "mudan.domains.emergency.plugin",
)


def make_plugin_manager(
    disabled: list[str] | None = None, extra: list[str] | None = None
) -> pluggy.PluginManager:
    """Built-in plugins, then ``extra`` module names, then the ``mudan`` entry-point group.

    A plugin module declaring ``DOMAIN = Domain(...)`` (``mudan.domain``) is registered as the
    descriptor's hook implementations, beside any hooks the module implements by hand.
    """
    import importlib

    from mudan.core.permissions import add_grants

    pm = pluggy.PluginManager("mudan")
    pm.add_hookspecs(MudanSpec)
    for name in (*BUILTIN_PLUGINS, *(extra or ())):
        if (disabled and name in disabled) or pm.has_plugin(name):
            continue
        _register_domain(pm, importlib.import_module(name), name)
    pm.load_setuptools_entrypoints("mudan")
    for name, plugin in list(pm.list_name_plugin()):  # entry-point plugins declaring a DOMAIN
        if not name.endswith(":domain") and not pm.has_plugin(name + ":domain"):
            _register_domain(pm, plugin, name, registered=True)
    add_grants(pm.hook.mudan_permissions())
    return pm


def collect(results: list[list[Any]]) -> list[Any]:
    return [item for chunk in results for item in chunk]


def _register_domain(
    pm: pluggy.PluginManager, module: Any, name: str, *, registered: bool = False
) -> None:
    # The descriptor's hooks go right after their module, so hook call order (pluggy calls the
    # last registered first) is the registration order, as for hand-written modules.
    if not registered:
        pm.register(module, name=name)
    domain = getattr(module, "DOMAIN", None)
    if domain is not None:
        pm.register(domain.plugin(), name=name + ":domain")
