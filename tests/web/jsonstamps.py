"""Finding timestamps in JSON bodies (shared by the timestamp and schemathesis tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?"
)


def strings(value: Any) -> Iterator[str]:
    """Every string anywhere in a decoded JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def naive_timestamps(value: Any) -> list[str]:
    """The timestamps in ``value`` that do not say their zone."""
    return [s for s in strings(value) if (m := TIMESTAMP.fullmatch(s)) and not m["zone"]]
