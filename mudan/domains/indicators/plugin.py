"""Hooks of the indicators domain: the indicator centre, alerts, reports."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from mudan.hooks import AlertSignal, IndicatorSpec, NavEntry, PeriodicJob, TodoProvider, hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from sqlalchemy.orm import Session

    from mudan.demo.context import DemoContext


@hookimpl
def mudan_routers() -> list[APIRouter]:
    from mudan.domains.indicators.pages import router as pages
    from mudan.domains.indicators.views import router as api

    return [api, pages]


@hookimpl
def mudan_template_dirs() -> list[str]:
    return [str(resources.files("mudan.domains.indicators").joinpath("templates"))]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [
        NavEntry("ops", "indicators.nav", "/indicators", "indicators.read", 10),
        NavEntry("ops", "indicators.nav_alerts", "/alerts", "alerts.read", 11),
        NavEntry("ops", "indicators.nav_reports", "/reports/daily", "reports.read", 12),
    ]


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    from mudan.domains.indicators.metrics import specs

    return specs()


@hookimpl
def mudan_raise_alert(session: Session, signal: AlertSignal) -> int | None:
    from mudan.domains.indicators.alerts import raise_signal

    return raise_signal(session, signal=signal)


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    from mudan.domains.indicators.todos import providers

    return providers()


@hookimpl
def mudan_cli(app: typer.Typer) -> None:
    from mudan.domains.indicators.cli import indicators

    app.add_typer(indicators, name="indicators")


@hookimpl(trylast=True)  # after the domains whose metrics it computes
def mudan_demo(ctx: DemoContext) -> None:
    from mudan.domains.indicators.demo import build

    build(ctx)


@hookimpl
def mudan_periodic_jobs() -> list[PeriodicJob]:
    """Hourly indicators (and alert rules); daily indicators and the AQI forecast."""
    from mudan.domains.indicators import jobs

    return [
        PeriodicJob("indicators.hourly", "指标计算（hourly）", timedelta(hours=1), jobs.hourly),
        PeriodicJob("indicators.daily", "指标计算（daily）", timedelta(days=1), jobs.daily),
    ]
