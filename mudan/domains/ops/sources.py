"""Where the big screen's numbers come from, behind one small typed interface.

Indicator values and alerts belong to the indicators domain (``mudan.domains.indicators.service``
with ``latest_values``, ``series``, ``alerts_since`` and ``open_alerts``). It is imported lazily:
when it is not installed every indicator panel says so instead of showing a number. Tests plug
their own source in with ``use_source``. The data platform's own figures (catalog entries,
aggregated tables and rows, quality) are read from the catalog and quality services directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import ModuleType
from typing import Any, Protocol

from sqlalchemy.orm import Session

INDICATORS_SERVICE = "mudan.domains.indicators.service"
_NEEDED = ("latest_values", "series", "alerts_since", "open_alerts")
_EXTRA_KEY = "ops.indicator_source"


@dataclass(frozen=True)
class IndicatorValue:
    code: str
    value: float | None  # None: the indicator has no data source yet (never a made-up 0)
    name: str = ""
    unit: str = ""
    target: float | None = None
    at: str | None = None


@dataclass(frozen=True)
class AlertItem:
    id: int
    level: str  # blue | yellow | orange | red
    title: str
    region_code: str | None = None
    at: str | None = None
    status: str = "open"

    def event(self) -> dict[str, Any]:
        """The SSE payload (documented in docs/ops.md)."""
        return {
            "type": "alert",
            "id": self.id,
            "level": self.level,
            "title": self.title,
            "region_code": self.region_code,
            "at": self.at,
        }


class IndicatorSource(Protocol):
    def latest_values(
        self, session: Session, *, codes: list[str], region_code: str
    ) -> dict[str, IndicatorValue]: ...

    def series(
        self, session: Session, *, code: str, region_code: str, since: date
    ) -> list[tuple[str, float | None]]: ...

    def alerts_since(self, session: Session, *, after_id: int, limit: int) -> list[AlertItem]: ...

    def open_alerts(self, session: Session, *, region_code: str) -> list[AlertItem]: ...


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date | datetime) else (value and str(value))


def _value(code: str, raw: Any) -> IndicatorValue:
    if raw is None or isinstance(raw, int | float):
        return IndicatorValue(code=code, value=_num(raw))
    return IndicatorValue(
        code=code,
        value=_num(_get(raw, "value")),
        name=str(_get(raw, "name") or ""),
        unit=str(_get(raw, "unit") or ""),
        target=_num(_get(raw, "target")),
        at=_iso(_get(raw, "at", "day", "computed_at", "period")),
    )


def _alert(raw: Any) -> AlertItem:
    return AlertItem(
        id=int(_get(raw, "id")),
        level=str(_get(raw, "level") or "blue"),
        title=str(_get(raw, "title") or ""),
        region_code=_get(raw, "region_code"),
        at=_iso(_get(raw, "at", "raised_at", "created_at", "observed_at")),
        status=str(_get(raw, "status") or "open"),
    )


class ServiceSource:
    """Adapts the indicators service module to ``IndicatorSource`` (tolerant about shapes)."""

    def __init__(self, module: ModuleType) -> None:
        self.svc = module

    def latest_values(
        self, session: Session, *, codes: list[str], region_code: str
    ) -> dict[str, IndicatorValue]:
        raw = self.svc.latest_values(session, codes=codes, region_code=region_code)
        items: Iterable[tuple[Any, Any]] = (
            raw.items() if isinstance(raw, Mapping) else ((_get(r, "code"), r) for r in raw)
        )
        return {str(code): _value(str(code), v) for code, v in items if code in codes}

    def series(
        self, session: Session, *, code: str, region_code: str, since: date
    ) -> list[tuple[str, float | None]]:
        raw = self.svc.series(session, code=code, region_code=region_code, since=since)
        raw = getattr(raw, "points", raw)  # the indicators service returns a SeriesOut
        out: list[tuple[str, float | None]] = []
        for r in raw:
            if isinstance(r, tuple | list):
                out.append((_iso(r[0]) or "", _num(r[1])))
            else:
                out.append((_iso(_get(r, "at", "day", "period")) or "", _num(_get(r, "value"))))
        return out

    def alerts_since(self, session: Session, *, after_id: int, limit: int) -> list[AlertItem]:
        return [_alert(a) for a in self.svc.alerts_since(session, after_id=after_id, limit=limit)]

    def open_alerts(self, session: Session, *, region_code: str) -> list[AlertItem]:
        return [_alert(a) for a in self.svc.open_alerts(session, region_code=region_code)]


def _load_service() -> ModuleType | None:
    try:
        module = importlib.import_module(INDICATORS_SERVICE)
    except ModuleNotFoundError as exc:
        if exc.name and INDICATORS_SERVICE.startswith(exc.name):
            return None  # the indicator centre is not installed
        raise
    return module if all(hasattr(module, n) for n in _NEEDED) else None


def source_for(extras: dict[str, Any]) -> IndicatorSource | None:
    """The app's indicator source: a plugged-in one, else the indicators service, else None."""
    plugged = extras.get(_EXTRA_KEY)
    if plugged is not None:
        src: IndicatorSource = plugged
        return src
    module = _load_service()
    return ServiceSource(module) if module is not None else None


def use_source(extras: dict[str, Any], source: IndicatorSource | None) -> None:
    """Plug a source in (tests, scenario plugins); ``None`` goes back to the service."""
    if source is None:
        extras.pop(_EXTRA_KEY, None)
    else:
        extras[_EXTRA_KEY] = source


def latest_alert_id(source: IndicatorSource, session: Session) -> int:
    """The newest alert id (0 when there is none): where a fresh live stream starts."""
    last, pages = 0, 0
    while pages < 1000:
        batch = source.alerts_since(session, after_id=last, limit=500)
        if not batch:
            break
        last, pages = max(a.id for a in batch), pages + 1
    return last
