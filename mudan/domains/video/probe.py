"""The probe pool: fetch many snapshots concurrently (httpx async for HTTP snapshot URLs,
Debian's ffmpeg for RTSP streams), check each frame, and store the outcomes in bulk."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.video.enums import ProbeResult
from mudan.domains.video.frames import BadImage, FrameCheck, check_frame
from mudan.domains.video.models import VideoChannel, VideoProbe, VideoSnapshot, table_of

MAX_SNAPSHOT_BYTES = 8 * 1024 * 1024
FFMPEG = "ffmpeg"
PER_CLIENT = 8


@dataclass(frozen=True)
class ProbeTarget:
    channel_id: int
    snapshot_url: str | None
    rtsp_url: str | None
    last_phash: str | None


@dataclass(frozen=True)
class ProbeOutcome:
    channel_id: int
    at: datetime
    result: ProbeResult
    latency_ms: int
    check: FrameCheck | None = None
    detail: str = ""


class FetchError(Exception):
    def __init__(self, result: ProbeResult, detail: str) -> None:
        super().__init__(detail)
        self.result, self.detail = result, detail


async def fetch_http(client: httpx.AsyncClient, url: str) -> bytes:
    try:
        async with client.stream("GET", url) as r:
            if r.status_code >= 400:
                raise FetchError(ProbeResult.UNREACHABLE, f"HTTP {r.status_code}")
            body = bytearray()
            async for chunk in r.aiter_bytes():
                body += chunk
                if len(body) > MAX_SNAPSHOT_BYTES:
                    raise FetchError(ProbeResult.BAD_IMAGE, "snapshot too large")
            return bytes(body)
    except httpx.TimeoutException as exc:
        raise FetchError(ProbeResult.TIMEOUT, type(exc).__name__) from exc
    except httpx.HTTPError as exc:
        raise FetchError(ProbeResult.UNREACHABLE, f"{type(exc).__name__}: {exc}"[:200]) from exc


async def fetch_rtsp(url: str, timeout: float) -> bytes:
    """One frame of a stream through ffmpeg (``-frames:v 1`` to a JPEG on stdout)."""
    args = [FFMPEG, "-nostdin", "-loglevel", "error"]
    if url.startswith("rtsp"):
        args += ["-rtsp_transport", "tcp"]
    args += ["-i", url, "-frames:v", "1", "-f", "image2pipe", "-c:v", "mjpeg", "-"]
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise FetchError(ProbeResult.TIMEOUT, "ffmpeg timeout") from None
    if proc.returncode != 0 or not out:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no frame"]
        raise FetchError(ProbeResult.UNREACHABLE, f"ffmpeg: {tail[0]}"[:200])
    return out


async def probe_one(
    client: httpx.AsyncClient, target: ProbeTarget, *, timeout: float
) -> ProbeOutcome:
    start, at = time.perf_counter(), utcnow()

    def done(
        result: ProbeResult, check: FrameCheck | None = None, detail: str = ""
    ) -> ProbeOutcome:
        ms = int((time.perf_counter() - start) * 1000)
        return ProbeOutcome(target.channel_id, at, result, ms, check, detail)

    try:
        if target.snapshot_url:
            data = await fetch_http(client, target.snapshot_url)
        elif target.rtsp_url:
            data = await fetch_rtsp(target.rtsp_url, timeout)
        else:
            return done(ProbeResult.UNREACHABLE, detail="no snapshot or stream URL")
    except FetchError as exc:
        return done(exc.result, detail=exc.detail)
    try:
        check = check_frame(data, last_phash=target.last_phash)
    except BadImage as exc:
        return done(ProbeResult.BAD_IMAGE, detail=str(exc))
    return done(check.result, check)


async def probe_many(
    targets: Sequence[ProbeTarget], *, concurrency: int, timeout: float
) -> list[ProbeOutcome]:
    """Probe every target with at most ``concurrency`` in flight.

    The work is spread over several small httpx clients (:data:`PER_CLIENT` connections each):
    httpcore's pool scans all its connections for every request, which costs more than the
    requests themselves once a single pool holds dozens of them."""
    shards = max(1, -(-concurrency // PER_CLIENT))
    per = -(-concurrency // shards)
    limits = httpx.Limits(max_connections=per, max_keepalive_connections=per)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False)
            )
            for _ in range(shards)
        ]
        sems = [asyncio.Semaphore(per) for _ in range(shards)]

        async def bounded(i: int, t: ProbeTarget) -> ProbeOutcome:
            async with sems[i % shards]:
                return await probe_one(clients[i % shards], t, timeout=timeout)

        return list(await asyncio.gather(*(bounded(i, t) for i, t in enumerate(targets))))


def run_probes(
    targets: Sequence[ProbeTarget], *, concurrency: int = 64, timeout: float = 5.0
) -> list[ProbeOutcome]:
    """Run the pool to completion from synchronous code (a job, a CLI command, a sync view);
    when this thread already runs an event loop, the pool gets its own thread."""

    def run() -> list[ProbeOutcome]:
        return asyncio.run(probe_many(targets, concurrency=concurrency, timeout=timeout))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


# --- the database side --------------------------------------------------------------------


def targets(session: Session, *, channel_ids: Sequence[int] | None = None) -> list[ProbeTarget]:
    c = VideoChannel
    q = select(c.id, c.snapshot_url, c.rtsp_url, c.last_phash).order_by(c.id)
    if channel_ids is not None:
        q = q.where(c.id.in_(list(channel_ids)))
    return [ProbeTarget(*row) for row in session.execute(q)]


def store_outcomes(session: Session, *, outcomes: Sequence[ProbeOutcome]) -> None:
    """Probe history rows, the channels' latest probe fields and last snapshots, in bulk.
    A failed probe keeps the channel's previous hash (the next good frame compares to it)."""
    if not outcomes:
        return
    session.execute(
        insert(VideoProbe),
        [
            {
                "channel_id": o.channel_id,
                "at": o.at,
                "result": o.result.value,
                "latency_ms": o.latency_ms,
                "brightness": o.check.brightness if o.check else None,
                "sharpness": o.check.sharpness if o.check else None,
                "phash": o.check.phash if o.check else None,
                "distance": o.check.distance if o.check else None,
                "detail": o.detail[:300],
            }
            for o in outcomes
        ],
    )
    table = table_of(VideoChannel)
    with_frame = [o for o in outcomes if o.check]
    without = [o for o in outcomes if not o.check]
    if with_frame:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(last_probe_at=bindparam("at"), last_probe_result=bindparam("res"))
            .values(last_phash=bindparam("ph")),
            [
                {"cid": o.channel_id, "at": o.at, "res": o.result.value, "ph": o.check.phash}
                for o in with_frame
                if o.check
            ],
        )
        ids = [o.channel_id for o in with_frame]
        session.execute(delete(VideoSnapshot).where(VideoSnapshot.channel_id.in_(ids)))
        session.execute(
            insert(VideoSnapshot),
            [
                {
                    "channel_id": o.channel_id,
                    "at": o.at,
                    "content_type": o.check.content_type,
                    "data": o.check.snapshot,
                }
                for o in with_frame
                if o.check
            ],
        )
    if without:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(last_probe_at=bindparam("at"), last_probe_result=bindparam("res")),
            [{"cid": o.channel_id, "at": o.at, "res": o.result.value} for o in without],
        )
    session.expire_all()
