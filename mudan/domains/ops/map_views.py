"""One-map API: tile configuration, layers, server-side clusters, point details, raw GeoJSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.errors import NotFound
from mudan.core.i18n import t
from mudan.domains.ops import mapdata
from mudan.domains.ops.cluster import MAX_ZOOM, cluster, parse_bbox
from mudan.kernel.deps import require
from mudan.kernel.rbac import Principal
from mudan.settings import MapSettings

router = APIRouter(prefix="/api/v1/ops/map", tags=["ops"])
VIEW = require("map.view")
TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk={key}"
)


def tile_config(cfg: MapSettings, locale: str) -> dict[str, Any]:
    """What the browser needs to draw the base map; offline means no tile layer at all."""
    tiles: list[dict[str, Any]] = []
    mode = cfg.tiles if cfg.tiles in ("offline", "tianditu", "xyz") else "offline"
    key = cfg.tianditu_key.get_secret_value()
    if mode == "tianditu" and key:
        for layer in ("vec", "cva"):
            url = TIANDITU.replace("{layer}", layer).replace("{key}", key)
            tiles.append({"url": url, "subdomains": "01234567", "max_zoom": 18})
    elif mode == "xyz" and cfg.xyz_url:
        tiles.append({"url": cfg.xyz_url, "subdomains": "abc", "max_zoom": 19})
    else:
        mode = "offline"
    return {
        "mode": mode,
        "tiles": tiles,
        "attribution": cfg.attribution or (t("ops.tianditu", locale) if mode == "tianditu" else ""),
        "approval_no": cfg.approval_no,
        "center": [35.25, 115.6],
        "zoom": 9,
        "max_zoom": MAX_ZOOM if mode == "offline" else max(x["max_zoom"] for x in tiles),
    }


@router.get("/config", dependencies=[VIEW])
def ops_map_config(request: Request) -> dict[str, Any]:
    return tile_config(app_ctx(request).settings.map, locale_of(request))


@router.get("/layers")
def ops_map_layers(request: Request, who: Principal = VIEW) -> list[dict[str, Any]]:
    """The layers the caller may see: each needs its own domain's permission too."""
    locale = locale_of(request)
    return [
        {
            "code": layer.code,
            "name": t(layer.name, locale),
            "kind": layer.kind,
            "url": layer.url
            if layer.kind != "point"
            else f"/api/v1/ops/map/layers/{layer.code}/clusters",
            "detail_href": layer.detail_href,
        }
        for layer in mapdata.visible_layers(app_ctx(request).pm, who)
    ]


@router.get("/layers/{code}/clusters")
def ops_map_clusters(
    code: str,
    request: Request,
    session: DbSession,
    zoom: int = Query(..., ge=0, le=MAX_ZOOM),
    bbox: str | None = Query(None, description="west,south,east,north in degrees"),
    who: Principal = VIEW,
) -> dict[str, Any]:
    """Grid clusters of the caller's points of a layer at one zoom; counts add up to the points
    in the box."""
    ctx = app_ctx(request)
    layer = mapdata.get_layer(ctx.pm, code, who)
    ps = mapdata.point_set(ctx.extras, session, layer, who)
    return {"layer": code} | cluster(ps, zoom=zoom, bbox=parse_bbox(bbox))


@router.get("/layers/{code}/points/{point_id}")
def ops_map_point(
    code: str, point_id: str, request: Request, session: DbSession, who: Principal = VIEW
) -> dict[str, Any]:
    ctx = app_ctx(request)
    layer = mapdata.get_layer(ctx.pm, code, who)
    ps = mapdata.point_set(ctx.extras, session, layer, who)
    i = ps.find(point_id)
    if i is None:
        raise NotFound("ops.point_not_found", code=code, id=point_id)
    return {
        "layer": code,
        "layer_name": t(layer.name, locale_of(request)),
        "id": point_id,
        "lon": float(ps.lons[i]),
        "lat": float(ps.lats[i]),
        "label": str(ps.labels[i]) if ps.labels is not None else point_id,
        "href": layer.detail_href.replace("{id}", point_id) if layer.detail_href else "",
    }


@router.get("/layers/{code}/geojson")
def ops_map_geojson(
    code: str, request: Request, session: DbSession, who: Principal = VIEW
) -> StreamingResponse:
    """Every point of a layer the caller may see as raw GeoJSON (for export; the map itself
    uses clusters)."""
    ctx = app_ctx(request)
    layer = mapdata.get_layer(ctx.pm, code, who)
    ps = mapdata.point_set(ctx.extras, session, layer, who)

    def chunks() -> Iterator[bytes]:
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        head = '{"type":"Feature","geometry":{"type":"Point","coordinates":['
        yield b'{"type":"FeatureCollection","features":['
        for start in range(0, len(ps), 5000):
            stop = min(start + 5000, len(ps))
            lons, lats = ps.lons[start:stop].tolist(), ps.lats[start:stop].tolist()
            ids = [dumps(str(v)) for v in ps.ids[start:stop]]
            labels = (
                [dumps(str(v)) for v in ps.labels[start:stop]]
                if ps.labels is not None
                else ["null"] * (stop - start)
            )
            part = ",".join(
                f'{head}{x!r},{y!r}]}},"properties":{{"id":{i},"label":{la}}}}}'
                for x, y, i, la in zip(lons, lats, ids, labels, strict=True)
            )
            yield (("," if start else "") + part).encode()
        yield b"]}"

    return StreamingResponse(chunks(), media_type="application/geo+json")
