"""The import-linter contracts of pyproject.toml (docs/architecture.md) hold on the real tree and
bite: a copy of the package with one forbidden import added breaks the contract that names it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FOUNDATIONS = "core, kernel, lake and search never import a domain"
DOMAINS = "a domain imports another domain only through its service or flows module"
LAKE_GATE = "only mudan.lake imports duckdb or pyiceberg"

# `lint-imports` in a fresh interpreter, run in the directory it should check (it puts the
# working directory on sys.path, so that directory's `mudan` is the one analysed).
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
)


def _lint(where: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", LINT], cwd=where, capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout + done.stderr


def _copy_tree(dest: Path) -> Path:
    """The package's Python files, pyproject.toml and the custom contract, nothing else."""
    shutil.copytree(ROOT / "mudan", dest / "mudan", ignore=_not_python)
    (dest / "tests").mkdir()
    for name in ("__init__.py", "import_contracts.py"):
        shutil.copy(ROOT / "tests" / name, dest / "tests" / name)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _not_python(folder: str, names: list[str]) -> set[str]:
    here = Path(folder)
    keep = {n for n in names if n.endswith(".py") or (here / n).is_dir()}
    return set(names) - keep | ({"__pycache__"} & set(names))


def _append(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text("utf-8") + "\n" + line + "\n", "utf-8")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_tree(tmp_path_factory.mktemp("arch"))


def test_the_real_tree_keeps_every_contract() -> None:
    code, out = _lint(ROOT)
    assert code == 0, out
    assert "3 kept, 0 broken" in out


def test_each_forbidden_import_breaks_its_contract(tmp_path: Path, pristine: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(pristine, tree)
    _append(tree, "mudan.core.errors", "import mudan.domains.cases.models")
    _append(tree, "mudan.kernel.scope", "import mudan.domains.video.models")
    _append(tree, "mudan.domains.cases.service", "import duckdb")
    _append(tree, "mudan.domains.video.registry", "from mudan.domains.cases import models")
    code, out = _lint(tree)
    assert code != 0
    assert f"{FOUNDATIONS} BROKEN" in out
    assert "mudan.core.errors -> mudan.domains.cases.models" in out
    assert "mudan.kernel.scope -> mudan.domains.video.models" in out
    assert f"{LAKE_GATE} BROKEN" in out
    assert "mudan.domains.cases.service -> duckdb" in out
    assert f"{DOMAINS} BROKEN" in out
    assert "mudan.domains.video.registry -> mudan.domains.cases.models" in out
    assert "0 kept, 3 broken" in out


def test_service_and_flows_stay_open_to_other_domains(tmp_path: Path, pristine: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(pristine, tree)
    _append(tree, "mudan.domains.video.registry", "from mudan.domains.cases import service")
    (tree / "mudan/domains/cases/flows.py").write_text('"""Multi-step work."""\n', "utf-8")
    _append(tree, "mudan.domains.video.cli", "import mudan.domains.cases.flows")
    _append(tree, "mudan.domains.video.cli", "import mudan.domains.cases")  # the bare package: no
    code, out = _lint(tree)
    assert code != 0
    assert f"{DOMAINS} BROKEN" in out
    assert "mudan.domains.video.cli -> mudan.domains.cases (l." in out
    assert "-> mudan.domains.cases.service" not in out
    assert "-> mudan.domains.cases.flows" not in out
    assert "2 kept, 1 broken" in out


def test_the_debt_table_of_the_architecture_doc_matches_the_ignores() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    ignored: Counter[tuple[str, str]] = Counter()
    for contract in config["contracts"]:
        for line in contract.get("ignore_imports", []):
            ignored[(contract["id"], line.split(" -> ")[1].strip())] += 1
    doc = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    rows = re.findall(r"^\| ([\w-]+) \| `([\w.]+)` \| (\d+) \|", doc, flags=re.MULTILINE)
    assert Counter({(c, m): int(n) for c, m, n in rows}) == ignored
    assert len(rows) == len(ignored)
