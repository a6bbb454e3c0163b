"""Shared CLI plumbing: settings, the command's runtime, a transaction, and printing domain
errors in Chinese."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session

from mudan.core.db import transaction
from mudan.core.errors import MudanError
from mudan.core.runtime import Runtime
from mudan.settings import Settings

console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    return Settings()


@contextmanager
def runtime(cfg: Settings | None = None) -> Iterator[Runtime]:
    """The command's one runtime (engine, sessions, lake …), closed when the command ends."""
    with Runtime(cfg or settings()) as rt:
        yield rt


@contextmanager
def db_session(cfg: Settings | None = None) -> Iterator[Session]:
    """One transaction on a runtime built for it (a command that needs more opens ``runtime``)."""
    with runtime(cfg) as rt, transaction(rt.sessions) as session:
        yield session


def handle_errors(fn: F) -> F:
    """Print a MudanError as ``[code] message`` and exit 2 instead of a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MudanError as exc:
            err_console.print(f"[red]{escape('[' + exc.code + ']')}[/red] {escape(exc.message())}")
            raise typer.Exit(2) from exc

    return wrapper  # type: ignore[return-value]
