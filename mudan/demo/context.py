"""What the demo hook hands each domain: a session, the runtime, the seed, the scale and a
progress reporter."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mudan.core.progress import Reporter
from mudan.core.runtime import Runtime
from mudan.settings import Settings


@dataclass
class DemoContext:
    session: Session
    # The demo's one runtime: work after the demo transaction uses ``runtime.sessions`` and
    # ``runtime.lake``; no domain builds an engine or a lake of its own.
    runtime: Runtime
    seed: int
    scale: float
    progress: Reporter
    # Work that must run after the demo transaction commits (e.g. loads that open their own
    # transactions, which SQLite would otherwise block).
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def rng(self, domain: str) -> random.Random:
        """A per-domain RNG so one domain's draws never shift another's (deterministic per seed)."""
        return random.Random(f"{self.seed}:{domain}")

    def scaled(self, full: int, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))
