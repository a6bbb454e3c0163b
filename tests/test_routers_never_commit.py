"""Rule 2 of docs/architecture.md: router modules never commit. The request's unit of work
(``core.deps.get_session``) commits; work that needs its own transactions is a flow."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mudan"
ROUTER_NAMES = ("views.py", "pages.py")  # also *_views.py and *_pages.py


def _is_router_module(path: Path, tree: ast.Module) -> bool:
    parts = path.relative_to(PACKAGE).parts  # a domain's module, in a sub-package too
    if len(parts) >= 3 and parts[0] == "domains" and path.name.endswith(ROUTER_NAMES):
        return True
    return any(
        isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "APIRouter")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "APIRouter")
        )
        for node in ast.walk(tree)
    )


def commits_in(source: str) -> list[int]:
    """Lines that call ``<anything>.commit(...)``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def router_modules() -> list[Path]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _is_router_module(path, tree):
            out.append(path)
    return out


def test_the_scan_finds_the_router_modules() -> None:
    found = {p.relative_to(PACKAGE).as_posix() for p in router_modules()}
    assert {"domains/query/derived_views.py", "domains/ingest/source_pages.py"} <= found
    assert "domains/catalog/views.py" in found and "domains/catalog/pages.py" in found
    assert "domains/sharing/dataservice/views.py" in found


def test_the_scan_sees_a_commit() -> None:
    assert commits_in("def f(session):\n    x = 1\n    session.commit()\n") == [3]
    assert commits_in("# session.commit() in a comment is fine\n") == []


def test_router_modules_never_commit() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in router_modules()
        for line in commits_in(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], (
        "routers never commit: the request's unit of work does, or move the sequence into the "
        f"domain's flows.py: {offenders}"
    )
