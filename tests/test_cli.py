"""The CLI as a user runs it: a real subprocess against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mudan.settings import Settings


def run_cli(
    settings: Settings, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MUDAN_DATABASE__URL": settings.database.url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "mudan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        check=False,
    )


def test_users_create_and_list(settings: Settings) -> None:
    r = run_cli(
        settings,
        "users",
        "create",
        "liuxin",
        "--role",
        "duty_officer",
        "--department",
        "371700009",
        "--password",
        "Peony#Heze2024",
    )
    assert r.returncode == 0, r.stderr
    assert "已创建用户" in r.stdout
    r = run_cli(
        settings,
        "users",
        "create",
        "liuxin",
        "--role",
        "duty_officer",
        "--password",
        "Peony#Heze2024",
    )
    assert r.returncode == 2 and "user.duplicate" in r.stderr and "已存在" in r.stderr
    r = run_cli(settings, "users", "list")
    assert "liuxin" in r.stdout and "duty_officer" in r.stdout


def test_regions_locate(settings: Settings) -> None:
    r = run_cli(settings, "regions", "locate", "115.417826", "35.252512")
    assert r.returncode == 0, r.stderr
    assert "371702" in r.stdout and "牡丹区" in r.stdout
    r = run_cli(settings, "regions", "locate", "116.40", "39.90")
    assert r.returncode == 2 and "region.outside_city" in r.stderr


def test_ids_check_reports_invalid_rows(settings: Settings, tmp_path: Path) -> None:
    f = tmp_path / "people.csv"
    rows = [
        "姓名,sfzh",
        "张三,11010519491231002X",
        "李四,110105194912310021",
        "王五,37170219800101",
        "赵六,",
    ]
    f.write_text("\n".join(rows), encoding="gb18030")
    r = run_cli(settings, "ids", "check", str(f), "--column", "sfzh")
    assert r.returncode == 1
    assert "共 4 行，有效 1，无效 3" in r.stdout
    assert "id.checksum" in r.stdout and "id.format" in r.stdout
    r = run_cli(settings, "ids", "check", str(f), "--column", "nope")
    assert r.returncode == 2 and "ids.bad_column" in r.stderr
    r = run_cli(settings, "ids", "check", str(tmp_path / "missing.csv"), "--column", "sfzh")
    assert r.returncode == 2 and "ids.bad_file" in r.stderr


def test_db_upgrade_is_repeatable(settings: Settings) -> None:
    assert run_cli(settings, "db", "upgrade").returncode == 0
