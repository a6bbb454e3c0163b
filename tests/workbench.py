"""Helpers for the workbench tests: one user's todos as the API gives them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import login_token


def bearer(client: TestClient, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(client, username)}"}


def todos_of(client: TestClient, username: str) -> dict[str, dict[str, Any]]:
    """``GET /api/v1/workbench`` as ``username``: todo code → todo."""
    r = client.get("/api/v1/workbench", headers=bearer(client, username))
    assert r.status_code == 200, r.text
    return {t["code"]: t for t in r.json()["todos"]}


def count_of(client: TestClient, username: str, code: str) -> int:
    """The count of one todo (0 when the workbench does not show it)."""
    return int(todos_of(client, username).get(code, {}).get("count", 0))
