"""The demo's video world at scale 0.01: proportional counts, valid codes, planted faults that
match the simulator, today's rates and a month of history; the map layer and indicators."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.ids import check_gb28181
from mudan.domains.video.demo import FULL_CHANNELS, FULL_MUDAN_COMMUNITY, PROBE_OF
from mudan.domains.video.models import VideoChannel, VideoDevice, VideoRateDay
from mudan.domains.video.simulator import behaviour_for
from mudan.hooks import collect, make_plugin_manager
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal
from tests.conftest import DEMO_SCALE

ADMIN = Principal(
    user_id=None, username="t", display_name="t", roles=frozenset({Role.ADMIN}),
    scope_paths=("3717",),
)  # fmt: skip


def test_demo_world_video(session: Session) -> None:
    c = VideoChannel
    total = session.scalar(select(func.count()).select_from(c))
    assert total == round(FULL_CHANNELS * DEMO_SCALE)
    mudan = session.scalar(
        select(func.count()).where(c.owner_unit == "community", c.district_code == "371702")
    )
    assert mudan == round(FULL_MUDAN_COMMUNITY * DEMO_SCALE)
    codes = list(session.scalars(select(c.code)))
    codes += list(session.scalars(select(VideoDevice.code)))
    assert all(check_gb28181(code).valid for code in codes) and len(set(codes)) == len(codes)
    rows = session.execute(select(c.code, c.last_probe_result, c.grid_code, c.lon)).all()
    assert all(r.last_probe_result == PROBE_OF[behaviour_for(r.code)].value for r in rows)
    assert all(r.grid_code and r.lon for r in rows)
    days = session.scalar(select(func.count(func.distinct(VideoRateDay.day))))
    assert days == 30
    pm = make_plugin_manager()
    layer = next(x for x in collect(pm.hook.mudan_map_layers()) if x.code == "video.channels")
    assert layer.points is not None and layer.detail_href == "/video/channels/{id}"
    points = layer.points(session, ADMIN)
    assert len(points.ids) == len(points.lons) == len(points.lats) == total
    specs = {s.code for s in collect(pm.hook.mudan_indicators())}
    assert {"video.channels", "video.online_rate", "video.retrieved_rate"} <= specs
    nav = {e.href: e.section for e in collect(pm.hook.mudan_nav_entries())}
    assert nav["/video"] == "sense" and nav["/video/rates"] == "sense"
