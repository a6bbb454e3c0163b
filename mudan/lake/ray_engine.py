"""Group-by aggregates over a lake table on DuckDB (default) or Ray Data (scale-out).

Both engines read the same Parquet files of the table's current snapshot and return the same
table: the ``group_by`` columns, then one column per metric (``count`` → int64, ``sum`` and
``mean`` → float64, ``min``/``max`` → the column's type), sorted by the group columns with
nulls last. Ray is imported only on the Ray path (extra ``scale``); connect with ``RAY_ADDRESS``
or call ``ray.init`` before.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa

from mudan.core.errors import InvalidInput
from mudan.lake.catalog import Lake
from mudan.lake.sql import locked, parquet_scan, quote_ident

AGGREGATES = ("sum", "count", "mean", "min", "max")
_SQL = {"sum": "sum", "count": "count", "mean": "avg", "min": "min", "max": "max"}


def _validate(
    schema: pa.Schema, group_by: Sequence[str], metrics: Mapping[str, tuple[str, str]]
) -> None:
    names = set(schema.names)
    for col in [*group_by, *(c for _, c in metrics.values())]:
        if col not in names:
            raise InvalidInput("lake.unknown_column", column=col)
    for agg, _ in metrics.values():
        if agg not in AGGREGATES:
            raise InvalidInput("lake.bad_aggregate", aggregate=agg)


def _normalise(
    table: pa.Table,
    schema: pa.Schema,
    group_by: Sequence[str],
    metrics: Mapping[str, tuple[str, str]],
) -> pa.Table:
    arrays: list[Any] = [table.column(g).cast(schema.field(g).type) for g in group_by]
    fields = [schema.field(g) for g in group_by]
    for out, (agg, col) in metrics.items():
        typ = {"count": pa.int64(), "sum": pa.float64(), "mean": pa.float64()}.get(
            agg, schema.field(col).type
        )
        arrays.append(table.column(out).cast(typ))
        fields.append(pa.field(out, typ))
    result = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    if not group_by:
        return result
    return result.sort_by([(g, "ascending") for g in group_by])  # nulls last (the default)


def _duckdb(
    files: list[str], group_by: Sequence[str], metrics: Mapping[str, tuple[str, str]]
) -> pa.Table:
    select = [quote_ident(g) for g in group_by] + [
        f"{_SQL[agg]}({quote_ident(col)}) AS {quote_ident(out)}"
        for out, (agg, col) in metrics.items()
    ]
    sql = f"SELECT {', '.join(select)} FROM {parquet_scan(files)}"
    if group_by:
        sql += " GROUP BY " + ", ".join(quote_ident(g) for g in group_by)
    with locked(readable=files) as con:
        return con.sql(sql).to_arrow_table()


def _no_http_fsspec() -> None:
    """Ray Data probes ``fsspec.implementations.http`` from several listing threads; without
    aiohttp that import fails, and a concurrent retry sees the half-imported module and raises
    ``ImportError`` instead of the ``ModuleNotFoundError`` Ray expects. Mark the module absent
    up front (only when aiohttp is missing, so it could not work anyway)."""
    if importlib.util.find_spec("aiohttp") is None:
        sys.modules.setdefault("fsspec.implementations.http", None)  # type: ignore[arg-type]


def _ray(
    files: list[str], group_by: Sequence[str], metrics: Mapping[str, tuple[str, str]]
) -> pa.Table:
    import ray
    import ray.data
    from ray.data import aggregate as ragg

    makers: dict[str, Any] = {"sum": ragg.Sum, "count": ragg.Count, "mean": ragg.Mean}
    makers |= {"min": ragg.Min, "max": ragg.Max}
    aggs = [
        makers[agg](on=col, ignore_nulls=True, alias_name=out)
        for out, (agg, col) in metrics.items()
    ]
    _no_http_fsspec()
    if not ray.is_initialized():
        ray.init(include_dashboard=False, log_to_driver=False)
    with warnings.catch_warnings():
        # Ray's own DataContext sets its deprecated fields at construction time.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ray\.data\.context")
        ds = ray.data.read_parquet(files)
        grouped = ds.groupby(list(group_by) or None, num_partitions=max(1, len(files)))
        out = grouped.aggregate(*aggs)
        parts = ray.get(out.to_arrow_refs())
    return pa.concat_tables(parts, promote_options="permissive")


def aggregate(
    lake: Lake,
    ident: str,
    *,
    group_by: Sequence[str],
    metrics: Mapping[str, tuple[str, str]],
    engine: Literal["duckdb", "ray"],
) -> pa.Table:
    """``metrics``: output name → (``sum``/``count``/``mean``/``min``/``max``, column)."""
    schema = lake.table(ident).schema().as_arrow()
    schema = pa.schema(
        [pa.field(f.name, pa.string() if f.type == pa.large_string() else f.type) for f in schema]
    )
    _validate(schema, group_by, metrics)
    files = lake.data_files(ident)
    if not files:
        empty = pa.table({g: pa.array([], schema.field(g).type) for g in group_by})
        for out in metrics:
            empty = empty.append_column(out, pa.array([], pa.int64()))
        return _normalise(empty, schema, group_by, metrics)
    run = _ray if engine == "ray" else _duckdb
    return _normalise(run(files, group_by, metrics), schema, group_by, metrics)
