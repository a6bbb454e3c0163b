"""The CKAN actions the portal answers. Each takes (session, context, data dict) and returns
the ``result`` of CKAN's envelope or raises a :class:`~.errors.CkanError`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.opendata import datastore, service, shapes
from mudan.domains.opendata import search as ps
from mudan.domains.opendata.enums import ResourceFormat
from mudan.domains.opendata.errors import NotFoundError, ValidationError
from mudan.domains.opendata.index import group_name
from mudan.domains.opendata.models import OpenDataset
from mudan.kernel.rbac import Principal
from mudan.lake.catalog import Lake
from mudan.search import SearchIndex

CKAN_VERSION = "2.10.4"


@dataclass
class Context:
    base: str  # e.g. http://127.0.0.1:8000
    principal: Principal
    lake: Callable[[], Lake]
    index: Callable[[], SearchIndex]
    action_url: str


Action = Callable[[Session, Context, Mapping[str, Any]], Any]


def _id(data: Mapping[str, Any]) -> str:
    value = data.get("id")
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("opendata.missing_value", field="id")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _page(data: Mapping[str, Any], default: int = 1000) -> tuple[int, int]:
    try:
        limit = int(data.get("limit", default))
        offset = int(data.get("offset", 0))
    except (TypeError, ValueError):
        raise ValidationError("opendata.bad_integer", field="limit", value="") from None
    if limit < 0 or offset < 0:
        raise ValidationError("opendata.out_of_range", field="limit", low=0, high=100000)
    return limit, offset


def status_show(session: Session, ctx: Context, data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "site_title": "菏泽市公共数据开放平台",
        "site_description": "牡丹城市大脑 · 公共数据开放",
        "site_url": ctx.base,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "dcat"],
    }


def package_list(session: Session, ctx: Context, data: Mapping[str, Any]) -> list[str]:
    limit, offset = _page(data, 100_000)
    stmt = select(OpenDataset.name).where(service.active()).order_by(OpenDataset.name)
    return list(session.scalars(stmt.offset(offset).limit(limit)))


def _org_titles(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(OpenDataset.department_code, OpenDataset.department_name).distinct()
    )
    return {c: n for c, n in rows}


def package_search(session: Session, ctx: Context, data: Mapping[str, Any]) -> dict[str, Any]:
    params = ps.parse_params(data)
    page = ps.search(session, index=ctx.index(), params=params)
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    titles: dict[str, dict[str, str]] = {"organization": _org_titles(session)}
    titles["groups"] = {group_name(t): t for t in _themes(session)}
    for name in params.facet_fields:
        items = ps.facet_items(page.facets.get(name, {}), params.facet_limit, titles.get(name, {}))
        facets[name] = {i["name"]: i["count"] for i in items}
        search_facets[name] = {"title": name, "items": items}
    return {
        "count": page.count,
        "sort": params.sort_text,
        "facets": facets,
        "search_facets": search_facets,
        "results": [shapes.package_dict(d, ctx.base) for d in page.datasets],
    }


def package_show(session: Session, ctx: Context, data: Mapping[str, Any]) -> dict[str, Any]:
    ds = service.get_dataset(session, name_or_id=_id(data))
    return shapes.package_dict(ds, ctx.base)


def _orgs(session: Session) -> list[tuple[str, str, int]]:
    rows = session.execute(
        select(OpenDataset.department_code, OpenDataset.department_name, func.count())
        .where(service.active())
        .group_by(OpenDataset.department_code, OpenDataset.department_name)
        .order_by(OpenDataset.department_code)
    )
    return [(c, n, int(k)) for c, n, k in rows]


def organization_list(session: Session, ctx: Context, data: Mapping[str, Any]) -> list[Any]:
    limit, offset = _page(data)
    orgs = _orgs(session)[offset : offset + limit]
    if _bool(data.get("all_fields")):
        return [shapes.organization_dict(c, n, k) for c, n, k in orgs]
    return [c for c, _, _ in orgs]


def organization_show(session: Session, ctx: Context, data: Mapping[str, Any]) -> dict[str, Any]:
    key = _id(data)
    for code, name, count in _orgs(session):
        if key in (code, name):
            out = shapes.organization_dict(code, name, count)
            if _bool(data.get("include_datasets")):
                stmt = (
                    select(OpenDataset)
                    .where(service.active(), OpenDataset.department_code == code)
                    .order_by(OpenDataset.name)
                    .limit(1000)
                )
                out["packages"] = [shapes.package_dict(d, ctx.base) for d in session.scalars(stmt)]
            return out
    raise NotFoundError("opendata.org_not_found", id=key[:100])


def _themes(session: Session) -> Counter[str]:
    rows = session.execute(
        select(OpenDataset.theme, func.count()).where(service.active()).group_by(OpenDataset.theme)
    )
    return Counter({t: int(n) for t, n in rows})


def group_list(session: Session, ctx: Context, data: Mapping[str, Any]) -> list[Any]:
    limit, offset = _page(data)
    themes = sorted(_themes(session).items(), key=lambda kv: group_name(kv[0]))
    themes = themes[offset : offset + limit]
    if _bool(data.get("all_fields")):
        return [shapes.group_dict(t, n) for t, n in themes]
    return [group_name(t) for t, _ in themes]


def tag_list(session: Session, ctx: Context, data: Mapping[str, Any]) -> list[Any]:
    counts: Counter[str] = Counter()
    for tags in session.scalars(select(OpenDataset.tags).where(service.active())):
        counts.update(tags)
    query = str(data.get("query") or "")
    names = sorted(t for t in counts if query in t)
    if _bool(data.get("all_fields")):
        return [shapes.tag_dict(t) for t in names]
    return names


def _resource(session: Session, rid: str) -> tuple[OpenDataset, ResourceFormat]:
    name, _, fmt = rid.strip().lower().rpartition("-")
    try:
        res_format = ResourceFormat(fmt)
        return service.get_dataset(session, name_or_id=name), res_format
    except (ValueError, NotFoundError):
        raise NotFoundError("opendata.resource_not_found", id=rid[:100]) from None


def resource_show(session: Session, ctx: Context, data: Mapping[str, Any]) -> dict[str, Any]:
    ds, fmt = _resource(session, _id(data))
    pos = list(ResourceFormat).index(fmt)
    return shapes.resource_dict(ds, fmt, ctx.base, pos)


def datastore_search(session: Session, ctx: Context, data: Mapping[str, Any]) -> dict[str, Any]:
    rid = data.get("resource_id") or data.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise ValidationError("opendata.missing_value", field="resource_id")
    ds, _ = _resource(session, rid)
    service.check_data_access(session, ds=ds, principal=ctx.principal)
    return datastore.datastore_search(
        lake=ctx.lake(), ds=ds, resource_id=rid, data=data, action_url=ctx.action_url
    )


ACTIONS: dict[str, Action] = {
    "status_show": status_show,
    "package_list": package_list,
    "package_search": package_search,
    "package_show": package_show,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "tag_list": tag_list,
    "resource_show": resource_show,
    "datastore_search": datastore_search,
}
