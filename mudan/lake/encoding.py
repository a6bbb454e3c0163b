"""Text encoding of uploaded files: UTF-8 (with or without BOM), GBK, GB18030 — never guessed
by hand. A sample is tried as strict UTF-8 first; otherwise charset-normalizer decides, and the
GB family is read as GB18030 (a superset of GB2312 and GBK). Bytes that turn out invalid later
in the file raise ``lake.bad_encoding``; nothing is replaced silently."""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from mudan.core.errors import InvalidInput

SAMPLE_BYTES = 1 << 20
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz", "ms936"}
_BOM = codecs.BOM_UTF8


def _trim(sample: bytes, complete: bool) -> bytes:
    """Cut a partial sample at its last newline so no multi-byte character is split."""
    if complete:
        return sample
    cut = sample.rfind(b"\n")
    return sample[: cut + 1] if cut > 0 else sample


def detect_encoding(sample: bytes, *, complete: bool = False, name: str = "") -> str:
    """The Python codec name to read the file with: ``utf-8`` or ``gb18030`` (or what
    charset-normalizer reports for anything else)."""
    sample = _trim(sample, complete)
    if sample.startswith(_BOM):
        return "utf-8"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Government data that is not UTF-8 is GBK/GB18030. Statistical detectors mistake short
    # GB files for CP949/Big5 (seen: a three-line GB18030 CSV read as Korean), so a strict
    # GB18030 decode wins before any guess.
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    if best is None:
        raise InvalidInput("lake.bad_encoding", path=name, reason="undetectable")
    enc = codecs.lookup(best.encoding).name
    if enc.replace("_", "") in _GB_FAMILY or enc in _GB_FAMILY:
        enc = "gb18030"
    try:
        sample.decode(enc)
    except UnicodeDecodeError as e:
        raise InvalidInput("lake.bad_encoding", path=name, reason=str(e)) from e
    return enc


def sniff_file(path: Path) -> tuple[bytes, str]:
    """``(sample, encoding)`` of a text file; an empty (or BOM/blank-only) file is refused."""
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
        complete = not f.read(1)
    if not sample.removeprefix(_BOM).strip():
        raise InvalidInput("lake.empty_file", path=path.name)
    return sample, detect_encoding(sample, complete=complete, name=path.name)
