"""Every user-facing key exists in both catalogs, and every key used in code is defined."""

from __future__ import annotations

import re
from pathlib import Path

from mudan.core.i18n import catalog

ROOT = Path(__file__).resolve().parents[2] / "mudan"


def test_catalogs_have_the_same_keys() -> None:
    assert set(catalog("zh")) == set(catalog("en"))


def test_error_codes_used_in_code_are_translated() -> None:
    used: set[str] = set()
    pattern = re.compile(
        r"(?:InvalidInput|NotFound|Conflict|Unauthenticated|Forbidden|TooLarge|MudanError)\(\s*\"([a-z_.]+)\""
    )
    for path in ROOT.rglob("*.py"):
        used |= set(pattern.findall(path.read_text("utf-8")))
    assert used, "no error codes found: the pattern is wrong"
    missing = {code for code in used if f"error.{code}" not in catalog("zh")}
    assert not missing


def test_template_keys_are_translated() -> None:
    used: set[str] = set()
    for path in ROOT.rglob("*.html"):
        used |= set(re.findall(r"t\('([a-z_]+\.[a-z_]+)'", path.read_text("utf-8")))
    assert len(used) > 10
    assert not {k for k in used if k not in catalog("zh")}
