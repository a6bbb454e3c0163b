"""The Iceberg SQL catalog's own tables in the metadata database, for backup and restore.

pyiceberg keeps one row per table (``iceberg_tables``: namespace, name, the absolute URI of the
current metadata file) next to Mudan's tables. A backup copies those rows with the rest of the
database; this module is the lake's side of it: where each table's metadata lives, and creating
the (empty) catalog tables inside a restore's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyiceberg.catalog.sql import SqlCatalogBaseTable
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from mudan.lake.catalog import local_path

CATALOG_TABLES = tuple(SqlCatalogBaseTable.metadata.tables)


@dataclass(frozen=True)
class TableLocation:
    ident: str
    metadata: Path  # the current metadata file


def table_locations(connection: Connection) -> list[TableLocation]:
    """Every Iceberg table the catalog rows name (none when the catalog tables are absent)."""
    if "iceberg_tables" not in inspect(connection).get_table_names():
        return []
    rows = connection.execute(
        text(
            "SELECT table_namespace, table_name, metadata_location FROM iceberg_tables "
            "ORDER BY table_namespace, table_name"
        )
    )
    return [
        TableLocation(f"{ns}.{name}", Path(local_path(location)))
        for ns, name, location in rows
        if location
    ]


def create_catalog_tables(connection: Connection) -> None:
    """Create pyiceberg's catalog tables (if missing) in the caller's transaction."""
    SqlCatalogBaseTable.metadata.create_all(connection)
