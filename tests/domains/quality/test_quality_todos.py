"""Correction tickets on the workbench: an officer counts its department's live tickets, the
bureau every department's — what the ticket list gives each of them — and how many are late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from mudan.domains.quality import service as qs
from mudan.domains.quality.enums import TicketStatus
from tests.workbench import bearer, todos_of

LIVE = {"open", "fixing", "overdue"}


def test_ticket_todos_match_the_ticket_list(client: TestClient, session: Session) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=60)
    qs.open_ticket(session, table_ref="d371700002.people", department_code="371700002", title="a")
    qs.open_ticket(
        session, table_ref="d371700002.cars", department_code="371700002", title="b", now=long_ago
    )
    done = qs.open_ticket(
        session, table_ref="d371700002.old", department_code="371700002", title="c"
    )
    qs.transition(session, ticket_id=done.id, to=TicketStatus.CLOSED)
    qs.open_ticket(session, table_ref="d371700004.air", department_code="371700004", title="d")
    session.commit()
    for user, count in (("gaj", 2), ("dsj", 3)):
        todo = todos_of(client, user)["quality.tickets"]
        h = bearer(client, user)
        listed = [t for t in client.get("/api/v1/quality/tickets", headers=h).json()]
        assert todo["count"] == sum(t["status"] in LIVE for t in listed) == count
        assert todo["overdue"] == 1 and todo["severity"] == "danger"  # b is past its deadline
        page = client.get(todo["href"], headers=h).text
        assert page.count("<tr><td>") == count  # the link lists exactly the live tickets
    assert "quality.tickets" not in todos_of(client, "kaohe")  # reads tickets, corrects none
