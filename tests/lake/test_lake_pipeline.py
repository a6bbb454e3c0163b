"""map_ordered keeps input order, bounds work in flight and raises errors in order."""

from __future__ import annotations

import threading

import pytest

from mudan.lake.pipeline import map_ordered


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
