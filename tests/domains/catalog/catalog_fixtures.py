"""Shared helpers for the catalog tests (imported by the test modules of this folder)."""

from __future__ import annotations

import io
from collections.abc import Collection
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.catalog.schemas import EntryIn, ItemIn
from mudan.kernel.identity import principal_for_user
from mudan.kernel.models import User
from mudan.kernel.rbac import Principal


def principal(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return principal_for_user(session, user=user, via="token")


def next_seq(session: Session, prefix: str) -> int:
    """The sequence number the next code under ``prefix`` (``provider-class-item-``) should get:
    one above the highest already taken (the database may hold the demo's entries)."""
    taken = session.scalars(select(CatalogEntry.code).where(CatalogEntry.code.startswith(prefix)))
    return max((int(c[len(prefix) :]) for c in taken), default=0) + 1


def only_rows(data: bytes, codes: Collection[str]) -> bytes:
    """An exported workbook cut down to the entries (and their items) with the given codes."""
    src = load_workbook(io.BytesIO(data))
    out = Workbook()
    assert out.active is not None
    out.remove(out.active)
    for sheet in src.worksheets:
        ws = out.create_sheet(sheet.title)
        rows = sheet.iter_rows(values_only=True)
        ws.append(next(rows))  # the header
        for row in rows:
            if row[0] in codes:
                ws.append(row)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def sample_entry(**overrides: Any) -> EntryIn:
    data: dict[str, Any] = {
        "name": "菏泽市户籍人口基本信息",
        "department_code": "371700002",
        "abstract": "公安局登记的全市户籍人口基本信息，含姓名、身份证号、户籍地址。",
        "theme": "人口",
        "category": "基础信息",
        "update_cycle": "daily",
        "share_type": "conditional",
        "share_conditions": "仅限政务部门依法履职使用",
        "grade": "important",
        "tags": ["户籍", "人口"],
        "aggregated": True,
        "key_columns": ["sfzh"],
        "items": [
            ItemIn(
                name="xm",
                label="姓名",
                sensitivity=3,
                personal_kind="name",
                share_type="conditional",
            ),  # type: ignore[arg-type]
            ItemIn(
                name="sfzh",
                label="身份证号",
                length=18,
                sensitivity=4,
                personal_kind="citizen_id",
                share_type="conditional",
            ),  # type: ignore[arg-type]
            ItemIn(
                name="hjdz",
                label="户籍地址",
                sensitivity=3,
                personal_kind="address",
                share_type="conditional",
            ),  # type: ignore[arg-type]
            ItemIn(name="djrq", label="登记日期", type="date"),  # type: ignore[arg-type]
        ],
    }
    data.update(overrides)
    return EntryIn(**data)
