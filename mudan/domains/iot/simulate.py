"""Realistic telemetry for the demo and ``mudan simulate iot``: diurnal values, noise, some
faults (out-of-range spikes, garbage payloads) and silent devices."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mudan.domains.iot.enums import TYPES, DeviceType
from mudan.domains.iot.parse import BEIJING


@dataclass(frozen=True)
class SimDevice:
    code: str
    type: str
    interval_s: int


def value(rng: random.Random, device_type: str, metric_index: int, at: datetime) -> float:
    m = TYPES[DeviceType(device_type)].metrics[metric_index]
    if m.binary:
        hour = at.astimezone(BEIJING).hour
        p = 0.8 if device_type == "street_light" and (hour >= 18 or hour < 6) else 0.3
        return 1.0 if rng.random() < p else 0.0
    clock = at.astimezone(BEIJING).hour + at.minute / 60
    diurnal = 0.5 + 0.35 * math.sin((clock - 8) / 24 * 2 * math.pi)
    x = m.low + (m.high - m.low) * min(1.0, max(0.0, diurnal + rng.gauss(0, 0.08)))
    return round(x, 3)


def payload(
    rng: random.Random, dev: SimDevice, at: datetime, *, fault: float = 0.0
) -> dict[str, Any]:
    spec = TYPES[DeviceType(dev.type)]
    values = {m.code: value(rng, dev.type, i, at) for i, m in enumerate(spec.metrics)}
    if fault and rng.random() < fault:  # a spike far outside the plausible range
        m = spec.metrics[0]
        values[m.code] = round(m.high * 3 + 1, 3)
    return {"ts": at.isoformat(timespec="seconds"), "values": values}


def garbage(rng: random.Random) -> bytes:
    return rng.choice([b"{not json", b"[]", b'{"values": {"x": 1}}', b'{"ts": "soon"}'])


def is_silent(code: str, share: float = 0.04) -> bool:
    """A stable few devices never report (they count against the online rate)."""
    return random.Random(f"silent:{code}").random() < share


def schedule(
    devices: list[SimDevice], *, start: datetime, end: datetime
) -> list[tuple[datetime, SimDevice]]:
    """Every non-silent device reports each interval (a stable per-device phase)."""
    out: list[tuple[datetime, SimDevice]] = []
    for d in devices:
        if is_silent(d.code):
            continue
        phase = random.Random(f"phase:{d.code}").random() * d.interval_s
        t = start + timedelta(seconds=phase)
        while t < end:
            out.append((t, d))
            t += timedelta(seconds=d.interval_s)
    out.sort(key=lambda x: x[0])
    return out
