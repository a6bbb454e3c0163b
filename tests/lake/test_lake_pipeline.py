"""map_ordered keeps input order, bounds work in flight and raises errors in order."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from mudan.lake.pipeline import map_ordered, prefetch


def test_results_keep_input_order() -> None:
    assert list(map_ordered(lambda x: x * x, range(50), workers=3, depth=5)) == [
        x * x for x in range(50)
    ]


def test_at_most_depth_items_are_taken_ahead() -> None:
    taken: list[int] = []
    lock = threading.Lock()

    def source() -> object:
        for i in range(100):
            with lock:
                taken.append(i)
            yield i

    out = map_ordered(lambda x: x, source(), workers=2, depth=3)  # type: ignore[arg-type]
    assert next(out) == 0
    assert len(taken) <= 3
    out.close()


def test_errors_surface_in_order() -> None:
    def fn(x: int) -> int:
        if x == 3:
            raise ValueError("bad batch 3")
        return x

    seen: list[int] = []
    with pytest.raises(ValueError, match="bad batch 3"):
        for v in map_ordered(fn, range(10)):
            seen.append(v)
    assert seen == [0, 1, 2]


def test_prefetch_keeps_order_and_reads_at_most_depth_ahead() -> None:
    taken: list[int] = []
    lock = threading.Lock()
    release = threading.Event()

    def source() -> Iterator[int]:
        for i in range(20):
            if i == 5:
                release.wait(timeout=5)
            with lock:
                taken.append(i)
            yield i

    out = prefetch(source(), depth=2)
    assert next(out) == 0
    # the producer stops at item 5 until released; it never ran more than depth + 1 ahead
    with lock:
        assert len(taken) <= 4
    release.set()
    assert list(out) == list(range(1, 20))


def test_prefetch_raises_the_producers_error_in_order() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("bad block")

    seen: list[int] = []
    with pytest.raises(ValueError, match="bad block"):
        for v in prefetch(source()):
            seen.append(v)
    assert seen == [1, 2]


def test_closing_prefetch_early_stops_the_producer() -> None:
    produced: list[int] = []

    def source() -> Iterator[int]:
        for i in range(1_000_000):
            produced.append(i)
            yield i

    out = prefetch(source(), depth=2)
    assert next(out) == 0
    out.close()  # joins the producer thread
    count = len(produced)
    assert count < 10
    assert not any(t.name == "mudan-prefetch" for t in threading.enumerate())
