"""Live updates over server-sent events: one poller per process fans out to every open screen.

The hub polls the database (through the indicator source) every ``interval`` seconds for new
alerts and changed values, so alerts raised by any process reach every process's screens;
SQLite and PostgreSQL work the same. Alerts are tracked with an :class:`AlertCursor` (highest id
plus the ids below it not seen yet), so an alert whose transaction commits after a later one's
still arrives. Alert events carry the stream's high-water id as the SSE ``id`` so a reconnecting
browser resumes with ``Last-Event-ID`` and misses nothing; values events carry none.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import utcnow
from mudan.core.rbac import Principal
from mudan.domains.ops.cursor import MAX_HOLES, AlertCursor
from mudan.domains.ops.platform import cached_figures
from mudan.domains.ops.sources import AlertItem, IndicatorSource, IndicatorValue
from mudan.domains.org.models import Region

log = logging.getLogger("mudan.ops.live")
RETRY_MS = 1500
BACKLOG = 200
QUEUE_SIZE = 500
MAX_PAGES = 20  # of BACKLOG alerts per poll
PLATFORM_EVERY_S = 5.0  # the data platform's figures move slowly and cost ~1 s at scale 1


@dataclass(eq=False)
class Subscriber:
    """One open stream. ``last_alert`` is its high-water id (the SSE id, where a reconnect
    resumes); ``start`` where it began; ``sent`` the ids it has had (late ones come below
    ``last_alert``, so the id alone cannot tell what was sent)."""

    principal: Principal
    region_code: str
    codes: tuple[str, ...]
    last_alert: int
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    sent: set[int] = field(default_factory=set)
    start: int = -1

    def __post_init__(self) -> None:
        if self.start < 0:
            self.start = self.last_alert

    def offer(self, event: dict[str, Any]) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stalled client drops, never blocks
            self.queue.put_nowait(event)

    def wants(self, alert_id: int, late: bool) -> bool:
        """Not had yet, and after where the stream began (or a late arrival, new to everyone)."""
        return alert_id not in self.sent and (late or alert_id > self.start)

    def mark_sent(self, alert_id: int) -> str:
        """Record a delivery; returns the SSE id (the high-water mark, never going back)."""
        self.sent.add(alert_id)
        self.last_alert = max(self.last_alert, alert_id)
        if len(self.sent) > 2 * MAX_HOLES:  # ids this far below the top cannot arrive late
            self.sent = {i for i in self.sent if i > self.last_alert - MAX_HOLES}
        return str(self.last_alert)


def visible(principal: Principal, path: str | None) -> bool:
    return path is None or principal.sees_path(path)


class Hub:
    def __init__(
        self,
        sessions: Callable[[], sessionmaker[Session]],
        source: Callable[[], IndicatorSource | None],
        extras: dict[str, Any],
        pm: pluggy.PluginManager,
        interval: float = 0.5,
    ) -> None:
        self._sessions, self._source, self.interval = sessions, source, interval
        self._extras, self._pm = extras, pm
        self.subscribers: set[Subscriber] = set()
        self.cursor: AlertCursor | None = None
        self._values: dict[tuple[str, tuple[str, ...]], str] = {}
        self._task: asyncio.Task[None] | None = None
        self._paths: dict[str, str | None] = {}

    def subscribe(self, sub: Subscriber) -> None:
        self.subscribers.add(sub)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        tick = 0
        while self.subscribers:
            try:
                await anyio.to_thread.run_sync(self._poll, tick % 2 == 0)
            except Exception:  # keep the stream alive through a transient database error
                log.exception("live poll failed")
            tick += 1
            await asyncio.sleep(self.interval)

    def _poll(self, with_values: bool) -> None:
        with self._sessions()() as session:
            source = self._source()
            if source is not None:
                self._poll_alerts(session, source)
        if with_values:  # separately: a broken indicator must not hold back the alerts
            with self._sessions()() as session:
                self._poll_values(session, source)

    def _poll_alerts(self, session: Session, source: IndicatorSource) -> None:
        if self.cursor is None:  # start where the oldest open stream stands
            oldest = min((s.last_alert for s in list(self.subscribers)), default=0)
            self.cursor = AlertCursor(oldest)
        high = self.cursor.high
        read: list[AlertItem] = []
        after = self.cursor.floor
        for _ in range(MAX_PAGES):
            batch = source.alerts_since(session, after_id=after, limit=BACKLOG)
            read += batch
            if len(batch) < BACKLOG:
                break
            after = max(a.id for a in batch)
        new = self.cursor.take(read)
        if not new:
            return
        paths = self.paths(session, new)
        for a in new:
            self._fan_out(a, paths.get(a.region_code or ""), late=a.id <= high)

    def paths(self, session: Session, alerts: list[AlertItem]) -> dict[str, str | None]:
        todo = {a.region_code for a in alerts if a.region_code} - self._paths.keys()
        if todo:
            rows = dict(
                session.execute(select(Region.code, Region.path).where(Region.code.in_(todo))).all()
            )
            self._paths |= {c: rows.get(c, "3717") for c in todo}
        return self._paths

    def _fan_out(self, alert: AlertItem, path: str | None, late: bool = False) -> None:
        event = alert.event()
        for sub in list(self.subscribers):
            if sub.wants(alert.id, late) and visible(sub.principal, path):
                sub.offer(event)

    def _poll_values(self, session: Session, source: IndicatorSource | None) -> None:
        keys = {(s.region_code, s.codes) for s in self.subscribers}
        platform = cached_figures(self._extras, session, self._pm, PLATFORM_EVERY_S).as_dict()
        for region, codes in keys:
            values: dict[str, float | None] = {}
            if source is not None and codes:
                got = _values(session, source, codes, region)
                values = {c: (got[c].value if c in got else None) for c in codes}
            body = {"type": "values", "region_code": region, "values": values, "platform": platform}
            digest = json.dumps(body, sort_keys=True, default=str)
            if self._values.get((region, codes)) == digest:
                continue
            self._values[(region, codes)] = digest
            event = body | {"at": utcnow().isoformat()}
            for sub in list(self.subscribers):
                if (sub.region_code, sub.codes) == (region, codes):
                    sub.offer(event)


def _values(
    session: Session, source: IndicatorSource, codes: tuple[str, ...], region: str
) -> dict[str, IndicatorValue]:
    """All codes at once; when that fails, one by one so a broken indicator only loses itself."""
    try:
        with session.begin_nested():
            return source.latest_values(session, codes=list(codes), region_code=region)
    except Exception:
        got: dict[str, IndicatorValue] = {}
        for code in codes:
            try:
                with session.begin_nested():
                    got |= source.latest_values(session, codes=[code], region_code=region)
            except Exception as exc:  # reported on the screen's panel by the payload
                log.warning("live value %s failed: %s", code, exc)
        return got


async def events(
    hub: Hub, sub: Subscriber, backlog: Callable[[], list[tuple[AlertItem, str | None]]]
) -> AsyncIterator[dict[str, Any]]:
    """The SSE stream of one browser: retry hint, missed alerts, then live events."""
    hub.subscribe(sub)  # first subscribe, then read the backlog: nothing falls in between
    try:
        yield {"retry": RETRY_MS, "data": json.dumps({"type": "hello", "after": sub.last_alert})}
        for alert, path in await anyio.to_thread.run_sync(backlog):
            if sub.wants(alert.id, False) and visible(sub.principal, path):
                sse_id = sub.mark_sent(alert.id)
                yield {"id": sse_id, "data": json.dumps(alert.event(), ensure_ascii=False)}
        while True:
            event = await sub.queue.get()
            if event["type"] == "alert":
                if event["id"] in sub.sent:  # also queued by the hub while the backlog ran
                    continue
                sse_id = sub.mark_sent(event["id"])
                yield {"id": sse_id, "data": json.dumps(event, ensure_ascii=False)}
            else:
                yield {"data": json.dumps(event, ensure_ascii=False, default=str)}
    finally:
        hub.unsubscribe(sub)
