"""Form fields of the plan, resource and duty pages ⇄ the API's input models.

A plan form has, per level n (1–4), ``level-n-on``, ``level-n-criteria`` and ``level-n-reports``
(one deadline per line: ``首报 30`` = title and minutes), and role rows ``roles-i-code``,
``-name``, ``-department_code``, ``-check-n`` (one checklist item per line for level n) and
``-holders`` (one per line: ``姓名,账号,电话,sms voice``; all but the name optional).
"""

from __future__ import annotations

import re
from typing import Any

from mudan.core.errors import InvalidInput
from mudan.domains.emergency.enums import LEVELS
from mudan.domains.emergency.models import DutyShift, Plan, Resource

_SPLIT = re.compile(r"[,，]")
RoleRow = dict[str, Any]


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.splitlines() if x.strip()]


def role_rows(form: dict[str, str]) -> list[RoleRow]:
    """The role rows of a submitted form, blank rows dropped, in row order."""
    rows: dict[int, RoleRow] = {}
    for key, value in form.items():
        m = re.fullmatch(r"roles-(\d+)-(code|name|department_code|holders|check-[1-4])", key)
        if m:
            row = rows.setdefault(int(m[1]), {"check": {}})
            field = m[2]
            if field.startswith("check-"):
                row["check"][int(field[6:])] = value
            else:
                row[field] = value
    return [r for _, r in sorted(rows.items()) if r.get("code", "").strip() or r.get("name")]


def _report(line: str) -> dict[str, Any]:
    title, _, minutes = line.rpartition(" ")
    if not title.strip() or not minutes.isdigit():
        raise InvalidInput("emergency.bad_report_line", line=line[:60])
    return {"title": title.strip(), "minutes": int(minutes)}


def _holder(line: str) -> dict[str, Any]:
    parts = [p.strip() for p in _SPLIT.split(line)] + ["", "", ""]
    return {
        "name": parts[0],
        "username": parts[1] or None,
        "phone": parts[2],
        "channels": parts[3].split(),
    }


def plan_input(form: dict[str, str]) -> dict[str, Any]:
    """The ``PlanIn`` fields of a plan form (validated by the caller)."""
    levels = [
        {
            "level": n,
            "criteria": form.get(f"level-{n}-criteria", "").strip(),
            "reports": [_report(x) for x in _lines(form.get(f"level-{n}-reports", ""))],
        }
        for n in LEVELS
        if form.get(f"level-{n}-on")
    ]
    roles = [
        {
            "code": r.get("code", "").strip(),
            "name": r.get("name", "").strip(),
            "department_code": r.get("department_code", "").strip(),
            "checklists": {n: _lines(v) for n, v in sorted(r["check"].items()) if _lines(v)},
            "holders": [_holder(x) for x in _lines(r.get("holders", ""))],
        }
        for r in role_rows(form)
    ]
    return {
        "code": form.get("code", "").strip(),
        "name": form.get("name", "").strip(),
        "event_type": form.get("event_type", ""),
        "department_code": form.get("department_code", ""),
        "summary": form.get("summary", "").strip(),
        "levels": levels,
        "roles": roles,
    }


def _holder_line(name: str, username: str, phone: str, channels: list[str]) -> str:
    return ",".join([name, username, phone, " ".join(channels)]).rstrip(",")


def plan_form(plan: Plan, usernames: dict[int, str]) -> tuple[dict[str, str], list[RoleRow]]:
    """A stored plan as form fields and role rows (to fill the edit page)."""
    form = {k: str(getattr(plan, k)) for k in ("code", "name", "event_type", "department_code")}
    form["summary"] = plan.summary
    for lv in plan.levels:
        form[f"level-{lv.level}-on"] = "on"
        form[f"level-{lv.level}-criteria"] = lv.criteria
        form[f"level-{lv.level}-reports"] = "\n".join(
            f"{r['title']} {r['minutes']}" for r in lv.reports
        )
    roles = [
        {
            "code": r.code,
            "name": r.name,
            "department_code": r.department_code,
            "check": {int(n): "\n".join(items) for n, items in r.checklists.items()},
            "holders": "\n".join(
                _holder_line(h.name, usernames.get(h.user_id or 0, ""), h.phone, h.channels)
                for h in r.holders
            ),
        }
        for r in plan.roles
    ]
    return form, roles


RESOURCE_FIELDS: tuple[str, ...] = ("code", "name", "kind", "lon", "lat", "capacity", "unit")
RESOURCE_FIELDS += ("owner_department_code", "contact", "note")
DUTY_FIELDS = ("day", "shift", "post", "name", "username", "phone", "department_code")


def resource_input(form: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: form.get(k, "").strip() for k in RESOURCE_FIELDS}
    data["capacity"] = data["capacity"] or 0
    return data


def resource_form(row: Resource) -> dict[str, str]:
    return {k: str(getattr(row, k)) for k in RESOURCE_FIELDS}


def duty_input(form: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: form.get(k, "").strip() for k in DUTY_FIELDS}
    data["username"] = data["username"] or None
    return data


def duty_form(row: DutyShift, username: str | None) -> dict[str, str]:
    form = {k: str(getattr(row, k)) for k in DUTY_FIELDS if k != "username"}
    form["username"] = username or ""
    return form
