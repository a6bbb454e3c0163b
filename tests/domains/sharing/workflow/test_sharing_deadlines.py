"""Working-day deadlines per step (org calendar, configurable), reminders, overdue marks and
the on-time sharing rate (及时共享率) per department, month and city."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.workcal import CHINA_TZ
from mudan.domains.sharing.enums import Decision, Step
from mudan.domains.sharing.workflow import deadlines, requests
from mudan.domains.sharing.workflow.schemas import RequestIn
from mudan.kernel.calendar import load_calendar
from tests.domains.sharing.conftest import World, bearer, principal, request_body

# Friday before the 2025 National Day holiday (Oct 1–8; Sep 28 and Oct 11 are make-up workdays)
FRIDAY = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)


def _ask(session: Session, world: World, now: datetime) -> int:
    body = request_body(world.people.code, period_start="2025-09-01", period_end="2026-12-31")
    req = requests.create_request(
        session, principal=principal(session, "mudanqu"), data=RequestIn(**body), now=now
    )
    return req.id


def test_provider_deadline_skips_the_holiday(world: World, session: Session) -> None:
    rid = _ask(session, world, FRIDAY)
    req = requests.get_request(session, principal=principal(session, "dsj"), request_id=rid)
    expected = load_calendar(session).add_workdays(FRIDAY.astimezone(CHINA_TZ), 5).at
    assert as_utc(req.due_at).astimezone(CHINA_TZ) == expected  # type: ignore[arg-type]
    assert expected.date() > date(2025, 10, 8)  # the week-long holiday does not count
    assert req.step == Step.PROVIDER


def test_step_rule_is_data(world: World, session: Session, client: TestClient) -> None:
    r = client.put(
        "/api/v1/share/deadlines",
        json={"step": "provider", "workdays": 2},
        headers=bearer(client, "dsj"),
    )
    assert r.status_code == 200
    r = client.put(
        "/api/v1/share/deadlines",
        json={"step": "provider", "workdays": 2},
        headers=bearer(client, "gaj"),
    )
    assert r.status_code == 403
    r = client.put(
        "/api/v1/share/deadlines",
        json={"step": "bureau", "workdays": 99},
        headers=bearer(client, "dsj"),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "sharing.bad_deadline"
    session.expire_all()
    assert deadlines.step_rule(session, Step.PROVIDER)[0] == 2
    monday = datetime(2025, 11, 3, 2, 0, tzinfo=UTC)
    rid = _ask(session, world, monday)
    req = requests.get_request(session, principal=principal(session, "dsj"), request_id=rid)
    assert as_utc(req.due_at).astimezone(CHINA_TZ).date() == date(2025, 11, 5)  # type: ignore[arg-type]


def test_reminder_once_then_overdue_then_rate(world: World, session: Session) -> None:
    late_id = _ask(session, world, FRIDAY)
    ok_id = _ask(session, world, FRIDAY)
    req = requests.get_request(session, principal=principal(session, "dsj"), request_id=late_id)
    due = as_utc(req.due_at)  # type: ignore[arg-type]
    far = deadlines.remind_and_mark(session, now=due - timedelta(days=3))
    assert far.reminded == [] and far.overdue == []
    near = deadlines.remind_and_mark(session, now=due - timedelta(hours=2))
    assert sorted(near.reminded) == sorted([late_id, ok_id])
    again = deadlines.remind_and_mark(session, now=due - timedelta(hours=1))
    assert again.reminded == []
    gaj, dsj = principal(session, "gaj"), principal(session, "dsj")
    requests.decide(
        session,
        principal=gaj,
        request_id=ok_id,
        decision=Decision.APPROVE,
        now=due - timedelta(hours=1),
    )
    after = deadlines.remind_and_mark(session, now=due + timedelta(minutes=1))
    assert after.overdue == [late_id]
    requests.decide(
        session,
        principal=gaj,
        request_id=late_id,
        decision=Decision.APPROVE,
        now=due + timedelta(hours=1),
    )
    # both at the bureau now; the on-time one is answered in time, the late one stays late
    for rid in (ok_id, late_id):
        r = requests.get_request(session, principal=dsj, request_id=rid)
        requests.decide(
            session,
            principal=dsj,
            request_id=rid,
            decision=Decision.APPROVE,
            now=as_utc(r.step_started_at) + timedelta(hours=1),
        )  # type: ignore[arg-type]
    kinds = [
        e.kind for e in requests.get_request(session, principal=dsj, request_id=late_id).events
    ]
    assert kinds == ["submit", "remind", "overdue", "approve", "approve", "grant"]
    rates = deadlines.on_time_rates(session, year=2025)
    (city,) = rates["city"]
    assert (city.on_time, city.total, city.rate) == (1, 2, 50.0)
    assert [(m.key, m.total) for m in rates["months"]] == [("2025-09", 2)]
    assert [(d.key, d.on_time, d.total) for d in rates["departments"]] == [("371700002", 1, 2)]


def test_rates_api_and_indicator(world: World, session: Session, client: TestClient) -> None:
    from mudan.domains.sharing.workflow.indicators import on_time_rate, requests_per_year

    rid = _ask(session, world, FRIDAY)
    requests.decide(
        session,
        principal=principal(session, "gaj"),
        request_id=rid,
        decision=Decision.REJECT,
        reason="不符合",
        now=FRIDAY + timedelta(hours=1),
    )
    session.commit()
    body = client.get("/api/v1/share/rates?year=2025", headers=bearer(client, "kaohe")).json()
    assert body["target"] == 99.0 and body["city"][0]["rate"] == 100.0
    day = date(2025, 12, 31)
    assert {m.region_code: m.value for m in requests_per_year(session, day)}["3717"] == 1.0
    city = {m.region_code: m for m in on_time_rate(session, day)}["3717"]
    assert (city.value, city.numerator, city.denominator) == (100.0, 1, 1)
