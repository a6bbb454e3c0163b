"""The actor automatic steps (overdue marks, alert hand-offs) are recorded under."""

from __future__ import annotations

from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal

SYSTEM_ACTOR = Principal(
    user_id=None,
    username="system",
    display_name="system",
    roles=frozenset({Role.SYSTEM}),
    scope_paths=("3717",),
    via="system",
)
