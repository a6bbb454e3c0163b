"""One query-parameter model per list, shared by its API endpoint and its web page, so the two
cannot drift: the API takes it as ``Annotated[Model, Query()]`` (a bad value, such as an
unknown enum member, is the usual 422 ``request.invalid`` naming the field), a page reads it
with :meth:`ListQuery.for_page` (the bad fields are dropped and named, for a message in the
page's language, and the list still shows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator


class ListQuery(BaseModel):
    """Base of a list's filters. An empty value (a form's "all" option) is no filter."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        # dropped, not None: the field's default applies (a box of "all", a page of 1)
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if v != ""}
        return data

    @classmethod
    def for_page(cls, params: Mapping[str, str]) -> tuple[Self, list[str]]:
        """The valid filters of ``params`` and the names of the invalid ones (ignored)."""
        data = {name: params[name] for name in cls.model_fields if params.get(name, "") != ""}
        try:
            return cls.model_validate(data), []
        except ValidationError as e:
            bad = sorted({str(err["loc"][0]) for err in e.errors() if err["loc"]})
            return cls.model_validate({k: v for k, v in data.items() if k not in bad}), bad
