"""One runtime per process: the source builds the engine and the lake in one place each, and a
periodic job works on the runtime it is handed (no engine or lake built per job run)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mudan.core import scheduler as core_scheduler
from mudan.core.runtime import Runtime
from mudan.hooks import JobContext, PeriodicJob, hookimpl
from mudan.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*pkg_resources.*:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*utcnow.*:DeprecationWarning"),
]


def _sites(pattern: str) -> set[str]:
    """Files under mudan/ with a line matching ``pattern`` (definitions and comments aside)."""
    rx = re.compile(pattern)
    found = set()
    for path in (ROOT / "mudan").rglob("*.py"):
        for line in path.read_text("utf-8").splitlines():
            code = line.split("#", 1)[0]
            if rx.search(code) and not code.lstrip().startswith(("def ", "class ")):
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_one_construction_site_each() -> None:
    # migrations/env.py: Alembic run with a URL alone (``mudan db upgrade``, a fresh test
    # database) has no runtime yet; handed a connection it uses that one.
    assert _sites(r"\bmake_engine\(") == {"mudan/core/runtime.py", "mudan/migrations/env.py"}
    assert _sites(r"\bmake_sessionmaker\(") == {"mudan/core/runtime.py"}
    assert _sites(r"\bLake\(") == {"mudan/core/runtime.py"}
    # a return-flow target is another organisation's database, not the platform's
    assert _sites(r"\bexternal_engine\(") == {"mudan/domains/sharing/returnflow/targets.py"}
    # no global settings: only the shells read the environment
    assert _sites(r"\bSettings\(\)") == {"mudan/app.py", "mudan/cli/common.py"}


def test_scheduled_callables_need_the_process_runtime() -> None:
    core_scheduler.use_runtime(None)
    with pytest.raises(RuntimeError, match="no runtime"):
        core_scheduler.current_runtime()
    with pytest.raises(RuntimeError, match="no runtime"):
        core_scheduler.run_periodic("quality.mark_overdue")


class _Probe:
    """A plugin whose job records what it was handed."""

    def __init__(self) -> None:
        self.seen: list[JobContext] = []

    @hookimpl
    def mudan_periodic_jobs(self) -> list[PeriodicJob]:
        from datetime import timedelta

        return [PeriodicJob("test.probe", "probe", timedelta(minutes=1), self.seen.append)]


def _no_new_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("a job built an engine or a lake of its own")

    monkeypatch.setattr("mudan.core.db.create_engine", refuse)
    monkeypatch.setattr("mudan.lake.catalog.SqlCatalog", refuse)


def test_a_job_gets_the_runtime(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    probe = _Probe()
    runtime.pm.register(probe, name="test-probe")
    _no_new_engines(monkeypatch)
    assert core_scheduler.run_periodic("test.probe") == "test.probe: None"
    assert core_scheduler.run_periodic("test.probe", runtime=runtime) == "test.probe: None"
    assert [c.runtime for c in probe.seen] == [runtime, runtime]
    assert all(c.settings is runtime.settings for c in probe.seen)


@pytest.mark.parametrize(
    "code", ["sharing.tick", "query.refresh_derived", "iot.flush", "ingest.sweep_orphans"]
)
def test_lake_jobs_run_on_the_runtime(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    """The jobs that used to build their own engine and lake run with neither built anew."""
    assert runtime.lake is runtime.lake  # built once, before the jobs
    _no_new_engines(monkeypatch)
    assert core_scheduler.run_periodic(code).startswith(f"{code}: ")


def test_close_closes_services_and_the_lake(settings: Settings) -> None:
    closed: list[str] = []

    class Service:
        def close(self) -> None:
            closed.append("service")

    with Runtime(settings) as rt:
        assert rt.cached("svc", Service) is rt.cached("svc", Service)
        assert rt.search("probe", ["kind"]) is rt.extras["probe.index"]
        lake = rt.lake
        monkey = lake.close
        lake.close = lambda: (closed.append("lake"), monkey())[0]  # type: ignore[method-assign]
    assert closed == ["service", "lake"]
    assert rt.extras == {}
