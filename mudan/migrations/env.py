"""Alembic environment: one linear history for the core and every built-in domain."""

from __future__ import annotations

import importlib
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from mudan.core.db import Base, UTCDateTime, make_engine
from mudan.hooks import BUILTIN_PLUGINS


def _import_models() -> None:
    importlib.import_module("mudan.core.audit")
    importlib.import_module("mudan.core.throttle")
    importlib.import_module("mudan.kernel.models")
    importlib.import_module("mudan.lake.models")
    for plugin in BUILTIN_PLUGINS:
        package = plugin.rsplit(".", 1)[0]
        try:
            importlib.import_module(f"{package}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.models":
                raise


_import_models()
config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    # New migrations spell the models' UTCDateTime as the column type it stands for.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    shared = config.attributes.get("connection")
    if shared is not None:  # the caller's transaction (``mudan restore`` on PostgreSQL)
        _migrate(shared)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url)
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


run_migrations_online()
