"""Cases API under /api/v1/cases: intake, board, one case with its timeline, the loop, 督办."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Header, Query, Request, UploadFile
from fastapi.responses import Response

from mudan.core.deps import DbSession, app_ctx
from mudan.core.errors import InvalidInput
from mudan.core.params import MAX_ID, Id
from mudan.domains.cases import assess
from mudan.domains.cases import service as cs
from mudan.domains.cases.access import case_scope
from mudan.domains.cases.photofiles import photo_path
from mudan.domains.cases.present import case_out, detail_out
from mudan.domains.cases.schemas import (
    ActionIn,
    AssessmentOut,
    BoardOut,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CategoryOut,
    DecisionIn,
    EscalationOut,
    ExtensionIn,
    MergeIn,
    NoteIn,
    VisitIn,
)
from mudan.kernel.deps import CurrentPrincipal, require

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
READ, INTAKE = require("cases.read"), require("cases.intake")
SUPERVISE, DISPATCH = require("cases.supervise"), require("cases.dispatch")
QUEUES = ("all", "manual", "overdue", "due_soon", "closed")


@router.get("/categories", response_model=list[CategoryOut], dependencies=[READ])
def list_categories(session: DbSession) -> list[CategoryOut]:
    return [CategoryOut.model_validate(c, from_attributes=True) for c in cs.categories(session)]


@router.post("", status_code=201, response_model=CaseOut, dependencies=[INTAKE])
def create_case(
    body: CaseIn,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> CaseOut:
    data = cs.IntakeIn(
        **body.model_dump(exclude={"idempotency_key"}),
        reporter_account=principal.username,
        idempotency_key=idempotency_key or body.idempotency_key,
    )
    case = cs.intake(session, data=data, actor=principal.username)
    return case_out(session, case, principal)


@router.get("", response_model=BoardOut, dependencies=[READ])
def list_cases(
    session: DbSession,
    principal: CurrentPrincipal,
    queue: str = "all",
    department: str | None = None,
    district: str | None = None,
    category: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> BoardOut:
    if queue not in QUEUES:
        raise InvalidInput("cases.bad_queue", queue=queue)
    filt = cs.BoardFilter(
        queue=queue,
        department_code=department,
        district_code=district,
        category_code=category,
        limit=limit,
        offset=offset,
    )
    rows, total = cs.board(session, principal=principal, filt=filt)
    return BoardOut(total=total, items=[case_out(session, c, principal) for c in rows])


@router.get("/assessment", response_model=list[AssessmentOut], dependencies=[READ])
def assessment(
    session: DbSession, principal: CurrentPrincipal, by: str = "department"
) -> list[AssessmentOut]:
    """Assessment over the cases the caller sees on the board (region subtree, departments)."""
    if by not in ("department", "district"):
        raise InvalidInput("cases.bad_queue", queue=by)
    scope = case_scope(session, principal)
    return [AssessmentOut(**vars(r)) for r in assess.assessment(session, scope=scope, by=by)]


@router.post("/supervise", response_model=list[EscalationOut], dependencies=[SUPERVISE])
def run_supervise(session: DbSession) -> list[EscalationOut]:
    return [EscalationOut(**vars(e)) for e in cs.supervise(session)]


@router.get("/{number}", response_model=CaseDetailOut, dependencies=[READ])
def case_detail(number: str, session: DbSession, principal: CurrentPrincipal) -> CaseDetailOut:
    case = cs.get_case(session, number=number, principal=principal)
    return detail_out(session, case, principal, cs.timeline(session, case=case))


@router.post("/{number}/actions", response_model=CaseOut, dependencies=[READ])
def case_action(
    number: str, body: ActionIn, session: DbSession, principal: CurrentPrincipal
) -> CaseOut:
    case = cs.get_case(session, number=number, principal=principal)
    data = cs.ActIn(
        action=body.action,
        note=body.note,
        department_code=body.department_code,
        assist_codes=body.assist_codes,
        mediation=body.mediation,
    )
    return case_out(session, cs.act(session, case=case, data=data, principal=principal), principal)


@router.post("/{number}/extension", response_model=CaseOut, dependencies=[READ])
def case_extension(
    number: str, body: ExtensionIn, session: DbSession, principal: CurrentPrincipal
) -> CaseOut:
    case = cs.get_case(session, number=number, principal=principal)
    cs.request_extension(
        session, case=case, hours=body.hours, reason=body.reason, principal=principal
    )
    return case_out(session, case, principal)


@router.post("/{number}/extension/decision", response_model=CaseOut, dependencies=[SUPERVISE])
def case_extension_decision(
    number: str, body: DecisionIn, session: DbSession, principal: CurrentPrincipal
) -> CaseOut:
    case = cs.get_case(session, number=number, principal=principal)
    cs.decide_extension(
        session, case=case, approve=body.approve, note=body.note, principal=principal
    )
    return case_out(session, case, principal)


@router.post("/{number}/notes", response_model=CaseOut, dependencies=[READ])
def case_note(
    number: str, body: NoteIn, session: DbSession, principal: CurrentPrincipal
) -> CaseOut:
    case = cs.get_case(session, number=number, principal=principal)
    cs.assist_note(session, case=case, note=body.note, principal=principal)
    return case_out(session, case, principal)


@router.post("/{number}/visit", response_model=CaseOut, dependencies=[INTAKE])
def case_visit(
    number: str, body: VisitIn, session: DbSession, principal: CurrentPrincipal
) -> CaseOut:
    case = cs.get_case(session, number=number, principal=principal)
    cs.visit_case(
        session, case=case, satisfaction=body.satisfaction, note=body.note, principal=principal
    )
    return case_out(session, case, principal)


@router.post("/{number}/merge", response_model=CaseOut, dependencies=[DISPATCH])
def case_merge(
    number: str, body: MergeIn, session: DbSession, principal: CurrentPrincipal
) -> CaseOut:
    case = cs.get_case(session, number=number, principal=principal)
    into = cs.get_case(session, number=body.into, principal=principal)
    return case_out(
        session, cs.merge(session, case=case, into=into, principal=principal), principal
    )


@router.post("/{number}/photos", status_code=201, dependencies=[READ])
def case_photo(
    number: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File()],
) -> dict[str, object]:
    data = file.file.read(cs.MAX_PHOTO_BYTES + 1)
    case = cs.get_case(session, number=number, principal=principal)
    photo = cs.store_photo(
        session,
        case=case,
        data=data,
        principal=principal,
        var_dir=app_ctx(request).settings.var_dir,
    )
    return {"id": photo.id, "size": photo.size, "content_type": photo.content_type}


@router.get("/{number}/photos/{photo_id}", dependencies=[READ])
def case_photo_file(
    number: str, photo_id: Id, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    case = cs.get_case(session, number=number, principal=principal)
    photo = cs.get_photo(session, case=case, photo_id=photo_id)
    path = photo_path(app_ctx(request).settings.var_dir, photo)
    return Response(path.read_bytes(), media_type=photo.content_type)


@router.get("/map/open", dependencies=[READ])
def open_cases_map(session: DbSession, principal: CurrentPrincipal) -> dict[str, object]:
    """The one-map's point layer of the open events the caller sees (column-oriented)."""
    pts = assess.open_points(session, principal)
    return {"ids": pts.ids, "lons": pts.lons, "lats": pts.lats, "labels": pts.labels}
