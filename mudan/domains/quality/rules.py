"""Rules are data: a kind, a column, parameters and a severity; validated against a TableSpec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from mudan.core.errors import InvalidInput
from mudan.domains.quality import expr
from mudan.domains.quality.casting import cast_column, normalise
from mudan.domains.quality.enums import RuleKind, Severity
from mudan.lake.schema import ItemType, TableSpec

MAX_REGEX = 500
MAX_ENUM = 10_000
_COLUMN_KINDS = {k for k in RuleKind if k not in (RuleKind.PRIMARY_KEY, RuleKind.CROSS_FIELD)}


@dataclass(frozen=True)
class Rule:
    id: int | str
    kind: RuleKind
    column: str | None
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class RuleContext:
    """What the engine cannot know from the batch alone.

    ``existing_values`` maps a column to values already in the table (unique rules);
    ``existing_keys`` holds primary keys already in the table (values joined by ``KEY_SEP``);
    ``region_codes`` the valid GB/T 2260 codes; ``references`` maps ``"ns.table.column"`` to the
    allowed values. A referential rule whose set is missing is skipped and counted as such.
    """

    today: date
    existing_values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    existing_keys: frozenset[str] = frozenset()
    region_codes: frozenset[str] | None = None
    references: Mapping[str, frozenset[str]] = field(default_factory=dict)


KEY_SEP = "\x1f"


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        Decimal(str(value))
    except InvalidOperation:
        return False
    return True


def bound_scalar(value: Any, spec: TableSpec, column: str) -> pa.Scalar:
    """A rule parameter (range bound, literal) cast to the column's Arrow type."""
    col = spec.column(column)
    res = cast_column(normalise(pa.array([str(value)])), col)
    if res.bad[0] or res.values.null_count:
        raise InvalidInput("quality.bad_param", param=str(value), column=column)
    scalar: pa.Scalar = res.values[0]
    return scalar


def validate_rule(rule: Rule, spec: TableSpec) -> Rule:
    """Check a rule against the table: known column, sound parameters. Returns the rule."""
    names = {c.name for c in spec.columns}
    kind, p = rule.kind, rule.params
    if kind in _COLUMN_KINDS:
        if not rule.column or rule.column not in names:
            raise InvalidInput("quality.unknown_column", column=rule.column or "")
    elif kind == RuleKind.PRIMARY_KEY:
        key = p.get("columns") or list(spec.key)
        if not key or any(not isinstance(c, str) or c not in names for c in key):
            raise InvalidInput("quality.no_key", table=spec.ident)
    if kind == RuleKind.RANGE:
        assert rule.column is not None
        if p.get("min") is None and p.get("max") is None:
            raise InvalidInput("quality.bad_param", param="min/max", column=rule.column)
        ctype = spec.column(rule.column).type
        for bound in ("min", "max"):
            if p.get(bound) is None:
                continue
            numeric = ctype in (ItemType.INTEGER, ItemType.DECIMAL, ItemType.FLOAT)
            if numeric and not _is_number(p[bound]):
                raise InvalidInput("quality.bad_param", param=str(p[bound]), column=rule.column)
            bound_scalar(p[bound], spec, rule.column)
    elif kind == RuleKind.ENUM:
        values = p.get("values")
        if not isinstance(values, list) or not values or len(values) > MAX_ENUM:
            raise InvalidInput("quality.bad_param", param="values", column=rule.column or "")
    elif kind == RuleKind.REGEX:
        _check_regex(p.get("pattern"))
    elif kind == RuleKind.REFERENTIAL:
        ref = p.get("ref")
        if not isinstance(ref, str) or ref.count(".") != 2:
            raise InvalidInput("quality.bad_reference", ref=str(ref))
    elif kind == RuleKind.CROSS_FIELD:
        comparisons = expr.parse(str(p.get("expression", "")), names)
        for c in comparisons:
            if isinstance(c.right, expr.Literal):
                bound_scalar(c.right.text, spec, c.left)
    return rule


def _check_regex(pattern: Any) -> None:
    """Patterns run on RE2 (linear time, no catastrophic backtracking); syntax checked here."""
    if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_REGEX:
        raise InvalidInput("quality.bad_regex", pattern=str(pattern)[:80])
    try:
        pc.match_substring_regex(pa.array([""]), anchored(pattern))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput("quality.bad_regex", pattern=pattern[:80]) from exc


def anchored(pattern: str) -> str:
    return f"^(?:{pattern})$"


def parse_kind(value: str) -> RuleKind:
    try:
        return RuleKind(value)
    except ValueError as exc:
        raise InvalidInput("quality.unknown_kind", kind=value) from exc
