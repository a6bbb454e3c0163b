"""A scenario plugin living outside the core, as a third party would write one."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from mudan.demo.context import DemoContext
from mudan.hooks import IndicatorSpec, NavEntry, Todo, TodoProvider, hookimpl
from mudan.kernel.deps import CurrentPrincipal
from mudan.kernel.rbac import Principal

router = APIRouter(prefix="/api/v1/sample", tags=["sample"])
DEMO_CALLS: list[float] = []


@router.get("/hello")
def sample_hello(principal: CurrentPrincipal) -> dict[str, str]:
    return {"hello": principal.username}


@hookimpl
def mudan_routers() -> list[APIRouter]:
    return [router]


@hookimpl
def mudan_nav_entries() -> list[NavEntry]:
    return [NavEntry("serve", "一件事示例", "/api/v1/sample/hello")]


@hookimpl
def mudan_indicators() -> list[IndicatorSpec]:
    return [IndicatorSpec("sample.count", "示例指标", "个", "serve", 115)]


def _todos(session: Session, principal: Principal) -> list[Todo]:
    return [Todo("sample.waiting", "一件事待办示例", 3, "/api/v1/sample/hello", "warn")]


@hookimpl
def mudan_todos() -> list[TodoProvider]:
    return [TodoProvider("sample.waiting", "serve", "org.read", _todos)]


@hookimpl
def mudan_demo(ctx: DemoContext) -> None:
    DEMO_CALLS.append(ctx.scale)
