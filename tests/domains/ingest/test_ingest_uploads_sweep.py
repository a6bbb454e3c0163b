"""Uploaded files do not pile up: a failed write leaves nothing, the sweep removes the rest."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.core.db import utcnow
from mudan.domains.ingest.enums import LoadMode
from mudan.domains.ingest.service import submit_upload
from mudan.domains.ingest.uploads import sweep_uploads, uploads_root
from mudan.kernel.identity import principal_for_user
from mudan.kernel.models import User
from mudan.settings import Settings
from tests.conftest import login_token
from tests.domains.ingest.test_ingest_upload import SPEC, _csv, _upload, app_client

__all__ = ["app_client"]  # the fixture


def _age(path: os.PathLike[str], hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_sweep_keeps_only_what_a_job_may_still_need(
    app_client: TestClient, settings: Settings, session: Session
) -> None:
    h = {"Authorization": f"Bearer {login_token(app_client, 'gaj')}"}
    ok = _upload(app_client, h, _csv(10, 0, "utf-8"))
    bad = _upload(app_client, h, _csv(10, 0, "utf-8")[:-40] + b'"unterminated,\xff\xfe', "b.csv")
    assert (ok["status"], bad["status"]) == ("succeeded", "failed")
    root = uploads_root(settings)
    orphan = root / "no-such-job"  # a submit whose transaction was rolled back
    stale = root / "incoming" / "deadbeef"  # a crash between write and move
    for folder in (orphan, stale):
        folder.mkdir(parents=True)
        (folder / "x.csv").write_text("a\n")
    fresh = root / "incoming" / "in-flight"
    fresh.mkdir()
    _age(orphan, 2)
    _age(stale, 2)
    removed = set(sweep_uploads(session, settings=settings).removed)
    assert removed == {ok["id"], "no-such-job", "incoming/deadbeef"}
    assert (root / bad["id"]).is_dir() and fresh.is_dir()  # the failed job can still be retried
    later = utcnow() + timedelta(days=8)
    assert sweep_uploads(session, settings=settings, now=later).removed == [bad["id"]]


class Failing(io.BytesIO):
    """A stream that breaks after its first megabyte (a dropped client, a full disk)."""

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() > 0:
            raise OSError("connection lost")
        return super().read(size)


def test_a_broken_upload_leaves_no_file(
    app_client: TestClient, settings: Settings, session: Session
) -> None:
    gaj = principal_for_user(
        session, user=session.scalars(select(User).where(User.username == "gaj")).one(), via="t"
    )
    with pytest.raises(OSError):
        submit_upload(
            session,
            settings=settings,
            principal=gaj,
            table_ref=SPEC.ident,
            stream=Failing(b"x" * (3 << 20)),
            filename="big.csv",
            mode=LoadMode.APPEND,
        )
    incoming = uploads_root(settings) / "incoming"
    assert incoming.is_dir() and not any(incoming.iterdir())
