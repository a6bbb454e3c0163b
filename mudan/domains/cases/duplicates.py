"""Duplicate reports: the same category within 50 m and 24 h is suggested for merge.

Merging keeps every reporter on the surviving case; the merged case closes with it.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.errors import Conflict
from mudan.domains.cases.enums import OPEN_STATES, CaseState, EventKind
from mudan.domains.cases.models import Case, CaseReporter
from mudan.kernel.rbac import Principal

RADIUS_M = 50.0
WINDOW = timedelta(hours=24)
_EARTH_M = 6_371_008.8


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(math.sqrt(h))


def find_duplicate(session: Session, case: Case) -> Case | None:
    """The nearest open case of the same category within 50 m reported in the 24 h before."""
    if case.lon is None or case.lat is None:
        return None
    dlat = RADIUS_M / 111_000
    dlon = dlat / max(0.1, math.cos(math.radians(case.lat)))
    rows = session.scalars(
        select(Case).where(
            Case.category_code == case.category_code,
            Case.created_at >= case.created_at - WINDOW,
            Case.created_at <= case.created_at,
            Case.id != case.id,
            Case.state.in_([s.value for s in OPEN_STATES]),
            Case.lon.between(case.lon - dlon, case.lon + dlon),
            Case.lat.between(case.lat - dlat, case.lat + dlat),
        )
    )
    best: tuple[float, Case] | None = None
    for other in rows:
        assert other.lon is not None and other.lat is not None
        d = distance_m(case.lon, case.lat, other.lon, other.lat)
        if d <= RADIUS_M and (best is None or d < best[0]):
            best = (d, other)
    return best[1] if best else None


def merge(session: Session, *, case: Case, into: Case, principal: Principal) -> Case:
    """Merge ``case`` into ``into``: reporters move over, ``case`` waits and closes with it."""
    from mudan.domains.cases.workflow import add_event

    if case.id == into.id or CaseState(case.state) not in OPEN_STATES:
        raise Conflict("cases.cannot_merge", number=case.number)
    if CaseState(into.state) not in OPEN_STATES or into.category_code != case.category_code:
        raise Conflict("cases.cannot_merge", number=into.number)
    for rep in list(case.reporters):
        into.reporters.append(
            CaseReporter(
                origin_case_id=rep.origin_case_id,
                name=rep.name,
                phone=rep.phone,
                account=rep.account,
            )
        )
    prev = case.state
    case.state, case.merged_into_id, case.suggested_merge_id = CaseState.MERGED.value, into.id, None
    for a in case.assignments:
        a.active = False
    add_event(
        session,
        case,
        kind=EventKind.MERGE,
        actor=principal.username,
        from_state=prev,
        to_state=CaseState.MERGED,
        into=into.number,
    )
    add_event(session, into, kind=EventKind.MERGE, actor=principal.username, merged=case.number)
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action="cases.merge",
        object_type="case",
        object_id=case.number,
        detail={"into": into.number},
    )
    session.flush()
    return into
