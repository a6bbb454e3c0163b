"""The ``Domain`` descriptor: everything a domain adds to the platform, declared in one place.

A domain's ``plugin.py`` holds one ``DOMAIN = Domain(...)``: its routers, navigation entries,
the permissions it grants each role, CLI groups, demo step, periodic jobs, indicators, map
layers, to-do providers and translations. ``make_plugin_manager`` turns the descriptor into the
pluggy hook implementations the core calls, so third-party plugins and built-in domains plug in
the same way (a plugin may still implement hooks by hand).

Code is referenced by ``"module:attribute"`` strings and imported on first use: declaring a
domain imports nothing heavy, and the app, the CLI and the scheduler load only what they call.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

from mudan.hooks import IndicatorSpec, MapLayer, NavEntry, PeriodicJob, TodoProvider, hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from mudan.demo.context import DemoContext


def resolve(ref: str) -> Any:
    """Import ``"package.module:attr"`` and return the attribute."""
    module, _, attr = ref.partition(":")
    if not attr:
        raise ValueError(f"reference {ref!r} is not 'module:attribute'")
    return getattr(importlib.import_module(module), attr)


class Lazy:
    """A callable standing for ``"module:function"``, imported on its first call."""

    def __init__(self, ref: str) -> None:
        module, _, attr = ref.partition(":")
        if not module or not attr:
            raise ValueError(f"reference {ref!r} is not 'module:function'")
        self.ref = ref

    @cached_property
    def target(self) -> Callable[..., Any]:
        fn = resolve(self.ref)
        if not callable(fn):
            raise TypeError(f"{self.ref} is not callable")
        return fn  # type: ignore[no-any-return]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.target(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Lazy({self.ref!r})"


def lazy(ref: str) -> Any:
    """``lazy("mudan.domains.cases.jobs:supervise")``: a callable for a job, layer or indicator
    slot that imports its module only when first called (typed ``Any`` so it fits each slot)."""
    return Lazy(ref)


@dataclass(frozen=True)
class Domain:
    """What one domain plugs into the platform (see the module docstring).

    ``permissions`` maps a role (``Role`` value, e.g. ``"duty_officer"``) to the permissions
    this domain grants it; the kernel's permission table is the union over installed domains.
    ``demo_when`` places the demo step: ``first`` (the org world, which every other domain
    builds on), ``normal``, or ``last`` (steps that need other domains' demo data).

    What the descriptor cannot say (a firstresult hook such as ``mudan_open_task``, a CLI that
    attaches commands to an existing group) stays a hand-written ``@hookimpl`` in the same
    module: both are registered.
    """

    name: str
    package: str
    routers: tuple[str, ...] = ()  # "module:router" references
    templates: bool = False  # the package has a templates/ folder (namespaced by sub-folder)
    translations: bool = False  # the package has i18n/<locale>.json catalogs
    nav: tuple[NavEntry, ...] = ()
    permissions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    cli: tuple[tuple[str, str], ...] = ()  # (command group name, "module:typer_app")
    demo: str | None = None  # "module:function(ctx)"
    demo_when: str = "normal"  # first | normal | last
    jobs: tuple[PeriodicJob, ...] | str = ()  # or "module:function() -> list[PeriodicJob]"
    indicators: str | None = None  # "module:function() -> list[IndicatorSpec]" or a list
    map_layers: tuple[MapLayer, ...] = ()
    todos: str | None = None  # "module:function() -> list[TodoProvider]"

    def plugin(self) -> object:
        """The pluggy plugin object implementing this descriptor's hooks."""
        return _plugin_of(self)


def _list(ref: str | None) -> list[Any]:
    if ref is None:
        return []
    value = resolve(ref)
    return list(value() if callable(value) else value)


def _plugin_of(d: Domain) -> object:
    ns = types.SimpleNamespace()

    if d.routers:

        @hookimpl
        def mudan_routers() -> list[APIRouter]:
            return [resolve(ref) for ref in d.routers]

        ns.mudan_routers = mudan_routers
    if d.templates:

        @hookimpl
        def mudan_template_dirs() -> list[str]:
            return [str(resources.files(d.package).joinpath("templates"))]

        ns.mudan_template_dirs = mudan_template_dirs
    if d.nav:

        @hookimpl
        def mudan_nav_entries() -> list[NavEntry]:
            return list(d.nav)

        ns.mudan_nav_entries = mudan_nav_entries
    if d.indicators:

        @hookimpl
        def mudan_indicators() -> list[IndicatorSpec]:
            return _list(d.indicators)

        ns.mudan_indicators = mudan_indicators
    if d.map_layers:

        @hookimpl
        def mudan_map_layers() -> list[MapLayer]:
            return list(d.map_layers)

        ns.mudan_map_layers = mudan_map_layers
    if d.jobs:

        @hookimpl
        def mudan_periodic_jobs() -> list[PeriodicJob]:
            return _list(d.jobs) if isinstance(d.jobs, str) else list(d.jobs)

        ns.mudan_periodic_jobs = mudan_periodic_jobs
    if d.todos:

        @hookimpl
        def mudan_todos() -> list[TodoProvider]:
            return _list(d.todos)

        ns.mudan_todos = mudan_todos
    if d.cli:

        @hookimpl
        def mudan_cli(app: typer.Typer) -> None:
            for name, ref in d.cli:
                app.add_typer(resolve(ref), name=name)

        ns.mudan_cli = mudan_cli
    if d.demo:
        demo_ref = d.demo

        @hookimpl(tryfirst=d.demo_when == "first", trylast=d.demo_when == "last")
        def mudan_demo(ctx: DemoContext) -> None:
            resolve(demo_ref)(ctx)

        ns.mudan_demo = mudan_demo
    if d.permissions:

        @hookimpl
        def mudan_permissions() -> Mapping[str, frozenset[str]]:
            return d.permissions

        ns.mudan_permissions = mudan_permissions
    return ns
