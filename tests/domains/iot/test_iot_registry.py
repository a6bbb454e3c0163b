"""Device registry: bulk import with row-by-row errors, filters, region scope."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.iot.models import Device
from tests.conftest import login_token

GOOD_LON, GOOD_LAT = 115.47, 35.25  # 牡丹区, in the city


def _csv(rows: list[list[str]]) -> bytes:
    lines = ["设备编码,类型,型号,权属部门代码,经度,纬度,协议,上报周期秒"]
    lines += [",".join(r) for r in rows]
    return "\n".join(lines).encode("gb18030")


def test_csv_import_reports_bad_rows_and_imports_the_rest(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    data = _csv(
        [
            [
                "T-AQ-1",
                "空气质量监测站",
                "X1",
                "371700004",
                str(GOOD_LON),
                str(GOOD_LAT),
                "mqtt",
                "300",
            ],
            ["T-WL-2", "water_level", "X2", "371700017", "115.50", "35.20", "nb-iot", ""],
            ["T-BAD-3", "飞碟", "X3", "371700004", str(GOOD_LON), str(GOOD_LAT), "mqtt", ""],
            ["T-OUT-4", "smoke", "X4", "371700009", "120.0", "30.0", "mqtt", ""],
            ["T-DEP-5", "smoke", "X5", "999999999", str(GOOD_LON), str(GOOD_LAT), "mqtt", ""],
            ["bad code!", "smoke", "X6", "371700009", str(GOOD_LON), str(GOOD_LAT), "mqtt", ""],
            ["T-AQ-1", "air", "X7", "371700004", str(GOOD_LON), str(GOOD_LAT), "mqtt", ""],
            ["T-LON-8", "smoke", "X8", "371700009", "east", str(GOOD_LAT), "mqtt", ""],
        ]
    )
    r = client.post(
        "/api/v1/iot/devices/import",
        headers=admin_headers,
        files={"file": ("devices.csv", data, "text/csv")},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["imported"] == 2
    by_row = {e["row"]: e for e in body["errors"]}
    assert set(by_row) == {4, 5, 6, 7, 8, 9}
    assert "type" in by_row[4]["reason"]
    assert by_row[5]["reason"] == "坐标不在菏泽市范围内"
    assert by_row[6]["reason"] == "权属部门代码不存在"
    assert "code" in by_row[7]["reason"]
    assert by_row[8]["reason"] == "文件内设备编码重复"
    assert "lon" in by_row[9]["reason"]
    dev = session.scalars(select(Device).where(Device.code == "T-AQ-1")).one()
    assert dev.district_code == "371702" and dev.grid_code and dev.street_code
    assert dev.grid_code.startswith(dev.street_code[:9])
    assert dev.interval_s == 300 and dev.type == "air"


def test_xlsx_import_and_reimport_updates(
    client: TestClient, admin_headers: dict[str, str], session: Session
) -> None:
    def book(model: str) -> bytes:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["设备编码", "类型", "型号", "权属部门代码", "经度", "纬度"])
        ws.append(["X-PK-1", "车位检测", model, "371700008", GOOD_LON, GOOD_LAT])
        ws.append(["X-PK-2", "parking", model, "371700008", 10.0, 10.0])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    for model in ("M1", "M2"):
        r = client.post(
            "/api/v1/iot/devices/import",
            headers=admin_headers,
            files={"file": ("d.xlsx", book(model), "application/octet-stream")},
        )
        assert r.status_code == 200, r.text
        assert r.json()["imported"] == 1 and [e["row"] for e in r.json()["errors"]] == [3]
    assert session.scalars(select(Device.model).where(Device.code == "X-PK-1")).all() == ["M2"]


def test_import_needs_manage_and_names_missing_columns(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    token = login_token(client, "gaj")  # a data officer: no iot.manage
    files = {"file": ("d.csv", _csv([]), "text/csv")}
    r = client.post(
        "/api/v1/iot/devices/import", headers={"Authorization": f"Bearer {token}"}, files=files
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/iot/devices/import",
        headers=admin_headers,
        files={"file": ("d.csv", "设备编码,类型\nA-1,air\n".encode(), "text/csv")},
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "iot.missing_columns"
    assert "department_code" in r.json()["error"]["message"]


def test_list_filters_and_region_scope(client: TestClient, session: Session) -> None:
    county = {"Authorization": f"Bearer {login_token(client, 'mudanqu')}"}
    city = {"Authorization": f"Bearer {login_token(client, 'dsj')}"}
    all_devices = client.get("/api/v1/iot/devices?page_size=500", headers=city).json()
    mine = client.get("/api/v1/iot/devices?page_size=500", headers=county).json()
    total = session.scalar(select(Device.id).order_by(Device.id.desc()).limit(1))
    assert all_devices["total"] == session.query(Device).count() and total
    in_mudan = session.query(Device).filter(Device.district_code == "371702").count()
    assert 0 < mine["total"] == in_mudan < all_devices["total"]
    assert {d["district_code"] for d in mine["items"]} == {"371702"}
    smoke = client.get("/api/v1/iot/devices?type=smoke&page_size=5", headers=city).json()
    assert smoke["items"] and {d["type"] for d in smoke["items"]} == {"smoke"}
    outside = session.scalars(select(Device.code).where(Device.district_code != "371702")).first()
    assert client.get(f"/api/v1/iot/devices/{outside}", headers=county).status_code == 404
    assert client.get(f"/api/v1/iot/devices/{outside}", headers=city).status_code == 200
    grid = client.get("/api/v1/iot/devices?page_size=500", headers={}).status_code
    assert grid == 401
