"""Forms to create and edit plans (预案), resources and the duty roster (值班).

Viewing needs ``emergency.read`` (the list pages in ``pages``); every form here needs
``emergency.command``. A rejected form comes back filled in, with the reason in the user's
language. This router is mounted before ``pages`` so ``/emergency/plans/new`` is not taken
for a plan id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.deps import DbSession, locale_of
from mudan.core.errors import MudanError
from mudan.core.params import Id
from mudan.domains.emergency import forms
from mudan.domains.emergency import service as es
from mudan.domains.emergency.enums import LEVELS, ROMAN, DutyPost, EventType, ResourceKind, Shift
from mudan.domains.emergency.schemas import DutyIn, PlanIn, ResourceIn
from mudan.kernel.deps import require
from mudan.kernel.models import Department, User
from mudan.kernel.rbac import Principal
from mudan.web.formerrors import describe
from mudan.web.render import render

router = APIRouter(include_in_schema=False)
COMMAND = require("emergency.command")
M = TypeVar("M", bound=BaseModel)


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


def _choices(session: Session) -> dict[str, Any]:
    depts = session.execute(select(Department.code, Department.name).order_by(Department.code))
    return {
        "roman": ROMAN,
        "levels": LEVELS,
        "event_types": list(EventType),
        "kinds": list(ResourceKind),
        "shifts": list(Shift),
        "posts": list(DutyPost),
        "departments": [(c, n) for c, n in depts],
    }


def _save(
    request: Request,
    session: Session,
    make: Callable[[], M],
    store: Callable[[M], Response],
    again: Callable[[str], Response],
) -> Response:
    """Validate, store in a savepoint; on bad input the form again with the reason."""
    try:
        data = make()
        with session.begin_nested():
            return store(data)
    except ValidationError as exc:
        return again(describe(exc, locale_of(request), "emergency.field."))
    except MudanError as exc:
        if exc.status == 403:
            raise
        return again(exc.message(locale_of(request)))


# --- plans ------------------------------------------------------------------------------------


def _plan_page(
    request: Request,
    session: Session,
    form: dict[str, str],
    roles: list[forms.RoleRow],
    plan_id: int | None = None,
    error: str = "",
) -> Response:
    ctx = {
        **_choices(session),
        "f": form,
        "roles": roles or [{"check": {}}],
        "plan_id": plan_id,
        "error": error,
    }
    return render(request, "emergency/plan_edit.html", ctx, 422 if error else 200)


@router.get("/emergency/plans/new", dependencies=[COMMAND])
def plan_new_page(request: Request, session: DbSession) -> Response:
    return _plan_page(request, session, {"level-4-on": "on"}, [])


@router.get("/emergency/plans/_role_row", dependencies=[COMMAND])
def plan_role_row(request: Request, i: int = 0) -> Response:
    ctx = {"i": i, "r": {"check": {}}, "levels": LEVELS, "roman": ROMAN}
    return render(request, "emergency/_role_row.html", ctx)


@router.get("/emergency/plans/{plan_id}/edit", dependencies=[COMMAND])
def plan_edit_page(plan_id: Id, request: Request, session: DbSession) -> Response:
    plan = es.get_plan(session, plan_id=plan_id)
    ids = {h.user_id for r in plan.roles for h in r.holders if h.user_id}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    names = {uid: name for uid, name in rows}
    form, roles = forms.plan_form(plan, names)
    return _plan_page(request, session, form, roles, plan_id)


@router.post("/emergency/plans/new")
@router.post("/emergency/plans/{plan_id}/edit")
def plan_save(
    request: Request,
    session: DbSession,
    form: FormData,
    plan_id: int | None = None,
    who: Principal = COMMAND,
) -> Response:

    def store(data: PlanIn) -> Response:
        plan = (
            es.update_plan(session, plan_id=plan_id, data=data, actor=who)
            if plan_id is not None
            else es.create_plan(session, data=data, actor=who)
        )
        return RedirectResponse(f"/emergency/plans/{plan.id}", status_code=303)

    def again(error: str) -> Response:
        return _plan_page(request, session, form, forms.role_rows(form), plan_id, error)

    return _save(
        request, session, lambda: PlanIn.model_validate(forms.plan_input(form)), store, again
    )


# --- resources --------------------------------------------------------------------------------


def _resource_page(
    request: Request, session: Session, form: dict[str, str], rid: int | None, error: str = ""
) -> Response:
    ctx = {**_choices(session), "f": form, "resource_id": rid, "error": error}
    return render(request, "emergency/resource_edit.html", ctx, 422 if error else 200)


@router.get("/emergency/resources/new", dependencies=[COMMAND])
def resource_new_page(request: Request, session: DbSession) -> Response:
    return _resource_page(request, session, {"kind": ResourceKind.TEAM.value}, None)


@router.get("/emergency/resources/{resource_id}/edit")
def resource_edit_page(
    resource_id: Id, request: Request, session: DbSession, who: Principal = COMMAND
) -> Response:
    row = es.get_resource(session, resource_id=resource_id, actor=who)
    return _resource_page(request, session, forms.resource_form(row), resource_id)


@router.post("/emergency/resources/new")
@router.post("/emergency/resources/{resource_id}/edit")
def resource_save(
    request: Request,
    session: DbSession,
    form: FormData,
    resource_id: int | None = None,
    who: Principal = COMMAND,
) -> Response:
    locator = es.locator_of(session)

    def store(data: ResourceIn) -> Response:
        row = (
            es.update_resource(
                session, resource_id=resource_id, data=data, actor=who, locator=locator
            )
            if resource_id is not None
            else es.create_resource(session, data=data, actor=who, locator=locator)
        )
        return RedirectResponse(f"/emergency/resources/{row.id}", status_code=303)

    def again(error: str) -> Response:
        return _resource_page(request, session, form, resource_id, error)

    return _save(
        request, session, lambda: ResourceIn.model_validate(forms.resource_input(form)), store,
        again,
    )  # fmt: skip


# --- duty roster ------------------------------------------------------------------------------


def _duty_page(
    request: Request, session: Session, form: dict[str, str], did: int | None, error: str = ""
) -> Response:
    ctx = {**_choices(session), "f": form, "duty_id": did, "error": error}
    return render(request, "emergency/duty_edit.html", ctx, 422 if error else 200)


@router.get("/emergency/duty/new", dependencies=[COMMAND])
def duty_new_page(request: Request, session: DbSession, day: str = "") -> Response:
    return _duty_page(request, session, {"day": day, "shift": "day", "post": "officer"}, None)


@router.get("/emergency/duty/{duty_id}/edit")
def duty_edit_page(
    duty_id: Id, request: Request, session: DbSession, who: Principal = COMMAND
) -> Response:
    row = es.get_duty(session, duty_id=duty_id, actor=who)
    username = session.scalar(select(User.username).where(User.id == row.user_id))
    return _duty_page(request, session, forms.duty_form(row, username), duty_id)


@router.post("/emergency/duty/new")
@router.post("/emergency/duty/{duty_id}/edit")
def duty_save(
    request: Request,
    session: DbSession,
    form: FormData,
    duty_id: int | None = None,
    who: Principal = COMMAND,
) -> Response:

    def store(data: DutyIn) -> Response:
        if duty_id is not None:
            es.update_duty(session, duty_id=duty_id, data=data, actor=who)
        else:
            es.assign_duty(session, data=data, actor=who)
        return RedirectResponse("/emergency/duty", status_code=303)

    def again(error: str) -> Response:
        return _duty_page(request, session, form, duty_id, error)

    return _save(
        request, session, lambda: DutyIn.model_validate(forms.duty_input(form)), store, again
    )


@router.post("/emergency/duty/{duty_id}/delete")
def duty_delete(duty_id: Id, session: DbSession, who: Principal = COMMAND) -> Response:
    es.remove_duty(session, duty_id=duty_id, actor=who)
    return RedirectResponse("/emergency/duty", status_code=303)
