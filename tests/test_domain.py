"""The ``Domain`` descriptor: built-in domains and a third-party one plug in through it."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import pytest
import typer
from fastapi import APIRouter
from fastapi.testclient import TestClient

from mudan.app import create_app
from mudan.domain import Domain, Lazy, resolve
from mudan.hooks import BUILTIN_PLUGINS, JobContext, collect, make_plugin_manager
from mudan.settings import Settings
from tests import sample_domain
from tests.conftest import login_token


def _domains() -> list[Domain]:
    import importlib

    found = [getattr(importlib.import_module(m), "DOMAIN", None) for m in BUILTIN_PLUGINS]
    return [d for d in found if d is not None]


def test_every_reference_of_every_builtin_domain_resolves() -> None:
    domains = _domains()
    assert domains, "no built-in domain declares DOMAIN"
    for d in domains:
        for ref in d.routers:
            assert isinstance(resolve(ref), APIRouter), ref
        for _name, ref in d.cli:
            assert isinstance(resolve(ref), typer.Typer), ref
        if d.templates:
            assert resources.files(d.package).joinpath("templates").is_dir(), d.name
        for ref in (d.demo, d.indicators, d.todos):
            if ref is not None:
                assert resolve(ref) is not None, ref
        for job in resolve(d.jobs)() if isinstance(d.jobs, str) else d.jobs:
            if isinstance(job.run, Lazy):
                assert callable(job.run.target), job.code
        for layer in d.map_layers:
            if isinstance(layer.points, Lazy):
                assert callable(layer.points.target), layer.code


def test_a_bad_reference_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="not 'module:function'"):
        Lazy("mudan.domains.cases.jobs")
    with pytest.raises(AttributeError):
        resolve("mudan.domain:no_such_thing")


def test_third_party_domain_adds_routes_nav_jobs_and_permissions(settings: Settings) -> None:
    cfg = settings.model_copy(update={"plugins": ["tests.sample_domain"]})
    with TestClient(create_app(cfg)) as c:
        url = "/api/v1/sample-domain/hello"
        assert c.get(url).status_code == 401  # deny by default applies to descriptor routes
        grid = {"Authorization": f"Bearer {login_token(c, 'wangge')}"}
        assert c.get(url, headers=grid).json() == {"hello": "wangge"}  # granted by the domain
        clerk = {"Authorization": f"Bearer {login_token(c, 'kaohe')}"}  # not granted
        assert c.get(url, headers=clerk).status_code == 403
        pm = c.app.state.ctx.pm  # type: ignore[attr-defined]
        assert url in {e.href for e in collect(pm.hook.mudan_nav_entries())}
        jobs = {j.code: j for j in collect(pm.hook.mudan_periodic_jobs())}
        sample_domain.JOB_RUNS.clear()
        now = datetime(2026, 12, 7, tzinfo=UTC)
        runtime = c.app.state.ctx.runtime  # type: ignore[attr-defined]
        with runtime.sessions() as session:
            ctx = JobContext(settings=cfg, session=session, now=now, runtime=runtime)
            assert jobs["sample.tick"].run(ctx) == "ticked"
        runs = sample_domain.JOB_RUNS
        assert runs == [now.isoformat()]


def test_descriptor_hooks_keep_registration_order() -> None:
    pm = make_plugin_manager(extra=["tests.sample_domain"])
    names = [n for n, _ in pm.list_name_plugin()]
    assert names.index("mudan.domains.audit.plugin:domain") == (
        names.index("mudan.domains.audit.plugin") + 1
    )
    assert "tests.sample_domain:domain" in names
