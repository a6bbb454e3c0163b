"""汇聚率: of the tables that should be aggregated (published entries marked 需归集, registered
with the quality domain), the share whose last successful load is within the declared update
cycle. Per department and for the city."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.quality.engine import check_freshness
from mudan.domains.quality.enums import UpdateCycle
from mudan.domains.quality.models import QualityTable


@dataclass(frozen=True)
class AggregationRate:
    department_code: str  # "" for the whole city
    due: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """None when nothing is due: no data, not 100%."""
        return round(100.0 * self.on_time / self.due, 1) if self.due else None


def aggregation_rates(
    session: Session, *, now: datetime | None = None
) -> tuple[AggregationRate, list[AggregationRate]]:
    now = now or utcnow()
    per: dict[str, list[int]] = {}
    for t in session.scalars(select(QualityTable).where(QualityTable.update_cycle.is_not(None))):
        last = t.last_success_at
        if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
            last = last.replace(tzinfo=UTC)
        fresh = check_freshness(last, UpdateCycle(t.update_cycle or "daily"), now).fresh
        counts = per.setdefault(t.department_code, [0, 0])
        counts[0] += 1
        counts[1] += int(fresh)
    departments = [AggregationRate(d, c[0], c[1]) for d, c in sorted(per.items())]
    city = AggregationRate("", sum(r.due for r in departments), sum(r.on_time for r in departments))
    return city, departments
