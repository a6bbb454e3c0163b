"""What the demo hook hands each domain: a session, the seed, the scale and a progress reporter."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mudan.core.progress import Reporter
from mudan.settings import Settings


@dataclass
class DemoContext:
    session: Session
    settings: Settings
    seed: int
    scale: float
    progress: Reporter
    # Work that must run after the demo transaction commits (e.g. loads that open their own
    # transactions, which SQLite would otherwise block).
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def rng(self, domain: str) -> random.Random:
        """A per-domain RNG so one domain's draws never shift another's (deterministic per seed)."""
        return random.Random(f"{self.seed}:{domain}")

    def scaled(self, full: int, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))
