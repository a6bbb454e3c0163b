"""What raising the response level sets in motion: notify the plan's role holders of the new
level (in-app always, plus each holder's SMS/voice channels through the provider slot), start
that level's report deadlines (信息报送) and open the roles' checklists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.i18n import t
from mudan.domains.emergency import notify
from mudan.domains.emergency.enums import ROMAN, DeliveryStatus
from mudan.domains.emergency.models import (
    ChecklistItem,
    Delivery,
    InboxMessage,
    Incident,
    Plan,
    Report,
)
from mudan.domains.emergency.plans import level_of, roles_at


@dataclass(frozen=True)
class Activation:
    deliveries: list[Delivery]
    reports: list[Report]
    checklist: list[ChecklistItem]


def activate(
    session: Session, *, incident: Incident, plan: Plan | None, at: datetime
) -> Activation:
    level = incident.level
    assert level is not None
    if plan is None:
        return Activation([], [], [])
    return Activation(
        deliveries=_notify(session, incident, plan, level, at),
        reports=_start_reports(session, incident, plan, level, at),
        checklist=_open_checklists(session, incident, plan, level),
    )


def _message(incident: Incident, plan: Plan, role_name: str, level: int) -> notify.Message:
    params = {
        "number": incident.number,
        "title": incident.title,
        "level": ROMAN[level],
        "plan": plan.name,
        "role": role_name,
        "place": incident.location_text or f"{incident.lon:.4f},{incident.lat:.4f}",
    }
    return notify.Message(
        title=t("emergency.msg_title", **params),
        body=t("emergency.msg_body", **params),
        incident_number=incident.number,
    )


def _notify(
    session: Session, incident: Incident, plan: Plan, level: int, at: datetime
) -> list[Delivery]:
    out: list[Delivery] = []
    for role in roles_at(plan, level):
        message = _message(incident, plan, role.name, level)
        for holder in role.holders:
            who = notify.Recipient(name=holder.name, user_id=holder.user_id, phone=holder.phone)
            results: list[tuple[str, notify.DeliveryResult]] = []
            if holder.user_id is not None:
                session.add(
                    InboxMessage(
                        user_id=holder.user_id,
                        incident_id=incident.id,
                        title=message.title,
                        body=message.body,
                        created_at=at,
                    )
                )
                ok = notify.DeliveryResult(DeliveryStatus.DELIVERED, notify.IN_APP)
                results.append((notify.IN_APP, ok))
            channels = holder.channels or ([] if holder.user_id is not None else ["sms"])
            for channel in channels:
                results.append((channel, notify.deliver(channel, who, message)))
            for channel, res in results:
                row = Delivery(
                    incident_id=incident.id,
                    holder_id=holder.id,
                    user_id=holder.user_id,
                    recipient=holder.name,
                    channel=channel,
                    provider=res.provider,
                    status=res.status.value,
                    detail=res.detail,
                    level=level,
                    at=at,
                )
                session.add(row)
                out.append(row)
    session.flush()
    return out


def _start_reports(
    session: Session, incident: Incident, plan: Plan, level: int, at: datetime
) -> list[Report]:
    spec = level_of(plan, level)
    rows = [
        Report(
            incident_id=incident.id,
            level=level,
            title=str(rule["title"]),
            due_at=at + timedelta(minutes=int(rule["minutes"])),
        )
        for rule in (spec.reports if spec else [])
    ]
    session.add_all(rows)
    session.flush()
    return rows


def _open_checklists(
    session: Session, incident: Incident, plan: Plan, level: int
) -> list[ChecklistItem]:
    have = set(
        tuple(r)
        for r in session.execute(
            select(ChecklistItem.role_id, ChecklistItem.item).where(
                ChecklistItem.incident_id == incident.id, ChecklistItem.level == level
            )
        ).all()
    )
    rows = [
        ChecklistItem(incident_id=incident.id, role_id=role.id, level=level, item=item)
        for role in roles_at(plan, level)
        for item in role.checklists[str(level)]
        if (role.id, item) not in have
    ]
    session.add_all(rows)
    session.flush()
    return rows
