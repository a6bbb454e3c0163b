"""Duty roster lookups across shift boundaries; nearest resources by distance and kind."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from mudan.core.errors import Conflict, InvalidInput
from mudan.core.workcal import CHINA_TZ
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import DutyPost, ResourceKind, Shift
from mudan.domains.emergency.models import DutyShift
from mudan.domains.emergency.schemas import DutyIn, ResourceIn
from mudan.domains.emergency.where import haversine_m
from tests.domains.emergency.conftest import principal, street_point


def _cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


def test_on_duty_across_shift_boundaries(session: Session) -> None:
    zhiban = principal(session, "zhiban")
    session.execute(delete(DutyShift))  # the demo's roster lives around today
    day = date(2025, 10, 1)
    for d, shift, name in (
        (day, Shift.DAY, "白班甲"),
        (day, Shift.NIGHT, "夜班乙"),
        (date(2025, 10, 2), Shift.DAY, "白班丙"),
    ):
        es.assign_duty(session, data=DutyIn(day=d, shift=shift, name=name), actor=zhiban)
    es.assign_duty(
        session,
        data=DutyIn(
            day=day, shift=Shift.NIGHT, post=DutyPost.LEADER, name="领导丁", username="zhiban"
        ),
        actor=zhiban,
    )

    def names(at: datetime) -> list[str]:
        return [d.name for d in es.on_duty(session, at=at, actor=zhiban)]

    assert names(_cst(2025, 10, 1, 7, 59)) == []
    assert names(_cst(2025, 10, 1, 8, 0)) == ["白班甲"]
    assert names(_cst(2025, 10, 1, 19, 59, 59)) == ["白班甲"]
    assert names(_cst(2025, 10, 1, 20, 0)) == ["领导丁", "夜班乙"]  # leaders first
    # The night shift of 1 October is still on duty in the small hours of 2 October.
    assert names(_cst(2025, 10, 2, 3, 0)) == ["领导丁", "夜班乙"]
    assert names(_cst(2025, 10, 2, 8, 0)) == ["白班丙"]
    roster = es.roster(session, start=day, days=1, actor=zhiban)
    assert [r.name for r in roster] == ["白班甲", "领导丁", "夜班乙"]
    with pytest.raises(Conflict):
        es.assign_duty(session, data=DutyIn(day=day, shift=Shift.DAY, name="白班甲"), actor=zhiban)


def test_nearest_resources_by_distance_and_kind(session: Session) -> None:
    zhiban = principal(session, "zhiban")
    lon, lat = street_point(session, "东城街道")
    locator = es.locator_of(session)
    made = {}
    # Points due north of the incident at known offsets (1 km ≈ 0.009 degrees of latitude).
    for code, kind, dlat in (
        ("T-FAR", ResourceKind.SHELTER, 0.030),
        ("T-NEAR", ResourceKind.TEAM, 0.004),
        ("T-MID", ResourceKind.SHELTER, 0.012),
    ):
        data = ResourceIn(
            code=code, name=code, kind=kind, lon=lon, lat=lat + dlat, capacity=10,
            owner_department_code="371700009",
        )  # fmt: skip
        made[code] = es.create_resource(session, data=data, actor=zhiban, locator=locator)
    # Against a brute-force ordering over every resource (demo ones included).
    every = es.list_resources(session, actor=zhiban)
    brute = sorted(every, key=lambda r: (haversine_m(lon, lat, r.lon, r.lat), r.code))
    found = es.nearest(session, lon=lon, lat=lat, n=5, actor=zhiban)
    assert [f.resource.code for f in found] == [r.code for r in brute[:5]]
    for f in found:
        assert f.distance_m == pytest.approx(
            haversine_m(lon, lat, f.resource.lon, f.resource.lat), abs=0.1
        )
    teams = es.nearest(session, lon=lon, lat=lat, n=3, kinds=[ResourceKind.TEAM], actor=zhiban)
    near = next(f for f in teams if f.resource.code == "T-NEAR")
    assert near.distance_m == pytest.approx(445, abs=2)  # 0.004° of latitude north
    assert [f.resource.code for f in teams] == [r.code for r in brute if r.kind == "team"][:3]
    ours = [
        f.resource.code
        for f in es.nearest(
            session, lon=lon, lat=lat, n=500, kinds=[ResourceKind.SHELTER], actor=zhiban
        )
        if f.resource.code.startswith("T-")
    ]
    assert ours == ["T-MID", "T-FAR"]
    assert made["T-MID"].district_code == "371702"
    with pytest.raises(InvalidInput):
        es.nearest(session, lon=lon, lat=lat, n=0, actor=zhiban)
    with pytest.raises(InvalidInput) as exc:
        es.create_resource(
            session,
            data=ResourceIn(code="T-OUT", name="x", kind=ResourceKind.TEAM, lon=116.9, lat=36.6,
                            owner_department_code="371700009"),
            actor=zhiban,
            locator=locator,
        )  # fmt: skip
    assert exc.value.code == "emergency.outside_city"
