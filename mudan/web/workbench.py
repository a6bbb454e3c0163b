"""The workbench (工作台): "my pending work" from every domain's ``mudan_todos`` providers, and a
few headline indicators, for the home page and ``GET /api/v1/workbench``.

Providers are asked only for a signed-in principal and only when it holds the provider's
permission; each returns items in the principal's own scope. A provider that fails is logged and
left out — one broken domain never takes the home page down. Zero counts are not shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pluggy
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from mudan.core.deps import DbSession, app_ctx, locale_of
from mudan.core.i18n import t
from mudan.hooks import Todo, TodoProvider, collect
from mudan.kernel.deps import current_principal
from mudan.kernel.rbac import Principal

log = logging.getLogger("mudan.workbench")
SEVERITIES = ("info", "warn", "danger")
INDICATORS_PLUGIN = "mudan.domains.indicators.plugin"


@dataclass(frozen=True)
class Item:
    provider: TodoProvider
    todo: Todo


def providers_for(pm: pluggy.PluginManager, principal: Principal) -> list[TodoProvider]:
    """The providers this principal may ask, in section then declared order."""
    if principal.is_anonymous:
        return []
    found: list[TodoProvider] = collect(pm.hook.mudan_todos())
    allowed = [p for p in found if p.permission and principal.can(p.permission)]
    return sorted(allowed, key=lambda p: (p.order, p.code))


def todos(pm: pluggy.PluginManager, session: Session, principal: Principal) -> list[Item]:
    """The principal's pending work: every allowed provider's todos with a count above zero."""
    items: list[Item] = []
    for provider in providers_for(pm, principal):
        try:
            with session.begin_nested():  # a failing provider leaves the transaction usable
                got = provider.todos(session, principal)
        except Exception:  # one broken provider must not take the workbench down
            log.exception("todo provider %s failed", provider.code)
            continue
        items += [Item(provider, td) for td in got if td.count > 0]
    return items


def grouped(items: list[Item], sections: tuple[str, ...]) -> list[tuple[str, list[Item]]]:
    """Items by platform section, in the home page's section order."""
    order = {s: i for i, s in enumerate(sections)}
    by: dict[str, list[Item]] = {}
    for item in items:
        by.setdefault(item.provider.section, []).append(item)
    return sorted(by.items(), key=lambda kv: order.get(kv[0], len(order)))


def headline(pm: pluggy.PluginManager, session: Session, principal: Principal) -> list[BaseModel]:
    """The indicator centre's headline values for the principal's region (none without it)."""
    if principal.is_anonymous or not pm.has_plugin(INDICATORS_PLUGIN):
        return []
    from mudan.domains.indicators.service import headline_values

    return list(headline_values(session, principal=principal))


# --- JSON API ------------------------------------------------------------------------------


class TodoOut(BaseModel):
    code: str
    section: str
    label: str  # the i18n key
    text: str  # the label in the caller's language
    count: int
    overdue: int
    severity: str
    href: str


class IndicatorOut(BaseModel):
    code: str
    name: str
    region_code: str
    value: float | None
    unit: str
    target: float | None
    meets_target: bool | None
    status: str


class WorkbenchOut(BaseModel):
    todos: list[TodoOut]
    indicators: list[IndicatorOut]


def todo_out(item: Item, locale: str) -> TodoOut:
    td = item.todo
    return TodoOut(
        code=td.code,
        section=item.provider.section,
        label=td.label,
        text=t(td.label, locale, **td.params),
        count=td.count,
        overdue=td.overdue,
        severity=td.severity if td.severity in SEVERITIES else "info",
        href=td.href,
    )


api = APIRouter(prefix="/api/v1", tags=["workbench"])


@api.get("/workbench", response_model=WorkbenchOut)
def workbench_api(request: Request, session: DbSession) -> WorkbenchOut:
    """The caller's pending work (each domain's todos, scoped by role and region) and headline
    indicators. Signed-in callers only; everyone gets only their own."""
    pm = app_ctx(request).pm
    who = current_principal(request)
    locale = locale_of(request)
    values = headline(pm, session, who)
    return WorkbenchOut(
        todos=[todo_out(i, locale) for i in todos(pm, session, who)],
        indicators=[IndicatorOut.model_validate(v, from_attributes=True) for v in values],
    )
