"""Schemathesis over the whole OpenAPI: no 5xx, and every response matches its schema.

Each operation that may write gets a fresh copy of the demo world (the GETs share one per
worker) and a few cases with a fixed seed: the schema's explicit examples, then generated
ones (valid and invalid, ``EXAMPLES`` of them), no coverage or stateful phase, so the run
stays small. Every case is sent twice with bearer tokens (CSRF-exempt, and no logout can
end them): first as a grid worker (网格员: few permissions, one street), then as admin. Checks:

* ``not_a_server_error``: no 5xx for anything, valid or not;
* ``response_schema_conformance``: a documented status's body matches its schema, formats
  included (a naive time is not a ``date-time``);
* ``timestamps_carry_a_zone``: every timestamp-looking string in any JSON body has a zone,
  also where the schema is free-form.

Status codes are not checked against the documented ones: FastAPI documents only 2xx and 422,
while the deny-by-default 401/403, 404 and 409 are our one error envelope everywhere.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from mudan.app import create_app
from tests.conftest import DatabaseFactory, _settings, login_token
from tests.web.jsonstamps import naive_timestamps

USERS = ("wangge", "admin")  # the low-privilege one first, then the one who may do anything
SEED = 3717
EXAMPLES = 4  # generated cases per operation (plus the schema's explicit examples)

# Operations that cannot run in-process, and why. Nothing else is left out.
EXCLUDED = {
    ("GET", "/api/v1/ops/stream"): "an SSE stream that never ends (tests/domains/ops covers it)",
}


def _openapi() -> dict[str, Any]:
    """The app's OpenAPI document; building it needs no database."""
    app = create_app(_settings("sqlite://", Path(tempfile.gettempdir())))
    return app.openapi()


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "suppress-health-check": ["all"],  # one DB per operation, shared by its cases, is wanted
        "generation": {"max-examples": EXAMPLES, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG).exclude(
    func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in EXCLUDED
)


def timestamps_carry_a_zone(ctx: Any, response: schemathesis.Response, case: Any) -> None:
    """Every timestamp in a JSON body says its zone, documented as date-time or not."""
    ctype = ",".join(response.headers.get("content-type", []))
    if "json" not in ctype or not response.content:
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        return
    naive = naive_timestamps(body)
    assert not naive, f"timestamps without a time zone: {naive[:5]}"


CHECKS = [not_a_server_error, response_schema_conformance, timestamps_carry_a_zone]


@pytest.fixture(scope="session")
def fuzz_tokens(dbs: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A demo-world template whose users already hold bearer tokens (logins hash: slow)."""
    url = dbs.fresh("world")
    with TestClient(create_app(_settings(url, tmp_path_factory.mktemp("fuzz")))) as c:
        tokens = {user: login_token(c, user) for user in USERS}
    dbs.adopt("fuzz", url)
    return tokens


@pytest.fixture(scope="session")
def read_api(
    dbs: DatabaseFactory, fuzz_tokens: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One app for all the GET operations of a worker: reads change nothing (a fresh
    PostgreSQL database costs about half a second, and there are over a hundred GETs)."""
    yield from _app(dbs, tmp_path_factory.mktemp("reads"))


@pytest.fixture
def write_api(
    dbs: DatabaseFactory, fuzz_tokens: dict[str, str], tmp_path: Path
) -> Iterator[TestClient]:
    """A fresh copy of the world for each operation that may change it."""
    yield from _app(dbs, tmp_path)


def _app(dbs: DatabaseFactory, root: Path) -> Iterator[TestClient]:
    url = dbs.fresh("fuzz")
    with TestClient(create_app(_settings(url, root)), raise_server_exceptions=False) as c:
        yield c
    dbs.drop(url)


def _part(value: Any) -> Any:
    filename, content, *rest = value if isinstance(value, tuple) else (None, value)
    if not isinstance(content, bytes | str):
        content = str(content)
    return (filename, content, *rest)


def _send(client: TestClient, case: schemathesis.Case, token: str) -> httpx.Response:
    kwargs = case.as_transport_kwargs(
        base_url="http://testserver", headers={"Authorization": f"Bearer {token}"}
    )
    kwargs.pop("cookies", None)  # the API declares no cookie parameters
    if isinstance(kwargs.get("data"), bytes | str):  # requests' raw body is httpx's content
        kwargs["content"] = kwargs.pop("data")
    if kwargs.get("files"):  # requests sends any multipart value as text; httpx wants bytes
        kwargs["files"] = [(name, _part(value)) for name, value in kwargs["files"]]
    response = client.request(**kwargs)
    response.request.read()  # multipart bodies stream; the checks read the request back
    return response


@schema.parametrize()
def test_api(
    case: schemathesis.Case, request: pytest.FixtureRequest, fuzz_tokens: dict[str, str]
) -> None:
    api = request.getfixturevalue("read_api" if case.method.upper() == "GET" else "write_api")
    for user in USERS:
        response = _send(api, case, fuzz_tokens[user])
        case.validate_response(response, checks=CHECKS)
