"""Shared request-parameter types: ids that fit the database, or a 422 before any query."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

# Id columns are INTEGER: 32 bits on PostgreSQL (SQLite's hold 64). A larger id would make
# the driver fail (a 500), so it is refused as invalid input (422) first.
MAX_ID = 2**31 - 1
# BIGINT columns (IoT readings), and the 64 bits of SQLite.
MAX_BIG_ID = 2**63 - 1

# An integer path parameter (a row id, a version number): 1 … MAX_ID.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
# A path id of a BIGINT row: 1 … MAX_BIG_ID.
BigId = Annotated[int, Path(ge=1, le=MAX_BIG_ID)]
# The same bound as Id for an id inside a request body (row ids, a report to fulfil).
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
