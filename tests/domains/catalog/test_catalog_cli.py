"""``mudan catalog export|import|reindex|search`` against a real database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mudan.domains.catalog import service
from mudan.domains.catalog.cli import catalog
from mudan.settings import Settings
from tests.domains.catalog.catalog_fixtures import only_rows, principal, sample_entry


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MUDAN_DATABASE__URL", settings.database.url)
    monkeypatch.setenv("MUDAN_VAR_DIR", str(settings.var_dir))
    return CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(catalog, name="catalog")
    return app


def _found(output: str) -> int:
    m = re.search(r"共检索到 (\d+) 条", output)
    assert m is not None, output
    return int(m[1])


def test_cli_export_reindex_search_import(run: CliRunner, session: Session, tmp_path: Path) -> None:
    # the database already holds the demo catalog: index it and count the hits first
    r = run.invoke(_app(), ["catalog", "reindex"])
    assert r.exit_code == 0, r.output
    r = run.invoke(_app(), ["catalog", "search", "户籍"])
    assert r.exit_code == 0, r.output
    hits_before = _found(r.output)

    admin, dsj = principal(session, "admin"), principal(session, "dsj")
    entry = service.create_entry(session, principal=admin, data=sample_entry())
    service.submit(session, principal=admin, entry_id=entry.id)
    service.approve(session, principal=dsj, entry_id=entry.id)
    other = service.create_entry(
        session, principal=admin, data=sample_entry(name="菏泽市流动人口名册")
    )
    session.commit()
    ours = [entry.code, other.code]
    total = service.count_entries(session)

    out = tmp_path / "catalog.xlsx"
    r = run.invoke(_app(), ["catalog", "export", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(load_workbook(out)["目录"].iter_rows(values_only=True))[1:]
    assert len(rows) == total
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)  # ordered by code
    assert [row[1] for row in rows if row[0] in ours] == [
        "菏泽市户籍人口基本信息",
        "菏泽市流动人口名册",
    ]

    r = run.invoke(_app(), ["catalog", "reindex"])
    assert r.exit_code == 0, r.output
    r = run.invoke(_app(), ["catalog", "search", "户籍"])
    assert r.exit_code == 0 and _found(r.output) == hits_before + 1, r.output

    # same codes: updated in place (only our entries: the demo's pending ones cannot be updated)
    mine = tmp_path / "ours.xlsx"
    mine.write_bytes(only_rows(out.read_bytes(), ours))
    r = run.invoke(_app(), ["catalog", "import", str(mine)])
    assert r.exit_code == 0, r.output
    assert "新建 0 条，更新 2 条" in r.output, r.output
    session.expire_all()
    assert service.count_entries(session) == total

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    r = run.invoke(_app(), ["catalog", "import", str(bad)])
    assert r.exit_code == 2 and "catalog.bad_xlsx" in r.output
