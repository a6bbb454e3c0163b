"""Scope: one shape for what a principal sees, one SQL helper."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.dialects import sqlite

from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope

rows = Table(
    "t", MetaData(), Column("path", String), Column("street", String), Column("dept", String)
)


def _sql(scope: Scope) -> str:
    clause = scope.where(
        region_path=rows.c.path, region_codes=(rows.c.street,), department=rows.c.dept
    )
    q = select(rows.c.path).where(clause)
    return str(q.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def _who(*paths: str, role: Role = Role.GRID_WORKER) -> Principal:
    return Principal(
        user_id=1, username="u", display_name="u", roles=frozenset({role}), scope_paths=paths
    )


def test_the_city_root_sees_everything_without_a_department_lookup() -> None:
    scope = Scope.of(None, _who("3717"))
    assert scope.whole_city
    assert "WHERE 1 = 1" in _sql(scope)


def test_admin_sees_all_only_when_asked() -> None:
    admin = _who("3717/371702", role=Role.ADMIN)
    assert Scope.of(None, admin, admin_sees_all=True).whole_city
    assert not Scope.of(None, admin).whole_city


def test_subtrees_codes_and_departments() -> None:
    scope = Scope(("3717/371702", "3717/371703/371703001000"), frozenset({"d1"}))
    assert scope.region_codes == {"371702", "371703001000"}
    sql = _sql(scope)
    assert "t.path = '3717/371702'" in sql
    assert "t.path LIKE '3717/371702/' || '%'" in sql
    assert "t.street IN ('371702', '371703001000')" in sql
    assert "t.dept IN ('d1')" in sql


def test_an_empty_scope_sees_nothing() -> None:
    assert "WHERE 0 = 1" in _sql(Scope())


def test_covers_a_code_below_a_subtree_top() -> None:
    scope = Scope(("3717/371702",))
    assert scope.covers("371702") and scope.covers("371702001000")
    assert not scope.covers("371703") and not Scope().covers("371702")
    assert Scope(whole_city=True).covers("371703")


def test_departments_only_scope_filters_by_department_alone() -> None:
    admin = _who("3717/371702", role=Role.ADMIN)
    every = Scope.of_departments(None, admin, every_with=("lake.query_all",))  # type: ignore[arg-type]
    assert every.whole_city and not every.departments
    scope = Scope(departments=frozenset({"d1"}))
    assert "WHERE t.dept IN ('d1')" in _sql(scope)
