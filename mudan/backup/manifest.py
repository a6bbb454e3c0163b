"""The archive's table of contents: what was backed up, from where, and every member's SHA-256."""

from __future__ import annotations

from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

from pydantic import BaseModel, Field

FORMAT = "mudan-backup"
VERSION = 1
MANIFEST = "manifest.json"  # the archive's last member; every other member is listed in it
STAGING = ".mudan-restore-"  # a restore's work folders; never backed up


class Member(BaseModel):
    sha256: str
    size: int


class Manifest(BaseModel):
    format: str = FORMAT
    version: int = VERSION
    mudan_version: str
    created_at: datetime
    dialect: str  # sqlite | postgresql: a restore needs the same kind of database
    alembic_heads: list[str]
    warehouse: str  # absolute: Iceberg metadata records absolute file URIs
    var_dir: str
    tables: dict[str, int]  # rows per database table, in load (foreign-key) order
    lake_tables: list[str]
    members: dict[str, Member] = Field(default_factory=dict)

    def files(self, prefix: str) -> int:
        return sum(1 for name in self.members if name.startswith(prefix + "/"))

    def size(self) -> int:
        return sum(m.size for m in self.members.values())


def mudan_version() -> str:
    try:
        return version("mudan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"
