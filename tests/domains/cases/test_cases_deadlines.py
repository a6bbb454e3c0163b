"""Deadlines across holidays and 调休 days, 督办 at 80 % and 100 %, the task hook, photos."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.audit import AuditRecord
from mudan.core.db import as_utc
from mudan.core.errors import InvalidInput, TooLarge
from mudan.domains.cases import service as cs
from mudan.domains.cases.enums import Channel
from mudan.domains.cases.models import CaseEvent
from mudan.hooks import TaskRequest, make_plugin_manager
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal

CST = timezone(timedelta(hours=8))
ADMIN = Principal(user_id=None, username="t", display_name="t", roles=frozenset({Role.ADMIN}))


def _case(session: Session, category: str, at: datetime, **kw: object) -> cs.Case:  # type: ignore[name-defined]
    data = cs.IntakeIn(
        channel=Channel.HOTLINE,
        category_code=category,
        title="测试",
        region_code="371702001000",
        **kw,
    )  # type: ignore[arg-type]
    return cs.intake(session, data=data, actor="t", now=at.astimezone(UTC))


def test_two_working_days_before_national_day(session: Session) -> None:
    # 2025-09-30 (Tue) is the last workday before 国庆/中秋 (10-01 … 10-08).
    case = _case(session, "BJ0104", datetime(2025, 9, 30, 10, 0, tzinfo=CST))  # 2 working days
    assert as_utc(case.due_at).astimezone(CST) == datetime(2025, 10, 10, 17, 30, tzinfo=CST)
    assert not case.due_provisional


def test_make_up_workday_counts(session: Session) -> None:
    # Friday 2025-09-26 + 1 working day = Sunday 2025-09-28, a 调休 make-up workday.
    case = _case(session, "BJ0302", datetime(2025, 9, 26, 15, 0, tzinfo=CST))
    assert as_utc(case.due_at).astimezone(CST) == datetime(2025, 9, 28, 17, 30, tzinfo=CST)


def test_working_hours_skip_lunch_and_the_holiday(session: Session) -> None:
    # 4 working hours from 16:30 on 2025-09-30: 1 h that day, then 3 h on 2025-10-09.
    case = _case(session, "SJ0102", datetime(2025, 9, 30, 16, 30, tzinfo=CST))
    assert as_utc(case.due_at).astimezone(CST) == datetime(2025, 10, 9, 12, 0, tzinfo=CST)


def test_escalation_at_80_and_100_percent(session: Session) -> None:
    start = datetime(2025, 11, 3, 9, 0, tzinfo=CST)  # Monday
    case = _case(session, "SJ0102", start)  # 4 working hours: due 14:30, 80 % at 13:42
    assert as_utc(case.due_at).astimezone(CST) == datetime(2025, 11, 3, 14, 30, tzinfo=CST)
    assert as_utc(case.warn_at).astimezone(CST) == datetime(2025, 11, 3, 13, 42, tzinfo=CST)
    assert cs.supervise(session, now=datetime(2025, 11, 3, 13, 40, tzinfo=CST)) == []
    first = cs.supervise(session, now=datetime(2025, 11, 3, 13, 45, tzinfo=CST))
    assert [(e.number, e.rung, e.region_code) for e in first] == [
        (case.number, "street", "371702001000")
    ]
    assert cs.supervise(session, now=datetime(2025, 11, 3, 13, 50, tzinfo=CST)) == []
    second = cs.supervise(session, now=datetime(2025, 11, 3, 14, 31, tzinfo=CST))
    assert [(e.rung, e.region_code) for e in second] == [("district", "371702")]
    third = cs.supervise(session, now=datetime(2025, 11, 5, 9, 0, tzinfo=CST))
    assert [(e.rung, e.region_code) for e in third] == [("city", "3717")]
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "supervise")
    ).all()
    assert [e.detail["rung"] for e in events] == ["street", "district", "city"]
    audited = session.scalars(
        select(AuditRecord).where(
            AuditRecord.action == "cases.supervise", AuditRecord.object_id == case.number
        )
    ).all()
    assert len(audited) == 3


def test_late_run_shows_every_rung(session: Session) -> None:
    case = _case(session, "SJ0102", datetime(2025, 11, 3, 9, 0, tzinfo=CST))
    done = cs.supervise(session, now=datetime(2025, 11, 3, 15, 0, tzinfo=CST))
    assert [(e.number, e.rung) for e in done] == [
        (case.number, "street"),
        (case.number, "district"),
    ]


def test_task_hook_is_idempotent(session: Session) -> None:
    pm = make_plugin_manager()
    task = TaskRequest(
        source="video.repair",
        title="摄像机离线",
        description="通道离线 3 天",
        region_code="371702",
        idempotency_key="video:37170200001320000001",
    )
    first = pm.hook.mudan_open_task(session=session, task=task)
    second = pm.hook.mudan_open_task(session=session, task=task)
    assert first == second and first is not None
    case = cs.get_case(session, number=first)
    assert case.category_code == "BJ0105" and case.department_code == "371702001"


def _png(size: int = 8) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_photos_are_checked_and_stored_under_var_dir(session: Session, tmp_path: Path) -> None:
    case = _case(session, "SJ0102", datetime.now(UTC))
    photo = cs.store_photo(session, case=case, data=_png(), principal=ADMIN, var_dir=tmp_path)
    session.commit()  # the file takes its final name with the commit
    assert (tmp_path / photo.path).read_bytes() == _png()
    with pytest.raises(InvalidInput):
        cs.store_photo(session, case=case, data=b"not an image", principal=ADMIN, var_dir=tmp_path)
    with pytest.raises(TooLarge):
        cs.store_photo(
            session,
            case=case,
            data=b"x" * (cs.MAX_PHOTO_BYTES + 1),
            principal=ADMIN,
            var_dir=tmp_path,
        )
