"""Pages: intake, board, supervision, detail with timeline, the citizen's report form; CLI."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mudan.domains.cases.models import Case
from mudan.settings import Settings
from tests.test_cli import run_cli

H = Callable[[str], dict[str, str]]


def test_intake_board_detail_and_supervise_pages(client: TestClient, headers: H) -> None:
    h = headers("hotline")
    assert "12345" in client.get("/cases/intake", headers=h).text
    form = {
        "category_code": "SJ0102",
        "title": "页面受理",
        "region_code": "",
        "lon": "",
        "lat": "",
        "reporter_name": "赵六",
        "reporter_phone": "13700001234",
    }
    r = client.post("/cases/intake", data=form, headers=h)
    assert r.status_code == 422 and "缺少位置" in r.text
    form.update(lon="116.397", lat="39.909")  # outside Heze: manual queue
    r = client.post("/cases/intake", data=form, headers=h, follow_redirects=False)
    assert r.status_code == 303
    number = r.headers["location"].rsplit("/", 1)[-1]
    board = client.get("/cases/board?queue=manual", headers=headers("paidan")).text
    assert number in board and "待人工派遣" in board
    page = client.get(f"/cases/{number}", headers=headers("paidan")).text
    assert "13700001234" in page and "办理过程" in page
    r = client.post(f"/cases/{number}/act", data={"action": "close"}, headers=headers("paidan"))
    assert r.status_code == 422 and "register" in r.text  # the 409 message names what is allowed
    r = client.post(
        f"/cases/{number}/act",
        data={"action": "register"},
        headers=headers("paidan"),
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "立案" in client.get(f"/cases/{number}", headers=headers("paidan")).text
    sup = client.get("/cases/supervise", headers=headers("kaohe")).text
    assert "部门考核" in sup
    assert client.get("/cases/board", headers=headers("chuzhi")).status_code == 403


def test_citizen_report_form_needs_csrf(client: TestClient, session: Session) -> None:
    page = client.get("/report").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {
        "category_code": "SJ0501",
        "description": "店外经营占道",
        "lon": "115.47",
        "lat": "35.25",
        "reporter_phone": "13611112222",
        "idempotency_key": "abc123",
    }
    assert client.post("/report", data=form).status_code == 403  # no CSRF token
    r = client.post("/report", data={**form, "csrf_token": token.group(1)})
    assert r.status_code == 200
    number = re.search(r'id="created">[^<]*?(\d{16})', r.text)
    assert number
    again = client.post("/report", data={**form, "csrf_token": token.group(1)})
    assert number.group(1) in again.text  # a double submit is one case
    n = session.scalars(select(Case).where(Case.idempotency_key == "citizen:abc123")).all()
    assert len(n) == 1


def test_cli_new_list_and_supervise(settings: Settings) -> None:
    r = run_cli(
        settings,
        "cases",
        "new",
        "--category",
        "SJ0102",
        "--title",
        "命令行受理",
        "--region",
        "371702001000",
        "--key",
        "cli-1",
    )
    assert r.returncode == 0, r.stderr
    number = r.stdout.split()[0]
    r = run_cli(settings, "cases", "list")
    assert r.returncode == 0 and number in r.stdout
    r = run_cli(settings, "cases", "show", number)
    assert r.returncode == 0 and "intake" in r.stdout
    r = run_cli(settings, "cases", "supervise")
    assert r.returncode == 0 and "督办" in r.stdout
    r = run_cli(settings, "cases", "new", "--category", "NOPE", "--title", "x", "--region", "3717")
    assert r.returncode != 0 and "cases.unknown_category" in r.stderr
