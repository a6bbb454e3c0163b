"""Sessions cannot be forged, end when they should, and survive a key rotation.

The attack these reproduce: the session key used to default to a constant in the source, and
the cookie carried ``{"uid": 1}``, so anyone could sign themselves in as the administrator.
"""

from __future__ import annotations

import json
import os
import re
import stat
from base64 import b64encode

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mudan.app import create_app
from mudan.core.db import make_engine, make_sessionmaker, transaction
from mudan.core.errors import MudanError
from mudan.core.secrets import key_file, rotate, signing_keys
from mudan.domains.org.demo import DEMO_PASSWORD
from mudan.kernel.models import User
from mudan.settings import Settings
from tests.conftest import login_token

ME = "/api/v1/me"


def _cookie(payload: dict[str, object], key: str) -> str:
    data = b64encode(json.dumps(payload).encode("utf-8"))
    return itsdangerous.TimestampSigner(key).sign(data).decode("utf-8")


def _jar(cookie: str) -> dict[str, str]:
    return {"cookie": f"mudan_session={cookie}"}


def _login(client: TestClient, username: str = "admin", password: str = DEMO_PASSWORD) -> int:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"username": username, "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=form, follow_redirects=False).status_code


def test_a_cookie_signed_with_the_old_constant_is_nobody(client: TestClient) -> None:
    forged = _cookie({"uid": 1, "csrf": "x"}, "change-me-in-production")
    r = client.get(ME, headers=_jar(forged))
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.required"


def test_even_the_instance_key_cannot_mint_a_user(client: TestClient, settings: Settings) -> None:
    # A cookie says which server-side session it belongs to, never which user it is.
    key = signing_keys(settings)[0]
    for payload in ({"uid": 1}, {"sid": "made-up"}, {"sid": 1}):
        r = client.get(ME, headers=_jar(_cookie(payload, key)))
        assert r.status_code == 401, payload


def test_the_key_is_random_private_and_the_same_for_every_worker(settings: Settings) -> None:
    create_app(settings)
    path = key_file(settings)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    first = signing_keys(settings)
    create_app(settings)  # a second worker on the same var directory
    assert signing_keys(settings) == first and len(first[0]) >= 32
    other = settings.model_copy(update={"var_dir": settings.var_dir / "elsewhere"})
    assert signing_keys(other) != first  # another instance gets its own key


@pytest.mark.parametrize("weak", ["change-me-in-production", "test-secret", "short-key"])
def test_a_weak_configured_key_refuses_to_start(settings: Settings, weak: str) -> None:
    settings.auth.secret_key = settings.auth.secret_key.__class__(weak)
    with pytest.raises(MudanError) as exc:
        create_app(settings)
    assert exc.value.code == "config.weak_secret"


def test_logout_ends_the_session_for_good(client: TestClient) -> None:
    assert _login(client) == 303
    stolen = client.cookies["mudan_session"]
    assert client.get(ME).status_code == 200
    page = client.get("/").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    client.cookies.clear()
    r = client.get(ME, headers=_jar(stolen))  # the copied cookie is replayed
    assert r.status_code == 401


def test_password_change_ends_other_sessions_and_keeps_this_one(client: TestClient) -> None:
    other = TestClient(client.app)
    assert _login(client, "dsj") == 303 and _login(other, "dsj") == 303
    token = login_token(TestClient(client.app), "dsj")
    csrf = client.get("/").text
    m = re.search(r'name="csrf_token" value="([^"]+)"', csrf)
    assert m
    body = {"current_password": DEMO_PASSWORD, "new_password": "Peony#Heze2026!"}
    r = client.post("/api/v1/auth/password", json=body, headers={"x-csrf-token": m.group(1)})
    assert r.status_code == 204, r.text
    assert client.get(ME).status_code == 200  # this browser got a fresh session
    assert other.get(ME).status_code == 401  # the other one is over
    assert client.get(ME, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)  # a new session
    assert m
    wrong = {"current_password": "not-it", "new_password": "Another#Pass2026"}
    r = client.post("/api/v1/auth/password", json=wrong, headers={"x-csrf-token": m.group(1)})
    assert r.status_code == 401


def test_lockout_ends_sessions_and_suspends_tokens(client: TestClient) -> None:
    assert _login(client, "dsj") == 303
    token = login_token(TestClient(client.app), "dsj")
    attacker = TestClient(client.app, client=("10.9.9.9", 1))
    for _ in range(5):
        assert _login(attacker, "dsj", "wrong-guess-1") == 401
    assert client.get(ME).status_code == 401
    r = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.account_locked"


def test_a_rotation_keeps_sessions_and_re_signs_them(settings: Settings) -> None:
    with TestClient(create_app(settings)) as c:
        assert _login(c) == 303
        cookie = c.cookies["mudan_session"]
    rotate(settings)
    assert len(key_file(settings).read_text().split()) == 2
    with TestClient(create_app(settings)) as c:
        r = c.get(ME, headers=_jar(cookie))
        assert r.status_code == 200
        resigned = r.cookies["mudan_session"]
        newest = signing_keys(settings)[0]
        itsdangerous.TimestampSigner(newest).unsign(resigned)  # signed with the new key
    for _ in range(3):  # three more rotations: the first key is no longer kept
        rotate(settings)
    with TestClient(create_app(settings)) as c:
        assert c.get(ME, headers=_jar(cookie)).status_code == 401


def test_an_inactive_user_loses_the_session(client: TestClient, settings: Settings) -> None:
    assert _login(client, "dsj") == 303
    engine = make_engine(settings.database.url)
    with transaction(make_sessionmaker(engine)) as s:
        user = s.scalar(select(User).where(User.username == "dsj"))
        assert user is not None
        user.is_active = False
    engine.dispose()
    assert client.get(ME).status_code == 401
