"""Per-app runtime state of the data service: engine, cursors, rate limiter, plan cache."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.secrets import signing_keys
from mudan.domains.catalog.models import CatalogItem
from mudan.domains.sharing.dataservice.calllog import CallWriter, RateLimiter
from mudan.domains.sharing.dataservice.masking import mask_expr, needs_mask, order_expr
from mudan.domains.sharing.dataservice.query import Cursors, Item, Plan
from mudan.domains.sharing.workflow.grants import region_column_in
from mudan.lake import lake_of
from mudan.lake.catalog import Lake
from mudan.lake.serve.cache import Layout
from mudan.lake.serve.engine import ServeEngine

if TYPE_CHECKING:
    from mudan.app import AppContext
    from mudan.settings import Settings

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


class _Named(NamedTuple):
    name: str
    label: str


@dataclass(frozen=True)
class EntryShape:
    """A catalog entry as the data service needs it: items in order, key, cache layout."""

    items: tuple[Item, ...]
    key: str | None
    layout: Layout


def layout_of(
    items: tuple[Item, ...], labels: list[str], key: str | None, order_salt: str
) -> Layout:
    """The cache layout of an entry: every maskable item's mask precomputed (and the keyed
    hash of a maskable key, which grants that mask it page by); rows ordered by the region
    column (the grants' row filter) and then the key (paging order)."""

    region = region_column_in([_Named(i.name, lb) for i, lb in zip(items, labels, strict=True)])
    masks = tuple(
        mask_expr(i.personal_kind, i.name, text=i.type == "string")
        for i in items
        if needs_mask(i, ())
    )
    if any(i.name == key and needs_mask(i, ()) for i in items):
        assert key is not None
        masks += (order_expr(key, order_salt),)
    order = tuple(c for c in (region, key) if c is not None)
    return Layout(key=key, order=order, masks=masks)


class ServiceRuntime:
    """Built once per app (:func:`runtime_of`) or once per CLI command (``mudan share call``)."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], lake: Lake) -> None:
        sharing = settings.sharing
        self.engine = ServeEngine(
            lake,
            cache_dir=settings.var_dir / "cache" / "dataservice" if sharing.cache else None,
            cache_max_rows=sharing.cache_max_rows,
            ttl_s=sharing.snapshot_check_s,
            error_code="sharing.query_failed",
        )
        secret = signing_keys(settings)[0]
        self.cursors = Cursors(secret)
        self.order_salt = hashlib.sha256(("share-order:" + secret).encode()).hexdigest()[:32]
        self.limiter = RateLimiter()
        every = sharing.seal_every_s
        self.calls = CallWriter(sessions, seal_every=every if every > 0 else None)
        self._shapes: dict[int, tuple[float, EntryShape]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.calls.close()
        self.engine.close()

    def entry_shape(self, session: Session, entry_id: int) -> EntryShape:
        now = time.monotonic()
        with self._lock:
            hit = self._shapes.get(entry_id)
        if hit is not None and now - hit[0] < PLAN_TTL_S:
            return hit[1]
        from mudan.domains.catalog.models import CatalogEntry

        rows = session.execute(
            select(
                CatalogItem.name,
                CatalogItem.type,
                CatalogItem.sensitivity,
                CatalogItem.personal_kind,
                CatalogItem.label,
            )
            .where(CatalogItem.entry_id == entry_id)
            .order_by(CatalogItem.position)
        ).all()
        keys = session.scalar(select(CatalogEntry.key_columns).where(CatalogEntry.id == entry_id))
        items = tuple(Item(r[0], r[1], int(r[2]), r[3]) for r in rows)
        key = keys[0] if keys and len(keys) == 1 else None
        shape = EntryShape(items, key, layout_of(items, [r[4] for r in rows], key, self.order_salt))
        with self._lock:
            self._shapes[entry_id] = (now, shape)
        return shape

    def plan(self, session: Session, g: GrantRow) -> Plan:
        shape = self.entry_shape(session, g.entry_id)
        granted = set(g.items)
        return Plan(
            grant_id=g.id,
            table_ref=g.table_ref,
            items=tuple(i for i in shape.items if i.name in granted),
            unmasked=frozenset(g.unmasked_items),
            all_items=frozenset(i.name for i in shape.items),
            region_column=g.region_column,
            region_codes=tuple(g.region_codes),
            key=shape.key,
            layout=shape.layout,
            order_salt=self.order_salt,
        )


def runtime_of(ctx: AppContext) -> ServiceRuntime:
    return ctx.runtime.cached(
        "sharing.runtime", lambda: ServiceRuntime(ctx.settings, ctx.sessions, lake_of(ctx))
    )
