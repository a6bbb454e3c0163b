"""Platform metrics for the catalog domain and ingest's record count, which their domains do not
register themselves (ingest offers ``ingest.aggregation_rate`` through its own plugin).

They live here (calling those domains' services and read models) until the domains offer their
own through ``mudan_indicators``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.hooks import IndicatorSpec, MetricValue

CITY = "3717"


def _catalog_entries(session: Session, day: date) -> list[MetricValue]:
    from mudan.domains.catalog import service as catalog

    return [MetricValue(CITY, float(catalog.count_entries(session)))]


def _ingest_records(session: Session, day: date) -> list[MetricValue]:
    from mudan.domains.ingest.models import IngestJob  # read model; ingest has no count service

    total = session.scalar(
        select(func.coalesce(func.sum(IngestJob.rows_written), 0)).where(
            IngestJob.status == "succeeded"
        )
    )
    jobs = session.scalar(select(func.count()).select_from(IngestJob))
    return [MetricValue(CITY, float(total or 0) if jobs else None)]


def specs() -> list[IndicatorSpec]:
    return [
        IndicatorSpec("catalog.entries", "数据目录数", "个", "data", 14300, True, _catalog_entries),
        IndicatorSpec("ingest.records", "归集数据量", "条", "data", None, True, _ingest_records),
    ]
