"""Staff pages and API: applications for 有条件开放 data (decided by the provider) and
开放合格率 per department and for the city."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from mudan.core.deps import DbSession
from mudan.core.params import Id
from mudan.domains.opendata import service
from mudan.domains.opendata.pages import FormData
from mudan.domains.opendata.scoring import POINTS, TARGET, Rate
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.web.render import render

router = APIRouter()


class RateOut(BaseModel):
    code: str
    name: str
    datasets: int
    qualified: int
    rate: float | None
    meets_target: bool


class RatesOut(BaseModel):
    target: float
    checks: dict[str, int]
    city: RateOut
    departments: list[RateOut]


def _rate(r: Rate) -> RateOut:
    return RateOut(
        code=r.code,
        name=r.name,
        datasets=r.datasets,
        qualified=r.qualified,
        rate=r.rate,
        meets_target=r.meets_target,
    )


@router.get(
    "/api/v1/opendata/qualification",
    response_model=RatesOut,
    dependencies=[require("opendata.manage")],
    tags=["opendata"],
)
def qualification_api(session: DbSession) -> RatesOut:
    """开放合格率 (open-data qualification rate) per department and for the city."""
    city, depts = service.qualification_rates(session)
    return RatesOut(
        target=TARGET, checks=POINTS, city=_rate(city), departments=[_rate(d) for d in depts]
    )


@router.get(
    "/open/qualification", include_in_schema=False, dependencies=[require("opendata.manage")]
)
def qualification_page(request: Request, session: DbSession) -> Response:
    from sqlalchemy import select

    from mudan.domains.opendata.models import OpenDataset

    city, depts = service.qualification_rates(session)
    failing = list(
        session.scalars(
            select(OpenDataset)
            .where(service.active(), OpenDataset.qualified.is_(False))
            .order_by(OpenDataset.score, OpenDataset.name)
            .limit(200)
        )
    )
    return render(
        request,
        "opendata/qualification.html",
        {"city": city, "depts": depts, "target": TARGET, "points": POINTS, "failing": failing},
    )


@router.get(
    "/open/applications", include_in_schema=False, dependencies=[require("opendata.manage")]
)
def applications_page(
    request: Request, session: DbSession, principal: CurrentPrincipal, status: str = "pending"
) -> Response:
    rows = service.list_applications(session, principal=principal, status=status or None)
    return render(request, "opendata/applications.html", {"rows": rows, "status": status})


@router.post(
    "/open/applications/{application_id}/decide",
    include_in_schema=False,
    dependencies=[require("opendata.manage")],
)
def applications_decide(
    application_id: Id, session: DbSession, principal: CurrentPrincipal, form: FormData
) -> Response:
    service.decide(
        session,
        principal=principal,
        application_id=application_id,
        approve=form.get("decision") == "approve",
        reason=form.get("reason", ""),
    )
    return RedirectResponse("/open/applications", status_code=303)


class ApplyIn(BaseModel):
    purpose: str


class DecisionIn(BaseModel):
    approve: bool
    reason: str = ""


class ApplicationOut(BaseModel):
    id: int
    dataset: str
    username: str
    purpose: str
    status: str
    reason: str
    decided_by: str | None


@router.post(
    "/api/v1/opendata/datasets/{name}/applications",
    response_model=ApplicationOut,
    status_code=201,
    dependencies=[require("opendata.apply")],
    tags=["opendata"],
)
def application_create(
    name: str, body: ApplyIn, session: DbSession, principal: CurrentPrincipal
) -> ApplicationOut:
    """Apply to use a 有条件开放 dataset (registered users)."""
    ds = service.get_dataset(session, name_or_id=name)
    app = service.apply(session, principal=principal, ds=ds, purpose=body.purpose)
    return ApplicationOut(
        id=app.id,
        dataset=ds.name,
        username=app.username,
        purpose=app.purpose,
        status=app.status,
        reason=app.reason,
        decided_by=app.decided_by,
    )


@router.post(
    "/api/v1/opendata/applications/{application_id}/decision",
    response_model=ApplicationOut,
    dependencies=[require("opendata.manage")],
    tags=["opendata"],
)
def application_decide(
    application_id: Id, body: DecisionIn, session: DbSession, principal: CurrentPrincipal
) -> ApplicationOut:
    """Approve or reject (with a reason) an application; the providing department only."""
    app = service.decide(
        session,
        principal=principal,
        application_id=application_id,
        approve=body.approve,
        reason=body.reason,
    )
    return ApplicationOut(
        id=app.id,
        dataset=str(app.dataset_id),
        username=app.username,
        purpose=app.purpose,
        status=app.status,
        reason=app.reason,
        decided_by=app.decided_by,
    )
