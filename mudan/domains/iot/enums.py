"""Device types (with their metrics), states and dead-letter reasons of the iot domain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceType(StrEnum):
    AIR = "air"
    WATER_LEVEL = "water_level"
    MANHOLE = "manhole"
    SMOKE = "smoke"
    PARKING = "parking"
    STREET_LIGHT = "street_light"
    PIPE_PRESSURE = "pipe_pressure"
    NOISE = "noise"


class DeviceStatus(StrEnum):
    """PENDING (未接入): registered in the ledger (登记) but not connected to the platform yet;
    its first accepted reading makes it ACTIVE (接入) from then. Only ACTIVE devices count in
    the online rate and the no-data rules."""

    ACTIVE = "active"
    PENDING = "pending"
    MAINTENANCE = "maintenance"
    RETIRED = "retired"


class Liveness(StrEnum):
    """The device-list filter on the latest reading: still fresh, stale or missing, none yet."""

    ONLINE = "online"
    OFFLINE = "offline"
    NEVER = "never"


class Protocol(StrEnum):
    MQTT = "mqtt"
    HTTP = "http"
    NB_IOT = "nb-iot"
    LORAWAN = "lorawan"


class DeadReason(StrEnum):
    BAD_TOPIC = "bad_topic"
    BAD_JSON = "bad_json"
    BAD_TS = "bad_ts"
    NO_VALUES = "no_values"
    BAD_VALUE = "bad_value"
    UNKNOWN_METRIC = "unknown_metric"
    UNKNOWN_DEVICE = "unknown_device"
    TYPE_MISMATCH = "type_mismatch"
    DEVICE_RETIRED = "device_retired"
    TOO_LARGE = "too_large"
    INTERNAL = "internal"


class RuleKind(StrEnum):
    THRESHOLD = "threshold"
    RATE = "rate"  # change per minute
    NODATA = "nodata"


class AlertLevel(StrEnum):
    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


FLAG_FUTURE = "future"
MAX_METRICS = 4  # reading rows hold v0..v3


@dataclass(frozen=True)
class Metric:
    code: str
    unit: str
    low: float  # plausible range, used by the simulator
    high: float
    binary: bool = False


@dataclass(frozen=True)
class TypeSpec:
    type: DeviceType
    abbr: str
    interval_s: int
    metrics: tuple[Metric, ...]
    models: tuple[str, ...]
    share: float  # share of the city's terminals (demo)

    def metric_index(self, code: str) -> int | None:
        for i, m in enumerate(self.metrics):
            if m.code == code:
                return i
        return None


TYPES: dict[DeviceType, TypeSpec] = {
    s.type: s
    for s in (
        TypeSpec(
            DeviceType.AIR,
            "AQ",
            300,
            (
                Metric("pm25", "µg/m³", 5, 150),
                Metric("pm10", "µg/m³", 10, 250),
                Metric("no2", "µg/m³", 5, 80),
                Metric("o3", "µg/m³", 10, 200),
            ),
            ("SDL-AQ300", "XH-M2000"),
            0.01,
        ),
        TypeSpec(
            DeviceType.WATER_LEVEL,
            "WL",
            300,
            (Metric("level", "m", 0.2, 4.5),),
            ("HZ-WL20", "RS485-RADAR"),
            0.03,
        ),
        TypeSpec(
            DeviceType.MANHOLE,
            "MH",
            600,
            (Metric("tilt", "°", 0, 5), Metric("open", "", 0, 1, binary=True)),
            ("JG-NB01", "JG-LORA2"),
            0.15,
        ),
        TypeSpec(
            DeviceType.SMOKE,
            "SM",
            900,
            (Metric("smoke", "%obs/m", 0, 2), Metric("temp", "°C", -5, 40)),
            ("YG-NB100", "JTY-GD-3"),
            0.30,
        ),
        TypeSpec(
            DeviceType.PARKING,
            "PK",
            300,
            (Metric("occupied", "", 0, 1, binary=True),),
            ("DC-GEO5", "DC-NB3"),
            0.30,
        ),
        TypeSpec(
            DeviceType.STREET_LIGHT,
            "SL",
            600,
            (Metric("on", "", 0, 1, binary=True), Metric("power", "W", 0, 250)),
            ("LD-SC1", "LD-PLC2"),
            0.15,
        ),
        TypeSpec(
            DeviceType.PIPE_PRESSURE,
            "PP",
            300,
            (Metric("pressure", "MPa", 0.15, 0.45),),
            ("YL-NB4", "YL-GPRS"),
            0.04,
        ),
        TypeSpec(
            DeviceType.NOISE,
            "NS",
            300,
            (Metric("laeq", "dB(A)", 35, 85),),
            ("ZS-100", "AWA6228"),
            0.02,
        ),
    )
}

# The department that owns each type in the demo (菏泽市 department codes).
OWNER = {
    DeviceType.AIR: "371700004",  # 生态环境局
    DeviceType.WATER_LEVEL: "371700017",  # 水务局
    DeviceType.MANHOLE: "371700003",  # 城市管理局
    DeviceType.SMOKE: "371700009",  # 应急管理局
    DeviceType.PARKING: "371700008",  # 交通运输局
    DeviceType.STREET_LIGHT: "371700003",
    DeviceType.PIPE_PRESSURE: "371700011",  # 住房和城乡建设局
    DeviceType.NOISE: "371700004",
}
