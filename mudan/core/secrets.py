"""The instance's signing keys: never a usable default.

Keys come from the environment (``MUDAN_AUTH__SECRET_KEY``, with
``MUDAN_AUTH__PREVIOUS_SECRET_KEYS`` still accepted during a rotation) or, when unset, from
``var_dir/secret_keys``: one key per line, newest first, created with 32 random bytes and mode
0600 on first start. Every worker sharing the var directory reads the same file; hosts that do
not share one must set the environment key.

A key list lets a rotation keep everyone logged in: cookies are signed with the newest key and
verified against all of them, and are re-signed with the newest on their next response.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from mudan.core.errors import MudanError
from mudan.settings import Settings

KEY_FILE = "secret_keys"
MIN_KEY_LENGTH = 32
KEEP_OLD = 3  # previous keys kept by ``rotate`` (sessions signed with older ones end)
# Keys that were ever shipped or documented as examples: refused wherever they appear.
KNOWN_WEAK = frozenset({"change-me-in-production", "changeme", "secret", "test-secret"})


class WeakSecret(MudanError):
    status = 500


def _check(key: str, source: str) -> str:
    key = key.strip()
    if key in KNOWN_WEAK or len(key) < MIN_KEY_LENGTH:
        raise WeakSecret("config.weak_secret", source=source, min_length=MIN_KEY_LENGTH)
    return key


def key_file(settings: Settings) -> Path:
    return settings.var_dir / KEY_FILE


def _new_key() -> str:
    return secrets.token_urlsafe(32)


def _write_private(path: Path, keys: list[str]) -> None:
    """Write ``keys`` to ``path`` readable by the owner only, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write("\n".join(keys) + "\n")
    os.replace(tmp, path)


def _read_file(path: Path) -> list[str]:
    lines = path.read_text(encoding="ascii").splitlines()
    return [_check(line, str(path)) for line in lines if line.strip()]


def _file_keys(settings: Settings) -> list[str]:
    path = key_file(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: when several workers start at once, exactly one creates the key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(_new_key() + "\n")
    keys = _read_file(path)
    if not keys:
        raise WeakSecret("config.weak_secret", source=str(path), min_length=MIN_KEY_LENGTH)
    return keys


def signing_keys(settings: Settings) -> list[str]:
    """The keys to verify with, newest first (``[0]`` signs)."""
    auth = settings.auth
    current = auth.secret_key.get_secret_value()
    if current:
        old = [
            _check(k.get_secret_value(), "MUDAN_AUTH__PREVIOUS_SECRET_KEYS")
            for k in auth.previous_secret_keys
        ]
        return [_check(current, "MUDAN_AUTH__SECRET_KEY"), *old]
    return _file_keys(settings)


def rotate(settings: Settings) -> Path:
    """Put a new key first in the key file, keeping the last ``KEEP_OLD`` keys for verification."""
    if settings.auth.secret_key.get_secret_value():
        raise MudanError("config.rotate_env_key")
    path = key_file(settings)
    keys = _file_keys(settings)
    _write_private(path, [_new_key(), *keys[:KEEP_OLD]])
    return path
