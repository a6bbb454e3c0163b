"""The indicators domain: the indicator centre, alerts and reports."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from mudan.domain import Domain, lazy
from mudan.hooks import AlertSignal, NavEntry, PeriodicJob, hookimpl

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DOMAIN = Domain(
    name="indicators",
    package="mudan.domains.indicators",
    routers=("mudan.domains.indicators.views:router", "mudan.domains.indicators.pages:router"),
    templates=True,
    nav=(
        NavEntry("ops", "indicators.nav", "/indicators", "indicators.read", 10),
        NavEntry("ops", "indicators.nav_alerts", "/alerts", "alerts.read", 11),
        NavEntry("ops", "indicators.nav_reports", "/reports/daily", "reports.read", 12),
    ),
    indicators="mudan.domains.indicators.metrics:specs",
    todos="mudan.domains.indicators.todos:providers",
    cli=(("indicators", "mudan.domains.indicators.cli:indicators"),),
    demo="mudan.domains.indicators.demo:build",
    demo_when="last",  # after the domains whose metrics it computes
    jobs=(  # hourly indicators (and alert rules); daily indicators and the AQI forecast
        PeriodicJob(
            "indicators.hourly",
            "指标计算（hourly）",
            timedelta(hours=1),
            lazy("mudan.domains.indicators.jobs:hourly"),
        ),
        PeriodicJob(
            "indicators.daily",
            "指标计算（daily）",
            timedelta(days=1),
            lazy("mudan.domains.indicators.jobs:daily"),
        ),
    ),
)


@hookimpl
def mudan_raise_alert(session: Session, signal: AlertSignal) -> int | None:
    from mudan.domains.indicators.alerts import raise_signal

    return raise_signal(session, signal=signal)
