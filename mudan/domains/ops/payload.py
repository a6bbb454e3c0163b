"""Everything one screen needs in one payload; a broken panel carries its error, nothing else.

Panel states: ``ok`` (``data`` filled), ``unavailable`` (the indicator centre is not installed),
``error`` (``error`` holds the message; the rest of the screen is unaffected).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pluggy
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.errors import MudanError
from mudan.core.i18n import t
from mudan.domains.ops.enums import PanelKind
from mudan.domains.ops.platform import cached_figures
from mudan.domains.ops.schemas import PanelOut, ScreenOut
from mudan.domains.ops.sources import IndicatorSource, latest_alert_id
from mudan.kernel import regions as reg
from mudan.kernel.rbac import Principal

log = logging.getLogger("mudan.ops")
CITY = "3717"


@dataclass(frozen=True)
class Scope:
    """The region a screen shows (the city, or the principal's own subtree) and its children."""

    code: str
    name: str
    children: list[tuple[str, str]]  # (code, name) one level down, as the principal sees them


def scope_of(session: Session, principal: Principal, code: str | None = None) -> Scope:
    if code is None:
        roots = reg.visible_roots(session, principal=principal)
        code = CITY if any(r.code == CITY for r in roots) or not roots else roots[0].code
    region = reg.get_region(session, code=code)
    kids = reg.children(session, principal=principal, code=code)
    return Scope(region.code, region.name, [(k.code, k.name) for k in kids if k.openable])


class Unavailable(Exception):
    """The indicator centre is not installed: the panel says so, it does not fail."""


def _need(source: IndicatorSource | None) -> IndicatorSource:
    if source is None:
        raise Unavailable
    return source


@dataclass(frozen=True)
class PanelContext:
    session: Session
    source: IndicatorSource | None
    scope: Scope
    extras: dict[str, Any]
    pm: pluggy.PluginManager


def _platform(c: PanelContext, p: PanelOut) -> dict[str, Any]:
    return cached_figures(c.extras, c.session, c.pm).as_dict()


def _kpi(c: PanelContext, p: PanelOut) -> dict[str, Any]:
    got = _need(c.source).latest_values(c.session, codes=p.codes, region_code=c.scope.code)
    items = []
    for code in p.codes:
        v = got.get(code)
        items.append(
            {
                "code": code,
                "name": v.name if v else "",
                "unit": v.unit if v else "",
                "value": v.value if v else None,
                "target": v.target if v else None,
            }
        )
    return {"items": items}


def _by_region(c: PanelContext, code: str) -> list[dict[str, Any]]:
    src = _need(c.source)
    out = []
    for region_code, name in c.scope.children:
        v = src.latest_values(c.session, codes=[code], region_code=region_code).get(code)
        out.append({"region_code": region_code, "name": name, "value": v.value if v else None})
    return out


def _ranking(c: PanelContext, p: PanelOut) -> dict[str, Any]:
    return {"code": p.codes[0], "regions": _by_region(c, p.codes[0])} if p.codes else {}


def _map(c: PanelContext, p: PanelOut) -> dict[str, Any]:
    data: dict[str, Any] = {"region_code": c.scope.code, "region_name": c.scope.name}
    if p.codes and c.source is not None:
        data |= {"code": p.codes[0], "regions": _by_region(c, p.codes[0])}
    return data  # the map itself is drawn even without the indicator centre


def _trend(c: PanelContext, p: PanelOut) -> dict[str, Any]:
    if not p.codes:
        return {}
    since = (utcnow() - timedelta(days=int(p.options.get("days", 30)))).date()
    points = _need(c.source).series(
        c.session, code=p.codes[0], region_code=c.scope.code, since=since
    )
    return {"code": p.codes[0], "points": [[at, v] for at, v in points]}


def _alerts(c: PanelContext, p: PanelOut) -> dict[str, Any]:
    src = _need(c.source)
    items = src.open_alerts(c.session, region_code=c.scope.code)
    items = sorted(items, key=lambda a: a.id, reverse=True)[: int(p.options.get("limit", 20))]
    return {"items": [a.event() for a in items]}


BUILDERS: dict[PanelKind, Callable[[PanelContext, PanelOut], dict[str, Any]]] = {
    PanelKind.PLATFORM: _platform,
    PanelKind.KPI: _kpi,
    PanelKind.RANKING: _ranking,
    PanelKind.MAP: _map,
    PanelKind.TREND: _trend,
    PanelKind.ALERTS: _alerts,
}


def build_panel(c: PanelContext, p: PanelOut, locale: str) -> dict[str, Any]:
    out: dict[str, Any] = p.model_dump(mode="json") | {"state": "ok", "data": None, "error": None}
    try:
        with c.session.begin_nested():  # a failing query must not poison the other panels
            out["data"] = BUILDERS[PanelKind(p.kind)](c, p)
    except Unavailable:
        out |= {"state": "unavailable", "error": t("ops.no_indicator_centre", locale)}
    except MudanError as exc:
        out |= {"state": "error", "error": exc.message(locale)}
    except Exception as exc:  # a broken panel shows its error; the screen goes on
        log.exception("panel %s of kind %s failed", p.id, p.kind)
        out |= {"state": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return out


def screen_payload(
    session: Session,
    *,
    screen: ScreenOut,
    screens: list[ScreenOut],
    source: IndicatorSource | None,
    scope: Scope,
    extras: dict[str, Any],
    pm: pluggy.PluginManager,
    locale: str = "zh",
) -> dict[str, Any]:
    c = PanelContext(session, source, scope, extras, pm)
    cursor = 0
    if source is not None:
        try:
            cursor = latest_alert_id(source, session)
        except Exception:  # the alert panel reports the failure itself
            log.exception("alert cursor failed")
    return {
        "screen": {"code": screen.code, "title": screen.title, "dwell_s": screen.dwell_s},
        "carousel": [{"code": s.code, "title": s.title, "dwell_s": s.dwell_s} for s in screens],
        "region": {"code": scope.code, "name": scope.name},
        "indicator_centre": source is not None,
        "alert_cursor": cursor,
        "generated_at": utcnow().isoformat(),
        "panels": [build_panel(c, p, locale) for p in screen.panels],
    }
