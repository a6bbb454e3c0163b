"""Where the live poller stands in the alert sequence, robust to alerts arriving out of order.

Alert ids come from a sequence, but transactions commit in any order: on PostgreSQL a
transaction holding id 41 may commit after the one holding id 42, so "everything after the last
id seen" would skip 41 for good. The cursor keeps the highest id delivered (``high``) and the
ids below it not seen yet (``holes``): each poll reads from just below the oldest hole and
delivers the ids that fill one, plus everything past ``high``. A hole that stays empty for
``hole_ttl`` seconds (a rolled-back transaction, which burns its id for good) is given up.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mudan.domains.ops.sources import AlertItem

HOLE_TTL_S = 300.0  # longer than any transaction that raises an alert should take
MAX_HOLES = 1000  # a jump larger than this (a restored database …) is not tracked id by id


@dataclass
class AlertCursor:
    high: int
    holes: dict[int, float] = field(default_factory=dict)  # id → when it was first missed
    hole_ttl: float = HOLE_TTL_S
    clock: Callable[[], float] = time.monotonic

    @property
    def floor(self) -> int:
        """Read alerts with an id above this: the oldest hole's predecessor, else ``high``."""
        return min(self.holes) - 1 if self.holes else self.high

    def take(self, alerts: Iterable[AlertItem]) -> list[AlertItem]:
        """The alerts not delivered yet, in id order; moves the cursor past them."""
        now = self.clock()
        self.holes = {i: t for i, t in self.holes.items() if now - t < self.hole_ttl}
        fresh: list[AlertItem] = []
        for a in sorted(alerts, key=lambda a: a.id):
            if a.id > self.high:
                gap = range(max(self.high + 1, a.id - MAX_HOLES), a.id)
                self.holes.update(dict.fromkeys(gap, now))
                self.high = a.id
                fresh.append(a)
            elif self.holes.pop(a.id, None) is not None:
                fresh.append(a)
        return fresh


# --- a stream's position, as its SSE id ---------------------------------------------------------
#
# A stream stands at ``floor`` (every id at or below it is settled for that stream: delivered, not
# visible to it, or given up) plus the ids above the floor it has had already. Usually the set is
# empty and the id is the plain alert id ("42"); with an alert still uncommitted below, it reads
# "40:42" (41 may still come, 42 was delivered), and a reconnect replays 41 but never 42 again.

MAX_RANGES = 32  # runs of consecutive ids in one SSE id; older ones are taken as settled
_POSITION = re.compile(r"(\d{1,18})(?::(\d{1,18}(?:-\d{1,18})?(?:,\d{1,18}(?:-\d{1,18})?)*))?")


def runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ids as runs of consecutive ids: ``{3, 4, 5, 9}`` → ``[(3, 5), (9, 9)]``."""
    out: list[tuple[int, int]] = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def encode_position(floor: int, had: Iterable[int]) -> str:
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs(i for i in had if i > floor)]
    return f"{floor}:{','.join(parts)}" if parts else str(floor)


def decode_position(text: str | None) -> tuple[int, set[int]] | None:
    """``(floor, ids had above it)`` from an SSE id; None when it is not one of ours (or would
    name more than ``MAX_RANGES`` runs or ids further than ``MAX_HOLES`` above the floor)."""
    m = _POSITION.fullmatch((text or "").strip())
    if m is None:
        return None
    floor, had = int(m.group(1)), set[int]()
    spans = m.group(2).split(",") if m.group(2) else []
    if len(spans) > MAX_RANGES:
        return None
    for span in spans:
        a, _, b = span.partition("-")
        lo, hi = int(a), int(b or a)
        if not floor < lo <= hi <= floor + MAX_HOLES:
            return None
        had.update(range(lo, hi + 1))
    return floor, had
