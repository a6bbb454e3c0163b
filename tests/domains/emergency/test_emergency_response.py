"""Raising a level: exactly the role holders of that level are notified (in-app, the fake SMS
gateway, the logging provider for voice), report deadlines start, checklists open."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.audit import AuditRecord, verify_chain
from mudan.core.errors import Conflict, Forbidden
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import EventType, ReportStatus
from mudan.domains.emergency.schemas import IncidentIn, ReviewIn
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal
from tests.domains.emergency.conftest import FakeSms, principal, street_point, test_plan

T0 = datetime(2025, 7, 20, 1, 0, tzinfo=UTC)


def _incident(session: Session, now: datetime = T0) -> int:
    zhiban = principal(session, "zhiban")
    es.create_plan(session, data=test_plan(), actor=zhiban)
    lon, lat = street_point(session, "焦园乡")
    data = IncidentIn(
        title="焦园乡滩区漫滩", event_type=EventType.FLOOD, lon=lon, lat=lat, plan_code="T-FLOOD"
    )
    change = es.open_incident(
        session, data=data, actor=zhiban, locator=es.locator_of(session), now=now
    )
    assert change.incident.district_code == "371728"
    assert change.incident.street_code == "371728205000"
    return change.incident.id


def test_raise_notifies_exactly_the_level_holders(
    session: Session, fake_sms: FakeSms, caplog: pytest.LogCaptureFixture
) -> None:
    zhiban, mudanqu = principal(session, "zhiban"), principal(session, "mudanqu")
    assert zhiban.user_id is not None and mudanqu.user_id is not None
    before = es.unread_count(session, user_id=zhiban.user_id)  # the demo's own incident
    assert es.unread_count(session, user_id=mudanqu.user_id) == 0
    iid = _incident(session)
    change = es.change_level(session, incident_id=iid, level=4, actor=zhiban, now=T0)
    # Ⅳ: only the duty role; 刘洋 is a user with no phone channels: in-app only.
    assert [(d.recipient, d.channel) for d in change.activation.deliveries] == [("刘洋", "in_app")]
    assert fake_sms.sent == []
    caplog.set_level(logging.INFO, logger="mudan.emergency.notify")
    change = es.change_level(
        session, incident_id=iid, level=2, actor=zhiban, now=T0 + timedelta(minutes=10)
    )
    got = sorted(
        (d.recipient, d.channel, d.provider, d.status) for d in change.activation.deliveries
    )
    assert got == [
        ("刘洋", "in_app", "in_app", "delivered"),
        ("孙总", "in_app", "in_app", "delivered"),
        ("孙总", "sms", "fake_sms", "delivered"),
        ("钱副", "sms", "fake_sms", "delivered"),
        ("钱副", "voice", "log", "logged"),
    ]
    assert sorted(n for n, _, _ in fake_sms.sent) == ["孙总", "钱副"]
    assert all("Ⅱ" in title for _, _, title in fake_sms.sent)
    # The logging provider stood in for voice and masked the number.
    assert any("钱副" in r.getMessage() and "139****2222" in r.getMessage() for r in caplog.records)
    # In-app inboxes: zhiban has Ⅳ and Ⅱ, mudanqu (孙总) only Ⅱ.
    assert es.unread_count(session, user_id=zhiban.user_id) == before + 2
    assert es.unread_count(session, user_id=mudanqu.user_id) == 1
    [message] = es.messages(session, user_id=mudanqu.user_id)
    assert message.incident_id == iid and "总指挥" in message.body
    assert es.mark_read(session, user_id=mudanqu.user_id) == 1
    assert es.unread_count(session, user_id=mudanqu.user_id) == 0
    # Lowering notifies nobody; raising to the same level is refused.
    lowered = es.change_level(session, incident_id=iid, level=3, actor=zhiban, now=T0)
    assert lowered.activation.deliveries == [] and lowered.previous == 2
    with pytest.raises(Conflict) as exc:
        es.change_level(session, incident_id=iid, level=3, actor=zhiban, now=T0)
    assert exc.value.code == "emergency.same_level"
    # Ⅰ: only the commander role (its two holders), not the duty officer.
    top = es.change_level(session, incident_id=iid, level=1, actor=zhiban, now=T0)
    assert {d.recipient for d in top.activation.deliveries} == {"孙总", "钱副"}
    assert verify_chain(session).ok


def test_report_deadlines_and_overdue_marks(session: Session) -> None:
    zhiban = principal(session, "zhiban")
    iid = _incident(session)
    raised_at = T0 + timedelta(minutes=5)
    change = es.change_level(session, incident_id=iid, level=2, actor=zhiban, now=raised_at)
    dues = sorted((r.title, r.due_at) for r in change.activation.reports)
    assert dues == [
        ("续报", raised_at + timedelta(minutes=120)),
        ("首报", raised_at + timedelta(minutes=30)),
    ]
    # Before the first deadline nothing is overdue.
    at_29 = raised_at + timedelta(minutes=29)
    assert es.mark_overdue(session, now=at_29) == []
    assert [v.status for v in es.reports_of(session, incident_id=iid, now=at_29)] == [
        ReportStatus.PENDING,
        ReportStatus.PENDING,
    ]
    # One minute past the first report's deadline: marked once, on the timeline.
    at_31 = raised_at + timedelta(minutes=31)
    marked = es.mark_overdue(session, now=at_31)
    assert [r.title for r in marked] == ["首报"]
    assert es.mark_overdue(session, now=at_31) == []  # marked once only
    kinds = [e.kind for e in es.timeline(session, incident_id=iid)]
    assert kinds.count("report_overdue") == 1
    # The late first report is LATE; the follow-up, submitted in time, is ON_TIME.
    first = es.submit_report(session, incident_id=iid, content="首报内容", actor=zhiban, now=at_31)
    assert (first.report.title, first.status) == ("首报", ReportStatus.LATE)
    second = es.submit_report(
        session,
        incident_id=iid,
        content="续报内容",
        actor=zhiban,
        now=raised_at + timedelta(hours=1),
    )
    assert (second.report.title, second.status) == ("续报", ReportStatus.ON_TIME)
    # With nothing due, a report is an extra follow-up without a deadline.
    extra = es.submit_report(session, incident_id=iid, content="补充", actor=zhiban, now=at_31)
    assert extra.report.due_at is None and extra.status == ReportStatus.ON_TIME
    # Checklists of Ⅱ are open: commander's two items and the duty role's one.
    items = es.checklist_of(session, incident_id=iid)
    assert sorted(i.item for i in items) == sorted(["通知成员单位", "召开指挥部会议", "部署处置"])
    done = es.complete_item(session, incident_id=iid, item_id=items[0].id, actor=zhiban, now=at_31)
    assert done.done_by == "zhiban"
    with pytest.raises(Conflict):
        es.complete_item(session, incident_id=iid, item_id=items[0].id, actor=zhiban, now=at_31)


def test_timeline_is_complete_and_review_measures_it(session: Session) -> None:
    zhiban = principal(session, "zhiban")
    iid = _incident(session)
    es.change_level(session, incident_id=iid, level=4, actor=zhiban, now=T0 + timedelta(minutes=6))
    es.add_action(
        session, incident_id=iid, text="转移群众", actor=zhiban, now=T0 + timedelta(hours=1)
    )
    es.submit_report(
        session, incident_id=iid, content="首报", actor=zhiban, now=T0 + timedelta(minutes=90)
    )
    es.change_level(session, incident_id=iid, level=2, actor=zhiban, now=T0 + timedelta(hours=2))
    with pytest.raises(Conflict) as exc:
        es.save_review(session, incident_id=iid, data=_review(), actor=zhiban)
    assert exc.value.code == "emergency.review_needs_closed"
    es.close_incident(
        session, incident_id=iid, note="结束", actor=zhiban, now=T0 + timedelta(hours=10)
    )
    with pytest.raises(Conflict) as exc:
        es.add_action(session, incident_id=iid, text="晚了", actor=zhiban)
    assert exc.value.code == "emergency.incident_closed"
    review = es.save_review(
        session, incident_id=iid, data=_review(), actor=zhiban, now=T0 + timedelta(days=1)
    )
    assert review.timings == {
        "to_first_level_min": 6.0,
        "to_first_report_min": 90.0,
        "duration_min": 600.0,
        "highest_level": 2,
        "reports_due": 3,  # Ⅳ 首报 (on time) + Ⅱ 首报 and 续报 (never submitted)
        "reports_on_time": 1,
        "actions": 1,
    }
    assert review.follow_ups == ["广播全覆盖"]
    kinds = [e.kind for e in es.timeline(session, incident_id=iid)]
    assert kinds == [
        "opened", "level_set", "notified", "action", "report", "level_raised", "notified",
        "closed", "review",
    ]  # fmt: skip
    number = es.get_incident(session, incident_id=iid, actor=zhiban).number
    actions = list(
        session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.object_type == "emergency_incident", AuditRecord.object_id == number)
            .order_by(AuditRecord.id)
        )
    )
    assert actions == [f"emergency.{k}" for k in kinds]  # every step audited, in order


def _review() -> ReviewIn:
    return ReviewIn(summary="漫滩险情", lessons="续报偏晚", follow_ups=["广播全覆盖", " "])


def test_region_scope(session: Session) -> None:
    """A duty officer bound to 牡丹区 neither sees nor commands an incident in 东明县."""
    iid = _incident(session)
    local = Principal(
        user_id=None, username="mdq-duty", display_name="x",
        roles=frozenset({Role.DUTY_OFFICER}), scope_paths=("3717/371702",), via="session",
    )  # fmt: skip
    with pytest.raises(Forbidden):
        es.get_incident(session, incident_id=iid, actor=local)
    with pytest.raises(Forbidden):
        es.change_level(session, incident_id=iid, level=2, actor=local)
    assert iid not in [i.id for i in es.list_incidents(session, actor=local)]
    lon, lat = street_point(session, "焦园乡")
    data = IncidentIn(title="越界", event_type=EventType.FIRE, lon=lon, lat=lat)
    with pytest.raises(Forbidden):
        es.open_incident(session, data=data, actor=local, locator=es.locator_of(session))
