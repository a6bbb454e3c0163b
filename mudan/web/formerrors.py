"""Pydantic validation errors as one readable line in the user's language (for form pages).

``describe`` names each field by its i18n label (``<label_prefix><field>``, the field name when
there is none), adds the row for list items (第 2 项) and says what is wrong from ``form.<type>``
with the constraint filled in (最多 40 个字符).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mudan.core.i18n import t

_SAME = {
    "int_from_float": "int_parsing",
    "date_from_datetime_parsing": "date_parsing",
    "date_from_datetime_inexact": "date_parsing",
    "literal_error": "enum",
}


def _what(err: Any, locale: str) -> str:
    kind = _SAME.get(err["type"], err["type"])
    ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | float | str)}
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        kind = "missing"
    text = t(f"form.{kind}", locale, **ctx)
    return text if text != f"form.{kind}" else t("form.invalid", locale)


def _where(loc: tuple[int | str, ...], locale: str, label_prefix: str) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(t("form.item", locale, n=p + 1))
        elif p.isdigit():
            parts.append(t("form.item", locale, n=p))  # a dict key such as a level number
        else:
            label = t(f"{label_prefix}{p}", locale)
            parts.append(p if label == f"{label_prefix}{p}" else label)
    return " · ".join(parts)


def describe(exc: ValidationError, locale: str, label_prefix: str) -> str:
    lines = [
        t("form.line", locale, field=_where(e["loc"], locale, label_prefix), what=_what(e, locale))
        for e in exc.errors()
    ]
    return t("form.join", locale).join(lines)
