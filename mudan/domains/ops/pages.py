"""Ops pages: the big screen (carousel), the layout editor, the one-map and a point's page."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.errors import MudanError
from mudan.core.i18n import t
from mudan.domains.ops import layouts, mapdata
from mudan.domains.ops.map_views import tile_config
from mudan.domains.ops.schemas import ScreenIn
from mudan.domains.ops.views import audit_layout
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
EDIT = require("indicators.manage")
SCREEN_TEXT = (
    "no_indicator_centre", "no_value", "panel_error", "live", "reconnecting", "back", "target",
    "catalog_entries", "aggregated_tables", "aggregated_on_time", "aggregation_rate",
    "quality_score", "no_alerts",
    "new_alert", "level_blue", "level_yellow", "level_orange", "level_red",
)  # fmt: skip
MAP_TEXT = ("layers", "points_in_view", "open_object", "loading", "approval_no", "zoom_in")


def _texts(keys: tuple[str, ...], locale: str) -> dict[str, str]:
    return {k: t(f"ops.{k}", locale) for k in keys}


@router.get("/ops/screen", dependencies=[require("screen.view")])
def ops_screen_home(request: Request, session: DbSession) -> Response:
    screens = layouts.list_screens(session, enabled_only=True)
    return ops_screen_page(request, session, screens[0].code if screens else "overview")


@router.get("/ops/screen/{code}", dependencies=[require("screen.view")])
def ops_screen_page(request: Request, session: DbSession, code: str) -> Response:
    screen = layouts.get_screen(session, code=code)
    boot = {
        "screen": screen.code,
        "hold": request.query_params.get("hold") == "1",
        "text": _texts(SCREEN_TEXT, locale_of(request)),
    }
    return render(request, "ops/screen.html", {"screen": screen, "boot": boot})


def _editor(request: Request, session: DbSession, **extra: Any) -> Response:
    screens = layouts.list_screens(session)
    texts = {
        s.code: json.dumps(
            s.model_dump(mode="json", exclude={"stored", "updated_by"}),
            ensure_ascii=False,
            indent=1,
        )
        for s in screens
    }
    ctx: dict[str, Any] = {"screens": screens, "texts": texts} | extra
    return render(request, "ops/screens.html", ctx, 422 if extra.get("error") else 200)


@router.get("/ops/screens", dependencies=[EDIT])
def ops_screens_editor(request: Request, session: DbSession) -> Response:
    return _editor(request, session)


@router.post("/ops/screens/{code}")
def ops_screens_save(
    code: str,
    request: Request,
    session: DbSession,
    layout: Annotated[str, Form()],
    who: Principal = EDIT,
) -> Response:
    try:
        screen = ScreenIn.model_validate_json(layout)
        if screen.code != code:
            raise MudanError("ops.code_mismatch", code=code, body=screen.code)
        with session.begin_nested():
            layouts.save_screen(session, screen=screen, actor=who.username)
            audit_layout(session, who, "ops.screen_saved", code, panels=len(screen.panels))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = t("error.ops.bad_layout", locale_of(request), where=where, msg=first["msg"])
        return _editor(request, session, error=message, failed=code, draft=layout)
    except MudanError as exc:
        message = exc.message(locale_of(request))
        return _editor(request, session, error=message, failed=code, draft=layout)
    return _editor(request, session, saved=code)


@router.post("/ops/screens/{code}/reset")
def ops_screens_reset(
    code: str, request: Request, session: DbSession, who: Principal = EDIT
) -> Response:
    layouts.reset_screen(session, code=code)
    audit_layout(session, who, "ops.screen_reset", code)
    return RedirectResponse("/ops/screens", status_code=303)


@router.get("/ops/map", dependencies=[require("map.view")])
def ops_map_page(request: Request) -> Response:
    locale = locale_of(request)
    boot = {
        "config": tile_config(app_ctx(request).settings.map, locale),
        "text": _texts(MAP_TEXT, locale),
    }
    return render(request, "ops/map.html", {"boot": boot})


@router.get("/ops/map/points/{layer}/{point_id}")
def ops_point_page(
    request: Request,
    session: DbSession,
    layer: str,
    point_id: str,
    who: Principal = require("map.view"),
) -> Response:
    ctx = app_ctx(request)
    found = mapdata.get_layer(ctx.pm, layer, who)
    ps = mapdata.point_set(ctx.extras, session, found, who)
    i = ps.find(point_id)
    if i is None:
        raise MudanError("ops.point_not_found", status=404, code=layer, id=point_id)
    point = {
        "id": point_id,
        "label": str(ps.labels[i]) if ps.labels is not None else point_id,
        "lon": float(ps.lons[i]),
        "lat": float(ps.lats[i]),
        "layer": t(found.name, locale_of(request)),
    }
    return render(request, "ops/point.html", {"point": point})
