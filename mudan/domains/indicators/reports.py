"""Daily and monthly operations reports (日报/月报) built from the indicators: each indicator's
value as of the end of the period against its target, the period's alerts by level, the AQI
trend and the district comparison. Rendered as a printable page and as a PDF (report_pdf)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput
from mudan.domains.indicators import defs
from mudan.domains.indicators.models import Alert, IndicatorValue
from mudan.domains.indicators.schemas import IndicatorValueOut
from mudan.domains.indicators.service import CITY, value_out
from mudan.domains.indicators.timeutil import TZ, day_start
from mudan.kernel.models import Region

SECTION_ZH = {
    "data": "数据汇聚", "share": "数据共享", "open": "数据开放", "sense": "城市感知",
    "govern": "城市治理", "service": "惠民服务", "environment": "生态环境",
}  # fmt: skip
TREND_CODE = "env.aqi"


@dataclass
class ReportData:
    kind: str  # daily | monthly
    title: str
    period_label: str
    start: datetime
    end: datetime
    rows: list[tuple[str, IndicatorValueOut]] = field(default_factory=list)
    alert_counts: dict[str, int] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    trend: list[tuple[str, float]] = field(default_factory=list)
    districts: list[tuple[str, float]] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for _, r in self.rows if r.meets_target)

    @property
    def with_target(self) -> int:
        return sum(1 for _, r in self.rows if r.meets_target is not None)


def period(kind: str, day: date) -> tuple[datetime, datetime, str]:
    if kind == "daily":
        return day_start(day), day_start(day + timedelta(days=1)), day.strftime("%Y年%m月%d日")
    if kind == "monthly":
        first = day.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return day_start(first), day_start(nxt), first.strftime("%Y年%m月")
    raise InvalidInput("indicators.bad_report_kind", kind=kind[:20])


def _as_of(
    session: Session, indicator_id: int, region: str, end: datetime
) -> IndicatorValue | None:
    return session.scalar(
        select(IndicatorValue)
        .where(
            IndicatorValue.indicator_id == indicator_id,
            IndicatorValue.region_code == region,
            IndicatorValue.period_start < end,
        )
        .order_by(IndicatorValue.period_start.desc(), IndicatorValue.id.desc())
        .limit(1)
    )


def _values(
    session: Session, code: str, region: str, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    ind = defs.get_def(session, code=code)
    ver = defs.current(session, indicator=ind)
    rows = session.execute(
        select(IndicatorValue.period_start, IndicatorValue.value)
        .where(
            IndicatorValue.version_id == ver.id,
            IndicatorValue.region_code == region,
            IndicatorValue.period_start >= start,
            IndicatorValue.period_start < end,
            IndicatorValue.value.is_not(None),
        )
        .order_by(IndicatorValue.period_start)
    ).all()
    return [(p, float(v)) for p, v in rows if v is not None]


def build_report(session: Session, *, kind: str, day: date) -> ReportData:
    start, end, label = period(kind, day)
    title = f"菏泽市城市运行{'日报' if kind == 'daily' else '月报'}"
    data = ReportData(kind, title, label, start, end)
    for ind in defs.list_defs(session, enabled_only=True):
        val = _as_of(session, ind.id, CITY, end)
        data.rows.append(
            (SECTION_ZH.get(ind.section, ind.section), value_out(session, ind, val, CITY))
        )
    counts = session.execute(
        select(Alert.level, func.count())
        .where(Alert.first_seen >= start, Alert.first_seen < end)
        .group_by(Alert.level)
    ).all()
    data.alert_counts = {str(level): int(n) for level, n in counts}
    data.alerts = list(
        session.scalars(
            select(Alert)
            .where(Alert.first_seen >= start, Alert.first_seen < end)
            .order_by(Alert.id.desc())
            .limit(20)
        )
    )
    try:
        points = _values(session, TREND_CODE, CITY, start, end)
    except Exception:  # the AQI indicator may be disabled or removed: no chart, no failure
        points = []
    if kind == "daily":
        data.trend = [(p.astimezone(TZ).strftime("%H:00"), round(v, 1)) for p, v in points]
    else:
        daily: dict[str, list[float]] = defaultdict(list)
        for p, v in points:
            daily[p.astimezone(TZ).strftime("%m-%d")].append(v)
        data.trend = [(d, round(sum(vs) / len(vs), 1)) for d, vs in sorted(daily.items())]
    for code, name in session.execute(
        select(Region.code, Region.name).where(Region.level == "district").order_by(Region.code)
    ):
        try:
            vals = [v for _, v in _values(session, TREND_CODE, code, start, end)]
        except Exception:
            vals = []
        if vals:
            data.districts.append((name, round(sum(vals) / len(vals), 1)))
    return data
