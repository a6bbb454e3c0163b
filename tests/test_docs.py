from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from mudan.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _env_names(model: type[BaseModel], prefix: str) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            names |= _env_names(ann, f"{prefix}{name.upper()}__")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = set(re.findall(r"`(MUDAN_[A-Z_]+)`", (DOCS / "settings.md").read_text("utf-8")))
    assert documented == _env_names(Settings, "MUDAN_")


def test_hooks_doc_lists_every_hook() -> None:
    from mudan.hooks import MudanSpec

    text = (DOCS / "hooks.md").read_text("utf-8")
    hooks = {n for n in vars(MudanSpec) if n.startswith("mudan_")}
    assert hooks and all(f"`{h}(" in text for h in hooks)
