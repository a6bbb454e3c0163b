"""The demo share requests (scale 0.01 in the test world): a realistic mix, a few late."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.sharing.demo import FULL_REQUESTS
from mudan.domains.sharing.models import ShareGrant, ShareRequest
from mudan.domains.sharing.returnflow.models import CountyNode
from mudan.domains.sharing.workflow import deadlines
from tests.conftest import DEMO_SCALE


def test_demo_requests_mix(session: Session) -> None:
    rows = session.scalars(select(ShareRequest)).all()
    assert len(rows) == round(FULL_REQUESTS * DEMO_SCALE)
    states = Counter(r.status for r in rows)
    assert states["approved"] > len(rows) / 2 and states["rejected"] + states["needs_info"] > 0
    approved = states["approved"]
    grants = session.scalar(select(func.count()).select_from(ShareGrant))
    assert grants == approved
    assert all(r.events and r.events[0].kind == "submit" for r in rows)
    city = deadlines.on_time_rates(session)["city"][0]
    assert city.total > 0 and city.rate is not None and 80 <= city.rate <= 100
    assert session.scalar(select(func.count()).select_from(CountyNode)) == 9
