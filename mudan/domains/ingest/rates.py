"""汇聚率: of the tables that should be aggregated (published entries marked 需归集, registered
with the quality domain), the share whose last successful load is within the declared update
cycle. Per department and for the city.

One aggregate query: a table is on time when ``last_success_at >= now - grace(cycle)``, the same
test as ``quality.engine.check_freshness`` with each cycle's grace turned into a cut-off, so the
database counts 3,700 tables instead of Python walking them. The ``ingest.aggregation_rate``
indicator (offered through ``mudan_indicators``) reads it for the indicator centre and the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.quality.engine import CYCLE_GRACE
from mudan.domains.quality.enums import UpdateCycle
from mudan.hooks import IndicatorSpec, MetricValue
from mudan.lake.models import LakeTable

CITY = "3717"


@dataclass(frozen=True)
class AggregationRate:
    department_code: str  # "" for the whole city
    due: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """None when nothing is due: no data, not 100%."""
        return round(100.0 * self.on_time / self.due, 1) if self.due else None


def _on_time(now: datetime) -> ColumnElement[int]:
    """1 when the table's last success is within its cycle's grace (undeclared: daily), else 0."""
    cutoff = case(
        *((LakeTable.update_cycle == c.value, now - g) for c, g in CYCLE_GRACE.items()),
        else_=now - CYCLE_GRACE[UpdateCycle.DAILY],
    )
    return case((LakeTable.last_success_at >= cutoff, 1), else_=0)


def aggregation_rates(
    session: Session, *, now: datetime | None = None
) -> tuple[AggregationRate, list[AggregationRate]]:
    stmt = (
        select(LakeTable.department_code, func.count(), func.sum(_on_time(now or utcnow())))
        .where(LakeTable.update_cycle.is_not(None))
        .group_by(LakeTable.department_code)
        .order_by(LakeTable.department_code)
    )
    departments = [AggregationRate(d, int(n), int(ok or 0)) for d, n, ok in session.execute(stmt)]
    city = AggregationRate("", sum(r.due for r in departments), sum(r.on_time for r in departments))
    return city, departments


def aggregation_rate_metric(session: Session, day: date) -> list[MetricValue]:
    """The city's 汇聚率 with numerator/denominator (None when nothing is due)."""
    city, _departments = aggregation_rates(session)
    return [MetricValue(CITY, city.rate, float(city.on_time), float(city.due))]


def indicator_specs() -> list[IndicatorSpec]:
    return [
        IndicatorSpec(
            "ingest.aggregation_rate", "汇聚率", "%", "data", compute=aggregation_rate_metric
        )
    ]
