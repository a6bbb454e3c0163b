"""The operations centre's pending work for the workbench: active alerts in the duty officer's
regions, one line per level (red first). One grouped COUNT over the alert list's own query and
region scope (``alerts_query`` with ``alert_prefixes``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mudan.domains.indicators.alerts import alerts_query
from mudan.domains.indicators.enums import AlertLevel
from mudan.domains.indicators.scope import alert_prefixes
from mudan.hooks import Todo, TodoProvider
from mudan.kernel.rbac import Principal

SEVERITY = {
    AlertLevel.RED: "danger",
    AlertLevel.ORANGE: "danger",
    AlertLevel.YELLOW: "warn",
    AlertLevel.BLUE: "info",
}


def active_alerts(session: Session, who: Principal) -> list[Todo]:
    q = alerts_query(status="active", region_prefixes=alert_prefixes(who)).subquery()
    rows = session.execute(select(q.c.level, func.count()).group_by(q.c.level)).all()
    counts: dict[str, int] = {str(level): int(n) for level, n in rows}
    return [
        Todo(
            f"indicators.alerts_{level.value}",
            f"indicators.todo_alerts_{level.value}",
            int(counts.get(level.value, 0)),
            f"/alerts?status=active&level={level.value}",
            SEVERITY[level],
        )
        for level in reversed(AlertLevel)  # red, orange, yellow, blue
    ]


def providers() -> list[TodoProvider]:
    return [TodoProvider("indicators.alerts", "ops", "alerts.handle", active_alerts, 10)]
