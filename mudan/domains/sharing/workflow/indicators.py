"""Indicators for the indicator centre: share requests (per year) and 及时共享率 (target 99%)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.domains.sharing.enums import OPEN_STATUSES
from mudan.domains.sharing.models import ShareRequest
from mudan.hooks import IndicatorSpec, MetricValue
from mudan.kernel.models import Department

CITY = "3717"
ON_TIME_TARGET = 99.0


def _window(day: date) -> tuple[datetime, datetime]:
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
    return end - timedelta(days=365), end


def _rows(session: Session, day: date) -> list[tuple[str, str, bool, datetime | None, bool]]:
    start, end = _window(day)
    q = (
        select(
            Department.region_code,
            ShareRequest.status,
            ShareRequest.overdue,
            ShareRequest.due_at,
            ShareRequest.answered_at.is_not(None),
        )
        .join(Department, Department.id == ShareRequest.provider_department_id)
        .where(ShareRequest.created_at >= start, ShareRequest.created_at < end)
    )
    return [tuple(r) for r in session.execute(q).all()]  # type: ignore[misc]


def requests_per_year(session: Session, day: date) -> list[MetricValue]:
    counts: dict[str, int] = defaultdict(int)
    for region, *_ in _rows(session, day):
        counts[CITY] += 1
        if region != CITY:
            counts[region] += 1
    if not counts:
        return [MetricValue(CITY, 0.0, 0, 0)]
    return [MetricValue(k, float(v)) for k, v in sorted(counts.items())]


def on_time_rate(session: Session, day: date) -> list[MetricValue]:
    """Answered requests (and open ones past their deadline) that met every deadline."""
    now = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
    open_states = {s.value for s in OPEN_STATUSES}
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for region, status, overdue, due, answered in _rows(session, day):
        is_open = status in open_states
        late = overdue or (is_open and due is not None and now > as_utc(due))
        if not late and not answered:
            continue
        for key in {CITY, region}:
            tally[key][0] += 0 if late else 1
            tally[key][1] += 1
    if not tally:
        return [MetricValue(CITY, None)]
    return [
        MetricValue(k, round(100 * v[0] / v[1], 2), v[0], v[1]) for k, v in sorted(tally.items())
    ]


def specs() -> list[IndicatorSpec]:
    return [
        IndicatorSpec(
            code="share.requests",
            name="共享申请数（近一年）",
            unit="件",
            section="share",
            compute=requests_per_year,
        ),
        IndicatorSpec(
            code="share.on_time_rate",
            name="及时共享率",
            unit="%",
            section="share",
            target=ON_TIME_TARGET,
            compute=on_time_rate,
        ),
    ]
