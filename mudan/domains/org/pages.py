"""Admin pages: region tree (lazy htmx children), departments, users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.errors import MudanError
from mudan.domains.org.views import user_out
from mudan.kernel import identity as org
from mudan.kernel import regions as reg
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.kernel.enums import Role
from mudan.kernel.locator import locator_of
from mudan.kernel.models import Department
from mudan.kernel.rbac import Principal
from mudan.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/regions", dependencies=[require("regions.read")])
def regions_page(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    lon: float | None = None,
    lat: float | None = None,
) -> Response:
    located, locate_error = None, None
    if lon is not None and lat is not None:
        try:
            located = reg.locate(locator_of(session), lon=lon, lat=lat)
        except MudanError as exc:
            locate_error = exc.message(locale_of(request))
    roots = reg.visible_roots(session, principal=principal)
    return render(
        request,
        "org/regions.html",
        {
            "roots": roots,
            "located": located,
            "locate_error": locate_error,
            "lon": lon,
            "lat": lat,
        },
    )


@router.get("/admin/regions/{code}/children", dependencies=[require("regions.read")])
def region_children_fragment(
    code: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    nodes = reg.children(session, principal=principal, code=code)
    return render(request, "org/_region_children.html", {"nodes": nodes})


@router.get("/admin/departments", dependencies=[require("org.read")])
def departments_page(request: Request, session: DbSession) -> Response:
    depts = session.scalars(select(Department).order_by(Department.level, Department.code)).all()
    return render(request, "org/departments.html", {"departments": depts})


def _users_page(request: Request, session: DbSession, **extra: object) -> Response:
    users = [user_out(session, u) for u in org.list_users(session)]
    depts = session.scalars(select(Department).order_by(Department.code)).all()
    ctx: dict[str, object] = {
        "users": users,
        "departments": depts,
        "roles": [r for r in Role if r != Role.PUBLIC],
    }
    ctx.update(extra)
    status = 422 if extra.get("error") else 200
    return render(request, "org/users.html", ctx, status_code=status)


@router.get("/admin/users", dependencies=[require("org.admin")])
def users_page(request: Request, session: DbSession) -> Response:
    return _users_page(request, session)


@router.post("/admin/users")
def users_create(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    display_name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[Role, Form()],
    department_code: Annotated[str, Form()] = "",
    region_code: Annotated[str, Form()] = "",
    principal: Principal = require("org.admin"),
) -> Response:
    try:
        with session.begin_nested():
            user = org.create_user(
                session,
                username=username,
                display_name=display_name,
                password=password,
                department_code=department_code or None,
                bindings=[org.BindingIn(role, department_code or None, region_code or None)],
                min_password_length=app_ctx(request).settings.auth.min_password_length,
                actor=principal.username,
                actor_role=principal.primary_role,
            )
    except MudanError as exc:
        return _users_page(
            request,
            session,
            error=exc.message(locale_of(request)),
            form={"username": username, "display_name": display_name},
        )
    return _users_page(request, session, created=user.username)
