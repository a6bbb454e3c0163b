"""A tiny, safe cross-field expression language (parsed here, never ``eval``-ed).

Grammar: ``cmp (AND cmp)*`` where ``cmp = column op (column | literal)``, ``op`` in
``= != < <= > >=`` and a literal is a number or a single/double-quoted string (dates are
written as strings: ``end_date >= '2020-01-01'``). Identifiers are snake_case column names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mudan.core.errors import InvalidInput

OPS = ("=", "!=", "<", "<=", ">", ">=")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>[+-]?\d+(?:\.\d+)?)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<op><=|>=|!=|=|<|>)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
MAX_LENGTH = 500


@dataclass(frozen=True)
class Column:
    name: str


@dataclass(frozen=True)
class Literal:
    text: str
    is_number: bool


@dataclass(frozen=True)
class Comparison:
    left: str
    op: str
    right: Column | Literal


def _tokens(source: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        m = _TOKEN.match(source, pos)
        if m is None or m.end() == pos:
            raise InvalidInput("quality.bad_expression", expression=source, position=pos)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def parse(source: str, columns: set[str]) -> tuple[Comparison, ...]:
    """Parse ``source``; every column must be one of ``columns``."""
    if not source.strip() or len(source) > MAX_LENGTH:
        raise InvalidInput("quality.bad_expression", expression=source[:80], position=0)
    toks = _tokens(source)
    comparisons: list[Comparison] = []
    i = 0
    while True:
        if i + 3 > len(toks):
            raise InvalidInput("quality.bad_expression", expression=source, position=i)
        (lk, lv), (ok, ov), (rk, rv) = toks[i : i + 3]
        if lk != "word" or lv.upper() == "AND" or ok != "op":
            raise InvalidInput("quality.bad_expression", expression=source, position=i)
        right: Column | Literal
        if rk == "word" and rv.upper() != "AND":
            right = Column(rv)
        elif rk == "num":
            right = Literal(rv, True)
        elif rk == "str":
            right = Literal(rv[1:-1], False)
        else:
            raise InvalidInput("quality.bad_expression", expression=source, position=i + 2)
        for name in (lv, right.name if isinstance(right, Column) else None):
            if name is not None and name not in columns:
                raise InvalidInput("quality.unknown_column", column=name)
        comparisons.append(Comparison(lv, ov, right))
        i += 3
        if i == len(toks):
            return tuple(comparisons)
        if toks[i][0] != "word" or toks[i][1].upper() != "AND":
            raise InvalidInput("quality.bad_expression", expression=source, position=i)
        i += 1
