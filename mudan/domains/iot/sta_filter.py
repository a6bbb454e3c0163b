"""A small OData ``$filter`` subset for the SensorThings view.

Grammar: ``expr := term (('and'|'or') term)*``,
``term := 'not'? ( '(' expr ')' | path op literal )``,
``op`` is eq ne gt ge lt le; a literal is a 'string', a number, true/false/null or an ISO 8601
time. ``and`` binds tighter than ``or``. Paths are entity properties (``name``, ``id``,
``properties/type``, ``result``, ``phenomenonTime``, ``Thing/id``, ``Datastream/id`` …).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, or_

from mudan.core.errors import InvalidInput
from mudan.domains.iot.parse import parse_ts

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<time>\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)"
    r"|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<word>[@A-Za-z_][\w/@.]*))"
)
OPS = {"eq", "ne", "gt", "ge", "lt", "le"}


@dataclass(frozen=True)
class Cmp:
    path: str
    op: str
    value: Any


@dataclass(frozen=True)
class Bool:
    op: str  # and | or | not
    args: tuple[Node, ...]


Node = Cmp | Bool


def bad(reason: str) -> InvalidInput:
    return InvalidInput("iot.sta_bad_query", reason=reason)


def tokenize(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise bad(f"unexpected text at {pos}: {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.toks, self.i = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise bad("unexpected end")
        self.i += 1
        return tok

    def expr(self) -> Node:
        parts = [self.conj()]
        while self.peek() == ("word", "or"):
            self.take()
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else Bool("or", tuple(parts))

    def conj(self) -> Node:
        parts = [self.term()]
        while self.peek() == ("word", "and"):
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else Bool("and", tuple(parts))

    def term(self) -> Node:
        kind, text = self.take()
        if (kind, text) == ("word", "not"):
            return Bool("not", (self.term(),))
        if kind == "lp":
            node = self.expr()
            if self.take()[0] != "rp":
                raise bad("missing )")
            return node
        if kind != "word":
            raise bad(f"expected a property, got {text!r}")
        op_kind, op = self.take()
        if op_kind != "word" or op not in OPS:
            raise bad(f"unsupported operator {op!r}")
        return Cmp(text, op, self.literal())

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "time":
            ts = parse_ts(text)
            if ts is None:
                raise bad(f"bad time {text!r}")
            return ts
        if kind == "word" and text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        raise bad(f"expected a literal, got {text!r}")


def parse_filter(text: str) -> Node:
    p = _Parser(tokenize(text))
    node = p.expr()
    if p.peek() is not None:
        raise bad(f"unexpected {p.peek()[1]!r}")  # type: ignore[index]
    return node


def _compare(a: Any, op: str, b: Any) -> bool:
    if a is None or b is None:
        return {"eq": a is b, "ne": a is not b}.get(op, False)
    if isinstance(a, datetime) and isinstance(b, str):
        b = parse_ts(b)
    try:
        return bool(
            {
                "eq": a == b,
                "ne": a != b,
                "gt": a > b,
                "ge": a >= b,
                "lt": a < b,
                "le": a <= b,
            }[op]
        )
    except TypeError:
        return False


def matches(node: Node, get: Callable[[str], Any]) -> bool:
    """Evaluate in Python; ``get(path)`` returns the entity's value for a path."""
    if isinstance(node, Cmp):
        return _compare(get(node.path), node.op, node.value)
    if node.op == "not":
        return not matches(node.args[0], get)
    results = (matches(a, get) for a in node.args)
    return all(results) if node.op == "and" else any(results)


def to_sql(
    node: Node, columns: dict[str, Any], convert: Callable[[str, Any], Any] | None = None
) -> ColumnElement[bool]:
    """Translate to SQL over ``columns`` (path → column); an unknown path is a bad query."""
    if isinstance(node, Cmp):
        col = columns.get(node.path)
        if col is None:
            raise bad(f"cannot filter on {node.path!r}")
        v = convert(node.path, node.value) if convert else node.value
        ops: dict[str, Callable[[Any, Any], Any]] = {
            "eq": lambda c, x: c.is_(None) if x is None else c == x,
            "ne": lambda c, x: c.is_not(None) if x is None else c != x,
            "gt": lambda c, x: c > x,
            "ge": lambda c, x: c >= x,
            "lt": lambda c, x: c < x,
            "le": lambda c, x: c <= x,
        }
        result: ColumnElement[bool] = ops[node.op](col, v)
        return result
    parts = [to_sql(a, columns, convert) for a in node.args]
    if node.op == "not":
        return not_(parts[0])
    return and_(*parts) if node.op == "and" else or_(*parts)
