"""``mudan ids check FILE --column C``: report rows whose identifier is invalid."""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import typer
from rich.table import Table

from mudan.cli.common import console, handle_errors
from mudan.core.errors import InvalidInput
from mudan.core.ids import check_citizen_id, check_uscc
from mudan.core.ids_bulk import BulkResult, check_citizen_ids, check_usccs

app = typer.Typer(help="证照号码校验 (identifier checks)", no_args_is_help=True)


class Kind(StrEnum):
    CITIZEN_ID = "citizen_id"
    USCC = "uscc"


def read_column(path: Path, column: str) -> pa.ChunkedArray:
    """Read one column of a CSV as strings; UTF-8 (with or without BOM) or GB18030/GBK."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput("ids.bad_file", path=str(path), reason=exc.strerror) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="strict")
    opts = pacsv.ConvertOptions(column_types={column: pa.string()}, strings_can_be_null=True)
    try:
        table = pacsv.read_csv(io.BytesIO(text.encode("utf-8")), convert_options=opts)
    except pa.ArrowInvalid as exc:
        raise InvalidInput("ids.bad_file", path=str(path), reason=str(exc)) from exc
    if column not in table.column_names:
        raise InvalidInput("ids.bad_column", column=column, columns=", ".join(table.column_names))
    return table.column(column)


def check_column(values: pa.ChunkedArray, kind: Kind) -> BulkResult:
    return check_citizen_ids(values) if kind == Kind.CITIZEN_ID else check_usccs(values)


@app.command("check")
@handle_errors
def check(
    file: Path,
    column: str = typer.Option(..., "--column", "-c", help="column holding the identifiers"),
    kind: Kind = typer.Option(Kind.CITIZEN_ID, help="citizen_id (GB 11643) or uscc (GB 32100)"),
    limit: int = typer.Option(50, help="invalid rows to list"),
) -> None:
    """Check every value of a CSV column; exit 1 when any row is invalid."""
    values = read_column(file, column)
    result = check_column(values, kind)
    bad = [i for i, ok in enumerate(result.valid) if not ok]
    codes = result.codes
    table = Table("row", "value", "code", "reason")
    flat = values.to_pylist()
    for i in bad[:limit]:
        code = codes[i] or ""
        # row numbers count the header line, as a spreadsheet user sees them
        scalar = check_citizen_id if kind == Kind.CITIZEN_ID else check_uscc
        table.add_row(str(i + 2), str(flat[i]), code, scalar(str(flat[i] or "")).message)
    if bad:
        console.print(table)
    console.print(f"共 {len(result)} 行，有效 {len(result) - len(bad)}，无效 {len(bad)}")
    if bad:
        raise typer.Exit(1)
