"""A test-only indicator source: values and alerts held in memory, shared across threads.

It stands in for the indicators domain (not merged yet) behind ``mudan.domains.ops.sources``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session

from mudan.domains.ops.sources import AlertItem, IndicatorValue


class FakeSource:
    def __init__(self) -> None:
        self.values: dict[tuple[str, str], IndicatorValue] = {}
        self.alerts: list[AlertItem] = []
        self.broken: set[str] = set()  # codes whose lookup fails (a broken formula)
        self._reserved: set[int] = set()  # ids taken by transactions not committed yet
        self._lock = threading.Lock()

    def set(self, code: str, region: str, value: float | None, **kw: object) -> None:
        self.values[(code, region)] = IndicatorValue(code=code, value=value, **kw)  # type: ignore[arg-type]

    def raise_alert(
        self, level: str, title: str, region_code: str | None = "3717", alert_id: int = 0
    ) -> AlertItem:
        """Raise (commit) an alert; ``alert_id`` commits one taken earlier with ``reserve``."""
        with self._lock:
            alert = AlertItem(
                id=alert_id or self._next_id(),
                level=level,
                title=title,
                region_code=region_code,
                at=datetime(2026, 5, 1, 8, 0).isoformat(),
            )
            self.alerts.append(alert)
            self.alerts.sort(key=lambda a: a.id)
        return alert

    def reserve(self) -> int:
        """Take the next id for an alert whose transaction has not committed yet."""
        with self._lock:
            alert_id = self._next_id()
            self._reserved.add(alert_id)
            return alert_id

    def _next_id(self) -> int:
        return max([a.id for a in self.alerts] + list(self._reserved), default=0) + 1

    def latest_values(
        self, session: Session, *, codes: list[str], region_code: str
    ) -> dict[str, IndicatorValue]:
        if self.broken & set(codes):
            raise ZeroDivisionError("division by zero in formula of " + sorted(self.broken)[0])
        return {c: self.values[(c, region_code)] for c in codes if (c, region_code) in self.values}

    def series(
        self, session: Session, *, code: str, region_code: str, since: date
    ) -> list[tuple[str, float | None]]:
        v = self.values.get((code, region_code))
        base = v.value if v and v.value is not None else 0.0
        return [((since + timedelta(days=i)).isoformat(), base + i) for i in range(5)]

    def alerts_since(self, session: Session, *, after_id: int, limit: int) -> list[AlertItem]:
        with self._lock:
            return [a for a in self.alerts if a.id > after_id][:limit]

    def open_alerts(self, session: Session, *, region_code: str) -> list[AlertItem]:
        with self._lock:
            return list(self.alerts)


class LiveServer:
    """A real uvicorn server for one app on a fixed port that can be stopped and started again."""

    def __init__(self, app_factory: Callable[[], FastAPI], port: int | None = None) -> None:
        self.app_factory = app_factory
        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.app: FastAPI | None = None
        self._srv: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FastAPI:
        self.app = self.app_factory()
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            timeout_graceful_shutdown=1,  # open SSE streams are cut, as a restart would
        )
        self._srv = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._srv.run, daemon=True)
        self._thread.start()
        for _ in range(400):
            if self._srv.started:
                break
            time.sleep(0.025)
        assert self._srv.started, "uvicorn did not start"
        return self.app

    def stop(self) -> None:
        if self._srv is not None and self._thread is not None:
            self._srv.should_exit = True
            self._thread.join(timeout=15)
            self._srv = None


def sse_events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Parse a text/event-stream into events ({"id"?, "data", "retry"?})."""
    event: dict[str, str] = {}
    for line in lines:
        if line == "":
            if event:
                yield event
            event = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        event[name] = event[name] + "\n" + value if name == "data" and name in event else value
