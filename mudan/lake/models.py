"""The lake's table registry: every lake table the platform loads, checks or serves, with its
spec, provider department, declared update cycle and last successful load.

The SQL table keeps its first name, ``quality_table`` (the registry began in the quality
domain), so no migration was needed when it moved here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from mudan.core.db import Base, UTCDateTime, utcnow


class LakeTable(Base):
    """A registered lake table: its spec, provider and declared update cycle."""

    __tablename__ = "quality_table"

    table_ref: Mapped[str] = mapped_column(String(130), primary_key=True)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    update_cycle: Mapped[str | None] = mapped_column(String(16))
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
