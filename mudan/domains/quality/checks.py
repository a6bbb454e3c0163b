"""One vectorised check per rule kind: each returns the mask of failing rows (nulls pass)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from mudan.core.ids_bulk import BulkResult, check_citizen_ids, check_usccs
from mudan.domains.quality import expr
from mudan.domains.quality.enums import RuleKind
from mudan.domains.quality.rules import KEY_SEP, Rule, RuleContext, anchored, bound_scalar
from mudan.lake.schema import TableSpec

Bools = npt.NDArray[np.bool_]
PHONE_RE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
REGION_RE = r"^(\d{6}|\d{12})$"
_CMP: dict[str, Callable[..., pa.Array]] = {
    "=": pc.equal,
    "!=": pc.not_equal,
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
}


@dataclass(frozen=True)
class Columns:
    """The batch twice: source strings (empty = null) and typed values (null where bad)."""

    raw: dict[str, pa.Array]
    typed: dict[str, pa.Array]
    spec: TableSpec


@dataclass(frozen=True)
class Outcome:
    failed: Bools
    codes: BulkResult | None = None  # id checks: the failure code of every row
    skipped: bool = False


def _mask(arr: pa.Array) -> Bools:
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _fails(ok: pa.Array) -> Bools:
    """Rows where a check is false; null (value absent) passes."""
    return _mask(pc.invert(ok))


def _duplicates(values: pa.Array) -> Bools:
    """Second and later occurrences of a non-null value."""
    n = len(values)
    dup = np.zeros(n, dtype=np.bool_)
    valid = _mask(pc.is_valid(values))
    if not valid.any():
        return dup
    idx = np.flatnonzero(valid)
    enc = pc.dictionary_encode(values.filter(pa.array(valid))).indices.to_numpy()
    _, first = np.unique(enc, return_index=True)
    later = np.ones(len(idx), dtype=np.bool_)
    later[first] = False
    dup[idx[later]] = True
    return dup


def _key(cols: Columns, names: list[str]) -> pa.Array:
    if len(names) == 1:
        return cols.raw[names[0]]
    return pc.binary_join_element_wise(*[cols.raw[c] for c in names], KEY_SEP)


def run(rule: Rule, cols: Columns, ctx: RuleContext) -> Outcome:
    kind, p = rule.kind, rule.params
    if kind == RuleKind.PRIMARY_KEY:
        names = [str(c) for c in (p.get("columns") or cols.spec.key)]
        missing = np.zeros(len(cols.raw[names[0]]), dtype=np.bool_)
        for c in names:
            missing |= _mask(pc.is_null(cols.raw[c]))
        key = _key(cols, names)
        failed = missing | _duplicates(key)
        if ctx.existing_keys:
            failed |= _mask(pc.is_in(key, pa.array(sorted(ctx.existing_keys), pa.string())))
        return Outcome(failed)
    if kind == RuleKind.CROSS_FIELD:
        return Outcome(_cross_field(rule, cols))
    assert rule.column is not None
    raw, typed = cols.raw[rule.column], cols.typed[rule.column]
    if kind == RuleKind.NOT_NULL:
        return Outcome(_mask(pc.is_null(raw)))
    if kind == RuleKind.UNIQUE:
        failed = _duplicates(raw)
        existing = ctx.existing_values.get(rule.column)
        if existing:
            failed |= _mask(pc.is_in(raw, pa.array(sorted(existing), pa.string())))
        return Outcome(failed)
    if kind == RuleKind.RANGE:
        failed = np.zeros(len(typed), dtype=np.bool_)
        if p.get("min") is not None:
            failed |= _mask(pc.less(typed, bound_scalar(p["min"], cols.spec, rule.column)))
        if p.get("max") is not None:
            failed |= _mask(pc.greater(typed, bound_scalar(p["max"], cols.spec, rule.column)))
        return Outcome(failed)
    if kind == RuleKind.ENUM:
        allowed = pa.array([str(v) for v in p["values"]], pa.string())
        return Outcome(_fails(pc.is_in(pc.utf8_trim_whitespace(raw), allowed)) & _present(raw))
    if kind == RuleKind.REGEX:
        return Outcome(_fails(pc.match_substring_regex(raw, anchored(str(p["pattern"])))))
    if kind in (RuleKind.CITIZEN_ID, RuleKind.USCC):
        if kind == RuleKind.CITIZEN_ID:
            res = check_citizen_ids(raw, today=ctx.today)
        else:
            res = check_usccs(raw)
        failed = ~res.valid & _present(raw)
        return Outcome(failed, res)
    if kind == RuleKind.PHONE:
        return Outcome(_fails(pc.match_substring_regex(raw, PHONE_RE)))
    if kind == RuleKind.REGION_CODE:
        if ctx.region_codes is None:
            return Outcome(_fails(pc.match_substring_regex(raw, REGION_RE)))
        known = pa.array(sorted(ctx.region_codes), pa.string())
        failed = _fails(pc.is_in(raw, known)) & _present(raw)
        if not pc.all(pc.match_substring_regex(known, REGION_RE)).as_py():
            # a value equal to a known code passes the shape test too, unless a known code
            # itself is malformed; only then is the shape tested row by row
            failed |= _fails(pc.match_substring_regex(raw, REGION_RE))
        return Outcome(failed)
    if kind == RuleKind.REFERENTIAL:
        ref = ctx.references.get(str(p["ref"]))
        if ref is None:
            return Outcome(np.zeros(len(raw), dtype=np.bool_), skipped=True)
        allowed = pa.array(sorted(ref), pa.string())
        return Outcome(_fails(pc.is_in(raw, allowed)) & _present(raw))
    raise AssertionError(kind)  # pragma: no cover - every kind is handled above


def _present(raw: pa.Array) -> Bools:
    return _mask(pc.is_valid(raw))


def _cross_field(rule: Rule, cols: Columns) -> Bools:
    names = set(cols.typed)
    ok: pa.Array | None = None
    for c in expr.parse(str(rule.params["expression"]), names):
        left = cols.typed[c.left]
        right: pa.Array | pa.Scalar
        if isinstance(c.right, expr.Column):
            right = cols.typed[c.right.name]
            if right.type != left.type:
                right = pc.cast(right, left.type)
        else:
            right = bound_scalar(c.right.text, cols.spec, c.left)
        res = _CMP[c.op](left, right).fill_null(True)
        ok = res if ok is None else pc.and_(ok, res)
    assert ok is not None
    return _fails(ok)
