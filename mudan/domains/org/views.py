"""Org API: regions (tree, locate), departments, users, tokens, whoami."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from mudan.core import audit
from mudan.core.deps import DbSession, app_ctx, public
from mudan.core.errors import NotFound, Unauthenticated
from mudan.domains.org.loginguard import guarded_login
from mudan.domains.org.schemas import (
    BindingSchema,
    DepartmentOut,
    LocateOut,
    MeOut,
    PasswordChange,
    RegionOut,
    TokenCreate,
    TokenOut,
    UserCreate,
    UserOut,
)
from mudan.kernel import identity as org
from mudan.kernel import regions as reg
from mudan.kernel import websessions
from mudan.kernel.deps import CurrentPrincipal, require
from mudan.kernel.enums import Role
from mudan.kernel.geo import RegionRef
from mudan.kernel.locator import locator_of
from mudan.kernel.models import Department, Region, User
from mudan.kernel.rbac import Principal

router = APIRouter(prefix="/api/v1", tags=["org"])


def _region_out(r: Region) -> RegionOut:
    return RegionOut(
        code=r.code, name=r.name, level=r.level, parent_code=r.parent_code, lon=r.lon, lat=r.lat
    )


@router.get("/me", response_model=MeOut)
def whoami(principal: CurrentPrincipal) -> MeOut:
    return MeOut(
        username=principal.username,
        display_name=principal.display_name,
        roles=sorted(principal.roles),
        scope_paths=list(principal.scope_paths),
        permissions=sorted(principal.permissions),
    )


@router.post("/auth/tokens", response_model=TokenOut, status_code=201)
@public
def create_token(body: TokenCreate, request: Request, session: DbSession) -> TokenOut:
    """Exchange a username and password for a bearer token (the API's login)."""
    user = guarded_login(
        request, session, username=body.username, password=body.password, channel="token"
    )
    row, plain = org.issue_token(session, user=user, name=body.name, days=body.days)
    audit.record(
        session,
        actor=user.username,
        role="user",
        action="auth.token_issued",
        object_type="api_token",
        object_id=str(row.id),
    )
    return TokenOut(
        token=plain,
        prefix=row.prefix,
        expires_at=row.expires_at.isoformat() if row.expires_at else None,
    )


@router.post("/auth/password", status_code=204)
def change_password(
    body: PasswordChange, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """Change one's own password. Every browser session of the account ends (this browser
    gets a new one); API tokens keep working."""
    user = session.get(User, principal.user_id)
    if user is None:
        raise Unauthenticated("auth.required")
    websessions.change_password(
        session,
        user=user,
        current=body.current_password,
        new=body.new_password,
        min_length=app_ctx(request).settings.auth.min_password_length,
        actor=user.username,
    )
    if principal.via == "session":
        request.session.clear()
        request.session["sid"] = websessions.open_session(session, user=user)
    return Response(status_code=204)


@router.get("/regions/locate", response_model=LocateOut, dependencies=[require("regions.read")])
def locate_point(
    request: Request, session: DbSession, lon: float = Query(), lat: float = Query()
) -> LocateOut:
    found = reg.locate(locator_of(session), lon=lon, lat=lat)

    def ref(r: RegionRef | None) -> RegionOut | None:
        return _region_out(reg.get_region(session, code=r.code)) if r else None

    city = ref(found.city)
    assert city is not None
    return LocateOut(
        lon=lon,
        lat=lat,
        grid=ref(found.grid),
        community=ref(found.community),
        street=ref(found.street),
        district=ref(found.district),
        city=city,
    )


@router.get("/regions/{code}", response_model=RegionOut, dependencies=[require("regions.read")])
def region_detail(code: str, session: DbSession, principal: CurrentPrincipal) -> RegionOut:
    r = reg.get_region(session, code=code)
    if not (principal.sees_path(r.path) or principal.sees_ancestor_of(r.path)):
        raise NotFound("region.not_found", code=code)
    return _region_out(r)


@router.get(
    "/regions/{code}/children",
    response_model=list[RegionOut],
    dependencies=[require("regions.read")],
)
def region_children(code: str, session: DbSession, principal: CurrentPrincipal) -> list[RegionOut]:
    return [
        RegionOut(
            code=n.code,
            name=n.name,
            level=n.level,
            parent_code=n.parent_code,
            lon=n.lon,
            lat=n.lat,
            child_count=n.child_count,
        )
        for n in reg.children(session, principal=principal, code=code)
    ]


@router.get("/departments", response_model=list[DepartmentOut], dependencies=[require("org.read")])
def list_departments(session: DbSession) -> list[DepartmentOut]:
    rows = session.scalars(select(Department).order_by(Department.code))
    return [
        DepartmentOut(
            code=d.code,
            name=d.name,
            short_name=d.short_name,
            level=d.level,
            region_code=d.region_code,
        )
        for d in rows
    ]


def user_out(session: DbSession, u: User) -> UserOut:
    def dept_code(dept_id: int | None) -> str | None:
        d = session.get(Department, dept_id) if dept_id else None
        return d.code if d else None

    return UserOut(
        id=u.id,
        username=u.username,
        display_name=u.display_name,
        department_code=dept_code(u.department_id),
        bindings=[
            BindingSchema(
                role=Role(b.role),
                department_code=dept_code(b.department_id),
                region_code=b.region_code,
            )
            for b in u.bindings
        ],
    )


@router.get("/users", response_model=list[UserOut], dependencies=[require("org.admin")])
def list_users(session: DbSession) -> list[UserOut]:
    return [user_out(session, u) for u in org.list_users(session)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(
    body: UserCreate,
    request: Request,
    session: DbSession,
    principal: Principal = require("org.admin"),
) -> UserOut:
    user = org.create_user(
        session,
        username=body.username,
        display_name=body.display_name,
        password=body.password,
        department_code=body.department_code,
        bindings=[org.BindingIn(b.role, b.department_code, b.region_code) for b in body.bindings],
        min_password_length=app_ctx(request).settings.auth.min_password_length,
        actor=principal.username,
        actor_role=principal.primary_role,
    )
    return user_out(session, user)


@router.get("/regions/{code}/geojson", dependencies=[require("regions.read")])
def region_geojson(
    code: str,
    session: DbSession,
    principal: CurrentPrincipal,
    level: str = Query("district", description="district | zone | street | community | grid"),
) -> dict[str, object]:
    """Boundaries below ``code`` at one level, as GeoJSON (for the one-map and big screen)."""
    return reg.descendants_geojson(session, principal=principal, code=code, level=level)
