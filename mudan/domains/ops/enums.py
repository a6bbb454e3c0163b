"""Panel kinds of the big screen."""

from __future__ import annotations

from enum import StrEnum

DEMO_LAYER = "ops.demo"  # the one-map layer of synthetic points (the demo's 290,000 cameras)


class PanelKind(StrEnum):
    MAP = "map"  # districts of Heze (drill down to streets), coloured by one indicator
    KPI = "kpi"  # latest values of several indicators, actual against target
    TREND = "trend"  # one indicator's series
    RANKING = "ranking"  # one indicator compared across the districts
    ALERTS = "alerts"  # open alerts, newest first (live)
    PLATFORM = "platform"  # the data platform's own figures (catalog, aggregation, quality)


class Section(StrEnum):
    DATA = "data"
    SENSE = "sense"
    GOVERN = "govern"
    SERVICE = "service"
    ENVIRONMENT = "environment"
    OPS = "ops"
