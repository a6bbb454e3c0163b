"""The indicator centre's part of the demo world: built-in definitions, a deterministic
synthetic history of city vital signs (hourly AQI/PM2.5 and water levels for ten days, daily
population and enterprises, hourly parking occupancy by street), computed values, one
persistent AQI episode that raised and then cleared an alert, and the AQI forecast.

Values are synthetic (``ctx.rng("indicators")``); platform metrics come from the domains.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.indicators import builtin, compute, rules
from mudan.domains.indicators.forecast import run_forecast
from mudan.domains.indicators.metrics import specs as own_specs
from mudan.domains.indicators.models import Observation
from mudan.hooks import collect
from mudan.kernel.models import Region

if TYPE_CHECKING:
    from mudan.demo.context import DemoContext

DAYS = 10
EPISODE_DISTRICT = "371724"  # 巨野县: a past heavy-pollution episode (> 200 for ~54 h)
RISING_DISTRICT = "371728"  # 东明县: AQI climbing now; the forecast warns
FLOOD_DISTRICT = "371725"  # 郓城县: water rising over the blue line
POPULATION = {  # 万人, synthetic but of the right size
    "371702": 140.0, "371703": 60.0, "371721": 142.0, "371722": 110.0, "371723": 66.0,
    "371724": 86.0, "371725": 104.0, "371726": 76.0, "371728": 74.0,
}  # fmt: skip
SERIES_CODES = ("env.aqi", "env.pm25", "env.water_level", "city.parking_occupancy")


def _aqi(rng_base: float, i: int, hours: int, district: str, noise: float) -> float:
    t = i / 24.0
    diurnal = 12 * math.sin(2 * math.pi * (i % 24 - 8) / 24)
    weekly = 15 * math.sin(2 * math.pi * t / 6.5)
    value = rng_base + diurnal + weekly + noise
    if district == EPISODE_DISTRICT and hours - 150 <= i < hours - 96:
        value += 150  # ~54 hours above 200, ended four days ago
    if district == RISING_DISTRICT and i >= hours - 36:
        value += (i - (hours - 36)) * 3.5  # a steady climb over the last day and a half
    return max(15.0, value)


def _observations(ctx: DemoContext, end: datetime) -> list[dict[str, object]]:
    rng = ctx.rng("indicators")
    session = ctx.session
    districts = list(
        session.scalars(select(Region.code).where(Region.level == "district").order_by(Region.code))
    )
    streets = list(
        session.scalars(select(Region.code).where(Region.level == "street").order_by(Region.code))
    )
    hours = DAYS * 24
    start = end - timedelta(hours=hours)
    rows: list[dict[str, object]] = []
    for d in districts:
        base = rng.uniform(55, 95)
        station = rng.uniform(1.8, 2.6)
        ar = 0.0
        for i in range(hours):
            at = start + timedelta(hours=i)
            ar = 0.8 * ar + rng.gauss(0, 6)
            aqi = _aqi(base, i, hours, d, ar)
            rows.append({"series": "aqi", "region_code": d, "at": at, "value": round(aqi, 1)})
            pm = max(5.0, aqi * 0.62 + rng.gauss(0, 4))
            rows.append({"series": "pm25", "region_code": d, "at": at, "value": round(pm, 1)})
            level = station + 0.25 * math.sin(2 * math.pi * i / 60) + rng.gauss(0, 0.03)
            if d == FLOOD_DISTRICT and i >= hours - 6:
                level += 1.2 + 0.05 * (i - hours + 6)
            rows.append(
                {"series": "water_level", "region_code": d, "at": at, "value": round(level, 2)}
            )
        for day in range(DAYS):
            at = start + timedelta(days=day)
            pop = POPULATION.get(d, 50.0) * (1 + 0.0001 * day)
            rows.append(
                {"series": "population", "region_code": d, "at": at, "value": round(pop, 2)}
            )
            ent = round(POPULATION.get(d, 50.0) * 260 * (1 + 0.0005 * day) + rng.randint(0, 40))
            rows.append({"series": "enterprises", "region_code": d, "at": at, "value": float(ent)})
    chosen = sorted(rng.sample(streets, min(len(streets), ctx.scaled(167, minimum=12))))
    for s in chosen:
        spaces = float(rng.randint(80, 600))
        for i in range(hours - 72, hours):
            hour = i % 24
            busy = (
                45
                + 35 * math.exp(-(((hour - 10) / 4) ** 2))
                + 25 * math.exp(-(((hour - 19) / 3) ** 2))
            )
            occ = min(100.0, max(3.0, busy + rng.gauss(0, 6)))
            at = start + timedelta(hours=i)
            rows.append(
                {
                    "series": "parking",
                    "region_code": s,
                    "at": at,
                    "value": round(occ, 1),
                    "weight": spaces,
                }
            )
    return rows


def build(ctx: DemoContext) -> None:
    session: Session = ctx.session
    pm = ctx.runtime.pm
    extra = collect(pm.hook.mudan_indicators())
    builtin.install(session, extra_specs=extra)
    now = utcnow()
    end = now.replace(minute=0, second=0, microsecond=0)
    if session.scalar(
        select(func.count()).select_from(Observation).where(Observation.series == "aqi")
    ):
        return  # the history exists already: the demo is idempotent
    with ctx.progress.task("指标中心：城市体征", total=4) as task:
        session.execute(insert(Observation), _observations(ctx, end))
        task.advance()
        start = end - timedelta(days=DAYS)
        for code in (*SERIES_CODES, "city.population", "city.enterprises"):
            compute.backfill_series(session, code=code, start=start, end=end + timedelta(hours=1))
        task.advance()
        compute.compute_all(session, at=now, lake=None, pm=pm, codes=_metric_codes(session))
        episode_end = end - timedelta(hours=97)
        rules.evaluate_all(session, at=episode_end, codes=["env.aqi"])
        rules.evaluate_all(session, at=end)
        task.advance()
        # one fit keeps the demo fast; the daily job forecasts every district
        run_forecast(session, code="env.aqi", at=end, regions=[RISING_DISTRICT])
        task.advance()
    # The platform metrics (records loaded, 汇聚率 …) change when the other domains' deferred
    # loads run after the commit: recompute them once those have run (a step that queues
    # itself at the end of the after-commit list).
    ctx.after_commit.append(lambda: ctx.after_commit.append(lambda: _refresh_metrics(ctx)))


def _refresh_metrics(ctx: DemoContext) -> None:
    from mudan.core.db import transaction

    with transaction(ctx.runtime.sessions) as s:
        codes = _metric_codes(s)
        compute.compute_all(s, at=utcnow(), lake=None, pm=ctx.runtime.pm, codes=codes)


def _metric_codes(session: Session) -> list[str]:
    from mudan.domains.indicators.models import IndicatorDef, IndicatorVersion

    return list(
        session.scalars(
            select(IndicatorDef.code)
            .join(IndicatorVersion, IndicatorVersion.indicator_id == IndicatorDef.id)
            .where(
                IndicatorVersion.version == IndicatorDef.current_version,
                IndicatorVersion.kind == "metric",
            )
        )
    )


__all__ = ["build", "own_specs"]
