"""Masking patterns: the Python reference and the DuckDB SQL the data service runs agree,
one case per pattern, plus the grading policy (personal or L3+ masked unless unmasked)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pytest

from mudan.domains.sharing.dataservice.masking import STARS, mask_sql, mask_value, needs_mask

CASES = [
    ("citizen_id", "371702199001011234", "371702********1234"),
    ("citizen_id", "37170219900101", "**************"),  # not 18 long: all stars
    ("phone", "13812345678", "138****5678"),
    ("phone", "1234567", "*******"),
    ("name", "张三", "张*"),
    ("name", "欧阳娜娜", "欧***"),
    ("name", "张", "*"),
    ("address", "菏泽市中华路12号", "菏泽市中华路****"),
    ("bank_card", "6222021234567890123", "622202*********0123"),
    ("email", "wang@heze.gov.cn", "w***@heze.gov.cn"),
    ("email", "no-at-sign", STARS),
    ("plate", "鲁R12345", "鲁R***45"),
    ("other", "任何内容", STARS),
    (None, "L3 敏感值", STARS),
]


@pytest.mark.parametrize(("kind", "raw", "masked"), CASES)
def test_pattern_python_and_sql_agree(kind: str | None, raw: str, masked: str) -> None:
    assert mask_value(kind, raw) == masked
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.execute("INSERT INTO t VALUES (?), (NULL)", [raw])
    got = [r[0] for r in con.execute(f"SELECT {mask_sql(kind, 'v', text=True)} FROM t").fetchall()]
    assert got == [masked, None]


def test_non_text_sensitive_values_become_null() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (d DATE)")
    con.execute("INSERT INTO t VALUES (DATE '1990-01-01')")
    assert con.execute(f"SELECT {mask_sql(None, 'd', text=False)} FROM t").fetchall() == [(None,)]


@dataclass
class _Item:
    name: str
    sensitivity: int
    personal_kind: str | None


def test_policy_follows_grading_and_the_grant() -> None:
    assert needs_mask(_Item("xm", 3, "name"), [])
    assert not needs_mask(_Item("xm", 3, "name"), ["xm"])  # the grant says unmasked
    assert needs_mask(_Item("csrq", 3, None), [])  # L3 without a personal kind
    assert not needs_mask(_Item("ssqx", 1, None), [])
    assert not needs_mask(_Item("jd", 2, None), [])


def test_region_filter_and_masks_are_in_the_sql() -> None:
    from mudan.domains.sharing.dataservice.query import Cursors, Item, Plan, compile_query

    plan = Plan(
        grant_id=1,
        table_ref="d1.t1",
        items=(
            Item("bh", "string", 1, None),
            Item("xm", "string", 3, "name"),
            Item("ssqx", "string", 1, None),
        ),
        unmasked=frozenset(),
        all_items=frozenset({"bh", "xm", "ssqx", "bz"}),
        region_column="ssqx",
        region_codes=("371702",),
        key="bh",
    )
    q = compile_query(plan, {"_fields": "bh,xm"}, Cursors("k"))
    assert '("ssqx" >= ? AND "ssqx" < ?)' in q.sql and q.params[:2] == ["371702", "371703"]
    assert "repeat('*'" in q.sql and '"bz"' not in q.sql and "LIMIT 101" in q.sql
