"""Password hashing (argon2id), password policy and API bearer tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mudan.core.errors import InvalidInput

_hasher = PasswordHasher()
TOKEN_PREFIX = "mdn_"
_TOKEN_RE = re.compile(r"^mdn_[A-Za-z0-9_-]{40,64}$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_policy(password: str, *, username: str, min_length: int) -> None:
    """At least ``min_length`` characters, three of four character classes, not the username."""
    classes = sum(
        bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
    )
    if len(password) < min_length or classes < 3 or username.lower() in password.lower():
        raise InvalidInput("auth.weak_password", min_length=min_length)


@dataclass(frozen=True)
class NewToken:
    plain: str
    prefix: str
    token_hash: str


def token_hash(plain: str) -> str:
    # Tokens carry 256 bits of entropy, so a fast digest is enough (no argon2 needed).
    return hashlib.sha256(plain.encode("ascii")).hexdigest()


def new_api_token() -> NewToken:
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewToken(plain=plain, prefix=plain[:10], token_hash=token_hash(plain))


def is_well_formed_token(plain: str) -> bool:
    return bool(_TOKEN_RE.match(plain))
