"""A light MQTT 3.1.1 QoS 1 load generator for the telemetry benchmark (not used by Mudan).

paho-mqtt spends about 70 µs of CPU per QoS 1 publish; on a 2-core machine the load generator
then takes the CPU the system under test needs. This one encodes PUBLISH packets itself, writes
them 50 at a time and counts the broker's PUBACKs on a reader thread (about 6 µs per message).

Closed loop: a publisher keeps at most ``window`` messages ahead of what the consumer has
taken (``progress``, counters the consumer processes update), so the broker never has to
queue more than it is configured to hold (Mosquitto drops QoS 1 messages beyond
``max_queued_messages`` for a slow subscriber). With ``window=0`` nothing holds it back.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import uuid
from typing import Any

import orjson

CONNACK, PUBACK = 0x20, 0x40


def _length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def _packet(header: int, body: bytes) -> bytes:
    return bytes([header]) + _length(len(body)) + body


def _str(s: str) -> bytes:
    b = s.encode()
    return struct.pack("!H", len(b)) + b


def connect_packet(client_id: str) -> bytes:
    # protocol "MQTT" level 4 (3.1.1), clean session, keepalive 60 s
    return _packet(0x10, _str("MQTT") + b"\x04\x02\x00\x3c" + _str(client_id))


def publish_packet(topic: str, payload: bytes, mid: int) -> bytes:
    return _packet(0x32, _str(topic) + struct.pack("!H", mid) + payload)  # QoS 1


class _Acks:
    """Reads the broker's packets: counts PUBACKs, fails loudly on anything unexpected."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.count = 0
        self.error = ""
        self.closed = False

    def run(self) -> None:
        buf = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            buf += data
            while len(buf) >= 2:
                kind, size = buf[0] & 0xF0, buf[1]  # PUBACK/CONNACK: remaining length 2
                if size & 0x80 or len(buf) < 2 + size:
                    break
                if kind == PUBACK:
                    self.count += 1
                elif kind != CONNACK:
                    self.error = f"unexpected packet 0x{buf[0]:02x}"
                buf = buf[2 + size :]


STALL_S = 30.0


def _wait_for_consumer(sent: int, progress: Any, window: float, share: float) -> bool:
    seen, since = -1.0, time.time()
    while True:
        taken = share * sum(progress)
        if sent - taken <= window:
            return True
        if taken != seen:
            seen, since = taken, time.time()
        elif time.time() - since > STALL_S:
            return False
        time.sleep(0.001)


def publish(
    host: str,
    port: int,
    messages: list[tuple[str, Any]],
    *,
    rate: float = 0.0,
    window: int = 0,
    progress: Any = None,
    share: float = 1.0,
    go: Any = None,
) -> int:
    """Publish ``(topic, ts)`` readings (QoS 1); return how many the broker acknowledged.

    The payload carries the send time in ``msg_id`` (end-to-end latency). ``progress``: a
    sequence of counters (messages the consumers have taken); this publisher's share of the
    window is ``share`` × ``window``."""
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(connect_packet(f"bench-pub-{uuid.uuid4().hex[:12]}"))
    acks = _Acks(sock)
    reader = threading.Thread(target=acks.run, daemon=True)
    reader.start()
    if go is not None:
        go.wait()
    start = time.time()
    chunk: list[bytes] = []
    sent = 0
    for i, (topic, ts) in enumerate(messages):
        body = orjson.dumps({"ts": ts, "values": {"occupied": i & 1}, "msg_id": repr(time.time())})
        chunk.append(publish_packet(topic, body, i % 65535 + 1))
        if len(chunk) < 50 and i + 1 < len(messages):
            continue
        sock.sendall(b"".join(chunk))
        sent, chunk = i + 1, []
        if rate:
            lag = start + sent / rate - time.time()
            if lag > 0:
                time.sleep(lag)
        if window and not _wait_for_consumer(sent, progress, share * window, share):
            break  # the consumer stopped taking messages: the rest is reported as not sent
        while sent - acks.count > 5000 and not acks.closed:  # the broker's own pace
            time.sleep(0.001)
    deadline = time.time() + 60
    while acks.count < sent and not acks.closed and time.time() < deadline:
        time.sleep(0.005)
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()
    reader.join(timeout=5)
    if acks.error:
        raise RuntimeError(acks.error)
    return acks.count
