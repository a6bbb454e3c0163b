"""Helpers for the iot tests against the real Mosquitto at 127.0.0.1:1883."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import paho.mqtt.client as mqtt
from sqlalchemy.orm import Session, sessionmaker

from mudan.domains.iot.mqtt import IngestConfig, Ingester

BROKER = "mqtt://127.0.0.1:1883"


def unique(name: str) -> str:
    return f"t{uuid.uuid4().hex[:10]}-{name}"


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


@contextmanager
def running_ingester(
    sessions: sessionmaker[Session], prefix: str, client_id: str, **kw: object
) -> Iterator[Ingester]:
    ing = Ingester(IngestConfig(BROKER, prefix=prefix, client_id=client_id), sessions, **kw)  # type: ignore[arg-type]
    stop = threading.Event()
    thread = threading.Thread(target=ing.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(ing.subscribed.is_set, "the ingester to subscribe")
    try:
        yield ing
    finally:
        stop.set()
        thread.join(timeout=30)


def publisher() -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    c.connect("127.0.0.1", 1883)
    c.loop_start()
    return c
