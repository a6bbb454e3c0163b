from __future__ import annotations

import socket

from fastapi.testclient import TestClient

from mudan.app import create_app
from mudan.settings import Settings


def test_healthz_reports_database_lake_and_broker(client: TestClient) -> None:
    r = client.get("/healthz")
    body = r.json()
    assert r.status_code == 200 and body["ok"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["lake"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "mode": "embedded"}


def test_healthz_with_real_mosquitto(settings: Settings) -> None:
    cfg = settings.model_copy(
        update={"mqtt": settings.mqtt.model_copy(update={"url": "mqtt://127.0.0.1:1883"})}
    )
    with TestClient(create_app(cfg)) as c:
        assert c.get("/healthz").json()["checks"]["broker"]["ok"] is True


def test_healthz_fails_when_broker_unreachable(settings: Settings) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = settings.model_copy(
        update={"mqtt": settings.mqtt.model_copy(update={"url": f"mqtt://127.0.0.1:{port}"})}
    )
    with TestClient(create_app(cfg)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503
    assert r.json()["checks"]["broker"]["ok"] is False


def test_metrics_need_permission_and_count_requests(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    client.get("/healthz")
    assert client.get("/metrics").status_code == 401
    r = client.get("/metrics", headers=admin_headers)
    assert r.status_code == 200
    assert 'mudan_http_requests_total{method="GET",route="/healthz",status="200"}' in r.text


def test_request_id_is_echoed(client: TestClient) -> None:
    r = client.get("/healthz", headers={"x-request-id": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
