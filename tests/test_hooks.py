from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from mudan.app import create_app
from mudan.core.progress import NullReporter
from mudan.core.runtime import Runtime
from mudan.demo.world import generate
from mudan.hooks import collect, make_plugin_manager
from mudan.settings import Settings
from tests import sample_plugin
from tests.conftest import _settings, login_token


def test_plugin_adds_route_nav_indicator_and_todos(settings: Settings) -> None:
    cfg = settings.model_copy(update={"plugins": ["tests.sample_plugin"]})
    with TestClient(create_app(cfg)) as c:
        assert c.get("/api/v1/sample/hello").status_code == 401  # deny by default applies
        h = {"Authorization": f"Bearer {login_token(c, 'admin')}"}
        assert c.get("/api/v1/sample/hello", headers=h).json() == {"hello": "admin"}
        pm = c.app.state.ctx.pm  # type: ignore[attr-defined]
        codes = {i.code for i in collect(pm.hook.mudan_indicators())}
        assert "sample.count" in codes
        # a provider is all it takes to appear on the workbench of those allowed to see it
        todos = c.get("/api/v1/workbench", headers=h).json()["todos"]
        assert {"code": "sample.waiting", "section": "serve", "count": 3}.items() <= next(
            t for t in todos if t["code"] == "sample.waiting"
        ).items()
        assert 'data-code="sample.waiting"' in c.get("/", headers=h).text
        grid = {"Authorization": f"Bearer {login_token(c, 'wangge')}"}  # no org.read
        assert "sample.waiting" not in {
            t["code"] for t in c.get("/api/v1/workbench", headers=grid).json()["todos"]
        }


def test_plugin_demo_hook_runs_after_org(empty_db_url: str, tmp_path: Path) -> None:
    cfg = _settings(empty_db_url, tmp_path).model_copy(update={"plugins": ["tests.sample_plugin"]})
    sample_plugin.DEMO_CALLS.clear()
    with Runtime(cfg) as rt:
        generate(rt, seed=1, scale=0.01, progress=NullReporter())
    assert sample_plugin.DEMO_CALLS == [0.01]


def test_builtin_domains_use_the_same_hooks() -> None:
    pm = make_plugin_manager()
    layers = {layer.code for layer in collect(pm.hook.mudan_map_layers())}
    assert {"districts", "streets", "grids"} <= layers
    nav = {e.href for e in collect(pm.hook.mudan_nav_entries())}
    assert {"/admin/regions", "/admin/users", "/audit"} <= nav
