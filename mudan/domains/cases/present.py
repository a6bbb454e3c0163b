"""Case → API shape, masking the callers' personal data unless the principal holds ``cases.pii``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.cases.access import mask_name, mask_phone
from mudan.domains.cases.deadlines import flag
from mudan.domains.cases.enums import OPEN_STATES, CaseState
from mudan.domains.cases.models import Case, CaseEvent
from mudan.domains.cases.schemas import CaseDetailOut, CaseOut, EventOut, ReporterOut
from mudan.domains.cases.workflow import allowed_actions
from mudan.kernel.rbac import Principal


def _number(session: Session, case_id: int | None) -> str | None:
    if case_id is None:
        return None
    return session.scalar(select(Case.number).where(Case.id == case_id))


def case_out(
    session: Session, case: Case, principal: Principal, now: datetime | None = None
) -> CaseOut:
    pii = principal.can("cases.pii")
    reporters = [
        ReporterOut(
            name=r.name if pii else mask_name(r.name), phone=r.phone if pii else mask_phone(r.phone)
        )
        for r in case.reporters
    ]
    return CaseOut(
        number=case.number,
        state=case.state,
        flag=flag(case.warn_at, case.due_at, now or utcnow(), CaseState(case.state) in OPEN_STATES),
        channel=case.channel,
        category_code=case.category_code,
        title=case.title,
        description=case.description,
        address=case.address,
        lon=case.lon,
        lat=case.lat,
        grid_code=case.grid_code,
        community_code=case.community_code,
        street_code=case.street_code,
        district_code=case.district_code,
        department_code=case.department_code,
        assist_codes=[a.department_code for a in case.assignments if a.active and not a.lead],
        created_at=case.created_at,
        warn_at=case.warn_at,
        due_at=case.due_at,
        due_provisional=case.due_provisional,
        closed_at=case.closed_at,
        escalation_rung=case.escalation_rung,
        returns=case.returns,
        reopenings=case.reopenings,
        satisfaction=case.satisfaction,
        mediation=case.mediation,
        extension_status=case.extension_status,
        suggested_merge=_number(session, case.suggested_merge_id),
        merged_into=_number(session, case.merged_into_id),
        reporters=reporters,
        allowed_actions=allowed_actions(case.state),
    )


def detail_out(
    session: Session, case: Case, principal: Principal, events: list[CaseEvent]
) -> CaseDetailOut:
    base = case_out(session, case, principal)
    return CaseDetailOut(
        **base.model_dump(),
        timeline=[EventOut.model_validate(e, from_attributes=True) for e in events],
    )
