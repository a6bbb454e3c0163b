"""The demo world's cases: categories, role users, a realistic mix, 督办 already applied."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.domains.cases.assess import INDICATORS, open_points
from mudan.domains.cases.categories import SEEDS
from mudan.domains.cases.enums import OPEN_STATES
from mudan.domains.cases.models import Case, CaseCategory
from mudan.kernel.enums import Role
from mudan.kernel.models import User
from mudan.kernel.rbac import Principal

ADMIN = Principal(
    user_id=None, username="t", display_name="t", roles=frozenset({Role.ADMIN}),
    scope_paths=("3717",),
)  # fmt: skip


def test_demo_cases(session: Session) -> None:
    assert session.scalar(select(func.count()).select_from(CaseCategory)) == len(SEEDS)
    users = set(session.scalars(select(User.username)))
    assert {"hotline", "paidan", "chuzhi", "chengguan"} <= users
    cases = session.scalars(select(Case)).all()
    assert len(cases) >= 30
    states = {c.state for c in cases}
    assert "closed" in states and states & {s.value for s in OPEN_STATES}
    assert any(c.satisfaction for c in cases if c.state == "closed")
    now = datetime.now(UTC)
    active = [c for c in cases if c.state in OPEN_STATES and c.state != "parked"]
    # The demo ran 督办: every active case past its limit sits at district level or above.
    for c in active:
        if as_utc(c.due_at) <= now:
            assert c.escalation_rung in ("district", "city"), c.number
    points = open_points(session, ADMIN)
    assert len(points.ids) == len(points.lons) == len([c for c in cases if c.state in OPEN_STATES])
    rates = {spec.code: spec.compute(session, now.date()) for spec in INDICATORS if spec.compute}
    city = rates["cases.ontime_rate"][0]
    assert city.region_code == "3717" and city.denominator == sum(
        1 for c in cases if c.state == "closed"
    )
