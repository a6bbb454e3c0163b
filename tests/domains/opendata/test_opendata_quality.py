"""开放合格率 with planted faults; 纠错 from the public becomes a correction ticket."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.opendata import service
from mudan.domains.opendata.enums import FeedbackKind
from mudan.domains.opendata.models import OpenDataset
from mudan.domains.opendata.scoring import POINTS
from mudan.domains.quality import service as quality
from mudan.kernel.rbac import ANONYMOUS
from mudan.lake.catalog import Lake
from mudan.settings import Settings


def test_rate_counts_planted_faults(session: Session, settings: Settings) -> None:
    active = list(
        session.scalars(
            select(OpenDataset).where(OpenDataset.state == "active", OpenDataset.data_rows > 0)
        )
    )
    a, b, c, d = active[:4]
    a.license_id = ""
    b.notes = "短"
    c.data_updated_at = utcnow() - timedelta(days=800)
    d.fields = [{**d.fields[0], "label": d.fields[0]["name"]}, *d.fields[1:]]
    session.flush()
    with Lake(db_url=settings.database.url, warehouse=settings.lake.warehouse) as lake:
        service.compute_scores(session, lake=lake)
    failed = {
        x.name: {k for k, ok in x.checks.items() if not ok}
        for x in session.scalars(select(OpenDataset).where(OpenDataset.state == "active"))
        if not x.qualified
    }
    assert "licence" in failed[a.name]
    assert "description" in failed[b.name]
    assert "update_cycle" in failed[c.name]
    assert "field_descriptions" in failed[d.name]
    assert a.score == 100 - POINTS["licence"]
    # datasets without a lake table fail the link and format checks
    for x in session.scalars(select(OpenDataset).where(OpenDataset.data_rows == 0)):
        assert {"links", "machine_readable"} <= failed[x.name]
    city, depts = service.qualification_rates(session)
    total = session.query(OpenDataset).filter(OpenDataset.state == "active").count()
    assert city.datasets == total and city.qualified == total - len(failed)
    assert city.rate is not None and city.rate < 100 and not city.meets_target
    assert sum(r.qualified for r in depts) == city.qualified
    assert {r.code for r in depts} == {x.department_code for x in active} | {
        x.department_code
        for x in session.scalars(select(OpenDataset).where(OpenDataset.state == "active"))
    }


def test_error_report_opens_a_ticket_for_the_provider(session: Session) -> None:
    ds = session.scalars(select(OpenDataset).where(OpenDataset.state == "active")).first()
    assert ds is not None
    before = len(quality.list_tickets(session, table_ref=ds.table_ref))
    service.report(
        session, principal=ANONYMOUS, ds=ds, kind=FeedbackKind.FEEDBACK, content="希望按月更新"
    )
    assert len(quality.list_tickets(session, table_ref=ds.table_ref)) == before
    fb = service.report(
        session, principal=ANONYMOUS, ds=ds, kind=FeedbackKind.ERROR, content="第3行地址有误"
    )
    tickets = quality.list_tickets(session, table_ref=ds.table_ref)
    assert fb.ticket_id in {t.id for t in tickets}
    ticket = next(t for t in tickets if t.id == fb.ticket_id)
    assert ticket.department_code == ds.department_code and "第3行地址有误" in ticket.detail
    assert ticket.source == "public"
