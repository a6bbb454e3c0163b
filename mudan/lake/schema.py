"""Table specs shared by the catalog, quality rules and the lake.

A catalog entry's information items (信息项) become a ``TableSpec``; the lake builds the
Iceberg/Arrow schema from it, and the quality engine casts source strings to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class ItemType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"  # decimal(18, 4)
    FLOAT = "float"
    DATE = "date"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"


ARROW_TYPES: dict[ItemType, pa.DataType] = {
    ItemType.STRING: pa.string(),
    ItemType.INTEGER: pa.int64(),
    ItemType.DECIMAL: pa.decimal128(18, 4),
    ItemType.FLOAT: pa.float64(),
    ItemType.DATE: pa.date32(),
    ItemType.TIMESTAMP: pa.timestamp("us"),
    ItemType.BOOLEAN: pa.bool_(),
}


@dataclass(frozen=True)
class ColumnSpec:
    """One information item: a snake_case column name, its type and its Chinese label."""

    name: str
    type: ItemType
    label: str = ""
    length: int | None = None
    nullable: bool = True

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"bad column name {self.name!r}: use snake_case ASCII")


@dataclass(frozen=True)
class TableSpec:
    """An aggregated table: ``namespace`` is the providing department (e.g. ``d371700002``)."""

    namespace: str
    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for part in (self.namespace, self.name):
            if not _NAME_RE.match(part):
                raise ValueError(f"bad identifier {part!r}: use snake_case ASCII")
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError("duplicate column names")
        missing = set(self.key) - set(names)
        if missing:
            raise ValueError(f"key columns not in table: {sorted(missing)}")

    @property
    def ident(self) -> str:
        return f"{self.namespace}.{self.name}"

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def arrow_schema(spec: TableSpec) -> pa.Schema:
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in spec.columns]
    )
