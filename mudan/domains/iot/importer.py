"""Bulk import of devices from CSV (UTF-8 / GBK / GB18030) or XLSX: bad rows are reported with
their reason, every good row is imported (upsert by device code)."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError
from python_calamine import CalamineWorkbook
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput
from mudan.core.i18n import t
from mudan.domains.iot import registry
from mudan.domains.iot.enums import DeviceType
from mudan.domains.iot.locate import GridIndex
from mudan.domains.iot.schemas import DeviceIn, ImportReport, ImportRowError

HEADERS = {
    "设备编码": "code",
    "类型": "type",
    "型号": "model",
    "权属部门代码": "department_code",
    "经度": "lon",
    "纬度": "lat",
    "协议": "protocol",
    "状态": "status",
    "上报周期秒": "interval_s",
}
FIELDS = set(HEADERS.values())
MAX_ROWS = 2_100_000


def _type_names() -> dict[str, str]:
    return {t(f"iot.type.{d.value}"): d.value for d in DeviceType}


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return [list(r) for r in book.get_sheet_by_index(0).to_python()]
        except Exception as e:
            raise InvalidInput("iot.bad_file", reason=str(e)[:200]) from e
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("iot.bad_file", reason="encoding")
    return [row for row in csv.reader(io.StringIO(text))]


def _cell(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return v.strip() if isinstance(v, str) else v


def import_devices(session: Session, *, data: bytes, filename: str) -> ImportReport:
    table = read_table(data, filename)
    if not table:
        raise InvalidInput("iot.empty_file")
    header = [HEADERS.get(str(h).strip(), str(h).strip()) for h in table[0]]
    missing = {"code", "type", "department_code", "lon", "lat"} - set(header)
    if missing:
        raise InvalidInput("iot.missing_columns", columns=", ".join(sorted(missing)))
    if len(table) - 1 > MAX_ROWS:
        raise InvalidInput("iot.too_many_rows", limit=MAX_ROWS)
    names = _type_names()
    errors: list[ImportRowError] = []
    good: list[DeviceIn] = []
    lines: list[int] = []
    for n, raw in enumerate(table[1:], start=2):
        rec = {h: _cell(v) for h, v in zip(header, raw, strict=False) if h in FIELDS}
        if not any(v not in (None, "") for v in rec.values()):
            continue
        rec = {k: v for k, v in rec.items() if v not in (None, "")}
        if isinstance(rec.get("type"), str):
            rec["type"] = names.get(rec["type"], rec["type"])
        try:
            good.append(DeviceIn.model_validate(rec))
            lines.append(n)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            errors.append(
                ImportRowError(
                    row=n, code=str(rec.get("code", "")), reason=f"{where}: {first['msg']}"
                )
            )
    rows, rejected = registry.prepare(
        good, index=GridIndex(session), departments=registry.known_departments(session)
    )
    for r in rejected:
        reason = t(f"iot.reject.{r.reason}")
        errors.append(ImportRowError(row=lines[r.index], code=r.code, reason=reason))
    registry.insert_rows(session, rows)
    errors.sort(key=lambda e: e.row)
    return ImportReport(imported=len(rows), errors=errors)
