"""Text with a NUL character: PostgreSQL cannot store it, so it is a 422, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from mudan.core.db import make_engine
from mudan.core.errors import InvalidInput
from tests.conftest import PG_URL


@pytest.mark.skipif(not PG_URL, reason="SQLite stores NUL characters")
def test_postgresql_refuses_nul_as_invalid_input(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT :v"), {"v": "plain"}).scalar() == "plain"
            with pytest.raises(InvalidInput) as exc:
                conn.execute(text("SELECT :v"), {"v": "a\x00b"})
        assert exc.value.code == "request.nul_character"
    finally:
        engine.dispose()


def test_nul_in_a_filter_or_a_body_is_never_a_500(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    r = client.get("/api/v1/share/grants", params={"status": "a\x00"}, headers=admin_headers)
    assert r.status_code < 500, r.text
    body = {"table_ref": "ods.x\x00", "department_code": "3717\x00", "title": "t\x00"}
    r = client.post("/api/v1/quality/tickets", json=body, headers=admin_headers)
    assert r.status_code < 500, r.text
    if PG_URL:
        assert r.status_code == 422 and r.json()["error"]["code"] == "request.nul_character"
