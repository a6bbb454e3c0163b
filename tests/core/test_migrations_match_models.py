"""The Alembic migrations build exactly the tables, columns and indexes the models declare."""

from __future__ import annotations

import importlib
import pkgutil

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import mudan.domains
from mudan.core.db import Base


def _import_all_models() -> None:
    importlib.import_module("mudan.core.throttle")
    importlib.import_module("mudan.kernel.models")
    importlib.import_module("mudan.lake.models")
    for mod in pkgutil.walk_packages(mudan.domains.__path__, "mudan.domains."):
        if mod.name.rsplit(".", 1)[-1].endswith("models"):
            importlib.import_module(mod.name)


def test_migrated_schema_matches_the_models(empty_db_url: str) -> None:
    _import_all_models()
    engine = create_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], "\n".join(str(d) for d in diff)
