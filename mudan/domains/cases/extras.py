"""Besides the loop: 延期 (extension with approval), 协办 notes, 回访 and photos."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.errors import Conflict, Forbidden, InvalidInput, TooLarge
from mudan.domains.cases import photofiles
from mudan.domains.cases.access import check_assigned
from mudan.domains.cases.deadlines import extend
from mudan.domains.cases.enums import CaseState, EventKind, ExtensionStatus
from mudan.domains.cases.models import Case, CasePhoto
from mudan.domains.cases.workflow import add_event
from mudan.kernel.calendar import load_calendar
from mudan.kernel.rbac import Principal

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 9
MAX_EXTENSION_HOURS = 7.5 * 20  # 20 working days
_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


def _audit(session: Session, who: Principal, action: str, case: Case, **detail: object) -> None:
    audit.record(
        session,
        actor=who.username,
        role=who.primary_role,
        action=action,
        object_type="case",
        object_id=case.number,
        detail=dict(detail),
    )


def request_extension(
    session: Session, *, case: Case, hours: float, reason: str, principal: Principal
) -> Case:
    if case.state not in (CaseState.DISPATCHED, CaseState.HANDLING):
        raise Conflict("cases.extension_state", state=case.state)
    check_assigned(session, principal, case, lead=True)
    if not 0 < hours <= MAX_EXTENSION_HOURS:
        raise InvalidInput("cases.bad_extension", max=MAX_EXTENSION_HOURS)
    if not reason.strip():
        raise InvalidInput("cases.reason_required", action="extend")
    if case.extension_status == ExtensionStatus.PENDING:
        raise Conflict("cases.extension_pending", number=case.number)
    case.extension_status, case.extension_hours = ExtensionStatus.PENDING.value, hours
    case.extension_reason = reason.strip()[:200]
    add_event(
        session,
        case,
        kind=EventKind.EXTENSION_REQUESTED,
        actor=principal.username,
        note=reason,
        hours=hours,
    )
    _audit(session, principal, "cases.extension_request", case, hours=hours)
    session.flush()
    return case


def decide_extension(
    session: Session, *, case: Case, approve: bool, note: str, principal: Principal
) -> Case:
    if not principal.can("cases.supervise"):
        raise Forbidden("auth.forbidden", permission="cases.supervise")
    if case.extension_status != ExtensionStatus.PENDING or case.extension_hours is None:
        raise Conflict("cases.no_pending_extension", number=case.number)
    old_due = case.due_at
    if approve:
        limits = extend(load_calendar(session), case.created_at, case.due_at, case.extension_hours)
        case.due_at, case.warn_at = limits.due_at, limits.warn_at
        case.due_provisional = case.due_provisional or limits.provisional
    case.extension_status = (
        ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    ).value
    add_event(
        session,
        case,
        kind=EventKind.EXTENSION_DECIDED,
        actor=principal.username,
        note=note,
        approved=approve,
        old_due=old_due.isoformat(),
        new_due=case.due_at.isoformat(),
    )
    _audit(session, principal, "cases.extension_decide", case, approved=approve)
    session.flush()
    return case


def assist_note(session: Session, *, case: Case, note: str, principal: Principal) -> Case:
    """A 协办 department's feedback (or the lead's) on the timeline."""
    check_assigned(session, principal, case, lead=False)
    if not note.strip():
        raise InvalidInput("cases.note_required")
    add_event(session, case, kind=EventKind.ASSIST_NOTE, actor=principal.username, note=note)
    session.flush()
    return case


def visit(
    session: Session, *, case: Case, satisfaction: int, note: str, principal: Principal
) -> Case:
    """回访: the reporter's satisfaction (1–5) with a closed case."""
    if case.state != CaseState.CLOSED:
        raise Conflict("cases.visit_state", state=case.state)
    if not 1 <= satisfaction <= 5:
        raise InvalidInput("cases.bad_satisfaction")
    case.satisfaction = satisfaction
    add_event(
        session,
        case,
        kind=EventKind.VISIT,
        actor=principal.username,
        note=note,
        satisfaction=satisfaction,
    )
    _audit(session, principal, "cases.visit", case, satisfaction=satisfaction)
    session.flush()
    return case


def add_photo(
    session: Session,
    *,
    case: Case,
    data: bytes,
    var_dir: Path,
    principal: Principal,
    stage: str,
    now: datetime | None = None,
) -> CasePhoto:
    """Store a checked image under ``var_dir/cases/<number>/``; size and count are capped.
    The file appears under its final name only when the caller's transaction commits."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_PHOTO_BYTES:
        raise TooLarge("cases.photo_too_large", max_mb=MAX_PHOTO_BYTES // (1024 * 1024))
    count = session.scalar(select(func.count()).where(CasePhoto.case_id == case.id)) or 0
    if count >= MAX_PHOTOS:
        raise InvalidInput("cases.too_many_photos", max=MAX_PHOTOS)
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
            fmt = img.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidInput("cases.bad_photo") from exc
    if fmt not in _FORMATS:
        raise InvalidInput("cases.bad_photo")
    content_type, ext = _FORMATS[fmt]
    rel = Path("cases") / case.number / f"{uuid.uuid4().hex}.{ext}"
    part = photofiles.write_part(var_dir / rel, data)
    photo = CasePhoto(
        case_id=case.id,
        path=rel.as_posix(),
        content_type=content_type,
        size=len(data),
        stage=stage,
        uploaded_by=principal.username,
        uploaded_at=now or utcnow(),
    )
    session.add(photo)
    photofiles.stage(session, photo, part, var_dir / rel)  # in place once the row commits
    add_event(
        session, case, kind=EventKind.PHOTO, actor=principal.username, stage=stage, size=len(data)
    )
    session.flush()
    return photo
