"""Live updates over server-sent events: one poller per process fans out to every open screen.

The hub polls the database (through the indicator source) every ``interval`` seconds for new
alert ids and changed values, so alerts raised by any process reach every process's screens;
SQLite and PostgreSQL work the same. Alert events carry their id as the SSE ``id`` so a
reconnecting browser resumes with ``Last-Event-ID`` and misses nothing; values events carry none.
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
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import utcnow
from mudan.core.rbac import Principal
from mudan.domains.ops.platform import cached_figures
from mudan.domains.ops.sources import AlertItem, IndicatorSource, IndicatorValue
from mudan.domains.org.models import Region

log = logging.getLogger("mudan.ops.live")
RETRY_MS = 1500
BACKLOG = 200
QUEUE_SIZE = 500
PLATFORM_EVERY_S = 5.0  # the data platform's figures move slowly and cost ~1 s at scale 1


@dataclass(eq=False)
class Subscriber:
    principal: Principal
    region_code: str
    codes: tuple[str, ...]
    last_alert: int
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def offer(self, event: dict[str, Any]) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stalled client drops, never blocks
            self.queue.put_nowait(event)


def visible(principal: Principal, path: str | None) -> bool:
    return path is None or principal.sees_path(path)


class Hub:
    def __init__(
        self,
        sessions: Callable[[], sessionmaker[Session]],
        source: Callable[[], IndicatorSource | None],
        extras: dict[str, Any],
        interval: float = 0.5,
    ) -> None:
        self._sessions, self._source, self.interval = sessions, source, interval
        self._extras = extras
        self.subscribers: set[Subscriber] = set()
        self.cursor: int | None = None
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
            self.cursor = min((s.last_alert for s in list(self.subscribers)), default=0)
        new = source.alerts_since(session, after_id=self.cursor, limit=BACKLOG)
        if not new:
            return
        self.cursor = max(a.id for a in new)
        paths = self.paths(session, new)
        for a in sorted(new, key=lambda a: a.id):
            self._fan_out(a, paths.get(a.region_code or ""))

    def paths(self, session: Session, alerts: list[AlertItem]) -> dict[str, str | None]:
        todo = {a.region_code for a in alerts if a.region_code} - self._paths.keys()
        if todo:
            rows = dict(
                session.execute(select(Region.code, Region.path).where(Region.code.in_(todo))).all()
            )
            self._paths |= {c: rows.get(c, "3717") for c in todo}
        return self._paths

    def _fan_out(self, alert: AlertItem, path: str | None) -> None:
        event = alert.event()
        for sub in list(self.subscribers):
            if alert.id > sub.last_alert and visible(sub.principal, path):
                sub.offer(event)

    def _poll_values(self, session: Session, source: IndicatorSource | None) -> None:
        keys = {(s.region_code, s.codes) for s in self.subscribers}
        platform = cached_figures(self._extras, session, PLATFORM_EVERY_S).as_dict()
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
            if alert.id > sub.last_alert and visible(sub.principal, path):
                sub.last_alert = alert.id
                yield {"id": str(alert.id), "data": json.dumps(alert.event(), ensure_ascii=False)}
        while True:
            event = await sub.queue.get()
            if event["type"] == "alert":
                if event["id"] <= sub.last_alert:
                    continue
                sub.last_alert = event["id"]
                yield {"id": str(event["id"]), "data": json.dumps(event, ensure_ascii=False)}
            else:
                yield {"data": json.dumps(event, ensure_ascii=False, default=str)}
    finally:
        hub.unsubscribe(sub)
