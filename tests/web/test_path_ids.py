"""Ids, pages and cursors are bounded: a number too big for its column is a 422, not a 500."""

from __future__ import annotations

import pytest
from annotated_types import Ge, Le
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mudan.core.params import MAX_BIG_ID, MAX_ID
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
        if not any(isinstance(m, Le) and m.le <= MAX_BIG_ID for m in meta)
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
        ("GET", "/api/v1/video/channels/{id}"),
        ("GET", "/catalog/{id}"),
    ],
)
def test_an_id_past_the_id_columns_is_refused(
    client: TestClient, admin_headers: dict[str, str], method: str, path: str
) -> None:
    # Id columns are 32-bit INTEGER on PostgreSQL: the next id up used to overflow the driver.
    cases = ((TOO_BIG, 422), (MAX_ID + 1, 422), (MAX_ID, 404), (0, 422))
    for value, expected in cases:
        r = client.request(method, path.format(id=value), headers=admin_headers)
        assert r.status_code == expected, (value, r.text)
        if expected == 422:
            assert r.json()["error"]["code"] == "request.invalid"


def test_observation_ids_follow_their_bigint_readings(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    # Observation ids are reading id × 8 + metric (readings are BIGINT rows), datastream ids
    # device id × 8 + metric: both pass the 32 bits of an id column.
    for path in ("Observations({id})", "Datastreams({id})/Thing"):
        # MAX_BIG_ID - 7 names metric 0 of a device id past 32 bits (a 500 on PostgreSQL once).
        big = ((TOO_BIG, 422), (MAX_ID + 1, 404), (MAX_BIG_ID, 404), (MAX_BIG_ID - 7, 404))
        for value, expected in big:
            r = client.get("/sta/v1.1/" + path.format(id=value), headers=admin_headers)
            assert r.status_code == expected, (value, r.text)


def test_sensorthings_refuses_an_oversized_skip_by_its_own_rule(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    # STA 1.1 answers a bad query option with 400 naming it (never a 500); big offsets are fine.
    r = client.get(f"/sta/v1.1/Things?$skip={TOO_BIG}", headers=admin_headers)
    assert r.status_code == 400 and r.json()["error"]["details"] == [{"option": "$skip"}]
    assert (
        client.get(f"/sta/v1.1/Things?$skip={MAX_ID + 1}", headers=admin_headers).status_code == 200
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/quality/quarantine?page={n}",
        "/api/v1/quality/quarantine?page_size={n}",
        "/api/v1/video/channels?page={n}",
        "/api/v1/cases?offset={n}",
        "/api/v1/iot/devices?page={n}",
        "/api/v1/ops/alerts?after={n}",
        "/api/v1/share/requests?page={n}",
    ],
)
def test_pages_offsets_and_cursors_are_bounded_too(
    client: TestClient, admin_headers: dict[str, str], url: str
) -> None:
    # Each of these answered 500 with 2**63 (and the alert cursor with 2**31 on PostgreSQL).
    for n, expected in ((TOO_BIG, 422), (MAX_ID + 1, 422), (MAX_ID, 200)):
        r = client.get(url.format(n=n), headers=admin_headers)
        assert r.status_code == expected, (n, r.text)
