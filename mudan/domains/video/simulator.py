"""A camera simulator for the demo, tests and the benchmark: HTTP snapshot endpoints serving
generated JPEG/PNG frames — most live, some black, frozen, blurred, failing (HTTP 503) or
stalling past any sane timeout — plus GB/T 28181-style register/keepalive events for Mudan's
event API (what a gateway such as wvp forwards).

Which camera does what is a pure function of its code (:func:`behaviour_for`), so the demo
can plant the same faults a real probe run against the simulator will find. Tests and the
benchmark run it in-process on a free port (:class:`SimulatorServer`).
"""

from __future__ import annotations

import asyncio
import io
import random
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

FRAME_SIZE = (320, 180)


class Behaviour(StrEnum):
    OK = "ok"
    BLACK = "black"
    FROZEN = "frozen"
    BLURRED = "blurred"
    DOWN = "down"  # HTTP 503: the camera's web service fails
    STALL = "stall"  # answers after ``stall_s``: the probe times out


#: Share (per mille) of cameras with each behaviour, in order; the rest are OK.
MIX: tuple[tuple[Behaviour, int], ...] = (
    (Behaviour.BLACK, 30),
    (Behaviour.FROZEN, 20),
    (Behaviour.BLURRED, 20),
    (Behaviour.DOWN, 15),
    (Behaviour.STALL, 5),
)


def behaviour_for(code: str) -> Behaviour:
    """The deterministic behaviour of a camera (by a CRC of its code)."""
    roll = zlib.crc32(code.encode()) % 1000
    edge = 0
    for behaviour, share in MIX:
        edge += share
        if roll < edge:
            return behaviour
    return Behaviour.OK


def silent_device(code: str) -> bool:
    """Devices (3%) that never send keepalives in the simulation."""
    return zlib.crc32(b"ka:" + code.encode()) % 100 < 3


def _scene(rng: random.Random) -> Image.Image:
    w, h = FRAME_SIZE
    img = Image.new("RGB", FRAME_SIZE, (90, 100, 110))
    draw = ImageDraw.Draw(img)
    for _ in range(8):  # buildings
        x, bw, bh = rng.randrange(w), rng.randrange(20, 70), rng.randrange(30, 110)
        shade = rng.randrange(60, 200)
        draw.rectangle((x, h - 40 - bh, x + bw, h - 40), fill=(shade, shade - 20, shade - 40))
    draw.rectangle((0, h - 40, w, h), fill=(50, 50, 55))  # road
    for x in range(0, w, 40):
        draw.rectangle((x + rng.randrange(8), h - 22, x + 20, h - 18), fill=(230, 230, 230))
    for _ in range(3):  # traffic
        x, y = rng.randrange(w - 40), h - 38 + rng.randrange(10)
        draw.rectangle((x, y, x + 36, y + 14), fill=(rng.randrange(256), 40, 40))
    stamp = f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} {rng.randrange(86400)}"
    draw.text((6, 4), stamp, fill=(255, 255, 255))
    noise = np.random.default_rng(rng.randrange(2**32)).integers(-12, 13, (h, w, 3))
    arr = np.clip(np.asarray(img, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(arr)


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **({"quality": 80} if fmt == "JPEG" else {}))
    return out.getvalue()


class FramePool:
    """Pre-rendered frames, so serving a snapshot costs no image work."""

    def __init__(self, size: int = 32, seed: int = 28181) -> None:
        rng = random.Random(seed)
        self._scenes = [_scene(rng) for _ in range(size)]
        blurred = [s.filter(ImageFilter.GaussianBlur(4)) for s in self._scenes]
        self._blurred = blurred
        noise = np.random.default_rng(seed).integers(0, 6, (FRAME_SIZE[1], FRAME_SIZE[0], 3))
        self._dark = Image.fromarray(noise.astype(np.uint8))
        self._cache: dict[tuple[str, str, int], bytes] = {}
        self.size = size

    def get(self, kind: str, fmt: str, index: int) -> bytes:
        """Encoded frame ``index`` of ``kind`` (live | blurred | black), encoded once."""
        key = (kind, fmt, index % self.size)
        found = self._cache.get(key)
        if found is None:
            src = {"live": self._scenes, "blurred": self._blurred}.get(kind)
            img = self._dark if src is None else src[key[2]]
            found = self._cache[key] = _encode(img, fmt)
        return found


class CameraSimulator:
    """The state behind the HTTP app: behaviours, per-camera frame counters, request counts."""

    def __init__(
        self,
        *,
        behaviours: Callable[[str], Behaviour] = behaviour_for,
        stall_s: float = 30.0,
        pool: FramePool | None = None,
    ) -> None:
        self.behaviours = behaviours
        self.stall_s = stall_s
        self.pool = pool or FramePool()
        self.counters: dict[str, int] = {}
        self.requests = 0

    def frame(self, code: str, fmt: str) -> tuple[int, bytes]:
        self.requests += 1
        behaviour = self.behaviours(code)
        base = zlib.crc32(code.encode())
        if behaviour == Behaviour.DOWN:
            return 503, b""
        if behaviour == Behaviour.BLACK:
            return 200, self.pool.get("black", fmt, 0)
        kind = "blurred" if behaviour == Behaviour.BLURRED else "live"
        if behaviour == Behaviour.FROZEN:
            return 200, self.pool.get(kind, fmt, base)
        n = self.counters.get(code, 0)
        self.counters[code] = n + 1
        return 200, self.pool.get(kind, fmt, base + n)

    def app(self) -> Starlette:
        async def snapshot(request: Request) -> Response:
            name: str = request.path_params["name"]
            code, _, ext = name.partition(".")
            fmt = "PNG" if ext.lower() == "png" else "JPEG"
            if self.behaviours(code) == Behaviour.STALL:
                await asyncio.sleep(self.stall_s)
            status, body = self.frame(code, fmt)
            media = "image/png" if fmt == "PNG" else "image/jpeg"
            return Response(body, status_code=status, media_type=media if body else None)

        async def health(request: Request) -> Response:
            return JSONResponse({"ok": True, "requests": self.requests})

        return Starlette(routes=[Route("/snap/{name}", snapshot), Route("/healthz", health)])


def snapshot_url(base: str, code: str, fmt: str = "jpg") -> str:
    return f"{base.rstrip('/')}/snap/{code}.{fmt}"


def keepalive_events(
    device_codes: list[str], *, at: datetime, register: bool = False, interval_s: int = 60
) -> list[dict[str, Any]]:
    """Event-API payload items: a keepalive (or registration) from every non-silent device."""
    kind = "register" if register else "keepalive"
    extra = {"interval_s": interval_s} if register else {}
    return [
        {"kind": kind, "device_code": code, "at": at.isoformat(), **extra}
        for code in device_codes
        if not silent_device(code)
    ]


def free_socket(host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


class SimulatorServer:
    """Run a simulator app under uvicorn in a background thread on a free port."""

    def __init__(self, simulator: CameraSimulator, host: str = "127.0.0.1") -> None:
        import uvicorn

        self.simulator = simulator
        self.sock = free_socket(host)
        self.base_url = f"http://{host}:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(
            simulator.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> SimulatorServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("camera simulator did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@contextmanager
def running_simulator(**kwargs: Any) -> Iterator[SimulatorServer]:
    with SimulatorServer(CameraSimulator(**kwargs)) as server:
        yield server
