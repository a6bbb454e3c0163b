"""Overlap the stages of a load: parse the next block of the source (:func:`prefetch`) and
check batch *n + 1* on a worker thread (:func:`map_ordered`) while batch *n* is written. Arrow
compute and numpy release the GIL, so on a multi-core machine the stages run in parallel; memory
stays bounded by the ``depth`` of each stage."""

from __future__ import annotations

import queue
import threading
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


_DONE = object()


def prefetch(items: Iterable[T], *, depth: int = 2) -> Iterator[T]:
    """Iterate ``items`` on a background thread, at most ``depth`` items ahead of the consumer,
    so producing the next item (parsing a CSV block: Arrow releases the GIL) overlaps the
    consumer's work. An exception of the producer is raised to the consumer at its place in
    the order; closing the iterator early stops the producer."""
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
        except BaseException as e:  # handed to the consumer, raised there
            offer(_Raised(e))
            return
        offer(_DONE)

    thread = threading.Thread(target=produce, name="mudan-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


class _Raised:
    def __init__(self, error: BaseException) -> None:
        self.error = error
