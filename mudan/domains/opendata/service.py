"""The portal's services: datasets for the public, access to 有条件开放 data, applications
(decided by the providing department), feedback and error reports (纠错 → correction ticket).

Keyword-only, take a session, never commit."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from mudan.core import audit
from mudan.core.db import utcnow
from mudan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from mudan.domains.catalog.enums import OpenType
from mudan.domains.opendata.enums import ApplicationStatus, DatasetState, FeedbackKind
from mudan.domains.opendata.errors import AuthorizationError, NotFoundError
from mudan.domains.opendata.models import OpenApplication, OpenDataset, OpenFeedback
from mudan.domains.opendata.scoring import compute_scores, qualification_rates
from mudan.domains.opendata.sync import refresh_data, sync_datasets
from mudan.kernel.identity import department_codes
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope

__all__ = [
    "applications_query",
    "apply",
    "check_data_access",
    "compute_scores",
    "count_view",
    "decide",
    "get_dataset",
    "list_applications",
    "qualification_rates",
    "refresh_data",
    "report",
    "sync_datasets",
]
MAX_TEXT = 2000


def active() -> ColumnElement[bool]:
    return OpenDataset.state == DatasetState.ACTIVE.value


def get_dataset(session: Session, *, name_or_id: str) -> OpenDataset:
    """An active dataset by CKAN name/id (case-insensitive); CKAN "Not Found Error" else."""
    key = name_or_id.strip().lower()
    ds = session.scalar(select(OpenDataset).where(OpenDataset.name == key, active()))
    if ds is None:
        raise NotFoundError("opendata.not_found", id=name_or_id[:100])
    return ds


def count_datasets(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OpenDataset).where(active())) or 0)


def has_approval(session: Session, *, dataset_id: int, principal: Principal) -> bool:
    if principal.user_id is None:
        return False
    found = session.scalar(
        select(OpenApplication.id).where(
            OpenApplication.dataset_id == dataset_id,
            OpenApplication.user_id == principal.user_id,
            OpenApplication.status == ApplicationStatus.APPROVED.value,
        )
    )
    return found is not None


def can_manage(session: Session, principal: Principal, ds: OpenDataset) -> bool:
    """The providing department's officers (and the bureau) decide about a dataset."""
    if not principal.can("opendata.manage"):
        return False
    if principal.can("lake.query_all"):
        return True
    return ds.department_code in department_codes(session, principal)


def can_read_data(session: Session, *, ds: OpenDataset, principal: Principal) -> bool:
    if ds.open_type == OpenType.UNCONDITIONAL.value:
        return True
    if can_manage(session, principal, ds):
        return True
    return principal.can("opendata.apply") and has_approval(
        session, dataset_id=ds.id, principal=principal
    )


def check_data_access(session: Session, *, ds: OpenDataset, principal: Principal) -> None:
    """有条件开放 data needs a registered user with an approved application."""
    if can_read_data(session, ds=ds, principal=principal):
        return
    code = "opendata.login_required" if principal.is_anonymous else "opendata.not_approved"
    raise AuthorizationError(code, name=ds.name)


def count_view(session: Session, *, ds: OpenDataset) -> None:
    ds.view_count = OpenDataset.view_count + 1
    session.flush()
    session.refresh(ds, ["view_count"])


def count_download(session: Session, *, ds: OpenDataset) -> None:
    ds.download_count = OpenDataset.download_count + 1
    session.flush()
    session.refresh(ds, ["download_count"])


def _text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput("opendata.text_required", what=what)
    if len(text) > MAX_TEXT:
        raise InvalidInput("opendata.text_too_long", what=what, max=MAX_TEXT)
    return text


def apply(
    session: Session, *, principal: Principal, ds: OpenDataset, purpose: str
) -> OpenApplication:
    if principal.user_id is None:
        raise Forbidden("opendata.login_required", name=ds.name)
    if not principal.can("opendata.apply"):
        raise Forbidden("auth.forbidden", permission="opendata.apply")
    if ds.open_type != OpenType.CONDITIONAL.value:
        raise InvalidInput("opendata.not_conditional", name=ds.name)
    live = session.scalar(
        select(OpenApplication).where(
            OpenApplication.dataset_id == ds.id,
            OpenApplication.user_id == principal.user_id,
            OpenApplication.status.in_(
                [ApplicationStatus.PENDING.value, ApplicationStatus.APPROVED.value]
            ),
        )
    )
    if live is not None:
        raise Conflict("opendata.already_applied", state=live.status)
    app = OpenApplication(
        dataset_id=ds.id,
        user_id=principal.user_id,
        username=principal.username,
        purpose=_text(purpose, "purpose"),
        status=ApplicationStatus.PENDING.value,
        reason="",
        created_at=utcnow(),
    )
    session.add(app)
    session.flush()
    _audit(session, principal, "apply", app, dataset=ds.name)
    return app


def decide(
    session: Session, *, principal: Principal, application_id: int, approve: bool, reason: str = ""
) -> OpenApplication:
    app = session.get(OpenApplication, application_id)
    if app is None:
        raise NotFound("opendata.application_not_found", id=application_id)
    ds = session.get(OpenDataset, app.dataset_id)
    if ds is None or not can_manage(session, principal, ds):
        raise Forbidden("opendata.not_provider")
    if app.status != ApplicationStatus.PENDING.value:
        raise Conflict("opendata.already_decided", state=app.status)
    if not approve and not reason.strip():
        raise InvalidInput("opendata.reason_required")
    app.status = (ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED).value
    app.reason = reason.strip()
    app.decided_by = principal.username
    app.decided_at = utcnow()
    session.flush()
    _audit(session, principal, "approve" if approve else "reject", app, dataset=ds.name)
    return app


def applications_query(
    session: Session, *, principal: Principal, status: str | None = None
) -> Select[OpenApplication, OpenDataset]:
    """Applications the principal decides (its departments' datasets; the bureau: all) or,
    for an applicant, its own."""
    stmt = select(OpenApplication, OpenDataset).join(
        OpenDataset, OpenDataset.id == OpenApplication.dataset_id
    )
    if status:
        stmt = stmt.where(OpenApplication.status == status)
    if principal.can("opendata.manage"):
        scope = Scope.of_departments(session, principal, every_with=("lake.query_all",))
        if not scope.whole_city:
            stmt = stmt.where(scope.where(department=OpenDataset.department_code))
    else:
        stmt = stmt.where(OpenApplication.user_id == (principal.user_id or -1))
    return stmt


def list_applications(
    session: Session, *, principal: Principal, status: str | None = None
) -> list[tuple[OpenApplication, OpenDataset]]:
    stmt = applications_query(session, principal=principal, status=status)
    rows = session.execute(stmt.order_by(OpenApplication.id.desc()).limit(500)).all()
    return [(a, d) for a, d in rows]


def report(
    session: Session,
    *,
    principal: Principal,
    ds: OpenDataset,
    kind: FeedbackKind,
    content: str,
    contact: str = "",
) -> OpenFeedback:
    """Feedback is recorded; an error report (纠错) also opens (or extends) a correction
    ticket for the providing department through the quality domain."""
    from mudan.domains.quality import service as quality
    from mudan.domains.quality.enums import TicketSource, TicketStatus

    fb = OpenFeedback(
        dataset_id=ds.id,
        kind=kind.value,
        content=_text(content, "content"),
        contact=contact.strip()[:100],
        username=principal.username,
        created_at=utcnow(),
    )
    session.add(fb)
    if kind == FeedbackKind.ERROR:
        line = f"公众纠错（{ds.title}）：{fb.content}"
        live = [
            t
            for t in quality.list_tickets(session, table_ref=ds.table_ref)
            if t.status != TicketStatus.CLOSED.value
        ]
        ticket = live[0] if live else None
        if ticket is not None:
            ticket.detail = f"{ticket.detail}\n{line}".strip()
        else:
            ticket = quality.open_ticket(
                session,
                table_ref=ds.table_ref,
                department_code=ds.department_code,
                title=f"开放数据纠错：{ds.title}",
                detail=line,
                source=TicketSource.PUBLIC,
            )
        session.flush()
        fb.ticket_id = ticket.id
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action=f"opendata.{kind.value}",
        object_type="opendata_dataset",
        object_id=ds.name,
        detail={"feedback": fb.id, "ticket": fb.ticket_id},
    )
    return fb


def _audit(
    session: Session, principal: Principal, action: str, app: OpenApplication, **detail: object
) -> None:
    audit.record(
        session,
        actor=principal.username,
        role=principal.primary_role,
        action=f"opendata.application.{action}",
        object_type="opendata_application",
        object_id=str(app.id),
        detail={"status": app.status, **detail},
    )
