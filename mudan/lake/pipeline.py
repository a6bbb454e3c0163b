"""Overlap the stages of a load: check batch *n + 1* on a worker thread while batch *n* is
written. Arrow compute and numpy release the GIL, so on a multi-core machine the quality checks
of consecutive batches run in parallel; memory stays bounded by ``depth`` batches in flight."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_ordered(
    fn: Callable[[T], R], items: Iterable[T], *, workers: int = 2, depth: int = 4
) -> Iterator[R]:
    """``map(fn, items)`` on ``workers`` threads, results in input order, at most ``depth``
    items in flight. An exception in ``fn`` is raised in order; the rest are cancelled."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mudan-map") as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= depth:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()
