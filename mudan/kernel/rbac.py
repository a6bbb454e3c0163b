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

# The platform's own grants. Every other permission is declared by the domain that checks it
# (``Domain(permissions=...)`` in its plugin.py) and collected in ``mudan.core.permissions``.
PLATFORM_GRANTS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({ALL}),
    Role.BUREAU_OPERATOR: frozenset({"ids.check", "ops.metrics"}),  # /metrics (Prometheus)
    Role.DATA_OFFICER: frozenset({"ids.check"}),
}


def role_permissions(role: Role) -> frozenset[str]:
    """What ``role`` may do: the platform's grants and those of every installed domain."""
    return PLATFORM_GRANTS.get(role, frozenset()) | role_grants(role.value)


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
            perms |= role_permissions(role)
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
