"""Parse one telemetry message (MQTT topic + JSON payload, or an HTTP batch item).

Topic: ``{prefix}/{device_type}/{device_code}/telemetry``. Payload (UTF-8 JSON object)::

    {"ts": "2026-11-24T08:00:00+08:00", "values": {"pm25": 35.2, "pm10": 61}, "msg_id": "a1"}

``ts`` is ISO 8601 (no offset = Beijing time, UTC+8) or epoch seconds / milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson

from mudan.domains.iot.enums import DeadReason

MAX_PAYLOAD = 16 * 1024
BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Incoming:
    source: str  # "mqtt" | "http"
    topic: str
    payload: bytes | dict[str, Any]
    received_at: datetime
    device_code: str | None = None  # HTTP: given in the item
    device_type: str | None = None


@dataclass(frozen=True)
class Parsed:
    msg: Incoming
    device_code: str
    device_type: str | None
    ts: datetime  # aware UTC
    values: dict[str, Any]
    msg_id: str | None


@dataclass(frozen=True)
class Dead:
    msg: Incoming
    reason: DeadReason
    detail: str = ""
    device_code: str | None = None


def topic_parts(topic: str, prefix: str) -> tuple[str, str] | None:
    """(device_type, device_code) of a telemetry topic under ``prefix``, or None."""
    if not topic.startswith(prefix + "/"):
        return None
    parts = topic[len(prefix) + 1 :].split("/")
    if len(parts) != 3 or parts[2] != "telemetry" or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1]


def parse_ts(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and 10 <= len(value) <= 40:
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            return None
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=BEIJING)
        return ts.astimezone(UTC)
    return None


def parse(msg: Incoming, prefix: str) -> Parsed | Dead:
    if msg.device_code is not None:
        code, typ = msg.device_code, msg.device_type
    else:
        parts = topic_parts(msg.topic, prefix)
        if parts is None:
            return Dead(msg, DeadReason.BAD_TOPIC, msg.topic[:200])
        typ, code = parts
    body: Any = msg.payload
    if isinstance(body, bytes):
        if len(body) > MAX_PAYLOAD:
            return Dead(msg, DeadReason.TOO_LARGE, str(len(body)), code)
        try:
            body = orjson.loads(body)
        except orjson.JSONDecodeError as e:
            return Dead(msg, DeadReason.BAD_JSON, str(e)[:200], code)
    if not isinstance(body, dict):
        return Dead(msg, DeadReason.BAD_JSON, "not an object", code)
    ts = parse_ts(body.get("ts"))
    if ts is None:
        return Dead(msg, DeadReason.BAD_TS, repr(body.get("ts"))[:100], code)
    values = body.get("values")
    if not isinstance(values, dict) or not values:
        return Dead(msg, DeadReason.NO_VALUES, "", code)
    mid = body.get("msg_id")
    return Parsed(msg, code, typ, ts, values, str(mid)[:64] if mid is not None else None)


def payload_text(msg: Incoming) -> str:
    if isinstance(msg.payload, bytes):
        return msg.payload[:4096].decode("utf-8", "replace")
    return orjson.dumps(msg.payload).decode()[:4096]
