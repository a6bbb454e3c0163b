"""The catalog demo: size, mix, validity, determinism, idempotence and a searchable index."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from mudan.core.db import make_engine, make_sessionmaker
from mudan.core.progress import NullReporter
from mudan.core.runtime import Runtime
from mudan.demo.world import generate
from mudan.domains.catalog import indexing, service
from mudan.domains.catalog.codes import parse_code
from mudan.domains.catalog.models import CatalogEntry, CatalogVersion
from mudan.domains.catalog.schemas import EntryIn
from mudan.domains.catalog.validate import check_entry
from tests.conftest import DatabaseFactory, _settings


def test_demo_catalog(empty_db_url: str, tmp_path: Path) -> None:
    cfg = _settings(empty_db_url, tmp_path)
    with Runtime(cfg) as rt:
        generate(rt, seed=3717, scale=0.1, progress=NullReporter())
        generate(rt, seed=3717, scale=0.1, progress=NullReporter())  # idempotent
    engine = make_engine(empty_db_url)
    with make_sessionmaker(engine)() as s:
        entries = s.scalars(select(CatalogEntry)).unique().all()
        assert len(entries) == 1430
        status = Counter(e.status for e in entries)
        assert 0.80 < status["published"] / 1430 < 0.90
        openable = sum(e.open_type != "none" for e in entries)
        assert openable == round(1430 * 2669 / 14300)
        assert len({e.department_id for e in entries}) > 30
        assert len({e.theme for e in entries}) >= 14
        assert len({e.code for e in entries}) == 1430
        for e in entries:
            assert parse_code(e.code) is not None
            assert e.name.startswith("菏泽市")
            out = service.entry_out(e).model_dump()
            check_entry(EntryIn.model_validate(out))  # every demo entry passes the rules
            if e.open_type != "none":
                assert not any(i.personal_kind for i in e.items)
        sfzh = [i for e in entries for i in e.items if i.name == "sfzh"]
        assert sfzh and all(i.sensitivity == 4 and i.personal_kind == "citizen_id" for i in sfzh)
        live = sum(e.is_live for e in entries)
        versions = s.scalar(select(func.count(func.distinct(CatalogVersion.entry_id))))
        assert versions == sum(e.version > 0 for e in entries)
        index = indexing.open_index(cfg)
        try:
            assert index.count() == live
            hits = index.search("户籍人口", limit=5)
            assert hits.total > 0
        finally:
            index.close()
    engine.dispose()


def _fingerprint(url: str) -> list[tuple[str, str, str, str, int]]:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as s:
        rows = s.execute(
            select(
                CatalogEntry.code,
                CatalogEntry.name,
                CatalogEntry.status,
                CatalogEntry.open_type,
                CatalogEntry.version,
            ).order_by(CatalogEntry.code)
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_demo_is_deterministic(dbs: DatabaseFactory, tmp_path: Path) -> None:
    prints = []
    for n in range(2):
        url = dbs.fresh("empty")
        cfg = _settings(url, tmp_path / str(n))
        with Runtime(cfg) as rt:
            generate(rt, seed=7, scale=0.01, progress=NullReporter())
        prints.append(_fingerprint(url))
        dbs.drop(url)
    assert len(prints[0]) == 143 and prints[0] == prints[1]
