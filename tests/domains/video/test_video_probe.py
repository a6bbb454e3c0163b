"""Probes against the camera simulator running in-process on a free port (real HTTP, real
ffmpeg): live, black, frozen, blurred, failing, stalling and unreachable cameras."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker
from mudan.domains.video.enums import ProbeResult
from mudan.domains.video.models import VideoChannel, VideoProbe, VideoSnapshot
from mudan.domains.video.probe import ProbeTarget, run_probes
from mudan.domains.video.service import probe_channels
from mudan.domains.video.simulator import (
    Behaviour,
    CameraSimulator,
    FramePool,
    SimulatorServer,
    behaviour_for,
    free_socket,
    snapshot_url,
)
from mudan.settings import Settings, VideoSettings
from tests.domains.video.video_fixtures import add_device

PLAN = {
    "cam-ok": Behaviour.OK,
    "cam-black": Behaviour.BLACK,
    "cam-frozen": Behaviour.FROZEN,
    "cam-blurred": Behaviour.BLURRED,
    "cam-down": Behaviour.DOWN,
    "cam-stall": Behaviour.STALL,
}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    simulator = CameraSimulator(
        behaviours=lambda code: PLAN.get(code, Behaviour.OK), stall_s=3.0, pool=FramePool(8)
    )
    with SimulatorServer(simulator) as server:
        yield server


def _closed_port_url() -> str:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more: connection refused
    return f"http://127.0.0.1:{port}/snap/x.jpg"


def _targets(sim: SimulatorServer, last: dict[str, str | None]) -> list[ProbeTarget]:
    out = [
        ProbeTarget(i, snapshot_url(sim.base_url, cam), None, last.get(cam))
        for i, cam in enumerate(PLAN)
    ]
    out.append(ProbeTarget(len(PLAN), _closed_port_url(), None, None))
    return out


def test_probe_pool_classifies_every_kind_of_camera(sim: SimulatorServer) -> None:
    first = run_probes(_targets(sim, {}), concurrency=4, timeout=0.5)
    got = [o.result for o in first]
    assert got == [
        ProbeResult.OK,
        ProbeResult.BLACK,
        ProbeResult.OK,  # frozen: nothing to compare with on the first probe
        ProbeResult.BLURRED,
        ProbeResult.UNREACHABLE,
        ProbeResult.TIMEOUT,
        ProbeResult.UNREACHABLE,
    ]
    assert first[4].detail == "HTTP 503" and "Connect" in first[6].detail
    last = {cam: (o.check.phash if o.check else None) for cam, o in zip(PLAN, first, strict=False)}
    second = run_probes(_targets(sim, last), concurrency=4, timeout=0.5)
    assert second[0].result == ProbeResult.OK and second[0].check is not None
    assert second[0].check.distance is not None and second[0].check.distance > 0
    assert second[2].result == ProbeResult.FROZEN and second[2].check is not None
    assert second[2].check.distance == 0
    assert second[1].result == ProbeResult.BLACK  # black wins over frozen


def test_png_snapshots_and_bad_images(sim: SimulatorServer) -> None:
    png = ProbeTarget(1, snapshot_url(sim.base_url, "cam-ok", "png"), None, None)
    html = ProbeTarget(2, f"{sim.base_url}/healthz", None, None)
    out = run_probes([png, html], concurrency=2, timeout=2)
    assert [o.result for o in out] == [ProbeResult.OK, ProbeResult.BAD_IMAGE]


def test_stream_urls_go_through_ffmpeg(sim: SimulatorServer) -> None:
    """The RTSP path runs Debian's ffmpeg; here it reads the simulator's HTTP stream URL."""
    live = ProbeTarget(1, None, snapshot_url(sim.base_url, "cam-ok"), None)
    black = ProbeTarget(2, None, snapshot_url(sim.base_url, "cam-black"), None)
    dead = ProbeTarget(3, None, "rtsp://127.0.0.1:9/nothing", None)
    none = ProbeTarget(4, None, None, None)
    out = run_probes([live, black, dead, none], concurrency=4, timeout=10)
    assert [o.result for o in out] == [
        ProbeResult.OK,
        ProbeResult.BLACK,
        ProbeResult.UNREACHABLE,
        ProbeResult.UNREACHABLE,
    ]
    assert out[2].detail.startswith("ffmpeg")


def test_probe_channels_stores_history_snapshot_and_status(
    sim: SimulatorServer, session: Session, settings: Settings
) -> None:
    codes = ["cam-ok", "cam-black", "cam-down"]
    dev, chans = add_device(
        session, channels=3, urls=[snapshot_url(sim.base_url, c) for c in codes]
    )
    dev.registered = True
    from datetime import timedelta

    from mudan.core.db import utcnow

    dev.keepalive_deadline = utcnow() + timedelta(hours=1)
    session.commit()
    engine = make_engine(settings.database.url)
    try:
        config = VideoSettings(probe_concurrency=3, probe_timeout_s=2)
        out = probe_channels(
            make_sessionmaker(engine), channel_ids=[c.id for c in chans], config=config
        )
    finally:
        engine.dispose()
    assert sorted(o.result.value for o in out) == ["black", "ok", "unreachable"]
    session.expire_all()
    rows = {c.id: session.get(VideoChannel, c.id) for c in chans}
    state = [(r.last_probe_result, r.online, r.retrieved) for r in rows.values() if r]
    assert state == [("ok", True, True), ("black", True, False), ("unreachable", False, False)]
    assert rows[chans[0].id] is not None and rows[chans[0].id].last_phash  # type: ignore[union-attr]
    probes = session.scalars(select(VideoProbe).where(VideoProbe.channel_id == chans[0].id)).all()
    assert len(probes) == 1 and probes[0].sharpness and probes[0].brightness
    snaps = session.scalars(select(VideoSnapshot.channel_id)).all()
    assert set(snaps) >= {chans[0].id, chans[1].id} and chans[2].id not in snaps


def test_behaviour_mix_is_deterministic() -> None:
    codes = [f"3717020001131{i:07d}" for i in range(2000)]
    kinds = [behaviour_for(c) for c in codes]
    assert kinds == [behaviour_for(c) for c in codes]
    share = {b: kinds.count(b) / len(kinds) for b in Behaviour}
    assert 0.8 < share[Behaviour.OK] < 0.95 and all(share[b] > 0 for b in Behaviour)
