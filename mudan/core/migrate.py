"""Run Alembic migrations programmatically (``mudan db upgrade``, the demo and the tests)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError
from sqlalchemy.engine import Connection


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("mudan").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)


def upgrade_on(connection: Connection, revision: str = "heads") -> None:
    """Migrate inside the caller's open transaction (nothing is committed here)."""
    cfg = alembic_config(connection.engine.url.render_as_string(hide_password=False))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def code_heads() -> tuple[str, ...]:
    """The head revision(s) of the migrations shipped with this code."""
    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def known_revision(revision: str) -> bool:
    try:
        return (
            ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision)
            is not None
        )
    except (CommandError, ResolutionError):
        return False


def database_heads(connection: Connection) -> tuple[str, ...]:
    """The revision(s) the database is at (empty before the first migration)."""
    return tuple(MigrationContext.configure(connection).get_current_heads())
