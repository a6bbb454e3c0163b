"""Compute indicator values for a period: evaluate the current version's formula, roll up
street → district → city, and store the values (replacing that version's values for the
period, so recomputing is idempotent). Values of older versions are never touched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pluggy
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.core.errors import InvalidInput, NotFound
from mudan.domains.indicators import defs
from mudan.domains.indicators.enums import Aggregation, FormulaKind, Frequency, ValueStatus
from mudan.domains.indicators.formula import CITY, Outcome, evaluate
from mudan.domains.indicators.models import IndicatorDef, IndicatorValue, IndicatorVersion
from mudan.domains.indicators.rollup import Tree, region_tree, roll_up
from mudan.domains.indicators.timeutil import period_of
from mudan.lake.catalog import Lake


@dataclass(frozen=True)
class ComputeResult:
    code: str
    period_start: datetime
    version: int
    status: ValueStatus
    regions: int
    error: str = ""


def _store(
    session: Session,
    ind: IndicatorDef,
    ver: IndicatorVersion,
    start: datetime,
    outcome: Outcome,
    tree: Tree,
) -> int:
    session.execute(
        delete(IndicatorValue).where(
            IndicatorValue.version_id == ver.id, IndicatorValue.period_start == start
        )
    )
    now = utcnow()
    if outcome.status in (ValueStatus.ERROR, ValueStatus.NO_SOURCE):
        session.add(
            IndicatorValue(
                indicator_id=ind.id,
                version_id=ver.id,
                region_code=CITY,
                period_start=start,
                value=None,
                status=str(outcome.status),
                error=outcome.error,
                rolled_up=False,
                snapshots={},
                computed_at=now,
            )
        )
        session.flush()
        return 1
    rows, rolled = roll_up(outcome.rows, Aggregation(ver.aggregation), tree)
    seen = set()
    for row in rows:
        seen.add(row.region_code)
        session.add(
            IndicatorValue(
                indicator_id=ind.id,
                version_id=ver.id,
                region_code=row.region_code,
                period_start=start,
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                status=str(ValueStatus.OK if row.value is not None else ValueStatus.NO_DATA),
                error="",
                rolled_up=row.region_code in rolled,
                snapshots=outcome.snapshots,
                computed_at=now,
            )
        )
    if CITY not in seen:  # the city panel always says something
        session.add(
            IndicatorValue(
                indicator_id=ind.id,
                version_id=ver.id,
                region_code=CITY,
                period_start=start,
                value=None,
                status=str(ValueStatus.NO_DATA),
                error="",
                rolled_up=False,
                snapshots=outcome.snapshots,
                computed_at=now,
            )
        )
        seen.add(CITY)
    session.flush()
    return len(seen)


def compute(
    session: Session,
    *,
    code: str,
    at: datetime,
    lake: Lake | None,
    pm: pluggy.PluginManager | None,
    tree: Tree | None = None,
) -> ComputeResult:
    """Compute one indicator for the period containing ``at``. Never raises for a bad formula
    (the stored value carries the error); raises only for an unknown code."""
    ind = defs.get_def(session, code=code)
    ver = defs.current(session, indicator=ind)
    start, end = period_of(Frequency(ind.frequency), at)
    outcome = evaluate(
        session,
        kind=FormulaKind(ver.kind),
        formula=ver.formula,
        aggregation=Aggregation(ver.aggregation),
        start=start,
        end=end,
        lake=lake,
        pm=pm,
    )
    n = _store(session, ind, ver, start, outcome, tree or region_tree(session))
    return ComputeResult(ind.code, start, ver.version, outcome.status, n, outcome.error)


def compute_all(
    session: Session,
    *,
    at: datetime,
    lake: Lake | None,
    pm: pluggy.PluginManager | None,
    codes: list[str] | None = None,
    frequency: Frequency | None = None,
) -> list[ComputeResult]:
    tree = region_tree(session)
    out: list[ComputeResult] = []
    for ind in defs.list_defs(session, enabled_only=True):
        if codes is not None and ind.code not in codes:
            continue
        if frequency is not None and ind.frequency != frequency:
            continue
        out.append(compute(session, code=ind.code, at=at, lake=lake, pm=pm, tree=tree))
    return out


def reproduce(
    session: Session, *, value_id: int, lake: Lake | None, pm: pluggy.PluginManager | None
) -> float | None:
    """Recompute a stored value with *its* version's formula and, for SQL, the lake snapshots
    it read (time travel): an old value is reproducible after the formula or data changed."""
    val = session.get(IndicatorValue, value_id)
    if val is None:
        raise NotFound("indicators.value_not_found", id=value_id)
    ver = session.get(IndicatorVersion, val.version_id)
    ind = session.get(IndicatorDef, val.indicator_id)
    if ver is None or ind is None:
        raise NotFound("indicators.value_not_found", id=value_id)
    if FormulaKind(ver.kind) is FormulaKind.METRIC:
        raise InvalidInput("indicators.not_reproducible", code=ind.code)
    start, end = period_of(Frequency(ind.frequency), as_utc(val.period_start))
    outcome = evaluate(
        session,
        kind=FormulaKind(ver.kind),
        formula=ver.formula,
        aggregation=Aggregation(ver.aggregation),
        start=start,
        end=end,
        lake=lake,
        pm=pm,
        snapshots={k: int(v) for k, v in val.snapshots.items()},
    )
    rows, _ = roll_up(outcome.rows, Aggregation(ver.aggregation), region_tree(session))
    for row in rows:
        if row.region_code == val.region_code:
            return row.value
    return None


def values_of_version(session: Session, *, code: str, version: int) -> list[IndicatorValue]:
    ind = defs.get_def(session, code=code)
    return list(
        session.scalars(
            select(IndicatorValue)
            .join(IndicatorVersion, IndicatorVersion.id == IndicatorValue.version_id)
            .where(IndicatorValue.indicator_id == ind.id, IndicatorVersion.version == version)
            .order_by(IndicatorValue.period_start, IndicatorValue.region_code)
        )
    )


def backfill_series(
    session: Session, *, code: str, start: datetime, end: datetime, tree: Tree | None = None
) -> int:
    """Bulk-compute a series indicator for every period in [start, end) with one read and one
    bulk insert (the demo's weeks of hourly history); replaces the version's values there."""
    from sqlalchemy import insert

    from mudan.domains.indicators.formula import series_rows
    from mudan.domains.indicators.models import Observation

    ind = defs.get_def(session, code=code)
    ver = defs.current(session, indicator=ind)
    if FormulaKind(ver.kind) is not FormulaKind.SERIES:
        raise InvalidInput("indicators.not_a_series", code=code)
    freq, agg, tree = (
        Frequency(ind.frequency),
        Aggregation(ver.aggregation),
        tree or region_tree(session),
    )
    start, _ = period_of(freq, start)
    buckets: dict[datetime, dict[str, list[tuple[float, float | None]]]] = {}
    for region, value, weight, at in session.execute(
        select(Observation.region_code, Observation.value, Observation.weight, Observation.at)
        .where(Observation.series == ver.formula, Observation.at >= start, Observation.at < end)
        .order_by(Observation.at)
    ):
        period, _ = period_of(freq, as_utc(at))
        buckets.setdefault(period, {}).setdefault(region, []).append((value, weight))
    session.execute(
        delete(IndicatorValue).where(
            IndicatorValue.version_id == ver.id,
            IndicatorValue.period_start >= start,
            IndicatorValue.period_start < end,
        )
    )
    now = utcnow()
    records = []
    for period, by_region in sorted(buckets.items()):
        rows, rolled = roll_up(series_rows(by_region, agg), agg, tree)
        for row in rows:
            records.append(
                {
                    "indicator_id": ind.id,
                    "version_id": ver.id,
                    "region_code": row.region_code,
                    "period_start": period,
                    "value": row.value,
                    "numerator": row.numerator,
                    "denominator": row.denominator,
                    "status": str(ValueStatus.OK),
                    "error": "",
                    "rolled_up": row.region_code in rolled,
                    "snapshots": {},
                    "computed_at": now,
                }
            )
    if records:
        session.execute(insert(IndicatorValue), records)
    session.flush()
    return len(records)
