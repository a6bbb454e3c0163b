"""One progress interface for long work: rich bars in the terminal, nothing in tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...


class Reporter(Protocol):
    def task(self, description: str, total: int | None) -> AbstractContextManager[Task]: ...


class _NullTask:
    def advance(self, n: int = 1) -> None:
        return None


class NullReporter:
    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Task]:
        yield _NullTask()


class RichReporter:
    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )

    def __enter__(self) -> RichReporter:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Task]:
        task_id = self._progress.add_task(description, total=total)
        progress = self._progress

        class _Task:
            def advance(self, n: int = 1) -> None:
                progress.advance(task_id, n)

        yield _Task()
        if total is not None:
            progress.update(task_id, completed=total)
