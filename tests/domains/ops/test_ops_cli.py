"""``mudan ops …`` as a user runs it: a real subprocess against the test database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from mudan.domains.ops import layouts
from mudan.domains.ops.mapdata import demo_config
from mudan.settings import Settings
from tests.test_cli import run_cli


def test_export_edit_import_and_demo_points(
    settings: Settings, session: Session, tmp_path: Path
) -> None:
    r = run_cli(settings, "ops", "screens")
    assert r.returncode == 0 and "overview" in r.stdout and "environment" in r.stdout
    r = run_cli(settings, "ops", "export", "data")
    assert r.returncode == 0, r.stderr
    layout = json.loads(r.stdout)
    layout["title"] = "数据中台（夜间）"
    layout["panels"] = layout["panels"][:2]
    path = tmp_path / "data.json"
    path.write_text(json.dumps(layout, ensure_ascii=False), "utf-8")
    r = run_cli(settings, "ops", "import", str(path))
    assert r.returncode == 0, r.stderr
    screen = layouts.get_screen(session, code="data")
    assert screen.title == "数据中台（夜间）" and len(screen.panels) == 2
    layout["panels"][1] |= {"x": 0, "y": 0}
    path.write_text(json.dumps(layout, ensure_ascii=False), "utf-8")
    r = run_cli(settings, "ops", "import", str(path))
    assert r.returncode == 2 and "overlap" in r.stderr
    r = run_cli(settings, "ops", "export", "nope")
    assert r.returncode == 2 and "大屏 nope 不存在" in r.stderr
    r = run_cli(settings, "ops", "demo-points", "1234", "--seed", "9")
    assert r.returncode == 0, r.stderr
    session.expire_all()
    assert demo_config(session) == (1234, 9)
    r = run_cli(settings, "ops", "demo-points", "--", "-5")
    assert r.returncode == 2 and "演示点位数量 -5 无效" in r.stderr
