"""XLSX export/import: round trip, row-level errors with nothing written, --partial."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput
from mudan.domains.catalog import service
from mudan.domains.catalog.models import CatalogEntry
from mudan.domains.catalog.xlsx import ENTRY_COLUMNS, ITEM_COLUMNS, export_xlsx, import_xlsx
from tests.domains.catalog.catalog_fixtures import next_seq, principal, sample_entry

VOLATILE = ("id", "status", "version", "review_note")


def _comparable(entry: CatalogEntry) -> dict[str, Any]:
    out = service.entry_out(entry).model_dump(mode="json")
    return {k: v for k, v in out.items() if k not in VOLATILE}


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(CatalogEntry)) or 0)


def test_round_trip_gives_equal_entries(session: Session) -> None:
    admin = principal(session, "admin")
    existing = _count(session)  # the demo's entries
    first = service.create_entry(session, principal=admin, data=sample_entry())
    made = [
        first,
        service.create_entry(
            session,
            principal=admin,
            data=sample_entry(
                name="菏泽市医疗机构名录",
                department_code="371700005",
                theme="医疗卫生",
                share_type="none",
                share_conditions="",
                legal_basis="《中华人民共和国数据安全法》第二十一条",
                related=[first.code],
                release_date="2024-05-01",
                update_cycle="quarterly",
                region_code="371702",
            ),
        ),
        service.create_entry(
            session,
            principal=admin,
            data=sample_entry(
                name="菏泽市空气质量监测数据",
                theme="生态环境",
                department_code="371700004",
                share_type="unconditional",
                share_conditions="",
                open_type="conditional",
                open_conditions="实名注册后获取",
                grade="general",
                aggregated=False,
                key_columns=[],
                items=[],
                format="接口",
            ),
        ),
    ]
    before = {e.code: _comparable(e) for e in made}
    data = export_xlsx(made)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["目录", "信息项"]
    assert [c.value for c in wb["目录"][1]] == list(ENTRY_COLUMNS)
    assert wb["目录"]["J2"].value == "每日" and wb["信息项"]["I3"].value == "L4 高敏感"

    for e in made:
        session.delete(e)
    session.flush()
    assert _count(session) == existing
    report = import_xlsx(session, principal=admin, data=data)
    assert sorted(report.created) == sorted(before) and not report.errors
    assert _count(session) == existing + 3
    imported = session.scalars(select(CatalogEntry).where(CatalogEntry.code.in_(before)))
    after = {e.code: _comparable(e) for e in imported.unique().all()}
    assert after == before

    # importing the same file again updates the entries in place (no duplicates)
    again = import_xlsx(session, principal=admin, data=data)
    assert sorted(again.updated) == sorted(before) and _count(session) == existing + 3


def _bad_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "目录"
    ws.append(["菏泽市数据目录填报表"])  # a merged title row above the header
    ws.merge_cells("A1:F1")
    headers = [h for h in ENTRY_COLUMNS if h not in ("状态", "版本", "提供方")]
    ws.append(headers)

    def row(**values: Any) -> list[Any]:
        base = {
            "资源名称": "菏泽市企业法人基本信息",
            "提供方代码": "371700010",
            "资源分类": "基础信息",
            "主题": "法人",
            "资源格式": "数据库表",
            "更新周期": "每日",
            "区划代码": "3717",
            "分级": "一般数据",
            "共享类型": "无条件共享",
            "开放类型": "不予开放",
            "需归集": "否",
        }
        base.update(values)
        return [base.get(h, "") for h in headers]

    ws.append(row())  # row 3: good
    ws.append(row(资源名称="菏泽市企业年报", 更新周期="每两天"))  # row 4: bad cycle
    ws.append(row(资源名称="不予共享无依据", 共享类型="不予共享"))  # row 5: no legal basis
    ws.append(row(资源名称="坏代码", 资源代码="ABC-1"))  # row 6: bad code
    items = wb.create_sheet("信息项")
    items.append(list(ITEM_COLUMNS))
    items.append(
        [
            "",
            "菏泽市企业法人基本信息",
            1,
            "dwmc",
            "单位名称",
            "字符型",
            200,
            "无条件共享",
            "L1 公开",
            "",
            "",
        ]
    )
    items.append(
        [
            "",
            "菏泽市企业法人基本信息",
            2,
            "tyshxydm",
            "统一社会信用代码",
            "字符型",
            18,
            "无条件共享",
            "L1",
            "",
            "",
        ]
    )
    items.append(
        ["", "菏泽市企业年报", 1, "Bad Name", "年报", "字符型", "", "无条件共享", "L1", "", ""]
    )
    items.append(["", "不存在的目录", 1, "x", "x", "字符型", "", "无条件共享", "L1", "", ""])
    items.append(
        [
            "",
            "菏泽市企业年报",
            3,
            "clrq",
            "成立日期",
            "日期型",
            "",
            "无条件共享",
            "L9",
            "",
            "",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_bad_rows_are_reported_and_nothing_is_written(session: Session) -> None:
    admin = principal(session, "admin")
    existing = _count(session)  # the demo's entries
    with pytest.raises(InvalidInput) as exc:
        import_xlsx(session, principal=admin, data=_bad_workbook())
    assert exc.value.code == "catalog.import_invalid"
    where = {(d["sheet"], d["row"], d["column"]) for d in exc.value.details}
    assert ("目录", 4, "更新周期") in where
    assert ("目录", 6, "资源代码") in where
    assert any(
        d["sheet"] == "目录" and d["row"] == 5 and "catalog.legal_basis_required" in d["reason"]
        for d in exc.value.details
    )
    assert ("信息项", 5, "资源代码") in where  # unknown entry
    assert ("信息项", 6, "敏感级别") in where  # L9
    assert _count(session) == existing


def test_partial_imports_the_good_entries_as_drafts(session: Session) -> None:
    admin = principal(session, "admin")
    existing = _count(session)  # the demo's entries, some of which have taken codes
    code = f"371700010-02-01-{next_seq(session, '371700010-02-01-'):04d}"
    report = import_xlsx(session, principal=admin, data=_bad_workbook(), partial=True)
    assert {e.row for e in report.errors if e.sheet == "目录"} == {4, 5, 6}
    assert report.created == [code]
    entry = service.get_by_code(session, code=code)
    assert entry.status == "draft" and entry.name == "菏泽市企业法人基本信息"
    assert [i.name for i in entry.items] == ["dwmc", "tyshxydm"]
    assert _count(session) == existing + 1


def test_not_an_xlsx(session: Session) -> None:
    with pytest.raises(InvalidInput) as exc:
        import_xlsx(session, principal=principal(session, "admin"), data=b"name,code\n")
    assert exc.value.code == "catalog.bad_xlsx"


def test_a_failure_while_writing_undoes_the_whole_import(session: Session) -> None:
    admin = principal(session, "admin")
    existing = _count(session)  # the demo's entries
    good = service.create_entry(session, principal=admin, data=sample_entry())
    other = service.create_entry(
        session, principal=admin, data=sample_entry(name="菏泽市流动人口名册")
    )
    code = good.code
    data = export_xlsx([good, other])
    wb = load_workbook(io.BytesIO(data))
    wb["目录"]["A3"] = None  # second entry: no code, so it will be created …
    wb["目录"]["C3"] = "371700999"  # … for a department that does not exist
    wb["信息项"]["A6"] = wb["信息项"]["A7"] = wb["信息项"]["A8"] = wb["信息项"]["A9"] = None
    buf = io.BytesIO()
    wb.save(buf)
    for e in (good, other):
        session.delete(e)
    session.flush()
    with pytest.raises(InvalidInput) as exc:
        import_xlsx(session, principal=admin, data=buf.getvalue())
    assert [(d["sheet"], d["row"]) for d in exc.value.details] == [("目录", 3)]
    assert "department.not_found" in exc.value.details[0]["reason"]
    assert _count(session) == existing  # the good first row was undone too
    assert session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == code)) is None
