"""Every integer path parameter is bounded, so an id past 2**63 - 1 is a 422, never a 500."""

from __future__ import annotations

import pytest
from annotated_types import Ge, Le
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mudan.core.params import MAX_ID
from mudan.core.routes import iter_routes

TOO_BIG = 2**63


def _int_path_params(client: TestClient) -> list[tuple[str, str, list[object]]]:
    found = []
    for route in iter_routes(client.app.routes):  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute):
            continue
        for param in route.dependant.path_params:
            if param.field_info.annotation is int:
                found.append((route.path, param.name, list(param.field_info.metadata)))
    return found


def test_every_int_path_parameter_is_bounded(client: TestClient) -> None:
    params = _int_path_params(client)
    assert len(params) > 50  # the walk does see the routes (API, pages and SensorThings)
    unbounded = [
        f"{path} {{{name}}}"
        for path, name, meta in params
        if not any(isinstance(m, Le) and m.le <= MAX_ID for m in meta)
        or not any(isinstance(m, Ge) and m.ge >= 1 for m in meta)
    ]
    assert unbounded == [], "use mudan.core.params.Id for these:\n" + "\n".join(unbounded)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/emergency/incidents/{id}"),
        ("DELETE", "/api/v1/ingest/sources/{id}"),
        ("GET", "/api/v1/catalog/entries/1/versions/{id}"),
        ("GET", "/api/v1/share/grants/{id}"),
        ("GET", "/api/v1/alerts/{id}"),
        ("GET", "/api/v1/quality/tickets/{id}"),
        ("GET", "/sta/v1.1/Datastreams({id})/Thing"),
        ("GET", "/api/v1/video/channels/{id}"),
    ],
)
def test_an_id_past_the_largest_bigint_is_refused(
    client: TestClient, admin_headers: dict[str, str], method: str, path: str
) -> None:
    for value, expected in ((TOO_BIG, 422), (MAX_ID, 404), (0, 422)):
        r = client.request(method, path.format(id=value), headers=admin_headers)
        assert r.status_code == expected, (value, r.text)
        if expected == 422:
            assert r.json()["error"]["code"] == "request.invalid"
