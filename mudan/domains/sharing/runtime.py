"""Per-app runtime state of the data service: engine, cursors, rate limiter, plan cache."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.catalog.models import CatalogItem
from mudan.domains.sharing.calllog import RateLimiter, SealClock
from mudan.domains.sharing.dataservice import Cursors, Item, Plan
from mudan.domains.sharing.engine import ServiceEngine
from mudan.lake import lake_of
from mudan.lake.catalog import Lake

if TYPE_CHECKING:
    from mudan.app import AppContext

PLAN_TTL_S = 5.0


@dataclass(frozen=True)
class GrantRow:
    id: int
    entry_id: int
    table_ref: str
    consumer_department_id: int
    client_user_id: int | None
    items: list[str]
    unmasked_items: list[str]
    region_column: str | None
    region_codes: list[str]
    purpose: str
    status: str
    status_reason: str
    valid_until: Any
    rate_per_minute: int


class Runtime:
    def __init__(self, ctx: AppContext, lake: Lake) -> None:
        self.engine = ServiceEngine(lake)
        self.cursors = Cursors(ctx.settings.auth.secret_key.get_secret_value())
        self.limiter = RateLimiter()
        self.seals = SealClock()
        self._items: dict[int, tuple[float, tuple[Item, ...], str | None]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.engine.close()

    def entry_items(self, session: Session, entry_id: int) -> tuple[tuple[Item, ...], str | None]:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(entry_id)
        if hit is not None and now - hit[0] < PLAN_TTL_S:
            return hit[1], hit[2]
        from mudan.domains.catalog.models import CatalogEntry

        rows = session.execute(
            select(
                CatalogItem.name,
                CatalogItem.type,
                CatalogItem.sensitivity,
                CatalogItem.personal_kind,
            )
            .where(CatalogItem.entry_id == entry_id)
            .order_by(CatalogItem.position)
        ).all()
        keys = session.scalar(select(CatalogEntry.key_columns).where(CatalogEntry.id == entry_id))
        items = tuple(Item(r[0], r[1], int(r[2]), r[3]) for r in rows)
        key = keys[0] if keys and len(keys) == 1 else None
        with self._lock:
            self._items[entry_id] = (now, items, key)
        return items, key

    def plan(self, session: Session, g: GrantRow) -> Plan:
        items, key = self.entry_items(session, g.entry_id)
        granted = set(g.items)
        return Plan(
            grant_id=g.id,
            table_ref=g.table_ref,
            items=tuple(i for i in items if i.name in granted),
            unmasked=frozenset(g.unmasked_items),
            all_items=frozenset(i.name for i in items),
            region_column=g.region_column,
            region_codes=tuple(g.region_codes),
            key=key,
        )


def runtime_of(ctx: AppContext) -> Runtime:
    lake = lake_of(ctx)  # first: ctx.service's lock is not re-entrant
    return ctx.service("sharing.runtime", lambda: Runtime(ctx, lake))
