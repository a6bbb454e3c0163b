"""XLSX import and export in the layout a department fills in (Chinese headers).

Two sheets: ``目录`` (one row per entry) and ``信息项`` (one row per information item, linked to
its entry by 资源代码, or by 资源名称 when the code is still blank). Import checks every row and
reports ``(sheet, row, column, reason)``; without ``partial`` nothing is written if any row is bad,
with ``partial`` the good entries are imported as drafts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput, MudanError
from mudan.core.i18n import t
from mudan.domains.catalog import service
from mudan.domains.catalog.codes import parse_code
from mudan.domains.catalog.enums import (
    CYCLE_ZH,
    GRADE_ZH,
    OPEN_ZH,
    SENSITIVITY_ZH,
    SHARE_ZH,
    STATUS_ZH,
)
from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.catalog.schemas import EntryIn, ItemIn
from mudan.domains.catalog.validate import check_entry
from mudan.kernel.rbac import Principal
from mudan.lake.schema import ItemType

ENTRY_SHEET, ITEM_SHEET = "目录", "信息项"
# header → EntryIn field ("" = export-only column)
ENTRY_COLUMNS: dict[str, str] = {
    "资源代码": "code",
    "资源名称": "name",
    "提供方代码": "department_code",
    "提供方": "",
    "资源分类": "category",
    "主题": "theme",
    "行业": "industry",
    "摘要": "abstract",
    "资源格式": "format",
    "更新周期": "update_cycle",
    "发布日期": "release_date",
    "关联资源": "related",
    "标签": "tags",
    "区划代码": "region_code",
    "分级": "grade",
    "共享类型": "share_type",
    "共享条件": "share_conditions",
    "共享方式": "share_method",
    "不予共享依据": "legal_basis",
    "开放类型": "open_type",
    "开放条件": "open_conditions",
    "需归集": "aggregated",
    "主键信息项": "key_columns",
    "状态": "",
    "版本": "",
}
ITEM_COLUMNS: dict[str, str] = {
    "资源代码": "code",
    "资源名称": "entry_name",
    "序号": "",
    "信息项名称": "name",
    "中文名称": "label",
    "数据类型": "type",
    "长度": "length",
    "共享类型": "share_type",
    "敏感级别": "sensitivity",
    "个人信息类型": "personal_kind",
    "说明": "description",
}
TYPE_ZH = {
    ItemType.STRING: "字符型",
    ItemType.INTEGER: "整数型",
    ItemType.DECIMAL: "数值型",
    ItemType.FLOAT: "浮点型",
    ItemType.DATE: "日期型",
    ItemType.TIMESTAMP: "日期时间型",
    ItemType.BOOLEAN: "布尔型",
}
PERSONAL_ZH = {
    "citizen_id": "身份证号",
    "phone": "联系电话",
    "name": "姓名",
    "address": "地址",
    "bank_card": "银行卡号",
    "email": "电子邮箱",
    "plate": "车牌号",
    "other": "其他",
}
_LOOKUPS: dict[str, dict[str, str]] = {
    "update_cycle": {v: str(k) for k, v in CYCLE_ZH.items()},
    "grade": {v: str(k) for k, v in GRADE_ZH.items()},
    "open_type": {v: str(k) for k, v in OPEN_ZH.items()},
    "share_type": {v: str(k) for k, v in SHARE_ZH.items()},
    "type": {v: str(k) for k, v in TYPE_ZH.items()},
    "personal_kind": {v: k for k, v in PERSONAL_ZH.items()},
}
_LIST_FIELDS = ("related", "tags", "key_columns")


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _err(sheet: str, row: int, column: str, reason: str) -> RowError:
    return RowError(sheet, row, column, t(f"catalog.row.{reason}"))


# ---------------------------------------------------------------- export


def export_xlsx(entries: list[CatalogEntry]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = ENTRY_SHEET
    ws.append(list(ENTRY_COLUMNS))
    items = wb.create_sheet(ITEM_SHEET)
    items.append(list(ITEM_COLUMNS))
    for e in entries:
        ws.append(_entry_row(e))
        for i in e.items:
            items.append(
                [
                    e.code,
                    e.name,
                    i.position,
                    i.name,
                    i.label,
                    TYPE_ZH[ItemType(i.type)],
                    i.length,
                    SHARE_ZH.get(i.share_type, i.share_type),  # type: ignore[call-overload]
                    SENSITIVITY_ZH[i.sensitivity],
                    PERSONAL_ZH.get(i.personal_kind or "", ""),
                    i.description,
                ]
            )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _entry_row(e: CatalogEntry) -> list[Any]:
    zh: dict[str, Any] = {
        "资源代码": e.code,
        "资源名称": e.name,
        "提供方代码": e.department.code,
        "提供方": e.department.name,
        "资源分类": e.category,
        "主题": e.theme,
        "行业": e.industry,
        "摘要": e.abstract,
        "资源格式": e.format,
        "更新周期": CYCLE_ZH.get(e.update_cycle, e.update_cycle),  # type: ignore[call-overload]
        "发布日期": e.release_date,
        "关联资源": "；".join(e.related),
        "标签": "；".join(e.tags),
        "区划代码": e.region_code,
        "分级": GRADE_ZH.get(e.grade, e.grade),  # type: ignore[call-overload]
        "共享类型": SHARE_ZH.get(e.share_type, e.share_type),  # type: ignore[call-overload]
        "共享条件": e.share_conditions,
        "共享方式": e.share_method,
        "不予共享依据": e.legal_basis,
        "开放类型": OPEN_ZH.get(e.open_type, e.open_type),  # type: ignore[call-overload]
        "开放条件": e.open_conditions,
        "需归集": "是" if e.aggregated else "否",
        "主键信息项": "；".join(e.key_columns),
        "状态": STATUS_ZH.get(e.status, e.status),  # type: ignore[call-overload]
        "版本": e.version,
    }
    return [zh[h] for h in ENTRY_COLUMNS]


# ---------------------------------------------------------------- import


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _convert(fieldname: str, raw: Any) -> Any:
    text = _text(raw)
    if fieldname in _LIST_FIELDS:
        return [
            p.strip() for p in text.replace(";", "；").replace("，", "；").split("；") if p.strip()
        ]
    if fieldname in _LOOKUPS:
        return _LOOKUPS[fieldname].get(text, text)
    if fieldname == "aggregated":
        return text in ("是", "true", "True", "1", "Y", "y")
    if fieldname == "sensitivity":
        return text[1:2] if text.upper().startswith("L") else text
    if fieldname in ("release_date", "length", "department_code"):
        return text or None
    return text


def _rows(
    wb: Any, sheet: str, columns: dict[str, str]
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Data rows as {header: value}, finding the header row below any merged title rows."""
    if sheet not in wb.sheetnames:
        return [], [_err(sheet, 0, "", "missing_sheet")]
    rows = list(wb[sheet].iter_rows(values_only=True))
    hdr_at = next(
        (
            i
            for i, row in enumerate(rows[:10])
            if {"资源名称", "信息项名称"} & {_text(c) for c in row}
        ),
        None,
    )
    if hdr_at is None:
        return [], [_err(sheet, 1, "", "missing_header")]
    headers = [_text(c) for c in rows[hdr_at]]
    missing = [h for h, f in columns.items() if f and h not in headers and h != "资源代码"]
    if missing:
        return [], [_err(sheet, hdr_at + 1, h, "missing_column") for h in missing]
    out = []
    for n, row in enumerate(rows[hdr_at + 1 :], start=hdr_at + 2):
        values = {h: row[i] if i < len(row) else None for i, h in enumerate(headers) if h}
        if any(_text(v) for v in values.values()):
            out.append((n, values))
    return out, []


def _model_errors(
    sheet: str, row: int, exc: ValidationError, columns: dict[str, str]
) -> list[RowError]:
    back = {f: h for h, f in columns.items() if f}
    errors = []
    for e in exc.errors():
        loc = str(e["loc"][0]) if e["loc"] else ""
        errors.append(RowError(sheet, row, back.get(loc, loc), e["msg"]))
    return errors


def parse_xlsx(data: bytes) -> tuple[list[tuple[int, str, EntryIn]], list[RowError]]:
    """Entries as (row number, code or "", EntryIn) and every row-level error found."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-XLSX upload
        raise InvalidInput("catalog.bad_xlsx", reason=type(exc).__name__) from exc
    entry_rows, errors = _rows(wb, ENTRY_SHEET, ENTRY_COLUMNS)
    item_rows, item_errors = _rows(wb, ITEM_SHEET, ITEM_COLUMNS)
    errors += item_errors
    wb.close()
    items_by_key: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for n, values in item_rows:
        key = _text(values.get("资源代码")) or _text(values.get("资源名称"))
        if not key:
            errors.append(_err(ITEM_SHEET, n, "资源代码", "no_entry_reference"))
            continue
        items_by_key.setdefault(key, []).append((n, values))
    parsed: list[tuple[int, str, EntryIn]] = []
    used_keys: set[str] = set()
    for n, values in entry_rows:
        code = _text(values.get("资源代码"))
        name = _text(values.get("资源名称"))
        if code and parse_code(code) is None:
            errors.append(_err(ENTRY_SHEET, n, "资源代码", "bad_code"))
            continue
        mine = items_by_key.get(code, []) + (items_by_key.get(name, []) if name != code else [])
        used_keys.update(k for k in (code, name) if k)
        items, bad = [], False
        for item_n, iv in mine:
            raw = {
                f: _convert(f, iv.get(h))
                for h, f in ITEM_COLUMNS.items()
                if f and f not in ("code", "entry_name")
            }
            raw = {k: v for k, v in raw.items() if v not in ("", None)}
            try:
                items.append(ItemIn.model_validate(raw))
            except ValidationError as exc:
                errors += _model_errors(ITEM_SHEET, item_n, exc, ITEM_COLUMNS)
                bad = True
        fields = {
            f: _convert(f, values.get(h)) for h, f in ENTRY_COLUMNS.items() if f and f != "code"
        }
        fields = {k: v for k, v in fields.items() if v not in ("", None)}
        try:
            entry = EntryIn.model_validate({**fields, "items": []})
            entry = entry.model_copy(update={"items": items})
            check_entry(entry)
        except ValidationError as exc:
            errors += _model_errors(ENTRY_SHEET, n, exc, ENTRY_COLUMNS)
            continue
        except MudanError as exc:
            errors.append(RowError(ENTRY_SHEET, n, "", f"{exc.code}: {exc.message()}"))
            continue
        if not bad:
            parsed.append((n, code, entry))
    for key, rows in items_by_key.items():
        if key not in used_keys:
            errors += [_err(ITEM_SHEET, n, "资源代码", "unknown_entry") for n, _ in rows]
    return parsed, errors


def import_xlsx(
    session: Session, *, principal: Principal, data: bytes, partial: bool = False
) -> ImportReport:
    """Check every row; write all or (``partial``) the good ones, as drafts. A known 资源代码
    updates that entry (a new draft revision); a new or blank code creates one."""
    parsed, errors = parse_xlsx(data)
    report = ImportReport(errors=list(errors))
    if errors and not partial:
        _refuse(report)
    outer = session.begin_nested()  # all-or-nothing: undone below if any entry fails
    bad_rows = {e.row for e in errors if e.sheet == ENTRY_SHEET}
    for n, code, entry_in in parsed:
        if n not in bad_rows:
            _write_one(session, principal, report, n, code, entry_in)
    if report.errors and not partial:
        outer.rollback()
        _refuse(report)
    outer.commit()
    return report


def _refuse(report: ImportReport) -> None:
    raise InvalidInput(
        "catalog.import_invalid",
        count=len(report.errors),
        details=[e.__dict__ for e in report.errors],
    )


def _write_one(
    session: Session, principal: Principal, report: ImportReport, n: int, code: str, data: EntryIn
) -> None:
    try:
        with session.begin_nested():
            existing = (
                session.scalar(select(CatalogEntry).where(CatalogEntry.code == code))
                if code
                else None
            )
            if existing is not None:
                service.update_entry(session, principal=principal, entry_id=existing.id, data=data)
                report.updated.append(existing.code)
            else:
                created = service.create_entry(
                    session, principal=principal, data=data, code=code or None
                )
                report.created.append(created.code)
    except MudanError as exc:
        report.errors.append(RowError(ENTRY_SHEET, n, "", f"{exc.code}: {exc.message()}"))
