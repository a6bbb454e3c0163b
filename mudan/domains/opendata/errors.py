"""CKAN's error types, raised by the portal's services and turned into CKAN's envelope
(``{"success": false, "error": {"__type": ..., "message": ...}}``) by the action API.

Each carries a stable Mudan code whose Chinese message comes from the i18n catalog."""

from __future__ import annotations

from typing import Any

from mudan.core.errors import MudanError


class CkanError(MudanError):
    ckan_type = "Internal Error"

    def ckan_error(self, locale: str = "zh") -> dict[str, Any]:
        return {"__type": self.ckan_type, "message": self.message(locale), "code": self.code}


class NotFoundError(CkanError):
    status = 404
    ckan_type = "Not Found Error"


class ValidationError(CkanError):
    """CKAN answers 409 with the offending field named: ``{"<field>": ["<message>"]}``."""

    status = 409
    ckan_type = "Validation Error"

    def __init__(self, code: str, /, *, field: str, **params: Any) -> None:
        super().__init__(code, field=field, **params)
        self.field = field

    def ckan_error(self, locale: str = "zh") -> dict[str, Any]:
        out = super().ckan_error(locale)
        out[self.field] = [self.message(locale)]
        return out


class AuthorizationError(CkanError):
    status = 403
    ckan_type = "Authorization Error"


class SearchQueryError(CkanError):
    status = 409
    ckan_type = "Search Query Error"
