"""Pull readers: a SQL database (full or incremental by a cursor column) or an HTTP JSON API.

Both return a :class:`PullReader` — a :class:`~mudan.lake.readers.SourceReader` whose batches
hold every value as a string (dates ISO, decimals plain) so the quality engine casts them like
a file's cells. Iterating runs the pull again; ``cursor_max`` is the largest cursor value seen by
the last complete iteration. An unreachable source raises ``ingest.source_unreachable``; an
answer that is not what we expect raises ``ingest.bad_response``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Generator, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pyarrow as pa
import sqlglot
import sqlglot.expressions as exp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from mudan.core.errors import InvalidInput, MudanError
from mudan.lake.readers import SourceReader

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
CONNECT_TIMEOUT_S = 10
HTTP_TIMEOUT_S = 30.0
_DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}


class SourceUnreachable(MudanError):
    status = 502


class PullReader(SourceReader):
    """A pulled source; ``cursor_max`` is set once an iteration has read every row."""

    cursor_max: str | None = None


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (for logs, jobs and API answers)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url
    if parsed.password is None:
        return parsed.render_as_string(hide_password=False)
    return parsed.render_as_string(hide_password=True)


def to_text(value: Any) -> str | None:
    """A source value as the string the quality engine casts."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        moment: dt.datetime = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(LOCAL_TZ).replace(tzinfo=None)
        return moment.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return str(json.dumps(value, ensure_ascii=False))
    return str(value)


def _batch(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> pa.RecordBatch:
    arrays = [
        pa.array([to_text(r[i]) for r in rows], type=pa.string()) for i in range(len(columns))
    ]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


# --- databases ----------------------------------------------------------------------------------


def check_query(sql: str, *, dialect: str | None = None) -> str:
    """Accept one SELECT (or a UNION of SELECTs); return it without a trailing ``;``."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise InvalidInput("ingest.bad_query", reason=str(exc).splitlines()[0][:200]) from exc
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise InvalidInput("ingest.bad_query", reason="a single SELECT")
    bad = (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Command, exp.Into)
    if any(statements[0].find_all(*bad)):
        raise InvalidInput("ingest.bad_query", reason="a single SELECT")
    return sql.strip().rstrip(";").strip()


def _cursor_param(value: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def _engine(url: str) -> Engine:
    try:
        parsed: URL = make_url(url)
        args: dict[str, Any] = {}
        if parsed.get_backend_name() in ("postgresql", "mysql", "mariadb"):
            args["connect_timeout"] = CONNECT_TIMEOUT_S
        return create_engine(parsed, poolclass=NullPool, connect_args=args)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise InvalidInput("ingest.bad_url", url=mask_url(url), reason=str(exc)[:200]) from exc


def _unreachable(url: str, exc: Exception) -> SourceUnreachable:
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return SourceUnreachable("ingest.source_unreachable", source=mask_url(url), reason=reason[:300])


def database_reader(
    url: str,
    *,
    query: str | None = None,
    table: str | None = None,
    cursor_column: str | None = None,
    last_cursor: str | None = None,
    batch_rows: int = 50_000,
) -> PullReader:
    """Stream ``query`` (one SELECT) or all of ``table`` with a server-side cursor; with a
    ``cursor_column`` only rows past ``last_cursor`` come, in cursor order."""
    if (query is None) == (table is None):
        raise InvalidInput("ingest.query_or_table")
    engine = _engine(url)
    dialect = engine.dialect
    prep = dialect.identifier_preparer
    if table is not None:
        base = "SELECT * FROM " + ".".join(prep.quote(p) for p in table.split("."))
    else:
        base = check_query(query or "", dialect=_DIALECTS.get(dialect.name))
    sql, params = base, {}
    if cursor_column:
        col = prep.quote(cursor_column)
        sql = f"SELECT * FROM ({base}) AS mudan_src"
        if last_cursor is not None:
            sql += f" WHERE {col} > :mudan_last"
            params["mudan_last"] = _cursor_param(last_cursor)
        sql += f" ORDER BY {col}"
    statement = text(sql)

    def rows() -> Generator[tuple[list[str], Sequence[Sequence[Any]]]]:
        try:
            with engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=batch_rows).execute(
                    statement, params
                )
                try:
                    names = list(result.keys())
                    yield names, []
                    for part in result.partitions(batch_rows):
                        yield names, part
                finally:
                    result.close()
        except SQLAlchemyError as exc:
            raise _unreachable(url, exc) from exc
        finally:
            engine.dispose()

    first = rows()
    columns, _ = next(first)
    first.close()
    if len(set(columns)) != len(columns):
        raise InvalidInput("lake.bad_header", path=mask_url(url), columns=", ".join(columns)[:200])
    reader = PullReader(
        path=Path("database"),
        fmt="database",
        columns=columns,
        encoding=None,
        batches=lambda: iter(()),
    )
    cursor_at = columns.index(cursor_column) if cursor_column in columns else None
    if cursor_column and cursor_at is None:
        raise InvalidInput("ingest.no_cursor_column", column=cursor_column)

    def batches() -> Iterator[pa.RecordBatch]:
        seen: str | None = None
        for names, part in rows():
            if not part:
                continue
            if cursor_at is not None:
                seen = to_text(part[-1][cursor_at]) or seen
            yield _batch(names, part)
        reader.cursor_max = seen if seen is not None else last_cursor

    reader._batches = batches
    return reader


# --- HTTP JSON APIs -----------------------------------------------------------------------------


def _records(body: Any, path: str, url: str) -> list[Any]:
    node = body
    for part in [p for p in path.split(".") if p]:
        if not isinstance(node, dict) or part not in node:
            raise InvalidInput(
                "ingest.bad_response", source=url, reason=f"no '{path}' in the answer"
            )
        node = node[part]
    if not isinstance(node, list) or not all(isinstance(r, dict) for r in node):
        raise InvalidInput("ingest.bad_response", source=url, reason=f"'{path}' is not a list")
    return node


def _fetch(client: httpx.Client, url: str, params: dict[str, Any]) -> Any:
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise SourceUnreachable(
            "ingest.source_unreachable", source=url, reason=f"{type(exc).__name__}: {exc}"[:300]
        ) from exc
    if response.status_code >= 400:
        raise SourceUnreachable(
            "ingest.source_unreachable", source=url, reason=f"HTTP {response.status_code}"
        )
    try:
        return response.json()
    except ValueError as exc:
        ctype = response.headers.get("content-type", "?")
        raise InvalidInput("ingest.bad_response", source=url, reason=f"not JSON ({ctype})") from exc


def http_reader(
    url: str,
    *,
    records_path: str = "data",
    page_param: str | None = None,
    max_pages: int = 1000,
    params: dict[str, Any] | None = None,
    client_factory: Callable[[], httpx.Client] | None = None,
) -> PullReader:
    """GET ``url`` and load the list of objects at ``records_path`` (dotted; "" = the answer
    itself). With ``page_param`` pages 1, 2, … are fetched until one comes back empty."""
    make_client = client_factory or (lambda: httpx.Client(timeout=HTTP_TIMEOUT_S))

    def pages() -> Iterator[list[Any]]:
        with make_client() as client:
            for page in range(1, max_pages + 1):
                query = dict(params or {})
                if page_param:
                    query[page_param] = page
                records = _records(_fetch(client, url, query), records_path, url)
                if not records:
                    return
                yield records
                if not page_param:
                    return

    first = next(pages(), [])
    columns: list[str] = []
    for record in first:
        columns.extend(k for k in record if k not in columns)

    def batches() -> Iterator[pa.RecordBatch]:
        for records in pages():
            rows = [[r.get(c) for c in columns] for r in records]
            yield _batch(columns, rows)

    return PullReader(
        path=Path("http"), fmt="http", columns=columns, encoding=None, batches=batches
    )
