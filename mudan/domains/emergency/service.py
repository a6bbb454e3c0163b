"""The emergency domain's public service (other domains import only this module).

Re-exports the building blocks (plans, resources, duty, incidents, reports, inbox, review,
nearby resources, the notification slot) and adds the hand-off from the operations centre:
``open_from_alert`` opens an incident from an alert, idempotently by the alert reference.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.errors import InvalidInput
from mudan.domains.emergency.duty import assign as assign_duty
from mudan.domains.emergency.duty import on_duty, roster, shift_window
from mudan.domains.emergency.edits import (
    get_duty,
    remove_duty,
    update_duty,
    update_plan,
    update_resource,
)
from mudan.domains.emergency.enums import EventType
from mudan.domains.emergency.inbox import deliveries_of, mark_read, messages, unread_count
from mudan.domains.emergency.incidents import (
    LevelChange,
    add_action,
    change_level,
    close_incident,
    get_incident,
    list_incidents,
    open_incident,
    plan_of,
    timeline,
)
from mudan.domains.emergency.models import Incident
from mudan.domains.emergency.nearby import Nearby, nearest
from mudan.domains.emergency.notify import (
    DeliveryResult,
    Message,
    NotificationProvider,
    Recipient,
    register_provider,
)
from mudan.domains.emergency.plans import (
    create_plan,
    create_resource,
    get_plan,
    get_resource,
    list_plans,
    list_resources,
    roles_at,
)
from mudan.domains.emergency.reports import (
    checklist_of,
    complete_item,
    mark_overdue,
    reports_of,
    status_of,
    submit_report,
)
from mudan.domains.emergency.review import get_review, save_review
from mudan.domains.emergency.schemas import IncidentIn
from mudan.domains.emergency.scope import (
    SummaryRow,
    incident_scope,
    resource_scope,
    resource_summary,
)
from mudan.domains.emergency.where import Actor
from mudan.hooks import TaskRequest
from mudan.kernel.locator import locator_of

__all__ = [
    "DeliveryResult",
    "LevelChange",
    "Message",
    "Nearby",
    "NotificationProvider",
    "Recipient",
    "SummaryRow",
    "add_action",
    "assign_duty",
    "change_level",
    "checklist_of",
    "close_incident",
    "complete_item",
    "create_plan",
    "create_resource",
    "deliveries_of",
    "get_duty",
    "get_incident",
    "get_plan",
    "get_resource",
    "get_review",
    "incident_scope",
    "list_incidents",
    "list_plans",
    "list_resources",
    "locator_of",
    "mark_overdue",
    "mark_read",
    "messages",
    "nearest",
    "on_duty",
    "open_from_alert",
    "open_incident",
    "plan_of",
    "register_provider",
    "remove_duty",
    "reports_of",
    "resource_scope",
    "resource_summary",
    "roles_at",
    "roster",
    "save_review",
    "shift_window",
    "status_of",
    "submit_report",
    "timeline",
    "unread_count",
    "update_duty",
    "update_plan",
    "update_resource",
]


def open_from_alert(
    session: Session,
    *,
    task: TaskRequest,
    actor: Actor,
    event_type: EventType | None = None,
    level: int | None = None,
    now: datetime | None = None,
) -> tuple[Incident, bool]:
    """Open an incident from an operations-centre alert handed over as a ``TaskRequest``
    (``object_ref`` or ``idempotency_key`` names the alert). Returns (incident, created):
    handing the same alert over twice gives the incident opened the first time."""
    ref = task.idempotency_key or task.object_ref
    if not ref:
        raise InvalidInput("emergency.alert_ref_missing")
    if task.lon is None or task.lat is None:
        raise InvalidInput("emergency.location_missing")
    found = session.scalar(
        select(Incident).where(Incident.source == "alert", Incident.source_ref == ref)
    )
    if found is not None:
        return found, False
    kind = event_type
    if kind is None:
        kind = (
            EventType(task.category_code)
            if task.category_code in set(EventType)
            else EventType.OTHER
        )
    data = IncidentIn(
        title=task.title,
        event_type=kind,
        lon=task.lon,
        lat=task.lat,
        description=task.description,
        level=level,
    )
    change = open_incident(
        session,
        data=data,
        actor=actor,
        locator=locator_of(session),
        now=now,
        source="alert",
        source_ref=ref,
    )
    return change.incident, True
