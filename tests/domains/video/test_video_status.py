"""Status fusion at explicit times: keepalives, unregistration, catalog status and probes."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.video.enums import CatalogStatus, EventKind
from mudan.domains.video.models import VideoChannel, VideoDevice
from mudan.domains.video.status import DeviceEvent, apply_events, recompute
from tests.domains.video.video_fixtures import T0, add_device

MISSES = 3


def _ev(kind: EventKind, dev: VideoDevice, minutes: float, **kw: object) -> DeviceEvent:
    return DeviceEvent(kind, dev.code, T0 + timedelta(minutes=minutes), **kw)  # type: ignore[arg-type]


def _state(session: Session, channels: list[VideoChannel]) -> list[tuple[bool, bool]]:
    session.expire_all()
    return [
        (c.online, c.retrieved)
        for c in (session.get(VideoChannel, ch.id) for ch in channels)
        if c is not None
    ]


def _probe(session: Session, ch: VideoChannel, result: str, minutes: float) -> None:
    ch.last_probe_result, ch.last_probe_at = result, T0 + timedelta(minutes=minutes)
    session.flush()


def test_keepalives_keep_a_device_and_all_its_channels_online(session: Session) -> None:
    dev, chans = add_device(session, channels=3)
    for ch in chans:
        _probe(session, ch, "ok", 0)
    rep = apply_events(
        session,
        events=[_ev(EventKind.REGISTER, dev, 0, interval_s=60), _ev(EventKind.KEEPALIVE, dev, 1)],
        now=T0 + timedelta(minutes=1),
        misses=MISSES,
    )
    assert (rep.accepted, rep.rejected) == (2, [])
    recompute(session, at=T0 + timedelta(minutes=3))  # within 1 min + 3 × 60 s
    assert _state(session, chans) == [(True, True)] * 3
    s = recompute(session, at=T0 + timedelta(minutes=4, seconds=1))  # keepalives stopped
    assert _state(session, chans) == [(False, False)] * 3
    session.refresh(dev)
    assert dev.online is False and dev.offline_since is not None
    assert s.total >= 3
    channel = session.get(VideoChannel, chans[0].id)
    assert channel is not None and channel.offline_since is not None
    # a late, duplicate keepalive never moves the clock back
    apply_events(session, events=[_ev(EventKind.KEEPALIVE, dev, 0.5)], now=T0, misses=MISSES)
    session.refresh(dev)
    assert dev.last_keepalive_at is not None
    assert dev.last_keepalive_at.replace(tzinfo=None) == (T0 + timedelta(minutes=1)).replace(
        tzinfo=None
    )
    # keepalives again: online again, the outage closed
    later = T0 + timedelta(minutes=10)
    rep = apply_events(
        session, events=[_ev(EventKind.KEEPALIVE, dev, 10)], now=later, misses=MISSES
    )
    assert rep.accepted == 1
    recompute(session, at=later)
    assert _state(session, chans) == [(True, True)] * 3
    channel = session.get(VideoChannel, chans[0].id)
    assert channel is not None and channel.offline_since is None


def test_unregister_marks_every_channel_offline_at_once(session: Session) -> None:
    dev, chans = add_device(session, channels=2)
    apply_events(
        session, events=[_ev(EventKind.REGISTER, dev, 0, interval_s=60)], now=T0, misses=MISSES
    )
    recompute(session, at=T0 + timedelta(seconds=30))
    assert [on for on, _ in _state(session, chans)] == [True, True]
    apply_events(session, events=[_ev(EventKind.UNREGISTER, dev, 1)], now=T0, misses=MISSES)
    recompute(session, at=T0 + timedelta(minutes=1, seconds=1), device_ids=[dev.id])
    assert [on for on, _ in _state(session, chans)] == [False, False]


def test_black_frame_is_online_but_not_retrieved(session: Session) -> None:
    dev, chans = add_device(session, channels=6)
    apply_events(
        session, events=[_ev(EventKind.REGISTER, dev, 0, interval_s=60)], now=T0, misses=MISSES
    )
    results = ["ok", "black", "frozen", "blurred", "unreachable", "timeout"]
    for ch, result in zip(chans, results, strict=True):
        _probe(session, ch, result, -30)
    recompute(session, at=T0 + timedelta(minutes=1))
    assert _state(session, chans) == [
        (True, True),  # ok
        (True, False),  # black: online, counts against 出图率 only
        (True, False),  # frozen
        (True, True),  # blurred: an image (flagged on the probe)
        (False, False),  # unreachable
        (False, False),  # timeout
    ]
    # probes older than the window prove nothing either way
    recompute(session, at=T0 + timedelta(hours=27))
    later = T0 + timedelta(hours=27)
    apply_events(session, events=[_ev(EventKind.KEEPALIVE, dev, 27 * 60)], now=later, misses=MISSES)
    recompute(session, at=T0 + timedelta(hours=27))
    assert _state(session, chans) == [(True, False)] * 6


def test_catalog_off_takes_a_channel_offline(session: Session) -> None:
    dev, chans = add_device(session, channels=2)
    for ch in chans:
        _probe(session, ch, "ok", 0)
    rep = apply_events(
        session,
        events=[
            _ev(EventKind.REGISTER, dev, 0, interval_s=60),
            _ev(EventKind.CATALOG, dev, 0, channels=((chans[1].code, CatalogStatus.OFF),)),
            _ev(EventKind.CATALOG, dev, 0, channels=(("37170200011311999999", CatalogStatus.ON),)),
        ],
        now=T0,
        misses=MISSES,
    )
    assert rep.accepted == 2 and [r.code for r in rep.rejected] == ["video.catalog_unknown_channel"]
    recompute(session, at=T0 + timedelta(minutes=1))
    assert _state(session, chans) == [(True, True), (False, False)]


def test_bad_events_are_refused_one_by_one(session: Session) -> None:
    dev, _ = add_device(session, channels=1)
    rep = apply_events(
        session,
        events=[
            _ev(EventKind.KEEPALIVE, dev, 0),  # before registering
            DeviceEvent(EventKind.KEEPALIVE, "37170200011189999999", T0),
            _ev(EventKind.REGISTER, dev, 60),  # an hour ahead of the receiver's clock
            _ev(EventKind.REGISTER, dev, 0, interval_s=1),
            _ev(EventKind.REGISTER, dev, 0, interval_s=30),
        ],
        now=T0,
        misses=MISSES,
    )
    assert rep.accepted == 1
    assert [(r.index, r.code) for r in rep.rejected] == [
        (0, "video.not_registered"),
        (1, "video.unknown_device"),
        (2, "video.clock_ahead"),
        (3, "video.bad_interval"),
    ]


def test_event_api(client: TestClient, admin_headers: dict[str, str], session: Session) -> None:
    dev, chans = add_device(session, channels=2)
    session.commit()
    now = utcnow()
    tomorrow = (now + timedelta(days=1)).isoformat()
    body = {
        "events": [
            {"kind": "register", "device_code": dev.code, "interval_s": 60},
            {"kind": "keepalive", "device_code": dev.code, "at": now.isoformat()},
            {"kind": "keepalive", "device_code": "37170200011189999999"},
            {"kind": "keepalive", "device_code": dev.code, "at": tomorrow},
        ]
    }  # fmt: skip
    r = client.post("/api/v1/video/events", headers=admin_headers, json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["accepted"] == 2
    assert [(x["index"], x["code"]) for x in out["rejected"]] == [
        (2, "video.unknown_device"),
        (3, "video.clock_ahead"),
    ]
    assert out["rejected"][0]["message"] == "未登记的设备"
    session.expire_all()
    assert [on for on, _ in _state(session, chans)] == [True, True]  # recomputed for the device
    bad = client.post(
        "/api/v1/video/events",
        headers=admin_headers,
        json={"events": [{"kind": "keepalive", "device_code": dev.code, "at": "2024-06-01T10:00"}]},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "request.invalid"
    r = client.post("/api/v1/video/events", json=body)
    assert r.status_code == 401
