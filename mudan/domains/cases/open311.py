"""Open311 GeoReport v2 (JSON) as a facade over the native loop.

GET routes are public and show no personal data. ``POST requests.json`` needs an ``api_key``:
a Mudan API token of an account holding ``cases.intake``, sent as ``Authorization: Bearer`` (or
as ``api_key`` in a JSON body); each client address and each api_key is rate-limited
(``ratelimit``). States map onto Open311's two: closed/merged/cancelled → closed, everything
else → open.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import as_utc
from mudan.core.deps import DbSession, public
from mudan.core.errors import InvalidInput, MudanError, NotFound, Unauthenticated
from mudan.domains.cases import service as cs
from mudan.domains.cases.enums import CaseState, Channel
from mudan.domains.cases.models import Case, CaseCategory
from mudan.domains.cases.ratelimit import client_keys, limiter_of
from mudan.kernel.deps import current_principal
from mudan.kernel.identity import principal_for_token
from mudan.kernel.models import Department

router = APIRouter(prefix="/open311/v2", tags=["open311"])
CLOSED = {CaseState.CLOSED.value, CaseState.MERGED.value, CaseState.CANCELLED.value}
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000


def _w3(value: datetime | None) -> str | None:
    if value is None:
        return None
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _service(c: CaseCategory) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": f"{c.group_name} · {c.name}",
        "metadata": False,
        "type": "realtime",
        "keywords": c.keywords,
        "group": c.group_name,
    }


def _request(c: Case, names: dict[str, str], agencies: dict[str, str]) -> dict[str, Any]:
    status = "closed" if c.state in CLOSED else "open"
    return {
        "service_request_id": c.number,
        "status": status,
        "status_notes": c.state,
        "service_name": names.get(c.category_code, c.category_code),
        "service_code": c.category_code,
        "description": c.description or c.title,
        "agency_responsible": agencies.get(c.department_code or "", ""),
        "service_notice": "",
        "requested_datetime": _w3(c.created_at),
        "updated_datetime": _w3(c.updated_at),
        "expected_datetime": _w3(c.due_at),
        "address": c.address,
        "address_id": "",
        "zipcode": "",
        "lat": c.lat,
        "long": c.lon,
        "media_url": "",
    }


def _lookups(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    names = {c: n for c, n in session.execute(select(CaseCategory.code, CaseCategory.name))}
    agencies = {c: n for c, n in session.execute(select(Department.code, Department.name))}
    return names, agencies


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput("cases.open311_bad_date", value=value[:40]) from exc
    return as_utc(parsed)


@router.get("/services.json")
@public
def open311_services(session: DbSession) -> list[dict[str, Any]]:
    return [_service(c) for c in cs.categories(session)]


@router.get("/services/{code}.json")
@public
def open311_service_definition(code: str, session: DbSession) -> dict[str, Any]:
    if session.get(CaseCategory, code) is None:
        raise NotFound("cases.unknown_category", code=code)
    return {"service_code": code, "attributes": []}


@router.get("/requests.json")
@public
def open311_requests(
    session: DbSession,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    stmt = select(Case)
    if service_request_id:
        stmt = stmt.where(Case.number.in_(service_request_id.split(",")[:MAX_RESULTS]))
    else:
        end = _date(end_date) or datetime.now(UTC)
        start = _date(start_date) or end - WINDOW
        stmt = stmt.where(Case.created_at >= start, Case.created_at <= end)
        if service_code:
            stmt = stmt.where(Case.category_code.in_(service_code.split(",")))
        wanted = set((status or "").split(",")) - {""}
        if wanted == {"open"}:
            stmt = stmt.where(Case.state.not_in(CLOSED))
        elif wanted == {"closed"}:
            stmt = stmt.where(Case.state.in_(CLOSED))
    names, agencies = _lookups(session)
    rows = session.scalars(stmt.order_by(Case.created_at.desc()).limit(MAX_RESULTS))
    return [_request(c, names, agencies) for c in rows]


@router.get("/requests/{request_id}.json")
@public
def open311_request(request_id: str, session: DbSession) -> list[dict[str, Any]]:
    case = session.scalar(select(Case).where(Case.number == request_id))
    if case is None:
        raise NotFound("cases.not_found", number=request_id)
    names, agencies = _lookups(session)
    return [_request(case, names, agencies)]


@router.post("/requests.json", status_code=201)
@public
async def open311_post(request: Request) -> list[dict[str, Any]]:
    principal = current_principal(request)
    body = await _body(request)
    from starlette.concurrency import run_in_threadpool

    bearer = request.headers.get("authorization", "").partition(" ")[2].strip()
    api_key = bearer or (body["api_key"] if isinstance(body.get("api_key"), str) else "")
    limiter = limiter_of(request)  # 429 + Retry-After when over; the buckets are in the database
    await run_in_threadpool(limiter.take, *client_keys(request, api_key))
    return await run_in_threadpool(_post, request, principal, body)


async def _body(request: Request) -> dict[str, Any]:
    """The request's fields, from a JSON object or a form; anything else is a 400."""
    ctype = request.headers.get("content-type", "")
    try:
        if not ctype.startswith("application/json"):
            return dict(await request.form())
        body = await request.json()
    except ValueError as exc:  # not JSON, or not UTF-8
        raise MudanError("cases.open311_bad_body", status=400) from exc
    if not isinstance(body, dict):  # empty body, a list, a string, a number…
        raise MudanError("cases.open311_bad_body", status=400)
    return body


def _post(request: Request, principal: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
    from mudan.core.db import transaction
    from mudan.core.deps import app_ctx

    with transaction(app_ctx(request).sessions) as session:
        if principal.is_anonymous and isinstance(body.get("api_key"), str):
            principal = principal_for_token(session, plain=body["api_key"])
        if principal.is_anonymous or not principal.can("cases.intake"):
            raise Unauthenticated("cases.open311_bad_api_key")

        def num(key: str) -> float | None:
            v = body.get(key)
            try:
                return float(v) if v not in (None, "") else None
            except (TypeError, ValueError) as exc:
                raise InvalidInput(
                    "cases.bad_point", lon=body.get("long"), lat=body.get("lat")
                ) from exc

        name = " ".join(str(body.get(k, "")) for k in ("last_name", "first_name")).strip()
        case = cs.intake(
            session,
            data=cs.IntakeIn(
                channel=Channel.OPEN311,
                category_code=str(body.get("service_code", "")),
                title=str(body.get("description", ""))[:60] or str(body.get("service_code", "")),
                description=str(body.get("description", "")),
                lon=num("long"),
                lat=num("lat"),
                address=str(body.get("address_string", "")),
                reporter_name=name,
                reporter_phone=str(body.get("phone", "")),
                reporter_account=str(body.get("account_id", "") or body.get("email", "")),
                idempotency_key=request.headers.get("idempotency-key") or None,
            ),
            actor=principal.username,
        )
        return [{"service_request_id": case.number, "service_notice": "", "account_id": None}]
