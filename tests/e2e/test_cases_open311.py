"""Open311 GeoReport v2 read with the ``georeport`` client and checked against JSON schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import requests
from georeport import GeoReport

SCHEMAS = Path(__file__).resolve().parents[1] / "domains" / "cases" / "open311_schemas"


def _check(name: str, doc: Any) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    jsonschema.validate(doc, schema)


def _token(server: str, username: str) -> str:
    r = requests.post(
        f"{server}/api/v1/auth/tokens",
        json={"username": username, "password": "Mudan@Heze2024"},
        timeout=30,
    )
    token: str = r.json()["token"]
    return token


def test_open311_with_the_georeport_client(server: str) -> None:
    client = GeoReport(f"{server}/open311/v2")
    services = client.get_service_list()
    _check("services", services)
    codes = {s["service_code"] for s in services}
    assert {"SJ0102", "BJ0101", "SJ0701"} <= codes
    definition = client.get_service_definition("SJ0102")
    _check("service_definition", definition)

    # POST: form-encoded as in the spec, the api_key as a bearer token.
    form = {
        "service_code": "SJ0102",
        "lat": "35.2480",
        "long": "115.4700",
        "description": "牡丹区暴露垃圾",
        "address_string": "中华路 88 号",
        "first_name": "明",
        "last_name": "王",
        "phone": "13800001111",
    }
    anon = requests.post(f"{server}/open311/v2/requests.json", data=form, timeout=30)
    assert anon.status_code in (401, 403)
    h = {"Authorization": f"Bearer {_token(server, 'hotline')}"}
    r = requests.post(f"{server}/open311/v2/requests.json", data=form, headers=h, timeout=30)
    assert r.status_code == 201, r.text
    _check("post_service_request", r.json())
    number = r.json()[0]["service_request_id"]
    # The api_key in a JSON body works too.
    body = {**form, "api_key": _token(server, "hotline"), "description": "第二条"}
    r = requests.post(f"{server}/open311/v2/requests.json", json=body, timeout=30)
    assert r.status_code == 201, r.text

    one = client.get_service_request(number)
    _check("service_requests", [one])
    assert one["status"] == "open" and one["service_code"] == "SJ0102"
    assert "13800001111" not in json.dumps(one, ensure_ascii=False)  # no personal data
    listed = client.get_service_requests(service_code="SJ0102", status="open")
    _check("service_requests", listed)
    assert number in {x["service_request_id"] for x in listed}
    closed = client.get_service_requests(status="closed")
    _check("service_requests", closed)
    assert all(x["status"] == "closed" for x in closed)
    assert number not in {x["service_request_id"] for x in closed}

    bad = requests.post(
        f"{server}/open311/v2/requests.json",
        data={**form, "service_code": "NOPE"},
        headers=h,
        timeout=30,
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "cases.unknown_category"
