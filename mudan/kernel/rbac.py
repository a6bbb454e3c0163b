"""Roles, permissions and the principal a request acts as.

A role grants permissions; a binding limits it to a department and/or a region subtree.
Region scoping uses materialised paths (``3717/371702/371702001000``): a principal sees a
region when one of its scope paths is a prefix of the region's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mudan.core.permissions import role_grants
from mudan.kernel.enums import Role

ALL = "*"

_DATA_READ = {"catalog.read", "ingest.read", "quality.read", "lineage.read"}
_OPS_READ = {"indicators.read", "alerts.read", "screen.view", "map.view", "reports.read"}
_SENSE_READ = {"iot.read", "video.read"}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({ALL}),
    Role.BUREAU_OPERATOR: frozenset(
        {
            "org.read",
            "regions.read",
            "audit.read",
            "ids.check",
            "ops.metrics",
            *_DATA_READ,
            "catalog.edit",
            "catalog.approve",
            "ingest.run",
            "quality.manage",
            "lake.query",
            "lake.query_all",
            "share.read",
            "share.request",
            "share.approve",
            "share.approve_bureau",
            "grant.read",
            "grant.manage",
            "county.manage",
            "returnflow.read",
            "opendata.manage",
            *_OPS_READ,
            "indicators.manage",
            *_SENSE_READ,
            "video.manage",
            "iot.manage",
        }
    ),
    Role.DATA_OFFICER: frozenset(
        {
            "org.read",
            "regions.read",
            "ids.check",
            *_DATA_READ,
            "catalog.edit",
            "ingest.run",
            "quality.manage",
            "lake.query",
            "share.read",
            "share.request",
            "share.approve",
            "grant.read",
            "opendata.manage",
            "indicators.read",
            "map.view",
        }
    ),
    Role.COUNTY_OPERATOR: frozenset(
        {
            "org.read",
            "regions.read",
            "catalog.read",
            "ingest.read",
            "share.read",
            "share.request",
            "grant.read",
            "returnflow.read",
            *_OPS_READ,
            *_SENSE_READ,
            "cases.read",
            "emergency.read",
        }
    ),
    Role.DUTY_OFFICER: frozenset(
        {
            "org.read",
            "regions.read",
            "catalog.read",
            *_OPS_READ,
            "alerts.handle",
            *_SENSE_READ,
            "cases.read",
            "cases.intake",
            "cases.dispatch",
            "cases.supervise",
            "emergency.read",
            "emergency.command",
        }
    ),
    Role.GRID_WORKER: frozenset(
        {"regions.read", "cases.read", "cases.intake", "cases.handle", "map.view"}
    ),
    Role.EVALUATOR: frozenset(
        {
            "org.read",
            "regions.read",
            "audit.read",
            *_DATA_READ,
            *_OPS_READ,
            "share.read",
            "cases.read",
            "emergency.read",
        }
    ),
    Role.CALL_TAKER: frozenset({"regions.read", "cases.read", "cases.intake", "cases.pii"}),
    Role.DISPATCHER: frozenset(
        {
            "org.read",
            "regions.read",
            "cases.read",
            "cases.intake",
            "cases.dispatch",
            "cases.supervise",
            "cases.pii",
            "map.view",
            "emergency.read",
            "emergency.command",
        }
    ),
    Role.HANDLER: frozenset({"regions.read", "cases.read", "cases.handle"}),
    Role.SYSTEM: frozenset({"dataservice.call", "iot.ingest", "video.ingest"}),
    Role.CITIZEN: frozenset({"opendata.apply"}),
    Role.PUBLIC: frozenset(),
}


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    username: str
    display_name: str
    roles: frozenset[Role] = frozenset()
    scope_paths: tuple[str, ...] = ()
    department_ids: frozenset[int] = field(default_factory=frozenset)
    via: str = "anonymous"  # anonymous | session | token

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def primary_role(self) -> str:
        order = list(Role)
        return min(self.roles, key=order.index).value if self.roles else Role.PUBLIC.value

    @property
    def permissions(self) -> frozenset[str]:
        perms: set[str] = set()
        for role in self.roles:
            perms |= ROLE_PERMISSIONS[role] | role_grants(role.value)
        return frozenset(perms)

    def can(self, permission: str) -> bool:
        perms = self.permissions
        return ALL in perms or permission in perms

    def sees_path(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.scope_paths)

    def sees_ancestor_of(self, path: str) -> bool:
        """True for regions above the principal's scope (shown as context, not opened)."""
        return any(p.startswith(path + "/") for p in self.scope_paths)


ANONYMOUS = Principal(user_id=None, username="anonymous", display_name="访客")
