"""States and kinds of the indicator centre."""

from __future__ import annotations

from enum import StrEnum


class Section(StrEnum):
    DATA = "data"
    SHARE = "share"
    OPEN = "open"
    SENSE = "sense"
    GOVERN = "govern"
    SERVICE = "service"
    ENVIRONMENT = "environment"


class FormulaKind(StrEnum):
    SQL = "sql"  # read-only SQL over lake tables (the guarded query engine)
    METRIC = "metric"  # a platform metric a domain registers through ``mudan_indicators``
    SERIES = "series"  # a city vital sign from the observation table (demo/sensor series)


class Aggregation(StrEnum):
    """How child regions roll up into their parent (street → district → city)."""

    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    WEIGHTED = "weighted"  # Σnumerator/Σdenominator (×100 for rates), else weighted by denominator


class Frequency(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    MONTHLY = "monthly"


class ValueStatus(StrEnum):
    OK = "ok"
    NO_DATA = "no_data"  # the source answered but has nothing for this region/period
    NO_SOURCE = "no_source"  # no installed domain provides the metric (暂无数据源)
    ERROR = "error"  # the formula failed; ``error`` says why
    NOT_COMPUTED = "not_computed"


class AlertLevel(StrEnum):
    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


LEVEL_RANK = {AlertLevel.BLUE: 1, AlertLevel.YELLOW: 2, AlertLevel.ORANGE: 3, AlertLevel.RED: 4}


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    HANDLING = "handling"
    CLOSED = "closed"


class AlertKind(StrEnum):
    THRESHOLD = "threshold"
    FORECAST = "forecast"
    SIGNAL = "signal"  # raised by another domain through ``mudan_raise_alert``
    MANUAL = "manual"
