from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mudan.domains.ops.sources import use_source
from tests.domains.ops.ops_fakes import FakeSource


@pytest.fixture
def fake(client: TestClient) -> Iterator[FakeSource]:
    """A fake indicator centre plugged into the running app (until indicators is merged)."""
    src = FakeSource()
    use_source(client.app.state.ctx.extras, src)  # type: ignore[attr-defined]
    yield src
    use_source(client.app.state.ctx.extras, None)  # type: ignore[attr-defined]


@pytest.fixture
def no_indicator_centre(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the indicators domain were not installed (also once it is merged)."""
    monkeypatch.setattr("mudan.domains.ops.sources._load_service", lambda: None)
