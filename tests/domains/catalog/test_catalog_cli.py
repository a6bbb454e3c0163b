"""``mudan catalog export|import|reindex|search`` against a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mudan.domains.catalog import service
from mudan.domains.catalog.cli import catalog
from mudan.settings import Settings
from tests.domains.catalog.catalog_fixtures import principal, sample_entry

pytestmark = pytest.mark.usefixtures("empty_catalog")


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MUDAN_DATABASE__URL", settings.database.url)
    monkeypatch.setenv("MUDAN_VAR_DIR", str(settings.var_dir))
    return CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(catalog, name="catalog")
    return app


def test_cli_export_reindex_search_import(run: CliRunner, session: Session, tmp_path: Path) -> None:
    admin, dsj = principal(session, "admin"), principal(session, "dsj")
    entry = service.create_entry(session, principal=admin, data=sample_entry())
    service.submit(session, principal=admin, entry_id=entry.id)
    service.approve(session, principal=dsj, entry_id=entry.id)
    service.create_entry(session, principal=admin, data=sample_entry(name="菏泽市流动人口名册"))
    session.commit()

    out = tmp_path / "catalog.xlsx"
    r = run.invoke(_app(), ["catalog", "export", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(load_workbook(out)["目录"].iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["菏泽市户籍人口基本信息", "菏泽市流动人口名册"]

    r = run.invoke(_app(), ["catalog", "reindex"])
    assert r.exit_code == 0, r.output
    r = run.invoke(_app(), ["catalog", "search", "户籍"])
    assert r.exit_code == 0 and "共检索到 1 条" in r.output, r.output

    r = run.invoke(_app(), ["catalog", "import", str(out)])  # same codes: updated in place
    assert r.exit_code == 0, r.output

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    r = run.invoke(_app(), ["catalog", "import", str(bad)])
    assert r.exit_code == 2 and "catalog.bad_xlsx" in r.output
