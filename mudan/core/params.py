"""Shared request-parameter types."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

# The largest id either database can hold (PostgreSQL BIGINT, SQLite INTEGER): anything larger
# would overflow the driver, so it is refused as invalid input (422) before it reaches a query.
MAX_ID = 2**63 - 1

# An integer path parameter (a row id, a version number): 1 … MAX_ID.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

# The same bound for an id inside a request body (a list of row ids, a report to fulfil).
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
