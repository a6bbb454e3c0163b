"""The in-app notification inbox (站内通知) of one user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.errors import NotFound
from mudan.domains.emergency.models import Delivery, InboxMessage


def messages(session: Session, *, user_id: int, unread_only: bool = False) -> list[InboxMessage]:
    q = select(InboxMessage).where(InboxMessage.user_id == user_id)
    if unread_only:
        q = q.where(InboxMessage.read_at.is_(None))
    return list(session.scalars(q.order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())))


def unread_count(session: Session, *, user_id: int) -> int:
    q = select(func.count()).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    return session.scalar(q) or 0


def mark_read(
    session: Session, *, user_id: int, message_id: int | None = None, now: datetime | None = None
) -> int:
    """Mark one message (or, without ``message_id``, all) of this user as read."""
    q = update(InboxMessage).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    if message_id is not None:
        if (
            session.scalar(
                select(InboxMessage.id).where(
                    InboxMessage.id == message_id, InboxMessage.user_id == user_id
                )
            )
            is None
        ):
            raise NotFound("emergency.message_not_found", id=message_id)
        q = q.where(InboxMessage.id == message_id)
    result = session.execute(q.values(read_at=now or utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def deliveries_of(session: Session, *, incident_id: int) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery).where(Delivery.incident_id == incident_id).order_by(Delivery.id)
        )
    )
