"""The data platform's own figures, read from the catalog, ingest and quality domains (real data).

``aggregation_rates`` lives in ``mudan.domains.ingest.rates`` (the ingest API reads it there);
it is the one read-only import outside a ``service`` module.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class PlatformFigures:
    catalog_entries: int
    aggregated_tables: int  # tables that should be aggregated (published 需归集 entries)
    aggregated_on_time: int  # … of which loaded within their update cycle
    aggregation_rate: float | None  # 汇聚率 in %; None when nothing is due
    quality_score: float | None  # average of the tables' latest scores; None: nothing scored

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def platform_figures(session: Session) -> PlatformFigures:
    from mudan.domains.catalog import service as catalog
    from mudan.domains.ingest.rates import aggregation_rates
    from mudan.domains.quality import service as quality

    city, _ = aggregation_rates(session)
    scores = quality.table_scores(session)
    return PlatformFigures(
        catalog_entries=catalog.count_entries(session),
        aggregated_tables=city.due,
        aggregated_on_time=city.on_time,
        aggregation_rate=city.rate,
        quality_score=round(sum(s.score for s in scores) / len(scores), 1) if scores else None,
    )


_lock = threading.Lock()
MAX_AGE_S = 1.5


def cached_figures(
    extras: dict[str, Any], session: Session, max_age: float = MAX_AGE_S
) -> PlatformFigures:
    """The figures, reused for ``max_age`` seconds within a process: at Heze's scale the 汇聚率
    walks 3,700 tables (about a second), and every screen and live stream asks for it."""
    with _lock:
        hit: tuple[float, PlatformFigures] | None = extras.get("ops.platform")
    if hit is not None and time.monotonic() - hit[0] < max_age:
        return hit[1]
    figures = platform_figures(session)
    with _lock:
        extras["ops.platform"] = (time.monotonic(), figures)
    return figures
