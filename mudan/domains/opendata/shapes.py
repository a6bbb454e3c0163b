"""CKAN's dictionaries for datasets (packages), resources, organizations, groups and tags.

Package ids are the dataset names (lower-case resource codes), so ``package_show`` takes
either; a resource id is ``<package name>-<format>``; an organization's name is the
providing department's code; a group is a theme (``theme-<2-digit theme code>``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mudan.domains.catalog.codes import THEMES
from mudan.domains.catalog.enums import CYCLE_ZH, OPEN_ZH, OpenType, UpdateCycle
from mudan.domains.opendata.enums import LICENCES, MEDIA_TYPES, ResourceFormat
from mudan.domains.opendata.index import group_name
from mudan.domains.opendata.models import OpenDataset


def ckan_time(value: datetime | None) -> str | None:
    """CKAN writes naive UTC timestamps with microseconds."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_dict(code: str, title: str, count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": code,
        "name": code,
        "title": title,
        "display_name": title,
        "type": "organization",
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "created": None,
    }
    if count is not None:
        out["package_count"] = count
    return out


def group_dict(theme: str, count: int | None = None) -> dict[str, Any]:
    name = group_name(theme)
    out: dict[str, Any] = {
        "id": name,
        "name": name,
        "title": theme,
        "display_name": theme,
        "type": "group",
        "description": "",
        "image_display_url": "",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
    }
    if count is not None:
        out["package_count"] = count
    return out


def theme_of_group(name: str) -> str | None:
    code = name.removeprefix("theme-")
    return THEMES.get(code) if name.startswith("theme-") else None


def tag_dict(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def resource_id(ds: OpenDataset, fmt: ResourceFormat) -> str:
    return f"{ds.name}-{fmt.value}"


def resource_dict(ds: OpenDataset, fmt: ResourceFormat, base: str, pos: int) -> dict[str, Any]:
    return {
        "id": resource_id(ds, fmt),
        "package_id": ds.name,
        "name": f"{ds.title}（{fmt.value.upper()}）",
        "description": f"{ds.title}全部开放数据项，{fmt.value.upper()} 格式下载。",
        "format": fmt.value.upper(),
        "mimetype": MEDIA_TYPES[fmt],
        "url": f"{base}/open/dataset/{ds.name}/download.{fmt.value}",
        "url_type": None,
        "state": "active",
        "position": pos,
        "created": ckan_time(ds.created_at),
        "last_modified": ckan_time(ds.data_updated_at),
        "metadata_modified": ckan_time(ds.modified_at),
        "datastore_active": bool(ds.data_rows),
        "size": None,
        "hash": "",
        "cache_url": None,
        "resource_type": None,
    }


def resources(ds: OpenDataset, base: str) -> list[dict[str, Any]]:
    return [resource_dict(ds, f, base, i) for i, f in enumerate(ResourceFormat)]


def package_dict(ds: OpenDataset, base: str) -> dict[str, Any]:
    title, url = LICENCES.get(ds.license_id, ("未声明许可", ""))
    res = resources(ds, base)
    return {
        "id": ds.name,
        "name": ds.name,
        "title": ds.title,
        "notes": ds.notes,
        "type": "dataset",
        "state": ds.state,
        "private": False,
        "version": str(ds.catalog_version),
        "url": f"{base}/open/dataset/{ds.name}",
        "author": ds.department_name,
        "author_email": None,
        "maintainer": ds.department_name,
        "maintainer_email": None,
        "creator_user_id": None,
        "license_id": ds.license_id or "notspecified",
        "license_title": title,
        "license_url": url,
        "isopen": ds.license_id in LICENCES and ds.open_type == OpenType.UNCONDITIONAL.value,
        "metadata_created": ckan_time(ds.created_at),
        "metadata_modified": ckan_time(ds.modified_at),
        "owner_org": ds.department_code,
        "organization": organization_dict(ds.department_code, ds.department_name),
        "groups": [group_dict(ds.theme)],
        "tags": [tag_dict(t) for t in ds.tags],
        "num_tags": len(ds.tags),
        "resources": res,
        "num_resources": len(res),
        "extras": [
            {"key": "open_type", "value": ds.open_type},
            {"key": "open_type_zh", "value": OPEN_ZH[OpenType(ds.open_type)]},
            {"key": "open_conditions", "value": ds.open_conditions},
            {"key": "update_cycle", "value": ds.update_cycle},
            {"key": "update_cycle_zh", "value": CYCLE_ZH[UpdateCycle(ds.update_cycle)]},
            {"key": "region_code", "value": ds.region_code},
            {"key": "record_count", "value": str(ds.data_rows)},
        ],
        "tracking_summary": {"total": ds.view_count, "recent": ds.view_count},
        "download_count": ds.download_count,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
