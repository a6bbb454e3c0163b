"""Deny by default: every route refuses anonymous callers unless declared public."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from mudan.core.deps import is_public_endpoint
from mudan.core.routes import iter_routes

# Non-API routes that FastAPI/Starlette add and that are meant to be public.
PUBLIC_FRAMEWORK_PATHS = {"/api/docs", "/api/docs/oauth2-redirect", "/api/openapi.json"}
PUBLIC_MOUNTS = {"/static"}
EXPECTED_PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/lang/{locale}"),
    ("GET", "/healthz"),
    ("POST", "/api/v1/auth/tokens"),
    # Open311 GeoReport v2: public reads; POST checks its api_key itself (cases.open311).
    ("GET", "/open311/v2/services.json"),
    ("GET", "/open311/v2/services/{code}.json"),
    ("GET", "/open311/v2/requests.json"),
    ("GET", "/open311/v2/requests/{request_id}.json"),
    ("POST", "/open311/v2/requests.json"),
    # The citizen's report page (CSRF-checked form).
    ("GET", "/report"),
    ("POST", "/report"),
    # the open-data portal, its CKAN Action API and DCAT-AP export (opendata domain)
    ("GET", "/api/3/action/{name}"),
    ("POST", "/api/3/action/{name}"),
    ("GET", "/api/action/{name}"),
    ("POST", "/api/action/{name}"),
    ("GET", "/catalog.ttl"),
    ("GET", "/open/dataset/{name}.ttl"),
    ("GET", "/open/dataset/{name}.jsonld"),
    ("GET", "/open"),
    ("GET", "/open/dataset/{name}"),
    ("GET", "/open/dataset/{name}/download.{fmt}"),
    ("POST", "/open/dataset/{name}/feedback"),
    ("GET", "/open/register"),
    ("POST", "/open/register"),
}


def _concrete(path: str) -> str:
    samples = {"code": "3717", "locale": "zh"}
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: samples.get(m.group(1), "1"), path)


def test_every_route_refuses_anonymous_unless_public(client: TestClient) -> None:
    public_seen = set()
    checked = 0
    for route in iter_routes(client.app.routes):  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            assert route.path in PUBLIC_MOUNTS, f"unexpected mount {route.path}"
            continue
        if isinstance(route, APIRoute):
            for method in route.methods:
                if is_public_endpoint(route.endpoint):
                    public_seen.add((method, route.path))
                    continue
                r = client.request(
                    method,
                    _concrete(route.path),
                    follow_redirects=False,
                    headers={"accept": "application/json"},
                )
                assert r.status_code == 401, (method, route.path, r.status_code, r.text[:200])
                assert r.json()["error"]["code"] == "auth.required"
                # Browsers are sent to the login page instead.
                r = client.request(
                    method,
                    _concrete(route.path),
                    follow_redirects=False,
                    headers={"accept": "text/html"},
                )
                assert r.status_code in (303, 401), (method, route.path, r.status_code)
                checked += 1
        elif isinstance(route, Route):
            assert route.path in PUBLIC_FRAMEWORK_PATHS, f"undeclared route {route.path}"
    assert public_seen == EXPECTED_PUBLIC
    assert checked > 10


def test_operation_ids_are_unique_and_stable(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert "locate_point" in ids and "create_user" in ids and "healthz" in ids


def test_malformed_and_unknown_tokens(client: TestClient) -> None:
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.malformed_token"
    r = client.get("/api/v1/me", headers={"Authorization": "Basic YWRtaW46eA=="})
    assert r.json()["error"]["code"] == "auth.malformed_token"
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer mdn_" + "A" * 43})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.invalid_token"
    assert "API 令牌" in r.json()["error"]["message"]


def test_oversized_body_is_refused(client: TestClient) -> None:
    limit = client.app.state.ctx.settings.web.max_body_bytes  # type: ignore[attr-defined]
    r = client.post(
        "/api/v1/auth/tokens",
        content=b"x" * (limit + 1),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "request.too_large"


def test_unknown_route_uses_envelope(client: TestClient) -> None:
    r = client.get("/api/v1/nope")
    assert r.status_code == 404
    assert r.json() == {
        "ok": False,
        "error": {"code": "http.not_found", "message": "请求的地址不存在。", "details": []},
    }
