"""``mudan share call``: the data service from a shell, as a named user. The same grant gives
the same masked rows as the API, a refusal keeps its code, and the call log (and its seal in
the audit chain) records the CLI call like an API call."""

from __future__ import annotations

import orjson
import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mudan.domains.sharing.cli import share
from mudan.domains.sharing.models import ServiceCall, ShareGrant
from mudan.kernel.models import User
from mudan.settings import Settings
from tests.domains.sharing.conftest import World, granted


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


def _client_user(session: Session, gid: int) -> str:
    uid = session.scalar(select(ShareGrant.client_user_id).where(ShareGrant.id == gid))
    name = session.scalar(select(User.username).where(User.id == uid))
    assert name is not None
    return name


def test_cli_call_returns_the_apis_masked_rows_and_is_logged(
    run: CliRunner, client: TestClient, world: World, session: Session
) -> None:
    gid, h = granted(client, world)
    params = {"_size": "5", "nl__gte": "30"}
    api = client.get(f"/api/v1/share/services/{gid}", params=params, headers=h)
    assert api.status_code == 200, api.text
    user = _client_user(session, gid)
    args = ["share", "call", str(gid), "--as", user, "--limit", "5", "--filter", "nl__gte=30"]
    out = run.invoke(_app(), args)
    assert out.exit_code == 0, out.output
    body = orjson.loads(out.stdout_bytes)
    assert body["rows"] == api.json()["rows"] and len(body["rows"]) == 5
    assert body["fields"] == api.json()["fields"]
    assert all(r["sfzh"].count("*") == 8 for r in body["rows"])  # masked like the API's
    session.expire_all()
    calls = session.scalars(select(ServiceCall).where(ServiceCall.grant_id == gid)).all()
    cli = calls[-1]
    assert len(calls) == 2 and cli.caller == user and cli.status == 200 and cli.rows == 5
    assert cli.query == {"nl__gte": "30", "_size": "5"}
    assert cli.sealed_by is not None  # sealed into the audit chain when the command ends
    csv = run.invoke(_app(), [*args[:5], "--limit", "2", "--format", "csv", "--fields", "bh,xm"])
    assert csv.exit_code == 0, csv.output
    params = {"_size": "2", "_format": "csv", "_fields": "bh,xm"}
    api_csv = client.get(f"/api/v1/share/services/{gid}", params=params, headers=h)
    assert csv.stdout_bytes == api_csv.content + b"\n" and "*" in api_csv.text


def test_cli_call_refusals_keep_their_code_and_are_logged(
    run: CliRunner, client: TestClient, world: World, session: Session
) -> None:
    gid, _ = granted(client, world)
    user = _client_user(session, gid)
    out = run.invoke(_app(), ["share", "call", str(gid), "--as", user, "--filter", "bz=x"])
    assert out.exit_code == 2 and "sharing.column_not_granted" in out.output
    session.expire_all()
    call = session.scalars(select(ServiceCall).where(ServiceCall.grant_id == gid)).one()
    assert (call.caller, call.status, call.rows) == (user, 403, 0)
    # a user without dataservice.call is refused before the grant is read, as by the API
    other = run.invoke(_app(), ["share", "call", str(gid), "--as", "mudanqu"])
    assert other.exit_code == 2 and "auth.forbidden" in other.output  # no dataservice.call
    nobody = run.invoke(_app(), ["share", "call", str(gid), "--as", "no-such-user"])
    assert nobody.exit_code == 2 and "sharing.unknown_user" in nobody.output
