"""Catalog import: a row with a bad code (or any other fault) is rejected with its reason; the
rest are imported, located to a grid, and nothing of a rejected row is written."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.audit import AuditRecord
from mudan.core.errors import InvalidInput
from mudan.domains.video.importer import import_catalog
from mudan.domains.video.models import VideoChannel, VideoDevice
from mudan.kernel.regions import build_locator
from tests.domains.video.video_fixtures import code, grid_point

HEADER = ["通道编码", "设备编码", "通道名称", "权属单位", "经度", "纬度", "状态", "取图地址"]


def _rows(session: Session) -> tuple[list[list[str]], dict[str, str]]:
    lon, lat, grid = grid_point(session, "371702")
    dev = code("118")
    good1, good2, good3 = code(), code(), code()
    rows = [
        [good1, dev, "中华路口东", "公安天网", str(lon), str(lat), "ON"],
        ["3717020001131100012", dev, "坏编码：19位", "社区", str(lon), str(lat), "ON"],
        ["99170200011311000123", dev, "坏编码：省级", "社区", str(lon), str(lat), "ON"],
        [code("200"), dev, "平台编码不是通道", "社区", "", "", "ON"],
        [good2, dev, "人民路西", "城管", str(lon), str(lat), "OFF"],
        [good3, dev, "未知单位", "物业", str(lon), str(lat), "ON"],
        [code(), dev, "城外", "交通", "116.0", "39.9", "ON"],
        [good1, dev, "重复", "交通", str(lon), str(lat), "ON"],
        [code(), dev, "经度不是数", "交通", "东经", str(lat), "ON"],
        [code(), dev, "取图地址不对", "交通", str(lon), str(lat), "ON", "file:///etc/passwd"],
    ]
    return rows, {"good1": good1, "good2": good2, "grid": grid, "dev": dev}


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def _check(session: Session, report_rows: list[tuple[int, str]], ids: dict[str, str]) -> None:
    assert report_rows == [
        (3, "gb28181.format"),
        (4, "gb28181.region"),
        (5, "video.not_a_channel"),
        (7, "video.bad_owner_unit"),
        (8, "video.outside_city"),
        (9, "video.duplicate_in_file"),
        (10, "video.bad_number"),
        (11, "video.bad_url"),
    ]
    got = {
        c.code: c
        for c in session.scalars(
            select(VideoChannel).where(VideoChannel.code.in_([ids["good1"], ids["good2"]]))
        )
    }
    assert set(got) == {ids["good1"], ids["good2"]}
    first = got[ids["good1"]]
    assert (first.owner_unit, first.grid_code, first.district_code) == (
        "police_skynet",
        ids["grid"],
        "371702",
    )
    assert first.community_code == ids["grid"][:12] and first.street_code
    assert got[ids["good2"]].catalog_status == "OFF"
    assert (first.industry, first.type_code, first.network) == ("09", "131", "6")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_csv_import_rejects_row_by_row(session: Session, encoding: str) -> None:
    rows, ids = _rows(session)
    before = session.scalar(select(func.count()).select_from(VideoChannel))
    report = import_catalog(
        session, data=_csv(rows, encoding), filename="目录.csv", locator=build_locator(session)
    )
    assert (report.created, report.updated) == (2, 0)
    _check(session, [(e.row, e.code) for e in report.rejected], ids)
    assert "GB/T 28181" in report.rejected[0].message
    assert session.scalar(select(func.count()).select_from(VideoChannel)) == (before or 0) + 2
    devices = session.scalars(select(VideoDevice).where(VideoDevice.code == ids["dev"])).all()
    assert len(devices) == 1
    again = import_catalog(
        session, data=_csv(rows[:1]), filename="again.csv", locator=build_locator(session)
    )
    assert (again.created, again.updated, again.rejected) == (0, 1, [])


def test_xlsx_import_through_the_api(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    rows, ids = _rows(session)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for r in rows:
        ws.append([float(v) if k in (4, 5) and v.replace(".", "").isdigit() else v
                   for k, v in enumerate(r)])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(
        "/api/v1/video/imports",
        headers=admin_headers,
        files={"file": ("目录.xlsx", buf.getvalue(), "application/octet-stream")},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["created"], body["updated"]) == (2, 0)
    session.expire_all()
    _check(session, [(e["row"], e["code"]) for e in body["rejected"]], ids)
    assert body["rejected"][0]["field"] == "channel_code"
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "video.catalog_imported")
    ).one()
    assert audit.detail == {"created": 2, "updated": 0, "rejected": 8}


def test_whole_file_faults_are_refused(session: Session) -> None:
    locator = build_locator(session)
    with pytest.raises(InvalidInput) as exc:
        import_catalog(session, data=b"name,lon\nx,1\n", filename="a.csv", locator=locator)
    assert exc.value.code == "video.missing_columns"
    assert "channel_code" in exc.value.message()
    with pytest.raises(InvalidInput) as exc:
        import_catalog(session, data=b"PK\x03\x04junk", filename="a.xlsx", locator=locator)
    assert exc.value.code == "video.bad_xlsx"


def test_import_needs_manage_permission(client: TestClient) -> None:
    from tests.conftest import login_token

    h = {"Authorization": f"Bearer {login_token(client, 'zhiban')}"}
    r = client.post("/api/v1/video/imports", headers=h, files={"file": ("a.csv", b"x", "text/csv")})
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
