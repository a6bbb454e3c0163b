"""The quality engine: a string batch in, a typed good batch and the violations out.

Pure and vectorised (pyarrow.compute / numpy): no database, no per-row Python except to
describe the rows that fail. Row numbers count data rows from 1 (``row_offset`` + index + 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mudan.domains.quality import checks
from mudan.domains.quality.casting import cast_column, normalise
from mudan.domains.quality.enums import BUILTIN_NULLABLE, BUILTIN_TYPE, Severity, UpdateCycle
from mudan.domains.quality.reasons import builtin_reason, rule_reason
from mudan.domains.quality.rules import Rule, RuleContext
from mudan.lake.schema import TableSpec, arrow_schema

ERROR = Severity.ERROR


@dataclass(frozen=True, slots=True)  # slots: one object per violation, less for the GC
class Violation:
    row_number: int
    rule_id: int | str
    rule_kind: str
    column: str | None
    reason: str
    severity: Severity
    values: dict[str, str | None]


@dataclass
class RuleCount:
    checked: int = 0
    failed: int = 0
    skipped: bool = False


@dataclass
class Evaluation:
    good: pa.RecordBatch
    bad: list[Violation]  # error severity: these rows are withheld from the lake
    warnings: list[Violation]  # warning severity: the rows still load
    counters: dict[str, RuleCount] = field(default_factory=dict)
    rows: int = 0

    @property
    def bad_rows(self) -> int:
        return len({v.row_number for v in self.bad})


@dataclass(frozen=True)
class _Failure:
    rule_id: int | str
    kind: str
    column: str | None
    severity: Severity
    mask: npt.NDArray[np.bool_]
    reasons: str | dict[int, str]  # one reason for all rows, or per failing row

    def reason(self, i: int) -> str:
        return self.reasons if isinstance(self.reasons, str) else self.reasons[i]


def evaluate(
    batch: pa.RecordBatch,
    spec: TableSpec,
    rules: Sequence[Rule],
    *,
    row_offset: int,
    context: RuleContext,
) -> Evaluation:
    """Cast ``batch`` (all-string columns named like ``spec``) and run ``rules`` on it."""
    n = batch.num_rows
    raw = {c.name: normalise(_column(batch, c.name, n)) for c in spec.columns}
    typed: dict[str, pa.Array] = {}
    failures: list[_Failure] = []
    for col in spec.columns:
        res = cast_column(raw[col.name], col)
        typed[col.name] = res.values
        why = builtin_reason(BUILTIN_TYPE, col.name, col.type)
        failures.append(_Failure(f"type:{col.name}", BUILTIN_TYPE, col.name, ERROR, res.bad, why))
        if not col.nullable:
            missing = np.asarray(raw[col.name].is_null().to_numpy(zero_copy_only=False))
            why = builtin_reason(BUILTIN_NULLABLE, col.name, col.type)
            rid = f"nullable:{col.name}"
            failures.append(_Failure(rid, BUILTIN_NULLABLE, col.name, ERROR, missing, why))
    counters = {str(f.rule_id): RuleCount(n, int(f.mask.sum())) for f in failures}
    cols = checks.Columns(raw, typed, spec)
    for rule in rules:
        out = checks.run(rule, cols, context)
        counters[str(rule.id)] = RuleCount(n, int(out.failed.sum()), out.skipped)
        reasons: str | dict[int, str] = rule_reason(rule)
        if out.codes is not None:  # describe only the failing rows, one text per code
            names, rows = out.codes.code_names, np.flatnonzero(out.failed)
            codes = out.codes.error[rows]
            text = {int(c): rule_reason(rule, names[c]) for c in np.unique(codes)}
            reasons = dict(zip(rows.tolist(), [text[c] for c in codes.tolist()], strict=True))
        kind = rule.kind.value
        failures.append(_Failure(rule.id, kind, rule.column, rule.severity, out.failed, reasons))
    blocked = np.zeros(n, dtype=np.bool_)
    flagged = np.zeros(n, dtype=np.bool_)
    for f in failures:
        flagged |= f.mask
        if f.severity == ERROR:
            blocked |= f.mask
    originals = _originals(batch, spec, np.flatnonzero(flagged))
    bad: list[Violation] = []
    warnings: list[Violation] = []
    for f in failures:
        out_list = bad if f.severity == ERROR else warnings
        for i in np.flatnonzero(f.mask).tolist():
            v = Violation(
                row_number=row_offset + i + 1,
                rule_id=f.rule_id,
                rule_kind=f.kind,
                column=f.column,
                reason=f.reason(i),
                severity=f.severity,
                values=originals[i],
            )
            out_list.append(v)
    bad.sort(key=lambda v: v.row_number)
    warnings.sort(key=lambda v: v.row_number)
    columns = [typed[c.name] for c in spec.columns]
    if blocked.any():
        keep = pa.array(~blocked)
        columns = [col.filter(keep) for col in columns]
    good = pa.RecordBatch.from_arrays(columns, schema=arrow_schema(spec))
    return Evaluation(good=good, bad=bad, warnings=warnings, counters=counters, rows=n)


def _column(batch: pa.RecordBatch, name: str, n: int) -> pa.Array:
    i = batch.schema.get_field_index(name)
    if i < 0:  # a column the source lacks is all null (then nullability rules apply)
        return pa.nulls(n, pa.string())
    return batch.column(i)


def _originals(
    batch: pa.RecordBatch, spec: TableSpec, idx: np.ndarray
) -> dict[int, dict[str, str | None]]:
    if not len(idx):
        return {}
    names = [c.name for c in spec.columns if batch.schema.get_field_index(c.name) >= 0]
    sub = batch.select(names).take(pa.array(idx)).to_pylist()
    return {
        int(i): {k: (None if v is None else str(v)) for k, v in row.items()}
        for i, row in zip(idx, sub, strict=True)
    }


# --- table-level freshness --------------------------------------------------------------------

CYCLE_GRACE: dict[UpdateCycle, timedelta] = {
    UpdateCycle.REALTIME: timedelta(hours=1),
    UpdateCycle.DAILY: timedelta(days=1),
    UpdateCycle.WEEKLY: timedelta(days=7),
    UpdateCycle.MONTHLY: timedelta(days=31),
    UpdateCycle.QUARTERLY: timedelta(days=92),
    UpdateCycle.YEARLY: timedelta(days=366),
}


@dataclass(frozen=True)
class FreshnessResult:
    fresh: bool
    due_at: datetime | None  # when the next load was due (None: never loaded)
    overdue_by: timedelta | None
    reason: str


def check_freshness(
    last_success: datetime | None, cycle: UpdateCycle, now: datetime
) -> FreshnessResult:
    """Is the table's last successful load within its declared update cycle?"""
    if last_success is None:
        return FreshnessResult(False, None, None, "从未成功归集")
    due = last_success + CYCLE_GRACE[cycle]
    if now <= due:
        return FreshnessResult(True, due, None, "")
    late = now - due
    return FreshnessResult(False, due, late, f"超过更新周期未更新（逾期 {_human(late)}）")


def _human(delta: timedelta) -> str:
    if delta.days >= 1:
        return f"{delta.days} 天"
    return f"{max(1, delta.seconds // 3600)} 小时"
