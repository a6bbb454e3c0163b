"""Source headers → table columns, and safe upload file names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from mudan.core.errors import InvalidInput
from mudan.lake.schema import TableSpec

_SPACE = re.compile(r"\s+")
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def norm_header(text: str) -> str:
    """Compare headers loosely: NFKC (full-width → half-width), no spaces, lower case."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class HeaderMap:
    """``mapped``: source header → column name; ``extra``: source headers matching no column
    (reported, not loaded); ``missing``: columns no header matched (loaded as null)."""

    mapped: dict[str, str]
    extra: tuple[str, ...]
    missing: tuple[str, ...]

    def rename(self, names: Sequence[str]) -> list[str]:
        return [self.mapped.get(n, n) for n in names]


def header_candidates(spec: TableSpec) -> dict[str, str]:
    """Normalised column names and Chinese labels → column name."""
    out: dict[str, str] = {}
    for c in spec.columns:
        if c.label:
            out[norm_header(c.label)] = c.name
    for c in spec.columns:  # an exact column name wins over a label
        out[norm_header(c.name)] = c.name
    return out


def map_headers(source_columns: Sequence[str], spec: TableSpec) -> HeaderMap:
    """Match source headers to the spec by column name or Chinese label (first match wins)."""
    candidates = header_candidates(spec)
    mapped: dict[str, str] = {}
    extra: list[str] = []
    taken: set[str] = set()
    for header in source_columns:
        column = candidates.get(norm_header(header))
        if column is None or column in taken:
            extra.append(header)
            continue
        mapped[header] = column
        taken.add(column)
    missing = tuple(c.name for c in spec.columns if c.name not in taken)
    return HeaderMap(mapped=mapped, extra=tuple(extra), missing=missing)


def safe_upload_name(name: str) -> str:
    """An uploaded file's name reduced to a plain file name, or ``lake.bad_filename``: no
    directories, no ``..``, no drive letters, control characters or hidden files."""
    cleaned = unicodedata.normalize("NFC", name).strip()
    if (
        not cleaned
        or cleaned in (".", "..")
        or cleaned.startswith(".")
        or _BAD_CHARS.search(cleaned)
        or len(cleaned.encode("utf-8")) > 255
    ):
        raise InvalidInput("lake.bad_filename", name=name[:100])
    return cleaned
