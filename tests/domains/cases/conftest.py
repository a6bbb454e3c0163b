from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import login_token


@pytest.fixture
def headers(client: TestClient) -> Callable[[str], dict[str, str]]:
    cache: dict[str, dict[str, str]] = {}

    def get(username: str) -> dict[str, str]:
        if username not in cache:
            cache[username] = {"Authorization": f"Bearer {login_token(client, username)}"}
        return cache[username]

    return get
