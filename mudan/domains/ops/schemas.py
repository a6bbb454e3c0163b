"""Layouts at the API boundary: a screen and its panels on a 24 × 12 grid."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from mudan.domains.ops.enums import PanelKind, Section

COLS, ROWS = 24, 12
_CODE = re.compile(r"^[a-z][a-z0-9_.\-]{0,79}$")


class PanelIn(BaseModel):
    kind: PanelKind
    title: str = Field(min_length=1, max_length=100)
    section: Section = Section.OPS
    codes: list[str] = Field(default_factory=list, max_length=12)
    x: int = Field(ge=0, lt=COLS)
    y: int = Field(ge=0, lt=ROWS)
    w: int = Field(ge=1, le=COLS)
    h: int = Field(ge=1, le=ROWS)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("codes")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not _CODE.match(c)]
        if bad:
            raise ValueError(f"not an indicator code: {bad[0]!r}")
        return value

    @model_validator(mode="after")
    def _inside(self) -> PanelIn:
        if self.x + self.w > COLS or self.y + self.h > ROWS:
            raise ValueError(f"panel {self.title!r} does not fit the {COLS}×{ROWS} grid")
        return self


class ScreenIn(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_\-]{0,39}$")
    title: str = Field(min_length=1, max_length=100)
    position: int = 0
    dwell_s: int = Field(default=30, ge=5, le=3600)
    enabled: bool = True
    panels: list[PanelIn] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _no_overlap(self) -> ScreenIn:
        taken: dict[tuple[int, int], str] = {}
        for p in self.panels:
            for cell in ((x, y) for x in range(p.x, p.x + p.w) for y in range(p.y, p.y + p.h)):
                if cell in taken:
                    raise ValueError(f"panels {taken[cell]!r} and {p.title!r} overlap")
                taken[cell] = p.title
        return self


class PanelOut(PanelIn):
    id: int | None = None


class ScreenOut(ScreenIn):
    panels: list[PanelOut]  # type: ignore[assignment]
    stored: bool  # False: the built-in default, not yet saved by an admin
    updated_by: str = ""
