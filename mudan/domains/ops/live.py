"""Live updates over server-sent events: one poller per process fans out to every open screen.

The hub polls the database (through the indicator source) every ``interval`` seconds for new
alerts and changed values, so alerts raised by any process reach every process's screens;
SQLite and PostgreSQL work the same. Alerts are tracked with an :class:`AlertCursor` (highest id
plus the ids below it not seen yet), so an alert whose transaction commits after a later one's
still arrives. The hello and every alert event carry the stream's position as the SSE ``id``
(its settled floor plus the ids above it already had, see ``cursor``), so a reconnecting browser
resumes with ``Last-Event-ID`` and gets each alert it missed once, a late lower id included;
values events carry none.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import utcnow
from mudan.domains.ops.cursor import MAX_HOLES, MAX_RANGES, AlertCursor, encode_position, runs
from mudan.domains.ops.platform import cached_figures
from mudan.domains.ops.sources import AlertItem, IndicatorSource, IndicatorValue
from mudan.kernel.models import Region
from mudan.kernel.rbac import Principal

log = logging.getLogger("mudan.ops.live")
RETRY_MS = 1500
BACKLOG = 200
REPLAY_MAX = 500  # alerts a reconnecting stream gets back; beyond, it is told to reload
SETTLED = "_settled"  # the poll's settled id, riding along an alert event to the stream
QUEUE_SIZE = 500
MAX_PAGES = 20  # of BACKLOG alerts per poll
PLATFORM_EVERY_S = 5.0  # the data platform's figures move slowly and cost ~1 s at scale 1


@dataclass(eq=False)
class Subscriber:
    """One open stream at ``floor`` (every alert id at or below it is settled for this stream:
    had, not visible to it, or given up) with ``sent``, the ids above the floor it has had (or
    must skip). Both together are its SSE id, where a reconnect resumes (see ``cursor``)."""

    principal: Principal
    region_code: str
    codes: tuple[str, ...]
    floor: int
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    sent: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._settle()

    @property
    def last_alert(self) -> int:
        return max(self.sent, default=self.floor)

    def offer(self, event: dict[str, Any]) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stalled client drops, never blocks
            self.queue.put_nowait(event)

    def wants(self, alert_id: int) -> bool:
        """Not settled for this stream yet and not had."""
        return alert_id > self.floor and alert_id not in self.sent

    def mark_sent(self, alert_id: int, settled: int) -> str:
        """Record a delivery; ``settled`` is the id up to which whoever read this alert (the hub's
        poll or the replay) saw no hole. Returns the SSE id: the stream's new position."""
        self.sent.add(alert_id)
        # ids ≤ the alert were read (or are holes, ≤ settled); the ones visible here came before it
        self.floor = max(self.floor, min(settled, alert_id))
        self._settle()
        return self.position()

    def position(self) -> str:
        return encode_position(self.floor, self.sent)

    def _settle(self) -> None:
        self.floor = max(self.floor, self.last_alert - MAX_HOLES)  # as far back as the hub looks
        spans = runs(i for i in self.sent if i > self.floor)
        if spans and spans[0][0] == self.floor + 1:  # had right above the floor: settled too
            self.floor = spans[0][1]
        if len(spans) > MAX_RANGES:  # keep the SSE id short: the oldest runs count as settled
            self.floor = max(self.floor, spans[-MAX_RANGES - 1][1])
        self.sent = {i for i in self.sent if i > self.floor}


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
            oldest = min((s.floor for s in list(self.subscribers)), default=0)
            self.cursor = AlertCursor(oldest)
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
        settled = self.cursor.floor
        for a in new:
            self._fan_out(a, paths.get(a.region_code or ""), settled)

    def paths(self, session: Session, alerts: list[AlertItem]) -> dict[str, str | None]:
        todo = {a.region_code for a in alerts if a.region_code} - self._paths.keys()
        if todo:
            rows = dict(
                session.execute(select(Region.code, Region.path).where(Region.code.in_(todo))).all()
            )
            self._paths |= {c: rows.get(c, "3717") for c in todo}
        return self._paths

    def _fan_out(self, alert: AlertItem, path: str | None, settled: int) -> None:
        event = alert.event() | {SETTLED: settled}
        for sub in list(self.subscribers):
            if sub.wants(alert.id) and visible(sub.principal, path):
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


@dataclass(frozen=True)
class Replay:
    """What a stream missed: the alerts after its floor it may see (oldest first, at most
    ``REPLAY_MAX``), how many older ones were left out, and the id up to which the read saw no
    hole."""

    alerts: list[AlertItem]
    settled: int
    skipped: int = 0


def replay(
    session: Session, source: IndicatorSource, hub: Hub, sub: Subscriber, pages: int = 1000
) -> Replay:
    """The alerts after the stream's floor that it wants and may see, read like the hub reads."""
    cursor = AlertCursor(sub.floor)
    kept: deque[AlertItem] = deque(maxlen=REPLAY_MAX)
    seen = 0
    for _ in range(pages):
        batch = source.alerts_since(session, after_id=cursor.high, limit=BACKLOG)
        paths = hub.paths(session, batch)
        for a in cursor.take(batch):
            if sub.wants(a.id) and visible(sub.principal, paths.get(a.region_code or "")):
                kept.append(a)
                seen += 1
        if len(batch) < BACKLOG:
            break
    return Replay(list(kept), cursor.floor, seen - len(kept))


def fresh_position(
    session: Session, source: IndicatorSource | None, hub: Hub, newest: int
) -> tuple[int, set[int]]:
    """Where a new stream starting after ``newest`` stands: the alerts up to ``newest`` are not
    for it, except ids the hub is still waiting for (uncommitted yet, below ``newest``)."""
    cursor = hub.cursor
    if source is None or cursor is None or cursor.floor >= newest:
        return newest, set()
    floor = max(cursor.floor, newest - MAX_HOLES)
    had: set[int] = set()
    after = floor
    while after < newest:  # (floor, newest] spans at most MAX_HOLES ids
        batch = source.alerts_since(session, after_id=after, limit=BACKLOG)
        had.update(a.id for a in batch if a.id <= newest)
        if len(batch) < BACKLOG:
            break
        after = max(a.id for a in batch)
    return floor, had


async def events(
    hub: Hub, sub: Subscriber, missed: Callable[[], Replay]
) -> AsyncIterator[dict[str, Any]]:
    """The SSE stream of one browser: its position, the alerts it missed, then live events."""
    hub.subscribe(sub)  # first subscribe, then read what was missed: nothing falls in between
    try:
        hello = {"type": "hello", "after": sub.floor}
        yield {"id": sub.position(), "retry": RETRY_MS, "data": json.dumps(hello)}
        back = await anyio.to_thread.run_sync(missed)
        if back.skipped:  # too many to replay: the screen reloads its alert list instead
            yield {"data": json.dumps({"type": "gap", "skipped": back.skipped})}
        for alert in back.alerts:
            if sub.wants(alert.id):
                sse_id = sub.mark_sent(alert.id, back.settled)
                yield {"id": sse_id, "data": json.dumps(alert.event(), ensure_ascii=False)}
        while True:
            event = await sub.queue.get()
            if event["type"] == "alert":
                if not sub.wants(event["id"]):  # also queued by the hub while the replay ran
                    continue
                body = {k: v for k, v in event.items() if k != SETTLED}
                sse_id = sub.mark_sent(event["id"], event[SETTLED])
                yield {"id": sse_id, "data": json.dumps(body, ensure_ascii=False)}
            else:
                yield {"data": json.dumps(event, ensure_ascii=False, default=str)}
    finally:
        hub.unsubscribe(sub)
