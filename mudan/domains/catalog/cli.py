"""``mudan catalog import|export|search|reindex``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from mudan.cli.common import console, db_session, handle_errors, settings
from mudan.core.errors import InvalidInput
from mudan.core.i18n import t
from mudan.domains.catalog import browse, indexing
from mudan.domains.catalog import xlsx as catalog_xlsx
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal

catalog = typer.Typer(help="数据目录 (data catalog)", no_args_is_help=True)


def _cli_principal(department_ids: frozenset[int] = frozenset()) -> Principal:
    return Principal(
        user_id=0,
        username="cli",
        display_name="命令行",
        roles=frozenset({Role.ADMIN}),
        department_ids=department_ids,
        via="cli",
    )


@catalog.command("import")
@handle_errors
def catalog_import(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="XLSX file"),
    partial: bool = typer.Option(False, "--partial", help="import the good entries as drafts"),
) -> None:
    """Import entries from XLSX (sheets 目录 and 信息项); all-or-nothing unless --partial."""
    data = path.read_bytes()
    try:
        with db_session() as s:
            report = catalog_xlsx.import_xlsx(
                s, principal=_cli_principal(), data=data, partial=partial
            )
    except InvalidInput as exc:
        for d in exc.details:
            console.print(f"[red]{d['sheet']} 第{d['row']}行 {d['column']}[/red] {d['reason']}")
        raise
    for e in report.errors:
        console.print(f"[yellow]{e.sheet} 第{e.row}行 {e.column}[/yellow] {e.reason}")
    console.print(
        t("catalog.cli.imported", created=len(report.created), updated=len(report.updated))
    )


@catalog.command("export")
@handle_errors
def catalog_export(
    path: Path = typer.Argument(..., dir_okay=False, help="XLSX file to write"),
    department: str = typer.Option("", help="only this department code"),
    status: str = typer.Option("", help="only this status (draft/pending/published/withdrawn)"),
) -> None:
    """Export entries to XLSX in the department fill-in layout."""
    filters = {k: v for k, v in {"department": department, "status": status}.items() if v}
    with db_session() as s:
        entries = list(browse.select_entries(s, filters=filters, visibility=browse.EVERYTHING))
        path.write_bytes(catalog_xlsx.export_xlsx(entries))
    console.print(t("catalog.cli.exported", count=len(entries), path=str(path)))


@catalog.command("search")
@handle_errors
def catalog_search(
    query: str,
    limit: int = typer.Option(10, min=1, max=200),
    theme: str = typer.Option("", help="facet filter: theme"),
    department: str = typer.Option("", help="facet filter: department code"),
) -> None:
    """Full-text search over published entries."""
    cfg = settings()
    filters = {k: v for k, v in {"theme": theme, "department": department}.items() if v}
    index = indexing.open_index(cfg)
    try:
        with db_session(cfg) as s:
            page = browse.search(
                s,
                index=index,
                query=browse.Query(
                    visibility=browse.EVERYTHING, q=query, filters=filters, limit=limit
                ),
            )
    finally:
        index.close()
    table = Table("code", "name", "department", "theme", "share", "open")
    for h in page.items:
        table.add_row(h.code, h.name, h.department_name, h.theme, h.share_type, h.open_type)
    console.print(table)
    console.print(t("catalog.cli.found", total=page.total))


@catalog.command("reindex")
@handle_errors
def catalog_reindex() -> None:
    """Rebuild the search index from the latest published versions."""
    from mudan.core.progress import RichReporter

    cfg = settings()
    index = indexing.open_index(cfg)
    try:
        with db_session(cfg) as s, RichReporter() as reporter:
            n = indexing.reindex(index, s, reporter)
    finally:
        index.close()
    console.print(t("catalog.cli.reindexed", count=n))
