"""Most catalog tests count entries and resource codes exactly; they opt into a catalog without
the demo's entries (test_catalog_demo.py checks the demo catalog itself)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from mudan.domains.catalog.models import CatalogEntry, CatalogItem, CatalogVersion


@pytest.fixture
def empty_catalog(session: Session) -> None:
    for model in (CatalogVersion, CatalogItem, CatalogEntry):
        session.execute(delete(model))
    session.commit()
