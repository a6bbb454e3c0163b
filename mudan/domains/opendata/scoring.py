"""开放合格率: a per-dataset score and the share of datasets that qualify.

Seven checks, each worth the points below (100 in all). A dataset *qualifies* when every
check passes; its score shows how far it is from that. The rate is qualified / active datasets,
per providing department and for the city, against the 98% target.

=====================  ======  =====================================================
check                  points  passes when
=====================  ======  =====================================================
licence                15      the dataset declares a known open licence
description            15      the description (摘要) has at least 20 characters
update_cycle           20      the data was updated within its declared cycle (+ grace)
machine_readable       10      the data is served in open machine-readable formats
                               (CSV/JSON via the lake table) and has rows
links                  15      every resource link resolves: the lake table exists and
                               all its data files are present
field_descriptions     10      every open field has a Chinese label other than its code
data_quality           15      the quality domain's latest score for the table is ≥ 90
                               (a table never evaluated passes: no evidence of faults)
=====================  ======  =====================================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc, utcnow
from mudan.domains.opendata.enums import LICENCES, DatasetState
from mudan.domains.opendata.models import OpenDataset
from mudan.lake.catalog import Lake

TARGET = 98.0
MIN_DESCRIPTION = 20
MIN_QUALITY = 90.0
POINTS = {
    "licence": 15,
    "description": 15,
    "update_cycle": 20,
    "machine_readable": 10,
    "links": 15,
    "field_descriptions": 10,
    "data_quality": 15,
}
ALLOWANCE = {
    "realtime": timedelta(days=1),
    "daily": timedelta(days=2),
    "weekly": timedelta(days=8),
    "monthly": timedelta(days=32),
    "quarterly": timedelta(days=93),
    "yearly": timedelta(days=366),
}


def links_ok(lake: Lake, table_ref: str) -> bool:
    if not lake.exists(table_ref):
        return False
    try:
        files = lake.data_files(table_ref)
    except Exception:  # unreadable metadata is a broken link too
        return False
    return bool(files) and all(os.path.exists(f) for f in files)


def evaluate(
    ds: OpenDataset, *, now: datetime, links: bool, quality_score: float | None
) -> dict[str, bool]:
    fresh = ds.data_updated_at is not None and now - as_utc(ds.data_updated_at) <= ALLOWANCE.get(
        ds.update_cycle, ALLOWANCE["daily"]
    )
    return {
        "licence": ds.license_id in LICENCES,
        "description": len(ds.notes.strip()) >= MIN_DESCRIPTION,
        "update_cycle": fresh,
        "machine_readable": ds.data_rows > 0 and bool(ds.fields),
        "links": links,
        "field_descriptions": all(
            f["label"].strip() and f["label"].strip() != f["name"] for f in ds.fields
        ),
        "data_quality": quality_score is None or quality_score >= MIN_QUALITY,
    }


def compute_scores(
    session: Session,
    *,
    lake: Lake,
    now: datetime | None = None,
    link_check: Callable[[Lake, str], bool] = links_ok,
    ids: Iterable[int] | None = None,
) -> int:
    """Score every active dataset (or those of ``ids``), stored on the dataset; returns how
    many of them qualify."""
    from mudan.domains.quality import service as quality

    now = as_utc(now or utcnow())
    scores = {s.table_ref: s.score for s in quality.table_scores(session)}
    qualified = 0
    stmt = select(OpenDataset).where(OpenDataset.state == DatasetState.ACTIVE.value)
    if ids is not None:
        stmt = stmt.where(OpenDataset.id.in_(list(ids)))
    for ds in session.scalars(stmt):
        checks = evaluate(
            ds,
            now=now,
            links=link_check(lake, ds.table_ref),
            quality_score=scores.get(ds.table_ref),
        )
        ds.checks = checks
        ds.score = float(sum(POINTS[k] for k, ok in checks.items() if ok))
        ds.qualified = all(checks.values())
        ds.scored_at = now
        qualified += int(ds.qualified)
    session.flush()
    return qualified


@dataclass(frozen=True)
class Rate:
    code: str  # department code, or "3717" for the city
    name: str
    datasets: int
    qualified: int

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.qualified / self.datasets, 2) if self.datasets else None

    @property
    def meets_target(self) -> bool:
        return self.rate is not None and self.rate >= TARGET


def qualification_rates(session: Session) -> tuple[Rate, list[Rate]]:
    """(city, per department) over the scored active datasets."""
    rows = session.execute(
        select(
            OpenDataset.department_code, OpenDataset.department_name, OpenDataset.qualified
        ).where(OpenDataset.state == DatasetState.ACTIVE.value, OpenDataset.qualified.is_not(None))
    ).all()
    per: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for code, name, ok in rows:
        names[code] = name
        per.setdefault(code, [0, 0])
        per[code][0] += 1
        per[code][1] += int(bool(ok))
    depts = [Rate(c, names[c], n, q) for c, (n, q) in sorted(per.items())]
    city = Rate("3717", "菏泽市", sum(r.datasets for r in depts), sum(r.qualified for r in depts))
    return city, depts
