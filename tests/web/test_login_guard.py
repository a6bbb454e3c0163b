"""Login cannot be used to enumerate users or to lock accounts at will, and the counters behind
the login throttle and the public report limit are shared by every worker."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from mudan.app import create_app
from mudan.domains.org.demo import DEMO_PASSWORD
from mudan.kernel import identity as org_service
from mudan.settings import Settings

TOKENS = "/api/v1/auth/tokens"


def _try(c: TestClient, username: str, password: str) -> tuple[int, str]:
    r = c.post(TOKENS, json={"username": username, "password": password})
    code = r.json()["error"]["code"] if r.status_code != 201 else ""
    return r.status_code, code


def test_unknown_and_known_users_cost_the_same_work(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real: Callable[[str, str], bool] = org_service.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash[:9])
        return real(password_hash, password)

    monkeypatch.setattr(org_service, "verify_password", counting)
    assert _try(client, "no-such-user", "whatever-1") == (401, "auth.bad_credentials")
    assert _try(client, "dsj", "whatever-1") == (401, "auth.bad_credentials")
    assert len(calls) == 2 and all(c.startswith("$argon2") for c in calls)


def test_timing_does_not_tell_which_users_exist(client: TestClient) -> None:
    def once(username: str) -> float:
        start = time.perf_counter()
        assert _try(client, username, "Wrong#pass-123")[0] == 401
        return time.perf_counter() - start

    unknown, known = [], []
    for i in range(6):  # interleaved, and on accounts far from their lock-out
        unknown.append(once(f"ghost{i}"))
        known.append(once(["admin", "gaj", "zhiban"][i % 3]))
    ratio = statistics.median(known) / statistics.median(unknown)
    # Before the fix an unknown user answered ~30x faster (no password hash was checked).
    assert 0.5 < ratio < 2.0, (known, unknown)


def test_a_locked_account_looks_like_any_wrong_password(client: TestClient) -> None:
    for _ in range(5):
        _try(client, "dsj", "wrong-guess-1")
    # Without the password nobody learns the account exists and is locked …
    assert _try(client, "dsj", "wrong-guess-2") == _try(client, "ghost", "wrong-guess-2")
    # … the owner, who knows it, is told.
    assert _try(client, "dsj", DEMO_PASSWORD) == (401, "auth.locked")


@pytest.fixture
def strict(settings: Settings) -> Settings:
    settings.auth.address_failures = 3
    settings.auth.address_window_s = 600.0
    return settings


def test_one_address_cannot_keep_guessing(strict: Settings) -> None:
    app = create_app(strict)
    with TestClient(app, client=("10.3.3.1", 1)) as attacker:
        assert [_try(attacker, u, "guess-1")[0] for u in ("dsj", "gaj", "ghost")] == [401] * 3
        r = attacker.post(TOKENS, json={"username": "admin", "password": DEMO_PASSWORD})
        assert r.status_code == 429 and r.json()["error"]["code"] == "auth.too_many_attempts"
        assert 1 <= int(r.headers["Retry-After"]) <= 200
        # The accounts it named are not locked: one failure each, far from the lock-out.
        office = TestClient(app, client=("10.3.3.2", 1))  # the same running app
        assert _try(office, "dsj", DEMO_PASSWORD) == (201, "")
        # Successful logins spend nothing: an office behind one address logs in all day.
        for _ in range(5):
            assert _try(office, "gaj", DEMO_PASSWORD)[0] == 201


def test_workers_share_the_login_budget(strict: Settings) -> None:
    one, two = create_app(strict), create_app(strict)  # two workers, one database
    with TestClient(one, client=("10.4.4.1", 1)) as a, TestClient(two, client=("10.4.4.1", 1)) as b:
        assert _try(a, "ghost", "x-guess-1")[0] == 401
        assert _try(b, "ghost", "x-guess-1")[0] == 401
        assert _try(a, "ghost", "x-guess-1")[0] == 401
        assert _try(b, "admin", DEMO_PASSWORD)[0] == 429


def test_workers_share_the_report_limit(settings: Settings) -> None:
    settings.cases.report_limit = 2
    settings.cases.report_window_s = 600.0
    body = {"service_code": "SJ0102", "lat": "35.2480", "long": "115.4700", "description": "垃圾"}
    url = "/open311/v2/requests.json"
    one, two = create_app(settings), create_app(settings)
    with TestClient(one, client=("10.5.5.1", 1)) as a, TestClient(two, client=("10.5.5.1", 1)) as b:
        key = (
            TestClient(one)
            .post(TOKENS, json={"username": "hotline", "password": DEMO_PASSWORD})
            .json()["token"]
        )
        assert a.post(url, json={**body, "api_key": key}).status_code == 201
        assert b.post(url, json={**body, "api_key": key}).status_code == 201
        r = a.post(url, json={**body, "api_key": key})
        assert r.status_code == 429 and r.json()["error"]["code"] == "cases.rate_limited"


def test_serve_believes_forwarded_headers_only_from_listed_proxies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    import uvicorn

    from mudan.cli import main

    seen: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.append(kw))
    monkeypatch.setenv("MUDAN_DATABASE__URL", f"sqlite:///{tmp_path}/x.db")
    from mudan.core.migrate import upgrade

    upgrade(f"sqlite:///{tmp_path}/x.db")
    main.serve(host=None, port=None, reload=False)
    assert seen[-1]["proxy_headers"] is False and seen[-1]["forwarded_allow_ips"] is None
    monkeypatch.setenv("MUDAN_WEB__FORWARDED_ALLOW_IPS", "10.0.0.5")
    main.serve(host=None, port=None, reload=False)
    assert seen[-1]["proxy_headers"] is True and seen[-1]["forwarded_allow_ips"] == "10.0.0.5"
