"""The device registry: register (bulk, upsert by code), list with filters and scope, get."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.errors import NotFound
from mudan.domains.iot.dbutil import upsert_insert
from mudan.domains.iot.enums import TYPES, DeviceStatus, DeviceType
from mudan.domains.iot.locate import GridIndex
from mudan.domains.iot.models import Device, Latest
from mudan.domains.iot.schemas import DeviceIn
from mudan.kernel.models import Department, Region
from mudan.kernel.rbac import Principal
from mudan.kernel.scope import Scope

INSERT_CHUNK = 5_000
_UPDATABLE = (
    "type",
    "model",
    "department_code",
    "lon",
    "lat",
    "grid_code",
    "community_code",
    "street_code",
    "district_code",
    "protocol",
    "status",
    "interval_s",
)


@dataclass(frozen=True)
class Rejected:
    index: int
    code: str
    reason: str


def known_departments(session: Session) -> set[str]:
    return set(session.scalars(select(Department.code)))


def prepare(
    devices: Sequence[DeviceIn], *, index: GridIndex, departments: set[str]
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """Locate every device at once; rows ready to insert, and the rejected ones with a reason."""
    chains = index.locate(np.array([d.lon for d in devices]), np.array([d.lat for d in devices]))
    rows: list[dict[str, Any]] = []
    bad: list[Rejected] = []
    seen: set[str] = set()
    now = utcnow()
    for i, (d, chain) in enumerate(zip(devices, chains, strict=True)):
        if d.code in seen:
            bad.append(Rejected(i, d.code, "duplicate_code"))
            continue
        if d.department_code not in departments:
            bad.append(Rejected(i, d.code, "unknown_department"))
            continue
        if chain is None:
            bad.append(Rejected(i, d.code, "outside_city"))
            continue
        seen.add(d.code)
        rows.append(
            {
                "code": d.code,
                "type": str(d.type),
                "model": d.model,
                "department_code": d.department_code,
                "lon": d.lon,
                "lat": d.lat,
                "grid_code": chain.grid,
                "community_code": chain.community,
                "street_code": chain.street,
                "district_code": chain.district,
                "protocol": str(d.protocol),
                "status": str(d.status),
                "interval_s": d.interval_s or TYPES[DeviceType(d.type)].interval_s,
                "installed_at": now,
            }
        )
    return rows, bad


def insert_rows(session: Session, rows: list[dict[str, Any]], *, update: bool = True) -> None:
    """Bulk upsert by code (``update=False``: keep existing devices as they are)."""
    table = Device.__table__
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        stmt = upsert_insert(session, table)  # type: ignore[arg-type]
        if update:
            stmt = stmt.on_conflict_do_update(
                index_elements=["code"], set_={c: stmt.excluded[c] for c in _UPDATABLE}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=["code"])
        session.execute(stmt, chunk)


def scope_clause(session: Session, principal: Principal) -> ColumnElement[bool] | None:
    """None when the principal sees every device; else devices in its regions or departments."""
    scope = Scope.of(session, principal, admin_sees_all=True)
    if scope.whole_city:
        return None
    codes = sorted(scope.region_codes)
    levels = dict(
        session.execute(select(Region.code, Region.level).where(Region.code.in_(codes))).all()
    )
    column = {
        "district": Device.district_code,
        "zone": Device.district_code,
        "street": Device.street_code,
        "community": Device.community_code,
        "grid": Device.grid_code,
    }
    parts: list[ColumnElement[bool]] = [
        column[lv] == code for code, lv in levels.items() if lv in column
    ]
    if scope.departments:
        parts.append(Device.department_code.in_(sorted(scope.departments)))
    return or_(*parts) if parts else Device.id < 0


@dataclass(frozen=True)
class DeviceFilter:
    type: str = ""
    status: str = ""
    region: str = ""  # a district / street / community / grid code
    department: str = ""
    online: str = ""  # "", "online", "offline", "never"
    q: str = ""


def _filtered(session: Session, principal: Principal, f: DeviceFilter, now: datetime) -> Any:
    stmt = select(Device, Latest).outerjoin(Latest, Latest.device_id == Device.id)
    scope = scope_clause(session, principal)
    if scope is not None:
        stmt = stmt.where(scope)
    if f.type:
        stmt = stmt.where(Device.type == f.type)
    if f.status:
        stmt = stmt.where(Device.status == f.status)
    if f.department:
        stmt = stmt.where(Device.department_code == f.department)
    if f.region:
        stmt = stmt.where(
            or_(
                Device.district_code == f.region,
                Device.street_code == f.region,
                Device.community_code == f.region,
                Device.grid_code == f.region,
            )
        )
    if f.q:
        stmt = stmt.where(Device.code.startswith(f.q))
    if f.online == "online":
        stmt = stmt.where(Latest.offline_after > now)
    elif f.online == "offline":
        stmt = stmt.where(or_(Latest.offline_after <= now, Latest.device_id.is_(None)))
    elif f.online == "never":
        stmt = stmt.where(Latest.device_id.is_(None))
    return stmt


@dataclass(frozen=True)
class Ledger:
    """登记 / 接入 / 未接入: the registered terminals (not retired), split by connection."""

    registered: int
    pending: int  # 未接入: registered, never reported

    @property
    def connected(self) -> int:
        return self.registered - self.pending


def ledger(session: Session, *, principal: Principal | None = None) -> Ledger:
    """The ledger counts, in the principal's scope (None: the whole city)."""
    stmt = select(Device.status, func.count()).where(Device.status != "retired")
    scope = scope_clause(session, principal) if principal is not None else None
    if scope is not None:
        stmt = stmt.where(scope)
    counts = {str(s): int(n) for s, n in session.execute(stmt.group_by(Device.status))}
    return Ledger(sum(counts.values()), counts.get(str(DeviceStatus.PENDING), 0))


def list_devices(
    session: Session,
    *,
    principal: Principal,
    filters: DeviceFilter,
    now: datetime,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[tuple[Device, Latest | None]], int]:
    stmt = _filtered(session, principal, filters, now)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Device.code).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return [(d, lt) for d, lt in rows], int(total)


def get_device(session: Session, *, principal: Principal, code: str) -> Device:
    stmt = select(Device).where(Device.code == code)
    scope = scope_clause(session, principal)
    if scope is not None:
        stmt = stmt.where(scope)
    device = session.scalar(stmt)
    if device is None:
        raise NotFound("iot.device_not_found", code=code)
    return device
