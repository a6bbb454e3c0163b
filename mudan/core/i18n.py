"""One i18n layer for every user-facing string: UI labels, API error messages, CLI output.

Catalogs live in ``mudan/i18n/<locale>/<domain>.json`` (one file per domain, merged) as flat
``key -> text`` maps with ``{name}`` placeholders. Chinese is the default; a missing English
key falls back to Chinese. A key defined in two files is an error.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
# Times are stored in UTC and shown on Beijing time, where Heze lives (API JSON stays UTC).
BEIJING = ZoneInfo("Asia/Shanghai")


@cache
def catalog(locale: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    folder = resources.files("mudan.i18n").joinpath(locale)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        data: dict[str, str] = json.loads(entry.read_text("utf-8"))
        clash = merged.keys() & data.keys()
        if clash:
            raise ValueError(f"i18n keys defined twice ({entry.name}): {sorted(clash)[:5]}")
        merged.update(data)
    return merged


def t(key: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    loc = locale if locale in LOCALES else DEFAULT_LOCALE
    text = catalog(loc).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError):
        return text


def bjtime(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored instant as Beijing wall time (a naive datetime is UTC); a plain date as is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return aware.astimezone(BEIJING).strftime(fmt)
    return value.strftime(fmt)


def bjdate(value: datetime | date | None) -> str:
    """The Beijing calendar day of an instant (or a plain date)."""
    return bjtime(value, "%Y-%m-%d")
