"""The quality tests count quarantine rows, tickets and scores exactly, so they start from a
world where the demo's own loads (which plant faults) have not left any."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from mudan.domains.quality.models import CorrectionTicket, QualityScore, QuarantineRow


@pytest.fixture(autouse=True)
def _no_demo_quality_results(session: Session) -> None:
    for model in (QuarantineRow, CorrectionTicket, QualityScore):
        session.execute(delete(model))
    session.commit()
