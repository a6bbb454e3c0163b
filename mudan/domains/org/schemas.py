from __future__ import annotations

from pydantic import BaseModel, Field

from mudan.kernel.enums import Role


class RegionOut(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None
    lon: float | None = None
    lat: float | None = None
    child_count: int | None = None


class LocateOut(BaseModel):
    lon: float
    lat: float
    grid: RegionOut | None
    community: RegionOut | None
    street: RegionOut | None
    district: RegionOut | None
    city: RegionOut


class BindingSchema(BaseModel):
    role: Role
    department_code: str | None = None
    region_code: str | None = None


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)
    department_code: str | None = None
    bindings: list[BindingSchema] = Field(min_length=1)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    department_code: str | None
    bindings: list[BindingSchema]


class DepartmentOut(BaseModel):
    code: str
    name: str
    short_name: str
    level: str
    region_code: str


class TokenCreate(BaseModel):
    username: str
    password: str
    name: str = "api"
    days: int = Field(default=90, ge=1, le=365)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class TokenOut(BaseModel):
    token: str
    prefix: str
    expires_at: str | None


class MeOut(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    scope_paths: list[str]
    permissions: list[str]
