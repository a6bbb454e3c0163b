"""The OData expression language of SensorThings ``$filter`` and ``$orderby``, parsed to a tree.

Precedence, loosest first: ``or``, ``and``, ``not``, comparison (eq ne gt ge lt le),
``add``/``sub``, ``mul``/``div``/``mod``, then literals, paths, calls and parentheses. Literals are
'strings' ('' escapes a quote), numbers, true/false/null and ISO 8601 times with an offset
(``2026-11-24T08:00:00Z``); an interval is two times joined by ``/``. A function that is not in
:data:`FUNCTIONS` is refused by name (:func:`unsupported`), so no part of a filter is ever ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mudan.core.errors import MudanError
from mudan.domains.iot.parse import parse_ts

_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})"
_TOKEN = re.compile(
    rf"(?P<str>'(?:[^']|'')*')|(?P<interval>{_TIME}/{_TIME})|(?P<time>{_TIME})"
    r"|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<word>[@A-Za-z_$][\w/@.$]*)"
    r"|(?P<lp>\()|(?P<rp>\))|(?P<comma>,)"
)
COMPARE = ("eq", "ne", "gt", "ge", "lt", "le")
ARITH = ("add", "sub", "mul", "div", "mod")
# name → allowed argument counts; the SQL of each is in sta_sql
FUNCTIONS: dict[str, tuple[int, ...]] = {
    "substringof": (2,),
    "contains": (2,),
    "startswith": (2,),
    "endswith": (2,),
    "length": (1,),
    "indexof": (2,),
    "substring": (2, 3),
    "tolower": (1,),
    "toupper": (1,),
    "trim": (1,),
    "concat": (2,),
    "year": (1,),
    "month": (1,),
    "day": (1,),
    "hour": (1,),
    "minute": (1,),
    "second": (1,),
    "now": (0,),
    "mindatetime": (0,),
    "maxdatetime": (0,),
    "round": (1,),
    "floor": (1,),
    "ceiling": (1,),
    "before": (2,),
    "after": (2,),
    "meets": (2,),
    "during": (2,),
    "overlaps": (2,),
    "starts": (2,),
    "finishes": (2,),
}


def bad(reason: str, option: str = "$filter") -> MudanError:
    return MudanError("iot.sta_bad_query", status=400, details=[{"option": option}], reason=reason)


def unsupported(name: str) -> MudanError:
    return MudanError(
        "iot.sta_unsupported_function", status=400, details=[{"function": name}], name=name
    )


@dataclass(frozen=True)
class Lit:
    value: Any  # str | int | float | bool | None | datetime | Interval


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Path:
    path: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Op:
    op: str  # a comparison, an arithmetic operator, and | or | not
    args: tuple[Node, ...]


Node = Lit | Path | Call | Op


def tokenize(text: str, option: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if m is None:
            raise bad(f"unexpected text at {pos}: {text[pos : pos + 20]!r}", option)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Parser:
    def __init__(self, text: str, option: str) -> None:
        self.option = option
        self.toks, self.i = tokenize(text, option), 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise bad("unexpected end", self.option)
        self.i += 1
        return tok

    def word(self, *words: str, fold: bool = False) -> str | None:
        tok = self.peek()
        if tok is None or tok[0] != "word":
            return None
        text = tok[1].lower() if fold else tok[1]
        if text not in words:
            return None
        self.i += 1
        return text

    def done(self) -> bool:
        return self.peek() is None

    def expr(self) -> Node:
        node = self.conj()
        while self.word("or"):
            node = Op("or", (node, self.conj()))
        return node

    def conj(self) -> Node:
        node = self.negation()
        while self.word("and"):
            node = Op("and", (node, self.negation()))
        return node

    def negation(self) -> Node:
        if self.word("not"):
            return Op("not", (self.negation(),))
        node = self.additive()
        op = self.word(*COMPARE)
        return Op(op, (node, self.additive())) if op else node

    def additive(self) -> Node:
        node = self.multiplicative()
        while op := self.word("add", "sub"):
            node = Op(op, (node, self.multiplicative()))
        return node

    def multiplicative(self) -> Node:
        node = self.primary()
        while op := self.word("mul", "div", "mod"):
            node = Op(op, (node, self.primary()))
        return node

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "lp":
            node = self.expr()
            if self.take()[0] != "rp":
                raise bad("missing )", self.option)
            return node
        if kind == "str":
            return Lit(text[1:-1].replace("''", "'"))
        if kind == "num":
            return Lit(float(text) if any(c in text for c in ".eE") else int(text))
        if kind in ("time", "interval"):
            times = [parse_ts(t) for t in text.split("/")]
            if any(t is None for t in times):
                raise bad(f"bad time {text!r}", self.option)
            return Lit(times[0] if kind == "time" else Interval(times[0], times[1]))  # type: ignore[arg-type]
        if kind != "word":
            raise bad(f"unexpected {text!r}", self.option)
        if text in ("true", "false", "null"):
            return Lit({"true": True, "false": False, "null": None}[text])
        if self.peek() == ("lp", "("):
            return self.call(text)
        if text in COMPARE + ARITH + ("and", "or", "not"):
            raise bad(f"unexpected {text!r}", self.option)
        return Path(text)

    def call(self, name: str) -> Node:
        if name not in FUNCTIONS:
            raise unsupported(name)
        self.take()  # (
        args: list[Node] = []
        if self.peek() != ("rp", ")"):
            args.append(self.expr())
            while self.peek() == ("comma", ","):
                self.take()
                args.append(self.expr())
        if self.take()[0] != "rp":
            raise bad(f"missing ) after the arguments of {name}", self.option)
        if len(args) not in FUNCTIONS[name]:
            raise bad(f"{name} takes {' or '.join(map(str, FUNCTIONS[name]))} arguments")
        return Call(name, tuple(args))


def parse_filter(text: str) -> Node:
    p = Parser(text, "$filter")
    node = p.expr()
    if not p.done():
        raise bad(f"unexpected {p.take()[1]!r}")
    return node


def parse_orderby(text: str) -> list[tuple[Node, bool]]:
    """``expr [asc|desc], …`` → (expression, descending) pairs."""
    p = Parser(text, "$orderby")
    out: list[tuple[Node, bool]] = []
    while True:
        node = p.additive()
        direction = p.word("asc", "desc", fold=True)  # ABNF literals: any case (frost sends DESC)
        out.append((node, direction == "desc"))
        if p.done():
            return out
        if p.take() != ("comma", ","):
            raise bad("expected , between $orderby expressions", "$orderby")


def paths(node: Node) -> list[str]:
    if isinstance(node, Path):
        return [node.path]
    if isinstance(node, Call | Op):
        return [p for a in node.args for p in paths(a)]
    return []
