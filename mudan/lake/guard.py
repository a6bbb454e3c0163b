"""Read-only SQL guard for the lake console: parse with sqlglot (DuckDB dialect), never
string-match.

Accepted: exactly one SELECT (with WITH, UNION/EXCEPT/INTERSECT, joins, subqueries, aggregates)
over tables named ``namespace.table``. Refused: any other statement (DDL, DML, PRAGMA, ATTACH,
COPY, SET, INSTALL, LOAD, CALL …) → ``lake.not_select``; table functions, file access or other
dangerous functions anywhere (``read_csv``, ``read_parquet``, ``glob``, ``iceberg_scan``,
``getenv`` …) and string literals used as tables → ``lake.forbidden_function``; unqualified table
names (other than CTE names) → ``lake.unqualified_table``. The query engine also turns off
DuckDB's external access, so a gap here is not a hole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from mudan.core.errors import InvalidInput

_DENY_NAMES = {
    "glob",
    "query",
    "query_table",
    "getenv",
    "current_setting",
    "sniff_csv",
    "load_aws_credentials",
    "st_read",
    "which_secret",
    "set_config",
}
_DENY_PREFIXES = ("read_", "parquet_", "iceberg_", "delta_", "duckdb_", "pragma_", "sqlite_")
_DENY_SUFFIXES = ("_scan", "_attach", "_query", "_metadata")
_WRITE_NODES = tuple(
    getattr(exp, name)
    for name in (
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "Copy",
        "Set",
        "Pragma",
        "Attach",
        "Detach",
        "Use",
        "Install",
        "Command",
        "Describe",
        "Into",
        "Summarize",
        "Show",
        "Transaction",
        "Commit",
        "Rollback",
        "Grant",
    )
    if hasattr(exp, name)
)
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_ARGS = {"this", "db", "alias", "joins", "laterals", "pivots"}


@dataclass(frozen=True)
class GuardedQuery:
    sql: str
    tables: frozenset[str]


def _func_name(func: exp.Func) -> str:
    if isinstance(func, exp.Anonymous):
        return str(func.name).lower()
    return func.sql_name().lower()


def _denied(name: str) -> bool:
    return name in _DENY_NAMES or name.startswith(_DENY_PREFIXES) or name.endswith(_DENY_SUFFIXES)


def _is_query(node: object) -> bool:
    if isinstance(node, exp.Subquery):
        return _is_query(node.this)
    return isinstance(node, exp.Select | exp.SetOperation)


def check_select(sql: str) -> GuardedQuery:
    """Parse ``sql`` and return it with the set of ``namespace.table`` names it reads."""
    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except (ParseError, TokenError) as e:
        raise InvalidInput("lake.bad_sql", reason=str(e).splitlines()[0][:300]) from e
    if len(statements) != 1 or not _is_query(statements[0]):
        raise InvalidInput("lake.not_select")
    tree = statements[0]
    for node in tree.walk():
        if isinstance(node, _WRITE_NODES):
            raise InvalidInput("lake.not_select")
        if isinstance(node, exp.Func) and _denied(_func_name(node)):
            raise InvalidInput("lake.forbidden_function", name=_func_name(node))
    ctes = {str(cte.alias).lower() for cte in tree.find_all(exp.CTE)}
    tables: set[str] = set()
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            name = _func_name(table.this) if isinstance(table.this, exp.Func) else "?"
            raise InvalidInput("lake.forbidden_function", name=name)
        odd = {k for k, v in table.args.items() if v} - _TABLE_ARGS
        parts = [table.name, table.db] if table.db else [table.name]
        if odd or not all(_PLAIN_NAME.match(p) for p in parts):
            raise InvalidInput("lake.forbidden_function", name=table.sql(dialect="duckdb")[:100])
        if table.catalog:
            raise InvalidInput("lake.unknown_table", table=table.sql(dialect="duckdb")[:100])
        if not table.db:
            if table.name.lower() in ctes:
                continue
            raise InvalidInput("lake.unqualified_table", table=table.name)
        tables.add(f"{table.db}.{table.name}".lower())
    return GuardedQuery(sql=sql, tables=frozenset(tables))
