"""``mudan share tick|requests|rates|verify-calls`` against the test world: tick reminds and
marks overdue, and runs a due return flow into a lake namespace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import typer
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mudan.domains.catalog import service as catalog
from mudan.domains.sharing.cli import share
from mudan.domains.sharing.models import ShareRequest
from mudan.domains.sharing.returnflow.county import add_flow, create_node
from mudan.domains.sharing.returnflow.models import ReturnFlow
from mudan.domains.sharing.returnflow.schemas import FlowIn, NodeIn
from mudan.settings import Settings
from tests.domains.sharing.conftest import World, principal, request_body


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MUDAN_DATABASE__URL", settings.database.url)
    monkeypatch.setenv("MUDAN_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("MUDAN_LAKE__WAREHOUSE", str(settings.lake.warehouse))
    return CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(share, name="share")
    return app


def test_tick_reminds_marks_and_delivers(run: CliRunner, world: World, session: Session) -> None:
    from mudan.domains.sharing.workflow import requests
    from mudan.domains.sharing.workflow.schemas import RequestIn

    req = requests.create_request(
        session,
        principal=principal(session, "mudanqu"),
        data=RequestIn(**request_body(world.people.code)),
    )
    admin = principal(session, "admin")
    node = create_node(
        session,
        principal=admin,
        data=NodeIn(region_code="371721", target_kind="lake", target="county_371721"),
    )  # type: ignore[arg-type]
    flow = add_flow(
        session,
        principal=admin,
        node_id=node.id,
        data=FlowIn(table_ref=catalog.table_spec_for(world.people).ident, region_column="ssqx"),
    )
    session.execute(
        update(ShareRequest)
        .where(ShareRequest.id == req.id)
        .values(due_at=datetime.now(UTC) - timedelta(hours=1))
    )
    session.commit()
    out = run.invoke(_app(), ["share", "tick"])
    assert out.exit_code == 0, out.output
    text = out.output.replace("\n", "")
    assert "超期 1 件" in text and "回流 1 个" in text
    session.expire_all()
    assert session.scalar(select(ShareRequest.overdue).where(ShareRequest.id == req.id)) is True
    assert session.scalar(select(ReturnFlow.total_rows).where(ReturnFlow.id == flow.id)) == 20
    again = run.invoke(_app(), ["share", "tick"])
    again_text = again.output.replace("\n", "")
    assert "超期 0 件" in again_text and "回流 1" not in again_text  # not due again yet
    listing = run.invoke(_app(), ["share", "requests"])
    assert world.people.code in listing.output
    assert "菏泽市" in run.invoke(_app(), ["share", "rates"]).output
    verified = run.invoke(_app(), ["share", "verify-calls"])
    assert verified.exit_code == 0 and "已核验" in verified.output
