"""Formulas: validate at save time, evaluate for one period. Never raises at evaluation: a
failure is an :class:`Outcome` with status ``error`` and a clear message.

- ``sql``: one read-only SELECT over ``namespace.table`` lake tables, run by the guarded query
  engine (:mod:`mudan.lake.guard`, :mod:`mudan.lake.query`). Columns: ``value`` (required),
  optional ``region_code`` (default: the city), ``numerator``, ``denominator``. The placeholders
  ``{period_start}`` and ``{period_end}`` become TIMESTAMP literals (UTC).
- ``metric``: the code of an ``IndicatorSpec`` a domain registers through ``mudan_indicators``.
- ``series``: the name of an observation series (``aqi``, ``pm25`` …) in ``indicator_observation``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pluggy
import sqlglot
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlglot import exp

from mudan.core.db import as_utc
from mudan.core.errors import InvalidInput, MudanError
from mudan.core.i18n import t
from mudan.domains.indicators.enums import Aggregation, FormulaKind, ValueStatus
from mudan.domains.indicators.models import Observation
from mudan.domains.indicators.timeutil import local_day
from mudan.hooks import IndicatorSpec, collect
from mudan.lake.catalog import Lake
from mudan.lake.guard import check_select
from mudan.lake.query import QueryEngine

CITY = "3717"
_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_SERIES = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Row:
    region_code: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class Outcome:
    status: ValueStatus
    rows: list[Row] = field(default_factory=list)
    error: str = ""  # a Chinese, human-readable reason (status error / no_source)
    snapshots: dict[str, Any] = field(default_factory=dict)


def render_sql(formula: str, start: datetime, end: datetime) -> str:
    def lit(at: datetime) -> str:
        return "TIMESTAMP '" + as_utc(at).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S") + "'"

    return formula.replace("{period_start}", lit(start)).replace("{period_end}", lit(end))


def _divides_by_zero(sql: str) -> bool:
    tree = sqlglot.parse_one(sql, dialect="duckdb")
    for node in tree.find_all(exp.Div, exp.IntDiv, exp.Mod):
        right = node.expression
        while isinstance(right, exp.Paren | exp.Cast):
            right = right.this
        if isinstance(right, exp.Literal) and not right.is_string:
            try:
                if float(right.this) == 0:
                    return True
            except ValueError:
                continue
    return False


def validate(kind: FormulaKind, formula: str, *, lake: Lake | None) -> None:
    """Refuse a formula that can never work: not read-only SQL, an unknown table, a division by
    a literal zero, a malformed metric/series name. With a lake, SQL is also trial-run."""
    formula = formula.strip()
    if kind is FormulaKind.METRIC:
        if not _CODE.match(formula):
            raise InvalidInput("indicators.bad_metric_code", code=formula[:80])
        return
    if kind is FormulaKind.SERIES:
        if not _SERIES.match(formula):
            raise InvalidInput("indicators.bad_series", name=formula[:80])
        return
    now = datetime(2024, 1, 1)
    sql = render_sql(formula, now, now + timedelta(days=1))
    try:
        guarded = check_select(sql)
    except MudanError as exc:
        raise InvalidInput("indicators.bad_formula", reason=exc.message()) from exc
    if _divides_by_zero(sql):
        raise InvalidInput("indicators.division_by_zero")
    if lake is None:
        return
    for ident in sorted(guarded.tables):
        if not lake.exists(ident):
            raise InvalidInput("indicators.unknown_table", table=ident)
    trial = _run_sql(sql, lake=lake, snapshots=None)
    if trial.status is ValueStatus.ERROR:
        raise InvalidInput("indicators.formula_failed", reason=trial.error)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


def _run_sql(sql: str, *, lake: Lake, snapshots: Mapping[str, int] | None) -> Outcome:
    try:
        result = QueryEngine(lake).query(
            sql, allowed=lambda _ident: True, max_rows=10_000, timeout_s=30, snapshots=snapshots
        )
    except MudanError as exc:
        reason = exc.message()
        if "division by zero" in reason.lower():
            return Outcome(ValueStatus.ERROR, error=t("error.indicators.division_by_zero"))
        return Outcome(ValueStatus.ERROR, error=reason)
    names = [c for c, _ in result.columns]
    if "value" not in names:
        return Outcome(ValueStatus.ERROR, error=t("error.indicators.no_value_column"))
    rows: list[Row] = []
    for rec in result.rows.to_pylist():
        try:
            value = _number(rec.get("value"))
            num, den = _number(rec.get("numerator")), _number(rec.get("denominator"))
        except (TypeError, ValueError):
            return Outcome(ValueStatus.ERROR, error=t("error.indicators.not_a_number"))
        if value is not None and not math.isfinite(value):
            return Outcome(ValueStatus.ERROR, error=t("error.indicators.division_by_zero"))
        region = str(rec.get("region_code") or CITY)
        rows.append(Row(region, value, num, den))
    snaps = {k: v for k, v in result.snapshots.items() if v is not None}
    status = ValueStatus.OK if any(r.value is not None for r in rows) else ValueStatus.NO_DATA
    return Outcome(status, rows, snapshots=snaps)


def find_spec(pm: pluggy.PluginManager | None, code: str) -> IndicatorSpec | None:
    if pm is None:
        return None
    for spec in collect(pm.hook.mudan_indicators()):
        if spec.code == code:
            found: IndicatorSpec = spec
            return found
    return None


def _run_metric(
    session: Session, code: str, start: datetime, pm: pluggy.PluginManager | None
) -> Outcome:
    spec = find_spec(pm, code)
    if spec is None or spec.compute is None:
        return Outcome(ValueStatus.NO_SOURCE, error=t("indicators_status.no_source"))
    try:
        with session.begin_nested():
            values = spec.compute(session, local_day(start))
    except Exception as exc:  # a broken domain metric must not break the indicator centre
        return Outcome(ValueStatus.ERROR, error=f"{type(exc).__name__}: {str(exc)[:300]}")
    rows = [Row(v.region_code, v.value, v.numerator, v.denominator) for v in values]
    status = ValueStatus.OK if any(r.value is not None for r in rows) else ValueStatus.NO_DATA
    return Outcome(status, rows)


def series_rows(
    by_region: dict[str, list[tuple[float, float | None]]], agg: Aggregation
) -> list[Row]:
    """One period's readings per region → one row per region (stocks take the last reading,
    weighted rates weight by ``weight``, otherwise the mean or the maximum)."""
    rows: list[Row] = []
    for region, items in sorted(by_region.items()):
        values = [v for v, _ in items]
        if agg is Aggregation.MAX:
            rows.append(Row(region, max(values)))
        elif agg is Aggregation.SUM:  # stocks (population …): the last reading of the period
            rows.append(Row(region, values[-1]))
        elif agg is Aggregation.WEIGHTED and all(w for _, w in items):
            den = sum(w or 0.0 for _, w in items)
            value = sum(v * (w or 0.0) for v, w in items) / den
            mean_w = den / len(items)  # e.g. parking spaces; numerator: spaces in use
            rows.append(Row(region, value, value * mean_w / 100.0, mean_w))
        else:
            rows.append(Row(region, sum(values) / len(values)))
    return rows


def _run_series(
    session: Session, name: str, start: datetime, end: datetime, agg: Aggregation
) -> Outcome:
    obs = session.execute(
        select(Observation.region_code, Observation.value, Observation.weight)
        .where(Observation.series == name, Observation.at >= start, Observation.at < end)
        .order_by(Observation.at)
    ).all()
    by_region: dict[str, list[tuple[float, float | None]]] = {}
    for region, value, weight in obs:
        by_region.setdefault(region, []).append((value, weight))
    rows = series_rows(by_region, agg)
    return Outcome(ValueStatus.OK if rows else ValueStatus.NO_DATA, rows)


def evaluate(
    session: Session,
    *,
    kind: FormulaKind,
    formula: str,
    aggregation: Aggregation,
    start: datetime,
    end: datetime,
    lake: Lake | None,
    pm: pluggy.PluginManager | None,
    snapshots: Mapping[str, int] | None = None,
) -> Outcome:
    """Run one formula for the period [start, end). Never raises."""
    try:
        if kind is FormulaKind.METRIC:
            return _run_metric(session, formula.strip(), start, pm)
        if kind is FormulaKind.SERIES:
            return _run_series(session, formula.strip(), start, end, aggregation)
        if lake is None:
            return Outcome(ValueStatus.ERROR, error=t("error.indicators.no_lake"))
        sql = render_sql(formula, start, end)
        try:
            check_select(sql)
        except MudanError as exc:
            return Outcome(ValueStatus.ERROR, error=exc.message())
        return _run_sql(sql, lake=lake, snapshots=snapshots)
    except Exception as exc:  # the last line of defence: a broken formula never raises
        return Outcome(ValueStatus.ERROR, error=f"{type(exc).__name__}: {str(exc)[:300]}")
