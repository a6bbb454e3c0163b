"""Walk every route of an app, whichever way FastAPI nests included routers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.routing import BaseRoute


def iter_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Leaf routes (APIRoute, Route, Mount). Newer FastAPI keeps included routers as nodes
    holding ``original_router``; older versions flatten them. Prefixes are set on our routers
    themselves, never at include time, so leaf paths are already complete."""
    for route in routes:
        inner: Any = getattr(route, "original_router", None)
        if inner is not None:
            yield from iter_routes(inner.routes)
        else:
            yield route
