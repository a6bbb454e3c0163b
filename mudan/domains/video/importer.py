"""Import platform catalogs (XLSX or CSV, UTF-8 or GBK): every row is checked on its own; a
row with a bad GB/T 28181 code (or any other fault) is rejected with the reason, the rest are
imported. Nothing of a rejected row is written."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput, MudanError
from mudan.core.progress import NullReporter, Reporter
from mudan.domains.video.enums import OWNER_NAMES, CatalogStatus, OwnerUnit
from mudan.domains.video.models import VideoDevice
from mudan.domains.video.registry import ChannelIn, register_channel
from mudan.kernel.geo import Locator
from mudan.lake.encoding import detect_encoding

HEADERS: dict[str, str] = {
    "通道编码": "channel_code",
    "channel_code": "channel_code",
    "设备编码": "device_code",
    "device_code": "device_code",
    "名称": "name",
    "通道名称": "name",
    "name": "name",
    "权属单位": "owner_unit",
    "建设单位": "owner_unit",
    "owner_unit": "owner_unit",
    "经度": "lon",
    "lon": "lon",
    "纬度": "lat",
    "lat": "lat",
    "取图地址": "snapshot_url",
    "snapshot_url": "snapshot_url",
    "视频流地址": "rtsp_url",
    "rtsp_url": "rtsp_url",
    "状态": "status",
    "status": "status",
    "设备名称": "device_name",
    "device_name": "device_name",
}
REQUIRED = ("channel_code", "device_code", "name", "owner_unit")
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based row number in the sheet (the header is row 1)
    field: str
    code: str
    message: str
    value: str = ""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + len(self.rejected)


def read_rows(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, canonical field → text) of a CSV or XLSX file."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raw = _xlsx_rows(data)
    else:
        text = data.decode(detect_encoding(data, complete=True, name=filename))
        raw = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header: list[str | None] | None = None
    for number, values in enumerate(raw, start=1):
        if header is None:
            header = [HEADERS.get(str(v).strip()) for v in values]
            missing = [f for f in REQUIRED if f not in header]
            if missing:
                raise InvalidInput("video.missing_columns", columns=", ".join(missing))
            continue
        if not any(str(v).strip() for v in values):
            continue
        if number > MAX_ROWS:
            raise InvalidInput("video.too_many_rows", limit=MAX_ROWS)
        row = {h: _text(v) for h, v in zip(header, values, strict=False) if h}
        yield number, row
    if header is None:
        raise InvalidInput("video.empty_file")


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-XLSX upload
        raise InvalidInput("video.bad_xlsx") from exc
    try:
        for values in wb.worksheets[0].iter_rows(values_only=True):
            yield ["" if v is None else v for v in values]
    finally:
        wb.close()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) > 1e6:
        return str(int(value))  # a code a spreadsheet stored as a number
    return str(value).strip()


def _float(row: dict[str, str], name: str) -> float | None:
    raw = row.get(name, "")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput("video.bad_number", field=name, value=raw[:40]) from None


def _url(row: dict[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    raw = row.get(name, "")
    if not raw:
        return None
    if len(raw) > 500 or not raw.lower().startswith(schemes):
        raise InvalidInput(
            "video.bad_url",
            field=name,
            value=raw[:60],
            details=[{"field": name, "code": "video.bad_url"}],
        )
    return raw


def row_to_channel(row: dict[str, str]) -> ChannelIn:
    owner_raw = row.get("owner_unit", "")
    owner = OWNER_NAMES.get(owner_raw) or (
        OwnerUnit(owner_raw) if owner_raw in set(OwnerUnit) else None
    )
    if owner is None:
        raise InvalidInput("video.bad_owner_unit", value=owner_raw[:40])
    status_raw = (row.get("status") or "ON").upper()
    status = {"ON": CatalogStatus.ON, "OFF": CatalogStatus.OFF, "在线": CatalogStatus.ON}.get(
        status_raw, CatalogStatus.OFF if status_raw in ("离线", "OFFLINE") else None
    )
    if status is None:
        raise InvalidInput("video.bad_status", value=status_raw[:20])
    return ChannelIn(
        channel_code=row.get("channel_code", ""),
        device_code=row.get("device_code", ""),
        name=row.get("name", ""),
        owner_unit=owner,
        lon=_float(row, "lon"),
        lat=_float(row, "lat"),
        snapshot_url=_url(row, "snapshot_url", ("http://", "https://")),
        rtsp_url=_url(row, "rtsp_url", ("rtsp://", "rtsps://", "http://", "https://")),
        catalog_status=status,
        device_name=row.get("device_name") or None,
    )


def _row_error(number: int, exc: MudanError, row: dict[str, str]) -> RowError:
    detail = exc.details[0] if exc.details else {}
    name = str(detail.get("field") or exc.params.get("field") or "")
    return RowError(
        row=number,
        field=name,
        code=str(detail.get("code") or exc.code),
        message=exc.message(),
        value=str(row.get(name, ""))[:60] if name else "",
    )


def import_catalog(
    session: Session,
    *,
    data: bytes,
    filename: str,
    locator: Locator,
    progress: Reporter | None = None,
) -> ImportReport:
    """Register every good row; collect the bad ones with their reasons. Does not commit."""
    report = ImportReport()
    devices: dict[str, VideoDevice] = {}
    seen: set[str] = set()
    with (progress or NullReporter()).task("视频通道导入", None) as task:
        for number, row in read_rows(data, filename):
            code = row.get("channel_code", "")
            try:
                if code in seen:
                    raise InvalidInput(
                        "video.duplicate_in_file",
                        code=code,
                        details=[{"field": "channel_code", "code": "video.duplicate_in_file"}],
                    )
                _, created = register_channel(
                    session, data=row_to_channel(row), locator=locator, devices=devices
                )
            except MudanError as exc:
                report.rejected.append(_row_error(number, exc, row))
            else:
                seen.add(code)
                report.created += created
                report.updated += not created
            task.advance()
    return report
