"""One i18n layer for every user-facing string: UI labels, API error messages, CLI output.

Catalogs live in ``mudan/i18n/<locale>.json`` as flat ``key -> text`` maps with ``{name}``
placeholders. Chinese is the default; a missing English key falls back to Chinese.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"


@cache
def catalog(locale: str) -> dict[str, str]:
    text = resources.files("mudan.i18n").joinpath(f"{locale}.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def t(key: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    loc = locale if locale in LOCALES else DEFAULT_LOCALE
    text = catalog(loc).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError):
        return text
