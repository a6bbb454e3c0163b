"""What a principal may see, in one shape: region subtrees, departments, or the whole city.

A role binding limits a principal to region subtrees (materialised paths such as
``3717/371702``) and ties it to departments. Every domain filters its rows with
:meth:`Scope.where`, naming the columns that place a row: a region path, region-code columns
(a district, street, ... code) and an owning department.

The data lake's tables and their jobs, rules and tickets belong to departments, not places:
:meth:`Scope.of_departments` is the same shape without regions, where a permission (such as
``lake.query_all``) rather than the city root grants every department.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, false, or_, true
from sqlalchemy.orm import Session

from mudan.kernel.geo import CITY_CODE
from mudan.kernel.identity import department_codes
from mudan.kernel.rbac import ALL, Principal


@dataclass(frozen=True)
class Scope:
    paths: tuple[str, ...] = ()
    departments: frozenset[str] = field(default_factory=frozenset)
    whole_city: bool = False

    @classmethod
    def of(
        cls,
        session: Session | None,
        principal: Principal,
        *,
        admin_sees_all: bool = False,
    ) -> Scope:
        """The principal's scope. Holding the city root (or, with ``admin_sees_all``, ``*``)
        means the whole city, and then no department is looked up; without a session the
        scope is by region only."""
        if CITY_CODE in principal.scope_paths or (admin_sees_all and ALL in principal.permissions):
            return cls(principal.scope_paths, whole_city=True)
        depts = department_codes(session, principal) if session is not None else set()
        return cls(principal.scope_paths, frozenset(depts))

    @classmethod
    def of_departments(
        cls, session: Session, principal: Principal, *, every_with: Iterable[str] = ()
    ) -> Scope:
        """The principal's departments, no regions; holding a permission in ``every_with``
        means every department (``whole_city``), and then none is looked up."""
        if any(principal.can(p) for p in every_with):
            return cls(whole_city=True)
        return cls(departments=frozenset(department_codes(session, principal)))

    @property
    def region_codes(self) -> frozenset[str]:
        """The codes of the regions at the top of each subtree."""
        return frozenset(p.rsplit("/", 1)[-1] for p in self.paths)

    def covers(self, code: str) -> bool:
        """Whether region ``code`` lies in a subtree: a code starts with its ancestors' codes
        (a street's with its district's)."""
        return self.whole_city or code.startswith(tuple(self.region_codes))

    def where(
        self,
        *,
        region_path: SQLColumnExpression[Any] | None = None,
        region_codes: Sequence[SQLColumnExpression[Any]] = (),
        department: SQLColumnExpression[Any] | None = None,
    ) -> ColumnElement[bool]:
        """SQL condition: the row's region path lies in a subtree, one of its region-code
        columns names a subtree's top region, or its department is one of the principal's."""
        if self.whole_city:
            return true()
        conds: list[ColumnElement[bool]] = []
        if region_path is not None:
            for path in self.paths:
                conds.append(region_path == path)
                conds.append(region_path.startswith(path + "/"))
        codes = self.region_codes
        if codes:
            conds.extend(column.in_(sorted(codes)) for column in region_codes)
        if department is not None and self.departments:
            conds.append(department.in_(sorted(self.departments)))
        return or_(*conds) if conds else false()
