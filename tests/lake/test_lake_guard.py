"""The read-only SQL guard parses; it does not string-match."""

from __future__ import annotations

import pytest

from mudan.core.errors import InvalidInput
from mudan.lake.guard import check_select


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ("SELECT * FROM d371700002.people", {"d371700002.people"}),
        ("select xm, count(*) from D371700002.People group by xm", {"d371700002.people"}),
        (
            "WITH p AS (SELECT * FROM d1.people WHERE nl > 18) "
            "SELECT p.xm, c.name FROM p JOIN d2.cars c ON c.owner = p.sfzh",
            {"d1.people", "d2.cars"},
        ),
        ("SELECT a FROM d1.x UNION ALL SELECT a FROM d1.y", {"d1.x", "d1.y"}),
        ("SELECT avg(amount), max(ts) FROM d1.t WHERE region IN (SELECT code FROM d1.r)", None),
        ('SELECT * FROM "d1"."t" AS t1 LEFT JOIN d1.u USING (k) ORDER BY 1 LIMIT 10', None),
        ("SELECT 'drop table x' AS s, 1 + 1", set()),
        ("SELECT 1;", set()),
    ],
)
def test_accepts_selects(sql: str, tables: set[str] | None) -> None:
    guarded = check_select(sql)
    if tables is not None:
        assert guarded.tables == tables


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("DROP TABLE d1.t", "lake.not_select"),
        ("INSERT INTO d1.t VALUES (1)", "lake.not_select"),
        ("UPDATE d1.t SET a = 1", "lake.not_select"),
        ("DELETE FROM d1.t", "lake.not_select"),
        ("CREATE TABLE d1.x AS SELECT 1", "lake.not_select"),
        ("ATTACH 'other.db' AS o", "lake.not_select"),
        ("COPY d1.t TO '/tmp/out.csv'", "lake.not_select"),
        ("PRAGMA database_list", "lake.not_select"),
        ("SET enable_external_access = true", "lake.not_select"),
        ("INSTALL httpfs", "lake.not_select"),
        ("LOAD httpfs", "lake.not_select"),
        ("CALL pragma_version()", "lake.not_select"),
        ("SELECT * INTO d1.copy FROM d1.t", "lake.not_select"),
        ("SELECT 1; DROP TABLE x", "lake.not_select"),
        ("SELECT 1; SELECT 2", "lake.not_select"),
        ("SELECT * FROM read_csv('/etc/passwd')", "lake.forbidden_function"),
        ("SELECT * FROM read_parquet('/data/*.parquet')", "lake.forbidden_function"),
        ("SELECT * FROM 'people.csv'", "lake.forbidden_function"),
        ("SELECT * FROM glob('/*')", "lake.forbidden_function"),
        ("SELECT * FROM iceberg_scan('/lake/t')", "lake.forbidden_function"),
        ("SELECT * FROM range(10)", "lake.forbidden_function"),
        ("SELECT read_text('/etc/passwd')", "lake.forbidden_function"),
        ("SELECT getenv('HOME')", "lake.forbidden_function"),
        ("SELECT * FROM d1.t WHERE a IN (SELECT * FROM read_json('x'))", "lake.forbidden_function"),
        ("SELECT * FROM people", "lake.unqualified_table"),
        ("SELEC * FROM d1.t", "lake.bad_sql"),
    ],
)
def test_rejects(sql: str, code: str) -> None:
    with pytest.raises(InvalidInput) as e:
        check_select(sql)
    assert e.value.code == code
    assert e.value.message("zh") != f"error.{e.value.code}"


def test_syntax_error() -> None:
    with pytest.raises(InvalidInput) as e:
        check_select("SELECT (1")
    assert e.value.code == "lake.bad_sql"
