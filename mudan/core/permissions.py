"""The permission table: what each role may do, as the installed domains declare it.

Each domain's ``Domain(permissions=...)`` says which of its permissions a role holds; this
module keeps the union over every plugin manager built in the process (a disabled plugin's
grants are harmless: its routes do not exist). ``*`` (everything) is the administrator's and is
granted by the kernel, not by a domain.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

_lock = threading.Lock()
_table: dict[str, set[str]] = {}
_loaded = False


def add_grants(grants: Iterable[Mapping[str, Iterable[str]]]) -> None:
    """Merge domain grants (``{role: permissions}``) into the table."""
    with _lock:
        for chunk in grants:
            for role, perms in chunk.items():
                _table.setdefault(role, set()).update(perms)


def role_grants(role: str) -> frozenset[str]:
    """The permissions ``role`` holds across the installed domains."""
    if not _loaded:
        _load_builtin()
    return frozenset(_table.get(role, ()))


def table() -> dict[str, frozenset[str]]:
    if not _loaded:
        _load_builtin()
    return {role: frozenset(perms) for role, perms in _table.items()}


def _load_builtin() -> None:
    # Principals are built in many places without a plugin manager at hand (tests, CLI), so the
    # first question loads the built-in and entry-point plugins, whose manager adds its grants.
    global _loaded
    from mudan.hooks import make_plugin_manager

    make_plugin_manager()
    _loaded = True
