"""Every timestamp the API answers says its time zone, on SQLite as on PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.jsonstamps import TIMESTAMP, strings

# Operations that answered naive times on SQLite before UTCDateTime (one or more per domain).
SAMPLE = [
    "/api/v1/emergency/duty",
    "/api/v1/emergency/incidents",
    "/api/v1/cases",
    "/api/v1/video/channels",
    "/api/v1/ingest/jobs",
    "/api/v1/quality/rules",
    "/api/v1/quality/tickets",
    "/api/v1/quality/scores",
    "/api/v1/catalog/entries/1/versions",
    "/api/v1/audit",
    "/api/v1/alerts",
    "/api/v1/share/requests",
    "/api/v1/iot/devices",
]


def test_sampled_operations_answer_aware_timestamps(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    seen = 0
    for url in SAMPLE:
        r = client.get(url, headers=admin_headers)
        assert r.status_code == 200, (url, r.text)
        stamps = [(s, m) for s in strings(r.json()) if (m := TIMESTAMP.fullmatch(s))]
        naive = [s for s, m in stamps if not m["zone"]]
        assert naive == [], (url, naive[:3])
        seen += len(stamps)
    assert seen > 50  # the sample does carry timestamps
