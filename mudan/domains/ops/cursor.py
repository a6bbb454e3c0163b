"""Where the live poller stands in the alert sequence, robust to alerts arriving out of order.

Alert ids come from a sequence, but transactions commit in any order: on PostgreSQL a
transaction holding id 41 may commit after the one holding id 42, so "everything after the last
id seen" would skip 41 for good. The cursor keeps the highest id delivered (``high``) and the
ids below it not seen yet (``holes``): each poll reads from just below the oldest hole and
delivers the ids that fill one, plus everything past ``high``. A hole that stays empty for
``hole_ttl`` seconds (a rolled-back transaction, which burns its id for good) is given up.
"""

from __future__ import annotations

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
