"""Helpers of the open-data tests: pick datasets of the demo world, make a citizen."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.domains.opendata.models import OpenDataset
from mudan.kernel.enums import Role
from mudan.kernel.identity import BindingIn, create_user
from mudan.settings import Settings

CITIZEN_PASSWORD = "Open#Data2024x"


def pick(session: Session, open_type: str, with_data: bool = True) -> OpenDataset:
    stmt = select(OpenDataset).where(
        OpenDataset.open_type == open_type, OpenDataset.state == "active"
    )
    if with_data:
        stmt = stmt.where(OpenDataset.data_rows > 0)
    ds = session.scalars(stmt.order_by(OpenDataset.id)).first()
    assert ds is not None, f"the demo world has no {open_type} dataset"
    return ds


def make_citizen(settings: Settings, username: str = "shimin") -> None:
    engine = make_engine(settings.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        create_user(
            s,
            username=username,
            display_name="市民",
            password=CITIZEN_PASSWORD,
            bindings=[BindingIn(role=Role.CITIZEN)],
        )
    engine.dispose()
