"""A channel offline past the threshold asks the cases domain for a repair, once per outage;
a district under the 在线率 target raises an alert. Proven with a small fake plugin."""

from __future__ import annotations

import sys
import types
from datetime import timedelta

import pluggy
from sqlalchemy import update
from sqlalchemy.orm import Session

from mudan.domains.video.enums import EventKind
from mudan.domains.video.models import VideoChannel
from mudan.domains.video.rates import local_day, store_day_rates
from mudan.domains.video.repairs import alert_low_rates, open_repairs
from mudan.domains.video.status import DeviceEvent, apply_events, recompute
from mudan.hooks import AlertSignal, TaskRequest, hookimpl, make_plugin_manager
from tests.domains.video.video_fixtures import T0, add_device, only_ours

AFTER = timedelta(minutes=120)


class FakeCases:
    def __init__(self) -> None:
        self.tasks: list[TaskRequest] = []
        self.alerts: list[AlertSignal] = []

    @hookimpl
    def mudan_open_task(self, session: Session, task: TaskRequest) -> str | None:
        self.tasks.append(task)
        return f"AJ-{len(self.tasks):04d}"

    @hookimpl
    def mudan_raise_alert(self, session: Session, signal: AlertSignal) -> int | None:
        self.alerts.append(signal)
        return len(self.alerts)


def _pm() -> tuple[pluggy.PluginManager, FakeCases]:
    pm = make_plugin_manager()
    fake = FakeCases()
    pm.register(fake, name="fake_cases")
    return pm, fake


def _register(session: Session, code: str, minutes: float) -> None:
    at = T0 + timedelta(minutes=minutes)
    ev = DeviceEvent(EventKind.REGISTER, code, at, interval_s=60)
    apply_events(session, events=[ev], now=at, misses=3)


def test_repair_task_once_per_outage(session: Session) -> None:
    session.execute(update(VideoChannel).values(online=True, offline_since=None))
    pm, fake = _pm()
    dev, chans = add_device(session, channels=2)
    _register(session, dev.code, 0)
    recompute(session, at=T0 + timedelta(minutes=1))
    recompute(session, at=T0 + timedelta(minutes=10))  # keepalives stopped at 0 + 3 min
    ids = {c.code for c in chans}

    early = open_repairs(session, pm=pm, at=T0 + timedelta(minutes=60), after=AFTER)
    assert early.opened == 0 and not [t for t in fake.tasks if t.object_ref[14:] in ids]
    rep = open_repairs(session, pm=pm, at=T0 + timedelta(minutes=130), after=AFTER)
    mine = [t for t in fake.tasks if t.object_ref.removeprefix("video.channel:") in ids]
    assert len(mine) == 2 and rep.installed
    task = mine[0]
    assert task.source == "video.repair" and task.department_code == "371702001"
    assert task.region_code and task.region_code.startswith("371702")
    assert task.lon is not None and task.idempotency_key.startswith("video.repair:")
    session.refresh(chans[0])
    assert chans[0].repair_case is not None and chans[0].repair_case.startswith("AJ-")

    open_repairs(session, pm=pm, at=T0 + timedelta(minutes=200), after=AFTER)  # same outage
    assert len([t for t in fake.tasks if t.object_ref[14:] in ids]) == 2

    _register(session, dev.code, 300)  # back online …
    recompute(session, at=T0 + timedelta(minutes=301))
    recompute(session, at=T0 + timedelta(minutes=320))  # … and down again: a new outage
    open_repairs(session, pm=pm, at=T0 + timedelta(minutes=460), after=AFTER)
    keys = [t.idempotency_key for t in fake.tasks if t.object_ref[14:] in ids]
    assert len(keys) == 4 and len(set(keys)) == 4


def test_without_a_cases_domain_nothing_is_marked(session: Session) -> None:
    pm = make_plugin_manager()  # the cases plugin in this tree implements no hook yet
    dev, chans = add_device(session, channels=1)
    _register(session, dev.code, 0)
    recompute(session, at=T0 + timedelta(minutes=10))
    rep = open_repairs(session, pm=pm, at=T0 + timedelta(hours=5), after=AFTER)
    if pm.hook.mudan_open_task.get_hookimpls():
        return  # a real cases domain is installed: covered by the test above
    assert rep.installed is False and rep.opened == 0
    session.refresh(chans[0])
    assert chans[0].repair_key is None


def test_low_district_rate_raises_an_alert(session: Session) -> None:
    only_ours(session)
    pm, fake = _pm()
    dev, _ = add_device(session, channels=2, district="371722")
    _register(session, dev.code, 0)
    at = T0 + timedelta(hours=2)  # 371722's only device is silent by now
    session.execute(
        update(VideoChannel).where(VideoChannel.district_code == "371722").values(online=False)
    )
    recompute(session, at=at)
    store_day_rates(session, day=local_day(at))
    raised = alert_low_rates(session, pm=pm, day=local_day(at))
    assert raised == 1 and len(fake.alerts) == 1
    alert = fake.alerts[0]
    assert alert.dedup_key == f"video.online_rate:371722:{local_day(at)}"
    assert (alert.source, alert.level, alert.region_code) == (
        "video.online_rate",
        "orange",
        "371722",
    )


def test_fake_plugin_module_style() -> None:
    """The hook can also come from a plain module, as a third-party plugin would ship it."""
    mod = types.ModuleType("fake_video_cases")
    calls: list[str] = []

    @hookimpl
    def mudan_open_task(session: Session, task: TaskRequest) -> str | None:
        calls.append(task.idempotency_key)
        return "X-1"

    mod.mudan_open_task = mudan_open_task  # type: ignore[attr-defined]
    sys.modules["fake_video_cases"] = mod
    try:
        pm = make_plugin_manager(extra=["fake_video_cases"])
        assert pm.hook.mudan_open_task(session=None, task=TaskRequest("t", "t", "d")) == "X-1"
    finally:
        del sys.modules["fake_video_cases"]
    assert calls == [""]
