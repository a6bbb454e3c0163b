"""Open311 POST: a body that is not a JSON object (or a form) is a clear 400, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

URL = "/open311/v2/requests.json"
H = Callable[[str], dict[str, str]]


@pytest.mark.parametrize(
    "raw",
    [b"", b"[]", b'"text"', b"42", b"null", b"[{}]", b"{not json", "中".encode("gbk")],
    ids=["empty", "list", "string", "number", "null", "list-of-object", "broken", "not-utf8"],
)
def test_body_that_is_not_a_json_object_is_a_400(
    client: TestClient, headers: H, raw: bytes
) -> None:
    h = {**headers("hotline"), "Content-Type": "application/json"}
    r = client.post(URL, content=raw, headers=h)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["ok"] is False and body["error"]["code"] == "cases.open311_bad_body"
    assert body["error"]["message"]


def test_anonymous_bad_body_is_also_a_400(client: TestClient) -> None:
    r = client.post(URL, content=b"[]", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "cases.open311_bad_body"


def test_a_json_object_still_goes_through(client: TestClient, headers: H) -> None:
    # An empty object passes the body check and fails later, on its missing service_code.
    r = client.post(URL, json={}, headers=headers("hotline"))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] != "cases.open311_bad_body"
