"""The adapter to the indicators service: lazy import, shape tolerance, "not installed"."""

from __future__ import annotations

import sys
import types
from datetime import date

import pytest

from mudan.domains.ops import sources
from mudan.domains.ops.sources import ServiceSource, source_for


def test_missing_indicators_service_means_no_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, sources.INDICATORS_SERVICE, None)  # import fails
    assert source_for({}) is None


def test_service_module_is_adapted(monkeypatch: pytest.MonkeyPatch) -> None:
    mod = types.ModuleType(sources.INDICATORS_SERVICE)
    row = types.SimpleNamespace(code="env.aqi", value=81, name="AQI", unit="", target=100)
    mod.latest_values = lambda s, *, codes, region_code: [row]  # type: ignore[attr-defined]
    mod.series = lambda s, *, code, region_code, since: [  # type: ignore[attr-defined]
        {"day": date(2026, 5, 1), "value": 3},
        (date(2026, 5, 2), None),
    ]
    alert = {"id": 7, "level": "red", "title": "x", "region_code": "371702", "status": "open"}
    mod.alerts_since = lambda s, *, after_id, limit: [alert] if after_id < 7 else []  # type: ignore[attr-defined]
    mod.open_alerts = lambda s, *, region_code: [alert]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, sources.INDICATORS_SERVICE, mod)
    src = source_for({})
    assert isinstance(src, ServiceSource)
    got = src.latest_values(None, codes=["env.aqi"], region_code="3717")  # type: ignore[arg-type]
    assert got["env.aqi"].value == 81.0 and got["env.aqi"].target == 100.0
    assert src.series(None, code="env.aqi", region_code="3717", since=date(2026, 5, 1)) == [  # type: ignore[arg-type]
        ("2026-05-01", 3.0),
        ("2026-05-02", None),
    ]
    assert sources.latest_alert_id(src, None) == 7  # type: ignore[arg-type]
    assert src.open_alerts(None, region_code="3717")[0].event()["level"] == "red"  # type: ignore[arg-type]


def test_incomplete_service_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    mod = types.ModuleType(sources.INDICATORS_SERVICE)
    mod.latest_values = lambda *a, **k: {}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, sources.INDICATORS_SERVICE, mod)
    assert source_for({}) is None


def test_plugged_source_wins() -> None:
    marker = object()
    extras: dict[str, object] = {}
    sources.use_source(extras, marker)  # type: ignore[arg-type]
    assert source_for(extras) is marker
    sources.use_source(extras, None)
    assert extras == {}
