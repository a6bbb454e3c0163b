"""Screens and panels as data: read (stored layout, else the built-in default) and replace."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.core.errors import NotFound
from mudan.domains.ops.defaults import default_screens
from mudan.domains.ops.models import OpsPanel, OpsScreen
from mudan.domains.ops.schemas import PanelOut, ScreenIn, ScreenOut


def _out(row: OpsScreen) -> ScreenOut:
    return ScreenOut(
        code=row.code,
        title=row.title,
        position=row.position,
        dwell_s=row.dwell_s,
        enabled=row.enabled,
        stored=True,
        updated_by=row.updated_by,
        panels=[
            PanelOut(
                id=p.id,
                kind=p.kind,
                title=p.title,
                section=p.section,
                codes=list(p.codes),
                x=p.x,
                y=p.y,
                w=p.w,
                h=p.h,
                options=dict(p.options),
            )
            for p in row.panels
        ],
    )


def _default_out(screen: ScreenIn) -> ScreenOut:
    panels = [PanelOut(**p.model_dump()) for p in screen.panels]
    return ScreenOut(**screen.model_dump(exclude={"panels"}), panels=panels, stored=False)


def list_screens(session: Session, *, enabled_only: bool = False) -> list[ScreenOut]:
    """Stored screens plus the built-in ones an admin has not replaced, in carousel order."""
    stored = {r.code: _out(r) for r in session.scalars(select(OpsScreen))}
    for d in default_screens():
        stored.setdefault(d.code, _default_out(d))
    screens = sorted(stored.values(), key=lambda s: (s.position, s.code))
    return [s for s in screens if s.enabled] if enabled_only else screens


def get_screen(session: Session, *, code: str) -> ScreenOut:
    for screen in list_screens(session):
        if screen.code == code:
            return screen
    raise NotFound("ops.screen_not_found", code=code)


def save_screen(session: Session, *, screen: ScreenIn, actor: str) -> ScreenOut:
    """Create or replace a screen and all of its panels (one layout = one write)."""
    row = session.scalar(select(OpsScreen).where(OpsScreen.code == screen.code))
    if row is None:
        row = OpsScreen(code=screen.code)
        session.add(row)
    row.title, row.position, row.dwell_s = screen.title, screen.position, screen.dwell_s
    row.enabled, row.updated_by, row.updated_at = screen.enabled, actor, utcnow()
    row.panels.clear()
    session.flush()
    for p in screen.panels:
        data = p.model_dump(mode="json")
        row.panels.append(OpsPanel(**data))
    session.flush()
    session.refresh(row)
    return _out(row)


def reset_screen(session: Session, *, code: str) -> ScreenOut | None:
    """Forget the stored layout: a built-in screen returns to its default, others are removed."""
    row = session.scalar(select(OpsScreen).where(OpsScreen.code == code))
    if row is None:
        raise NotFound("ops.screen_not_found", code=code)
    session.delete(row)
    session.flush()
    defaults = {d.code: d for d in default_screens()}
    return _default_out(defaults[code]) if code in defaults else None


def seed_defaults(session: Session, *, actor: str = "demo") -> int:
    """Store the built-in screens that are not stored yet (idempotent)."""
    have = set(session.scalars(select(OpsScreen.code)))
    todo = [d for d in default_screens() if d.code not in have]
    for d in todo:
        save_screen(session, screen=d, actor=actor)
    return len(todo)
