"""Indicators for the indicator centre: open catalogs (开放目录数) and 开放合格率."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.opendata.enums import DatasetState
from mudan.domains.opendata.models import OpenDataset
from mudan.domains.opendata.scoring import TARGET
from mudan.hooks import IndicatorSpec, MetricValue

CITY = "3717"


def _by_region(session: Session) -> dict[str, tuple[int, int, int]]:
    """region → (datasets, qualified) over active, scored datasets; the city included."""
    rows = session.execute(
        select(OpenDataset.region_code, OpenDataset.qualified, func.count())
        .where(OpenDataset.state == DatasetState.ACTIVE.value)
        .group_by(OpenDataset.region_code, OpenDataset.qualified)
    ).all()
    out: dict[str, list[int]] = {}
    for region, ok, n in rows:
        for code in {CITY, region}:
            cell = out.setdefault(code, [0, 0, 0])
            cell[0] += int(n)
            if ok is not None:
                cell[1] += int(n)
                cell[2] += int(n) if ok else 0
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def open_catalogs(session: Session, day: date) -> list[MetricValue]:
    counts = _by_region(session)
    if not counts:
        return [MetricValue(CITY, None)]
    return [MetricValue(code, float(v[0])) for code, v in sorted(counts.items())]


def qualification_rate(session: Session, day: date) -> list[MetricValue]:
    out = []
    for code, (_total, scored, ok) in sorted(_by_region(session).items()):
        value = round(100.0 * ok / scored, 2) if scored else None
        out.append(MetricValue(code, value, numerator=ok, denominator=scored))
    return out or [MetricValue(CITY, None)]


def indicator_specs() -> list[IndicatorSpec]:
    return [
        IndicatorSpec(
            code="opendata.open_catalogs",
            name="开放数据目录数",
            unit="个",
            section="open",
            compute=open_catalogs,
        ),
        IndicatorSpec(
            code="opendata.qualification_rate",
            name="开放合格率",
            unit="%",
            section="open",
            target=TARGET,
            compute=qualification_rate,
        ),
    ]
