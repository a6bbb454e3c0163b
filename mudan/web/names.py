"""Names for codes on pages: ``{{ code|dept }}`` and ``{{ code|region }}`` show the department's or
region's name with the code as its title (tables used to show only 371700001).

Looked up on first use in a page, once per request: all departments (a few dozen) in one query,
regions one code at a time (a city has thousands, a page shows a handful).
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy import column, select, table

# The shell reads the two tables by name (the web layer imports no domain; the kernel owns them).
Department = table("department", column("code"), column("name"))
Region = table("region", column("code"), column("name"))


class _Names:
    def __init__(self, request: Any) -> None:
        self.request = request
        self.depts: dict[str, str] | None = None
        self.regions: dict[str, str | None] = {}

    def dept(self, code: str) -> str | None:
        if self.depts is None:
            with self.request.app.state.ctx.sessions() as s:
                rows = s.execute(select(Department.c.code, Department.c.name))
                self.depts = {code: name for code, name in rows}
        return self.depts.get(code)

    def region(self, code: str) -> str | None:
        if code not in self.regions:
            with self.request.app.state.ctx.sessions() as s:
                self.regions[code] = s.scalar(select(Region.c.name).where(Region.c.code == code))
        return self.regions[code]


def _names(ctx: Any) -> _Names | None:
    request = ctx.get("request")
    if request is None:
        return None
    names: _Names | None = getattr(request.state, "code_names", None)
    if names is None:
        names = _Names(request)
        request.state.code_names = names
    return names


def _show(code: object, name: str | None) -> Markup:
    if not name:
        return escape(code)
    return Markup('<span class="named" title="{}">{}</span>').format(code, name)


@pass_context
def dept(ctx: Any, code: object) -> Markup | str:
    """A department's name (code as title); the code itself when unknown, '' for none."""
    if not code:
        return ""
    names = _names(ctx)
    return _show(code, names.dept(str(code)) if names else None)


@pass_context
def region(ctx: Any, code: object) -> Markup | str:
    """A region's name (code as title); the code itself when unknown, '' for none."""
    if not code:
        return ""
    names = _names(ctx)
    return _show(code, names.region(str(code)) if names else None)
