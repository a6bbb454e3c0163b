"""The MQTT ingester: paho-mqtt, MQTT 5, QoS 1, a persistent session, acknowledge after commit.

Order per batch: receive (unacknowledged) → process and COMMIT the batch → send the PUBACKs.
A crash before the commit leaves the messages unacknowledged: the broker keeps them in the
session (fixed client id, session expiry) and redelivers them on reconnect. A crash between the
commit and the PUBACKs redelivers messages already stored: the (device, ts) key turns them into
counted duplicates. Acks for messages of a previous connection are dropped (packet ids restart).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
import pluggy
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import transaction
from mudan.domains.iot.enums import DeadReason
from mudan.domains.iot.mqttclient import BufferedClient
from mudan.domains.iot.parse import Dead, Incoming
from mudan.domains.iot.pipeline import BatchStats, Pipeline

log = logging.getLogger("mudan.iot.ingest")


@dataclass(frozen=True)
class IngestConfig:
    url: str
    prefix: str = "mudan"
    client_id: str = "mudan-ingest"
    shared_group: str = ""  # "$share/<group>/…" so several ingesters split the stream
    batch_max: int = 1000
    batch_wait_s: float = 0.05
    receive_maximum: int = 2000  # the broker scans its in-flight list per ack
    session_expiry_s: int = 7 * 24 * 3600

    @property
    def topic(self) -> str:
        t = f"{self.prefix}/+/+/telemetry"
        return f"$share/{self.shared_group}/{t}" if self.shared_group else t


def broker_address(url: str) -> tuple[str, int, str | None, str | None]:
    u = urlparse(url if "://" in url else f"mqtt://{url}")
    if u.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"unsupported MQTT URL scheme: {u.scheme}")
    return u.hostname or "127.0.0.1", u.port or 1883, u.username, u.password


@dataclass(frozen=True)
class _Msg:
    gen: int
    mid: int
    qos: int
    incoming: Incoming


class Ingester:
    def __init__(
        self,
        cfg: IngestConfig,
        sessions: sessionmaker[Session],
        *,
        pm: pluggy.PluginManager | None = None,
        on_batch: Callable[[BatchStats], None] | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        self.cfg = cfg
        self.sessions = sessions
        self.pipeline = Pipeline(prefix=cfg.prefix, pm=pm)
        self.on_batch = on_batch
        self.stats = BatchStats()
        self.on_ready = on_ready
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._queue: deque[_Msg] = deque()  # appended by paho's thread, drained by ours
        self._gen = 0
        self._client = BufferedClient(
            CallbackAPIVersion.VERSION2,
            client_id=cfg.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        host, port, user, password = broker_address(cfg.url)
        self._addr = (host, port)
        if user:
            self._client.username_pw_set(user, password)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe

    # --- network thread ---

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        if rc.is_failure:
            log.error("mqtt connect refused: %s", rc)
            return
        self._gen += 1
        client.subscribe(self.cfg.topic, qos=1)
        self.connected.set()
        log.info("mqtt connected", extra={"fields": {"topic": self.cfg.topic}})

    def _on_subscribe(self, *_a: Any) -> None:
        if not self.subscribed.is_set() and self.on_ready is not None:
            self.on_ready()
        self.subscribed.set()

    def _on_disconnect(self, *_a: Any) -> None:
        self.connected.clear()

    def _on_message(self, _c: mqtt.Client, _u: Any, m: mqtt.MQTTMessage) -> None:
        now = datetime.now(UTC)
        incoming = Incoming("mqtt", m.topic, bytes(m.payload), now)
        self._queue.append(_Msg(self._gen, m.mid, m.qos, incoming))

    # --- processing thread ---

    def _take(self) -> list[_Msg]:
        """Up to ``batch_max`` messages: what has arrived within ``batch_wait_s`` of the first."""
        q = self._queue
        deadline = time.monotonic() + 0.2
        while not q:
            if time.monotonic() > deadline:
                return []
            time.sleep(0.002)
        batch: list[_Msg] = []
        deadline = time.monotonic() + self.cfg.batch_wait_s
        while True:
            while q and len(batch) < self.cfg.batch_max:
                batch.append(q.popleft())
            left = deadline - time.monotonic()
            if len(batch) >= self.cfg.batch_max or left <= 0:
                return batch
            time.sleep(min(left, 0.005))

    def _process(self, batch: list[_Msg]) -> BatchStats:
        msgs = [m.incoming for m in batch]
        try:
            with transaction(self.sessions) as s:
                return self.pipeline.process(s, msgs)
        except Exception:
            log.exception("batch failed; retrying message by message")
        total = BatchStats()
        for m in msgs:  # isolate a poison message: it goes to the dead letters, never loops
            try:
                with transaction(self.sessions) as s:
                    total.add(self.pipeline.process(s, [m]))
            except Exception as e:
                total.received += 1
                self.pipeline.devices.clear()
                with transaction(self.sessions) as s:
                    total.add(
                        self.pipeline.dead_letters(s, [Dead(m, DeadReason.INTERNAL, str(e)[:400])])
                    )
        return total

    def _ack(self, batch: list[_Msg]) -> None:
        # the subscription is QoS 1: nothing arrives at QoS 2; QoS 0 needs no ack
        gen = self._gen
        self._client.ack_many([m.mid for m in batch if m.gen == gen and m.qos == 1])

    def run(self, stop: threading.Event) -> BatchStats:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.cfg.session_expiry_s
        props.ReceiveMaximum = self.cfg.receive_maximum
        self._client.reconnect_delay_set(1, 10)
        self._client.connect_async(*self._addr, keepalive=30, clean_start=False, properties=props)
        self._client.loop_start()
        try:
            while not stop.is_set() or self._queue:
                batch = self._take()
                if not batch:
                    continue
                stats = self._process(batch)
                self._ack(batch)
                self.stats.add(stats)
                if self.on_batch is not None:
                    self.on_batch(stats)
        finally:
            self._client.disconnect()
            self._client.loop_stop()
        return self.stats
