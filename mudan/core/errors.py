"""Domain errors and the one JSON error envelope.

Every API error is ``{"ok": false, "error": {"code", "message", "details"}}``. Codes are stable
machine strings (``auth.invalid_token``); messages come from the i18n layer (Chinese by default).
"""

from __future__ import annotations

from typing import Any

from mudan.core.i18n import t


class MudanError(Exception):
    """Base for every error a user may see. ``code`` keys the message in the i18n catalog."""

    status: int = 400

    def __init__(
        self,
        code: str,
        /,
        *,
        status: int | None = None,
        details: list[dict[str, Any]] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.code = code
        if status is not None:
            self.status = status
        self.details = details or []
        self.params = params

    def message(self, locale: str = "zh") -> str:
        return t(f"error.{self.code}", locale, **self.params)

    def envelope(self, locale: str = "zh") -> dict[str, Any]:
        return {
            "ok": False,
            "error": {"code": self.code, "message": self.message(locale), "details": self.details},
        }


class InvalidInput(MudanError):
    status = 422


class NotFound(MudanError):
    status = 404


class Conflict(MudanError):
    status = 409


class Unauthenticated(MudanError):
    status = 401


class Forbidden(MudanError):
    status = 403


class TooLarge(MudanError):
    status = 413
