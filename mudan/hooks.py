"""Pluggy hook specifications: how domains and scenario plugins plug into the core.

A new domain is a new folder with a ``plugin`` module implementing some of these hooks; the
core never imports a domain directly. Built-in domains are registered the same way as
third-party plugins (which use the ``mudan`` setuptools entry-point group).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from mudan.demo.context import DemoContext

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
class IndicatorSpec:
    code: str
    name: str
    unit: str
    section: str
    target: float | None = None


@dataclass(frozen=True)
class MapLayer:
    code: str
    name: str
    kind: str  # "polygon" | "point"
    url: str


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
)


def make_plugin_manager(
    disabled: list[str] | None = None, extra: list[str] | None = None
) -> pluggy.PluginManager:
    """Built-in plugins, then ``extra`` module names, then the ``mudan`` entry-point group."""
    import importlib

    pm = pluggy.PluginManager("mudan")
    pm.add_hookspecs(MudanSpec)
    for name in (*BUILTIN_PLUGINS, *(extra or ())):
        if (disabled and name in disabled) or pm.has_plugin(name):
            continue
        pm.register(importlib.import_module(name), name=name)
    pm.load_setuptools_entrypoints("mudan")
    return pm


def collect(results: list[list[Any]]) -> list[Any]:
    return [item for chunk in results for item in chunk]
