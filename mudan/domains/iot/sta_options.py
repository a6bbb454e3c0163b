"""The system query options of a SensorThings request, and of each ``$expand``, parsed up front.

Every ``$`` option is one of STA 1.1's read options or the request is refused with a 400 naming
it (``iot.sta_unsupported_option``); a bad value is a 400 naming the option
(``iot.sta_bad_query``). Options that only make sense on a collection are refused on a single
entity, and names in ``$select``/``$expand`` are checked against the entity type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mudan.core.errors import MudanError
from mudan.domains.iot.sta_expr import Node, bad, parse_filter, parse_orderby
from mudan.domains.iot.sta_sets import NAVS, PROPERTIES

OPTIONS = ("$filter", "$count", "$orderby", "$skip", "$top", "$select", "$expand", "$resultFormat")
NESTED = ("$filter", "$count", "$orderby", "$skip", "$top", "$select", "$expand")
COLLECTION_ONLY = ("$filter", "$count", "$orderby", "$skip", "$top", "$resultFormat")
MAX_TOP, DEFAULT_TOP, MAX_DEPTH = 1000, 100, 5
COMPONENTS = ("id", "phenomenonTime", "resultTime", "result")  # of a dataArray


def unsupported_option(name: str) -> MudanError:
    return MudanError(
        "iot.sta_unsupported_option", status=400, details=[{"option": name}], option=name
    )


@dataclass
class Options:
    top: int | None = None
    skip: int = 0
    count: bool = False
    filter: Node | None = None
    orderby: list[tuple[Node, bool]] = field(default_factory=list)
    select: list[str] | None = None
    expand: dict[str, Options] = field(default_factory=dict)
    result_format: str | None = None
    raw: dict[str, str] = field(default_factory=dict)  # option → its text, for next links

    @property
    def page(self) -> int:
        """Items per response: ``$top``, but never above the service's limit (STA 1.1 9.3.3.3)."""
        return DEFAULT_TOP if self.top is None else min(self.top, MAX_TOP)


def parse(pairs: list[tuple[str, str]], depth: int = 0) -> Options:
    allowed = OPTIONS if depth == 0 else NESTED
    opts = Options()
    for name, text in pairs:
        if not name.startswith("$") and depth == 0:
            continue  # a custom option of the URL (OData): not ours to judge
        if name not in allowed:
            raise unsupported_option(name)
        if name in opts.raw:
            raise bad(f"{name} is given twice", name)
        opts.raw[name] = text
        _one(opts, name, text, depth)
    return opts


def _int(name: str, text: str) -> int:
    if not text.isdigit() or len(text) > 12:
        raise bad(f"{name} must be a non-negative integer", name)
    return int(text)


def _one(opts: Options, name: str, text: str, depth: int) -> None:
    if name == "$top":
        opts.top = _int(name, text)
    elif name == "$skip":
        opts.skip = _int(name, text)
    elif name == "$count":
        if text not in ("true", "false"):
            raise bad("$count must be true or false", name)
        opts.count = text == "true"
    elif name == "$filter":
        opts.filter = parse_filter(text)
    elif name == "$orderby":
        opts.orderby = parse_orderby(text)
    elif name == "$select":
        opts.select = [s.strip() for s in text.split(",")]
        if "" in opts.select:
            raise bad("$select names properties, separated by commas", name)
    elif name == "$expand":
        if depth >= MAX_DEPTH:
            raise bad(f"$expand nests at most {MAX_DEPTH} levels", name)
        for item in _split(text, ","):
            _expand(opts, item, depth)
    elif text != "dataArray":  # $resultFormat
        raise bad(f"$resultFormat {text!r} is not supported (dataArray is)", name)
    else:
        opts.result_format = text


def _split(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses and 'quoted strings'."""
    out, depth, quoted, cur = [], 0, False, ""
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
            if depth < 0:
                raise bad("unbalanced ) in $expand", "$expand")
        if ch == sep and depth == 0 and not quoted:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if depth or quoted:
        raise bad("unbalanced ( or ' in $expand", "$expand")
    out.append(cur.strip())
    if "" in out:
        raise bad("an empty item in $expand", "$expand")
    return out


def _expand(opts: Options, item: str, depth: int) -> None:
    """``Datastreams/Observations($top=1;$orderby=phenomenonTime desc)``: the options belong to
    the last navigation of the path."""
    head, paren, rest = item.partition("(")
    navs = [n.strip() for n in head.split("/")]
    if paren and not rest.endswith(")"):
        raise bad(f"text after the options of {head.strip()}", "$expand")
    inner = Options()
    if paren:
        pairs = [p.partition("=")[::2] for p in _split(rest[:-1], ";")]
        inner = parse([(k.strip(), v) for k, v in pairs], depth + 1)
    target = opts
    for nav in navs[:-1]:
        target = target.expand.setdefault(nav, Options())
    if navs[-1] in target.expand:  # named twice: keep the options given, join the expansions
        target.expand[navs[-1]].expand |= inner.expand
    else:
        target.expand[navs[-1]] = inner


def check(kind: str, opts: Options, many: bool, where: str = "") -> None:
    """Names in ``$select``/``$expand`` exist on ``kind``; collection options on collections."""
    if not many:
        for name in COLLECTION_ONLY:
            if name in opts.raw:
                raise bad(f"{name} applies to a collection, not to {where or kind}", name)
    for name in opts.select or []:
        known = name in ("id", "@iot.id", "@iot.selfLink") or name in PROPERTIES[kind]
        if not known and name not in NAVS[kind]:
            raise bad(f"{kind} has no property {name!r}", "$select")
    if opts.result_format is not None:
        if kind != "Observation" or not many:
            raise bad("dataArray is a format of Observations collections", "$resultFormat")
        if opts.expand:
            raise bad("a dataArray cannot hold expanded entities", "$resultFormat")
        for name in opts.select or []:
            if name not in COMPONENTS and name != "@iot.id":
                raise bad(f"{name!r} cannot be a dataArray component", "$select")
    for nav, inner in opts.expand.items():
        if nav not in NAVS[kind]:
            raise bad(f"{kind} has no navigation property {nav!r}", "$expand")
        target, to_many = NAVS[kind][nav]
        check(target, inner, to_many, f"{kind}/{nav}")
