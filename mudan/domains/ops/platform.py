"""The data platform's own figures (real data): catalog entries and table quality from those
domains' services, 汇聚率 through the indicator hook (``ingest.aggregation_rate``, offered by
the ingest domain as an ``IndicatorSpec`` computed with one aggregate query), so ops imports
nothing of ingest.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import pluggy
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.hooks import IndicatorSpec, MetricValue, collect

AGGREGATION_RATE = "ingest.aggregation_rate"
CITY = "3717"


@dataclass(frozen=True)
class PlatformFigures:
    catalog_entries: int
    aggregated_tables: int | None  # tables that should be aggregated (published 需归集 entries)
    aggregated_on_time: int | None  # … of which loaded within their update cycle
    aggregation_rate: float | None  # 汇聚率 in %; None when nothing is due (or no ingest)
    quality_score: float | None  # average of the tables' latest scores; None: nothing scored

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def city_metric(pm: pluggy.PluginManager, session: Session, code: str) -> MetricValue | None:
    """The city value of a platform metric a domain offers (None: no installed domain does)."""
    spec: IndicatorSpec | None = next(
        (s for s in collect(pm.hook.mudan_indicators()) if s.code == code), None
    )
    if spec is None or spec.compute is None:
        return None
    values = spec.compute(session, utcnow().date())
    return next((v for v in values if v.region_code == CITY), None)


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def platform_figures(session: Session, pm: pluggy.PluginManager) -> PlatformFigures:
    from mudan.domains.catalog import service as catalog
    from mudan.domains.quality import service as quality

    rate = city_metric(pm, session, AGGREGATION_RATE)
    scores = quality.table_scores(session)
    return PlatformFigures(
        catalog_entries=catalog.count_entries(session),
        aggregated_tables=_int(rate.denominator) if rate else None,
        aggregated_on_time=_int(rate.numerator) if rate else None,
        aggregation_rate=rate.value if rate else None,
        quality_score=round(sum(s.score for s in scores) / len(scores), 1) if scores else None,
    )


_lock = threading.Lock()
MAX_AGE_S = 1.5


def cached_figures(
    extras: dict[str, Any], session: Session, pm: pluggy.PluginManager, max_age: float = MAX_AGE_S
) -> PlatformFigures:
    """The figures, reused for ``max_age`` seconds within a process (every screen and live
    stream asks for them; they move slowly)."""
    with _lock:
        hit: tuple[float, PlatformFigures] | None = extras.get("ops.platform")
    if hit is not None and time.monotonic() - hit[0] < max_age:
        return hit[1]
    figures = platform_figures(session, pm)
    with _lock:
        extras["ops.platform"] = (time.monotonic(), figures)
    return figures
