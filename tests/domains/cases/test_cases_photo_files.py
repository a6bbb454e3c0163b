"""Photo files follow their row: in place only after the commit, gone after a rollback or a
failed commit, and a crash between commit and rename is repaired on read and by the sweep."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.domains.cases import photofiles
from mudan.domains.cases import service as cs
from mudan.domains.cases.enums import Channel
from mudan.domains.cases.models import CasePhoto
from mudan.kernel.enums import Role
from mudan.kernel.rbac import Principal
from mudan.settings import Settings

ADMIN = Principal(user_id=None, username="t", display_name="t", roles=frozenset({Role.ADMIN}))


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 30)).save(buf, format="PNG")
    return buf.getvalue()


def _files(root: Path) -> list[str]:
    folder = root / "cases"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def sessions(settings: Settings) -> sessionmaker[Session]:
    engine = make_engine(settings.database.url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _new_case(sessions: sessionmaker[Session]) -> str:
    with transaction(sessions) as s:
        data = cs.IntakeIn(
            channel=Channel.HOTLINE, category_code="SJ0102", title="照片", region_code="371702"
        )
        return cs.intake(s, data=data, actor="t", now=datetime.now(UTC)).number


def _store(s: Session, number: str, var: Path) -> CasePhoto:
    case = cs.get_case(s, number=number)
    return cs.store_photo(s, case=case, data=_png(), principal=ADMIN, var_dir=var)


def test_file_appears_only_after_commit(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    number, var = _new_case(sessions), tmp_path / "var"
    with transaction(sessions) as s:
        photo = _store(s, number, var)
        assert not (var / photo.path).exists()  # not before the row is committed
        assert _files(var) == [Path(photo.path).name + ".part"]
    assert (var / photo.path).read_bytes() == _png()
    assert _files(var) == [Path(photo.path).name]


def test_rollback_and_failed_commit_leave_no_file(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    number, var = _new_case(sessions), tmp_path / "var"
    with pytest.raises(RuntimeError), transaction(sessions) as s:
        _store(s, number, var)
        raise RuntimeError("the request failed after the photo")
    assert _files(var) == []

    # The commit itself fails: the final flush breaks a foreign key.
    with pytest.raises(IntegrityError), transaction(sessions) as s:
        photo = _store(s, number, var)
        photo.case_id = 987654321
    assert _files(var) == []
    with sessions() as s:
        assert cs.photos(s, case=cs.get_case(s, number=number)) == []


def test_savepoint_rollback_discards_its_file(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    number, var = _new_case(sessions), tmp_path / "var"
    with transaction(sessions) as s:
        kept = _store(s, number, var)
        with pytest.raises(RuntimeError), s.begin_nested():  # as the pages do on an error
            _store(s, number, var)
            raise RuntimeError("later step in the savepoint failed")
    assert _files(var) == [Path(kept.path).name]


def test_crash_between_commit_and_rename_is_repaired(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    number, var = _new_case(sessions), tmp_path / "var"
    with transaction(sessions) as s:
        # Simulate the crash: the rename hook never runs for this commit.
        photo = _store(s, number, var)
        s.info[photofiles._KEY] = []
    final = var / photo.path
    assert not final.exists() and photofiles.part_of(final).exists()
    assert photofiles.photo_path(var, photo).read_bytes() == _png()  # reading finishes it

    # An orphan part (its transaction never committed) and another unfinished one: the sweep
    # deletes the orphan, finishes the committed one, and leaves fresh parts alone.
    with transaction(sessions) as s:
        late = _store(s, number, var)
        s.info[photofiles._KEY] = []
    orphan = photofiles.write_part(var / "cases" / number / "orphan.png", _png())
    fresh = photofiles.write_part(var / "cases" / number / "fresh.png", _png())
    old = time.time() - 2 * photofiles.SWEEP_AGE_S
    for p in (orphan, photofiles.part_of(var / late.path)):
        os.utime(p, (old, old))
    with sessions() as s:
        assert photofiles.sweep(s, var_dir=var) == 2
    assert (var / late.path).read_bytes() == _png()
    assert not orphan.exists() and fresh.exists()


def test_sweep_runs_as_a_periodic_job(settings: Settings) -> None:
    from mudan.hooks import make_plugin_manager

    jobs = [j for js in make_plugin_manager().hook.mudan_periodic_jobs() for j in js]
    assert "cases.photo_sweep" in {j.code for j in jobs}
