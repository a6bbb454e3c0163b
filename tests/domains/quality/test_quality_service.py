"""Quality service on the database: quarantine, tickets with working-day deadlines, release."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.errors import Conflict, InvalidInput, NotFound
from mudan.core.workcal import CHINA_TZ
from mudan.domains.quality import service as qs
from mudan.domains.quality.engine import evaluate
from mudan.domains.quality.enums import QuarantineStatus, TicketStatus, UpdateCycle
from mudan.domains.quality.models import QuarantineRow
from mudan.kernel.calendar import set_override
from mudan.lake import registry
from mudan.lake.schema import ColumnSpec, ItemType, TableSpec

SPEC = TableSpec(
    "d371700002",
    "residents",
    (
        ColumnSpec("pid", ItemType.STRING, nullable=False),
        ColumnSpec("name", ItemType.STRING),
        ColumnSpec("region", ItemType.STRING),
        ColumnSpec("age", ItemType.INTEGER),
    ),
    key=("pid",),
)
DEPT = "371700002"
GOOD_ID = "11010519491231002X"
BAD_ID = "110105194912310021"
# Tuesday before the 2025 National Day holiday (1–8 Oct; Sat 11 Oct is a make-up workday).
BEFORE_HOLIDAY = datetime(2025, 9, 30, 10, 0, tzinfo=CHINA_TZ)


def batch(rows: list[tuple[str, str, str, str]]) -> pa.RecordBatch:
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    names = [c.name for c in SPEC.columns]
    return pa.record_batch(
        {n: pa.array(list(c), pa.string()) for n, c in zip(names, cols, strict=True)}
    )


def setup_rules(session: Session) -> None:
    registry.register_table(
        session, spec=SPEC, department_code=DEPT, update_cycle=UpdateCycle.DAILY
    )
    qs.create_rule(
        session, table_ref=SPEC.ident, kind="citizen_id", column="pid", params={}, actor="t"
    )
    qs.create_rule(
        session, table_ref=SPEC.ident, kind="primary_key", column=None, params={}, actor="t"
    )
    qs.create_rule(
        session, table_ref=SPEC.ident, kind="region_code", column="region", params={}, actor="t"
    )
    qs.create_rule(
        session,
        table_ref=SPEC.ident,
        kind="range",
        column="age",
        params={"min": 0, "max": 150},
        actor="t",
    )


def load(
    session: Session, job: str, rows: list[tuple[str, str, str, str]], now: datetime
) -> qs.Recorded:
    ctx = qs.rule_context(session, today=date(2026, 1, 1))
    ev = evaluate(
        batch(rows), SPEC, qs.load_rules(session, table_ref=SPEC.ident), row_offset=0, context=ctx
    )
    if not ev.bad:
        qs.close_tickets_if_clean(session, table_ref=SPEC.ident, job_id=job, now=now)
    return qs.record_evaluation(
        session, table_ref=SPEC.ident, job_id=job, department_code=DEPT, evaluation=ev,
        total_rows=len(rows), now=now,
    )  # fmt: skip


DIRTY = [
    (GOOD_ID, "张三", "371702", "30"),
    (BAD_ID, "李四", "371702", "40"),  # bad checksum
    (GOOD_ID, "王五", "371799", "200"),  # duplicate key, unknown region, age out of range
    ("", "赵六", "371703", "x"),  # missing key, not an integer
]


def test_bad_rows_are_quarantined_and_a_ticket_opens_with_a_workday_deadline(
    session: Session,
) -> None:
    setup_rules(session)
    rec = load(session, "job1", DIRTY, BEFORE_HOLIDAY)
    assert rec.quarantined == 3 and rec.score == 25.0
    rows = session.scalars(select(QuarantineRow).order_by(QuarantineRow.row_number)).all()
    assert [r.row_number for r in rows] == [2, 3, 4]
    assert rows[0].rule_kind == "citizen_id" and "校验码" in rows[0].reason
    assert "行政区划" in rows[1].reason and "范围" in rows[1].reason  # every reason is kept
    assert rows[2].values == {"pid": "", "name": "赵六", "region": "371703", "age": "x"}
    ticket = rec.ticket
    assert ticket is not None and ticket.department_code == DEPT and ticket.violations == 3
    # five working days after 30 Sep 2025 skip the National Day holiday: due 14 Oct, 17:30 CST
    assert as_utc(ticket.deadline) == datetime(2025, 10, 14, 17, 30, tzinfo=CHINA_TZ)
    assert not ticket.deadline_provisional
    session.commit()

    # a second dirty load appends to the open ticket instead of opening another
    rec2 = load(session, "job2", DIRTY[:2], BEFORE_HOLIDAY + timedelta(days=1))
    assert rec2.ticket is not None and rec2.ticket.id == ticket.id and rec2.ticket.violations == 4
    assert "job2" in rec2.ticket.detail
    assert len(qs.list_tickets(session, table_ref=SPEC.ident)) == 1

    # past the deadline it is overdue; a clean reload closes it
    assert qs.mark_overdue(session, now=datetime(2025, 10, 15, tzinfo=CHINA_TZ)) == 1
    assert qs.get_ticket(session, ticket_id=ticket.id).status == TicketStatus.OVERDUE
    rec3 = load(session, "job3", DIRTY[:1], datetime(2025, 10, 16, tzinfo=UTC))
    assert rec3.ticket is None and rec3.score == 100.0
    closed = qs.get_ticket(session, ticket_id=ticket.id)
    assert closed.status == TicketStatus.CLOSED and closed.closing_job_id == "job3"
    session.commit()


def test_admin_holiday_override_moves_the_deadline(session: Session) -> None:
    setup_rules(session)
    set_override(session, day=date(2025, 10, 13), is_workday=False, note="临时停工")
    rec = load(session, "job1", DIRTY, BEFORE_HOLIDAY)
    assert rec.ticket is not None
    assert as_utc(rec.ticket.deadline) == datetime(2025, 10, 15, 17, 30, tzinfo=CHINA_TZ)


def test_release_rechecks_fixed_rows_and_returns_typed_rows(session: Session) -> None:
    setup_rules(session)
    load(session, "job1", DIRTY, BEFORE_HOLIDAY)
    rows = session.scalars(select(QuarantineRow).order_by(QuarantineRow.row_number)).all()
    ctx = qs.rule_context(session, today=date(2026, 1, 1))
    still = qs.release(
        session, ids=[rows[0].id], fixed_values={rows[0].id: {"pid": BAD_ID[:-1] + "9"}},
        actor="dsj", context=ctx,
    )  # fmt: skip
    assert still.released == [] and "身份证号" in still.still_bad[rows[0].id]
    assert rows[0].status == QuarantineStatus.PENDING and rows[0].fixed_values == {
        "pid": BAD_ID[:-1] + "9"
    }
    good_id = _valid_id()
    fixes = {
        rows[0].id: {"pid": good_id},
        rows[1].id: {"region": "371702", "age": "41", "pid": _valid_id(1)},
    }
    ids = [rows[0].id, rows[1].id]
    res = qs.release(session, ids=ids, fixed_values=fixes, actor="dsj", context=ctx)
    assert res.released == [rows[0].id, rows[1].id] and not res.still_bad
    assert res.good.to_pylist() == [
        {"pid": good_id, "name": "李四", "region": "371702", "age": 40},
        {"pid": _valid_id(1), "name": "王五", "region": "371702", "age": 41},
    ]
    assert rows[0].status == QuarantineStatus.RELEASED and rows[0].resolved_by == "dsj"
    with pytest.raises(Conflict):
        qs.release(session, ids=[rows[0].id], actor="dsj", context=ctx)
    assert qs.reject(session, ids=[rows[2].id], actor="dsj") == 1
    assert rows[2].status == QuarantineStatus.REJECTED
    with pytest.raises(NotFound):
        qs.reject(session, ids=[99999], actor="dsj")
    pending, total = qs.list_quarantine(session, table_ref=SPEC.ident)
    assert total == 0 and pending == []
    session.commit()


def _valid_id(n: int = 0) -> str:
    """A valid GB 11643 number for a Heze birth registration (checksum computed here)."""
    from mudan.core.ids import CITIZEN_ID_WEIGHTS

    body = f"37170219900101{n:03d}"
    total = sum(int(c) * w for c, w in zip(body, CITIZEN_ID_WEIGHTS, strict=False))
    return body + "10X98765432"[total % 11]


def test_rules_crud_validation_and_scores(session: Session) -> None:
    with pytest.raises(NotFound):
        qs.create_rule(
            session, table_ref="d1.nope", kind="not_null", column="x", params={}, actor="t"
        )
    setup_rules(session)
    with pytest.raises(InvalidInput) as exc:
        qs.create_rule(
            session,
            table_ref=SPEC.ident,
            kind="regex",
            column="name",
            params={"pattern": "("},
            actor="t",
        )
    assert exc.value.code == "quality.bad_regex"
    with pytest.raises(InvalidInput) as exc:
        qs.create_rule(
            session, table_ref=SPEC.ident, kind="sorcery", column="name", params={}, actor="t"
        )
    assert exc.value.code == "quality.unknown_kind"
    rule = qs.list_rules(session, table_ref=SPEC.ident)[-1]
    with pytest.raises(InvalidInput):
        qs.update_rule(session, rule_id=rule.id, params={"min": "abc"})
    qs.update_rule(session, rule_id=rule.id, enabled=False)
    assert len(qs.load_rules(session, table_ref=SPEC.ident)) == 3
    qs.delete_rule(session, rule_id=rule.id)
    load(session, "job1", DIRTY, BEFORE_HOLIDAY)
    other = TableSpec("d371700002", "cars", (ColumnSpec("plate", ItemType.STRING),))
    registry.register_table(session, spec=other, department_code=DEPT)
    ev = evaluate(
        batch_of({"plate": ["鲁R1"]}),
        other,
        [],
        row_offset=0,
        context=qs.rule_context(session, today=date(2026, 1, 1)),
    )
    qs.record_evaluation(
        session,
        table_ref=other.ident,
        job_id="j9",
        department_code=DEPT,
        evaluation=ev,
        total_rows=1,
    )
    scores = {s.table_ref: s.score for s in qs.table_scores(session)}
    assert scores == {SPEC.ident: 25.0, other.ident: 100.0}
    assert [(d.department_code, d.tables, d.score) for d in qs.department_scores(session)] == [
        (DEPT, 2, 62.5)
    ]
    fresh = qs.table_freshness(session, table_ref=SPEC.ident, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert not fresh.fresh and fresh.reason == "从未成功归集"
    qs.record_success(session, table_ref=SPEC.ident, at=datetime(2025, 12, 31, 12, tzinfo=UTC))
    assert qs.table_freshness(
        session, table_ref=SPEC.ident, now=datetime(2026, 1, 1, tzinfo=UTC)
    ).fresh
    session.commit()


def batch_of(data: dict[str, list[str]]) -> pa.RecordBatch:
    return pa.record_batch({k: pa.array(v, pa.string()) for k, v in data.items()})


def test_ticket_transitions(session: Session) -> None:
    t = qs.open_ticket(
        session, table_ref=SPEC.ident, department_code=DEPT, title="地址错误", now=BEFORE_HOLIDAY
    )
    assert (
        qs.transition(session, ticket_id=t.id, to=TicketStatus.FIXING).status == TicketStatus.FIXING
    )
    with pytest.raises(Conflict):
        qs.transition(session, ticket_id=t.id, to=TicketStatus.OPEN)
    closed = qs.transition(session, ticket_id=t.id, to=TicketStatus.CLOSED, job_id="j")
    assert closed.closed_at is not None and closed.closing_job_id == "j"
