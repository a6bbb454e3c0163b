"""SensorThings expressions (:mod:`sta_expr`) as typed SQL, the same on SQLite and PostgreSQL.

Every value has a type (str num time bool null, or interval for a literal); comparing or calling
a function on the wrong types is a 400, never a database error. OData null rules: ``x eq null``
is ``x IS NULL``, ``x ne 5`` holds for a null ``x``, and any other comparison with null is false.
A path that goes through a to-many navigation (``Datastreams/name`` on a Thing) makes its term
true when any related entity satisfies it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    String,
    and_,
    cast,
    extract,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    true,
)

from mudan.domains.iot.parse import parse_ts
from mudan.domains.iot.sta_expr import COMPARE, Call, Interval, Lit, Node, Op, Path, bad, paths

_NO = object()
TIME_TYPE = DateTime(timezone=True)


@dataclass(frozen=True)
class Typed:
    sql: Any
    type: str  # str | num | time | bool | null | interval
    lit: Any = _NO  # the Python value of a literal
    ids: tuple[Any, int] | None = None  # an @iot.id that is row id × 8 + k: (row id column, k)


@dataclass(frozen=True)
class Branch:
    """One way a to-many prefix can hold: under ``guard``, ``wrap`` turns the condition on the
    related entity (resolved by ``resolver``) into one on the entity filtered (e.g. EXISTS)."""

    guard: ColumnElement[bool] | None
    wrap: Callable[[ColumnElement[bool]], ColumnElement[bool]]
    resolver: Resolver


class Resolver(Protocol):
    dialect: str

    def column(self, path: str) -> Typed: ...

    def many(self, path: str) -> str | None: ...

    def branches(self, prefix: str) -> list[Branch]: ...


def condition(node: Node, r: Resolver) -> ColumnElement[bool]:
    """A whole ``$filter``: it must be boolean."""
    if isinstance(node, Op) and node.op in ("and", "or"):
        parts = [condition(a, r) for a in node.args]
        return and_(*parts) if node.op == "and" else or_(*parts)
    if isinstance(node, Op) and node.op == "not":
        return not_(condition(node.args[0], r))
    prefixes = {p for p in (r.many(x) for x in paths(node)) if p is not None}
    if not prefixes:
        return _boolean(value(node, r))
    if len(prefixes) > 1:
        raise bad(f"one term may follow one to-many navigation, not {sorted(prefixes)}")
    out = []
    for br in r.branches(prefixes.pop()):
        cond = br.wrap(_boolean(value(node, br.resolver)))
        out.append(cond if br.guard is None else and_(br.guard, cond))
    return or_(*out) if out else false()


def _boolean(t: Typed) -> ColumnElement[bool]:
    if t.type != "bool":
        raise bad(f"a condition is needed, not a {t.type} value")
    sql: ColumnElement[bool] = t.sql
    return sql


def value(node: Node, r: Resolver) -> Typed:
    if isinstance(node, Lit):
        return _literal(node.value)
    if isinstance(node, Path):
        if r.many(node.path) is not None:
            raise bad(f"{node.path} goes through a to-many navigation: only a condition may")
        return r.column(node.path)
    if isinstance(node, Op):
        if node.op in ("and", "or", "not"):
            return Typed(condition(node, r), "bool")
        a, b = (value(x, r) for x in node.args)
        if node.op in COMPARE:
            return Typed(compare(a, node.op, b), "bool")
        return _arith(node.op, a, b)
    return _call(node, r)


def _literal(v: Any) -> Typed:
    if isinstance(v, bool):
        return Typed(true() if v else false(), "bool", v)
    if isinstance(v, str):
        return Typed(literal(v, String), "str", v)
    if isinstance(v, int | float):
        return Typed(literal(v), "num", v)
    if isinstance(v, datetime):
        return Typed(literal(v, TIME_TYPE), "time", v)
    if isinstance(v, Interval):
        return Typed(None, "interval", v)
    return Typed(null(), "null", None)


def _coerce(a: Typed, b: Typed) -> Typed:
    """A quoted time or number compared with one (``resultTime gt '2026-01-01T00:00:00Z'``,
    ``Datastream/id eq '1'`` as in the examples of STA 1.1)."""
    if b.type != "str" or b.lit is _NO:
        return b
    if a.type == "time" and (ts := parse_ts(b.lit)) is not None:
        return _literal(ts)
    if a.type == "num" and re.fullmatch(r"-?\d+(\.\d+)?", b.lit.strip()):
        return _literal(float(b.lit) if "." in b.lit else int(b.lit))
    return b


def compare(a: Typed, op: str, b: Typed) -> ColumnElement[bool]:
    a, b = _coerce(b, a), _coerce(a, b)
    if "interval" in (a.type, b.type):
        raise bad("an interval is only an argument of a time function")
    if "null" in (a.type, b.type):
        other = b if a.type == "null" else a
        if other.type == "null":
            return true() if op == "eq" else false()
        tests: dict[str, ColumnElement[bool]] = {"eq": other.sql.is_(None)}
        tests["ne"] = other.sql.is_not(None)
        return tests.get(op, false())
    if a.type != b.type:
        raise bad(f"cannot compare a {a.type} with a {b.type}")
    if a.ids is not None and isinstance(b.lit, int | float) and float(b.lit).is_integer():
        return _id_compare(a.ids, op, int(b.lit))
    if b.ids is not None and isinstance(a.lit, int | float) and float(a.lit).is_integer():
        flipped = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}.get(op, op)
        return _id_compare(b.ids, flipped, int(a.lit))
    x, y = a.sql, b.sql
    if op == "ne":
        if b.lit is not _NO:
            return or_(x != y, x.is_(None))
        if a.lit is not _NO:
            return or_(x != y, y.is_(None))
        return x.is_distinct_from(y)  # type: ignore[no-any-return]
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "eq": lambda p, q: p == q,
        "gt": lambda p, q: p > q,
        "ge": lambda p, q: p >= q,
        "lt": lambda p, q: p < q,
        "le": lambda p, q: p <= q,
    }
    result: ColumnElement[bool] = ops[op](x, y)
    return result


def _id_compare(ids: tuple[Any, int], op: str, v: int) -> ColumnElement[bool]:
    """``row × 8 + k  op  v`` on the row id column itself, so its index serves."""
    row, k = ids
    if op in ("eq", "ne"):
        hit: ColumnElement[bool] = row == (v - k) // 8 if (v - k) % 8 == 0 else false()
        return hit if op == "eq" else or_(not_(hit), row.is_(None))
    below, above = (v - k) // 8, -((k - v) // 8)  # floor and ceiling of (v - k) / 8
    bounds: dict[str, Callable[[], ColumnElement[bool]]] = {
        "gt": lambda: row > below,
        "ge": lambda: row >= above,
        "lt": lambda: row < above,
        "le": lambda: row <= below,
    }
    return bounds[op]()


def _need(name: str, args: list[Typed], *types: str) -> None:
    for t, want in zip(args, types, strict=True):
        if t.type not in want.split("|"):
            raise bad(f"{name} needs a {want} argument, not a {t.type}")


def _arith(op: str, a: Typed, b: Typed) -> Typed:
    _need(op, [a, b], "num", "num")
    x, y = a.sql, b.sql
    if op == "add":
        return Typed(x + y, "num")
    if op == "sub":
        return Typed(x - y, "num")
    if op == "mul":
        return Typed(x * y, "num")
    if op == "div":  # by zero: null, so the term is false (not a database error)
        return Typed(x / func.nullif(y, 0), "num")
    return Typed(x - y * func.trunc(x / func.nullif(y, 0)), "num")  # the sign of x, decimals too


def _strpos(r: Resolver, s: Any, sub: Any) -> Any:
    return func.strpos(s, sub) if r.dialect == "postgresql" else func.instr(s, sub)


def _part(r: Resolver, field: str, t: Any) -> Any:
    if r.dialect == "postgresql":  # timestamptz in UTC, whole seconds
        return cast(func.floor(extract(field, func.timezone("UTC", t))), Integer)
    return extract(field, t)  # SQLite: CAST(STRFTIME(…) AS INTEGER) on the stored UTC text


def _call(node: Call, r: Resolver) -> Typed:
    name = node.name
    args = [value(a, r) for a in node.args]
    x = [a.sql for a in args]
    if name in ("substringof", "contains", "startswith", "endswith", "indexof", "concat"):
        _need(name, args, "str", "str")
        s, sub = (x[1], x[0]) if name == "substringof" else (x[0], x[1])
        if name in ("substringof", "contains"):
            return Typed(_strpos(r, s, sub) > 0, "bool")
        if name == "startswith":
            return Typed(func.substr(s, 1, func.length(sub)) == sub, "bool")
        if name == "endswith":
            n, m = func.length(s), func.length(sub)
            return Typed(and_(n >= m, func.substr(s, n - m + 1) == sub), "bool")
        if name == "indexof":
            return Typed(_strpos(r, s, sub) - 1, "num")
        return Typed(s.concat(sub), "str")
    if name in ("length", "tolower", "toupper", "trim"):
        _need(name, args, "str")
        fns: dict[str, Any] = {"length": func.length, "tolower": func.lower}
        fns |= {"toupper": func.upper, "trim": func.trim}
        return Typed(fns[name](x[0]), "num" if name == "length" else "str")
    if name == "substring":
        _need(name, args, *("str", "num", "num")[: len(args)])
        return Typed(func.substr(x[0], x[1] + 1, *x[2:]), "str")
    if name in ("year", "month", "day", "hour", "minute", "second"):
        _need(name, args, "time")
        return Typed(_part(r, name, x[0]), "num")
    if name in ("now", "mindatetime", "maxdatetime"):
        return _literal(
            {
                "now": datetime.now(UTC),
                "mindatetime": datetime(1, 1, 1, tzinfo=UTC),
                "maxdatetime": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            }[name]
        )
    if name in ("round", "floor", "ceiling"):
        _need(name, args, "num")
        fn: Any = {"round": func.round, "floor": func.floor, "ceiling": func.ceil}[name]
        return Typed(fn(x[0]), "num")
    return Typed(_temporal(name, args), "bool")


def _ends(t: Typed) -> tuple[Any, Any, bool]:
    """(start, end, is an interval) of a time or an interval literal."""
    if t.type == "interval":
        iv: Interval = t.lit
        return literal(iv.start, TIME_TYPE), literal(iv.end, TIME_TYPE), True
    return t.sql, t.sql, False


def _temporal(name: str, args: list[Typed]) -> ColumnElement[bool]:
    """The interval functions of STA 1.1 Table 23; intervals are half-open ``[start, end)``."""
    _need(name, args, "time|interval", "time|interval")
    a, b = args
    if name == "after":
        name, a, b = "before", b, a
    s1, e1, iv1 = _ends(a)
    s2, e2, iv2 = _ends(b)
    if name == "before":
        return (e1 <= s2) if iv1 else (s1 < s2)  # type: ignore[no-any-return]
    if name == "meets":
        return or_(e1 == s2, e2 == s1)
    if name == "starts":
        return s1 == s2  # type: ignore[no-any-return]
    if name == "finishes":
        return e1 == e2  # type: ignore[no-any-return]
    if name == "during":
        return and_(s1 >= s2, s1 < e2, e1 <= e2)
    # overlaps: a shared point; an interval's end is not part of it
    if iv1 and iv2:
        return and_(s1 < e2, s2 < e1)
    if iv1 or iv2:
        t, s, e = (s2, s1, e1) if iv1 else (s1, s2, e2)
        return and_(s <= t, t < e)
    return s1 == s2  # type: ignore[no-any-return]
