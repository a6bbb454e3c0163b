"""A month of daily values for the platform metrics of the demo world.

The demo world is generated in one go, so without this every metric indicator would have one
value (today's) and its trend one point. A running city has a value per day: the demo computes
each daily metric for the finished days of the last month, the way the nightly job would have
(the domains' own figures for those days, e.g. the IoT online rate from its daily summaries).
Values that exist are left alone, so a re-run only fills gaps.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import pluggy
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.indicators import compute, defs
from mudan.domains.indicators.enums import Frequency, ValueStatus
from mudan.domains.indicators.models import IndicatorValue
from mudan.domains.indicators.rollup import region_tree
from mudan.domains.indicators.timeutil import day_start, local_day

HISTORY_DAYS = 30
CITY = "3717"


def backfill_daily_metrics(
    session: Session, *, codes: list[str], now: datetime, pm: pluggy.PluginManager
) -> int:
    """Compute each daily indicator of ``codes`` for the last ``HISTORY_DAYS`` finished days
    that have no value yet. Returns how many periods were computed."""
    today = local_day(now)
    starts = [day_start(today - timedelta(days=k)) for k in range(HISTORY_DAYS, 0, -1)]
    tree = region_tree(session)
    done = 0
    for code in codes:
        ind = defs.get_def(session, code=code)
        if ind.frequency != Frequency.DAILY:
            continue
        ver = defs.current(session, indicator=ind)
        have = set(
            session.scalars(
                select(IndicatorValue.period_start).where(
                    IndicatorValue.version_id == ver.id,
                    IndicatorValue.period_start >= starts[0],
                )
            )
        )
        for start in starts:
            if start in have:
                continue
            compute.compute(session, code=code, at=start, lake=None, pm=pm, tree=tree)
            done += 1
    return done


#: Hourly vital signs whose older history is written as values.
OLDER_SERIES = ("env.aqi", "env.pm25", "env.water_level")


def older_vital_signs(
    session: Session,
    *,
    rng: random.Random,
    start: datetime,
    raw_days: int,
    population: dict[str, float],
) -> int:
    """Hourly values of AQI, PM2.5 and water level (districts and city) and daily population
    and enterprises for the month before the raw observations start (``start``), written as
    values, not observations: a month of trend without computing 720 hours. Idempotent."""
    first = start - timedelta(days=HISTORY_DAYS - raw_days)
    if first >= start:
        return 0
    districts = sorted(population)
    hours = int((start - first).total_seconds() // 3600)
    now = utcnow()
    rows: list[dict[str, object]] = []
    ids: dict[str, tuple[int, int]] = {}
    for code in (*OLDER_SERIES, "city.population", "city.enterprises"):
        ind = defs.get_def(session, code=code)
        ids[code] = (ind.id, defs.current(session, indicator=ind).id)

    def add(code: str, by_region: dict[str, float], at: datetime, agg: str) -> None:
        ind_id, ver_id = ids[code]
        vals = list(by_region.values())
        city = {"avg": sum(vals) / len(vals), "max": max(vals), "sum": sum(vals)}[agg]
        for region, value in [*by_region.items(), (CITY, city)]:
            rows.append(
                {
                    "indicator_id": ind_id,
                    "version_id": ver_id,
                    "region_code": region,
                    "period_start": at,
                    "value": round(value, 2),
                    "status": str(ValueStatus.OK),
                    "error": "",
                    "rolled_up": region == CITY,
                    "snapshots": {},
                    "computed_at": now,
                }
            )

    if session.scalar(
        select(IndicatorValue.id)
        .where(IndicatorValue.version_id == ids["env.aqi"][1], IndicatorValue.period_start < start)
        .limit(1)
    ):
        return 0  # written before: the demo is idempotent
    base = {d: rng.uniform(55, 95) for d in districts}
    station = {d: rng.uniform(1.8, 2.6) for d in districts}
    ar = dict.fromkeys(districts, 0.0)
    for i in range(hours):
        at = first + timedelta(hours=i)
        aqi, pm, level = {}, {}, {}
        for d in districts:
            ar[d] = 0.8 * ar[d] + rng.gauss(0, 6)
            diurnal = 12 * math.sin(2 * math.pi * (i % 24 - 8) / 24)
            weekly = 15 * math.sin(2 * math.pi * (i / 24.0) / 6.5)
            aqi[d] = max(15.0, base[d] + diurnal + weekly + ar[d])
            pm[d] = max(5.0, aqi[d] * 0.62 + rng.gauss(0, 4))
            level[d] = station[d] + 0.25 * math.sin(2 * math.pi * i / 60) + rng.gauss(0, 0.03)
        add("env.aqi", aqi, at, "avg")
        add("env.pm25", pm, at, "avg")
        add("env.water_level", level, at, "max")
    for day in range(hours // 24):
        at = day_start(local_day(first) + timedelta(days=day))
        if at >= start:
            break
        add("city.population", dict(population), at, "sum")
        ent = {d: population[d] * 260 + rng.randint(0, 40) for d in districts}
        add("city.enterprises", ent, at, "sum")
    session.execute(insert(IndicatorValue), rows)
    return len(rows)
