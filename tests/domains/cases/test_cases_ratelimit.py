"""The public report endpoints are rate-limited per client address (and per api_key for
Open311): 429 with Retry-After, the Chinese message on the citizen's page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mudan.app import create_app
from mudan.domains.cases.ratelimit import RateLimited, ReportLimiter
from mudan.settings import Settings
from tests.conftest import login_token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_refills_over_the_window_and_keys_are_all_or_nothing() -> None:
    clock = Clock()
    lim = ReportLimiter(3, 60.0, clock)
    for _ in range(3):
        lim.take("ip:a")
    with pytest.raises(RateLimited) as exc:
        lim.take("ip:a")
    assert exc.value.retry_after == 20 and exc.value.headers == {"Retry-After": "20"}
    assert exc.value.status == 429 and "秒后再试" in exc.value.message("zh")
    clock.now += 20
    lim.take("ip:a")
    # A call with two keys is refused when either is empty, and then spends neither.
    for _ in range(2):
        lim.take("ip:b", "key:k")
    with pytest.raises(RateLimited):
        lim.take("ip:a", "key:k")
    lim.take("key:k")  # key:k still had its last token
    with pytest.raises(RateLimited):
        lim.take("ip:c", "key:k")
    lim.take("ip:c")
    ReportLimiter(0, 60.0, clock).take("ip:a")  # 0 switches the limit off


@pytest.fixture
def limited(settings: Settings) -> Iterator[Settings]:
    settings.cases.report_limit = 2
    settings.cases.report_window_s = 600.0
    yield settings


def _report(c: TestClient, key: str) -> int:
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/report").text)
    assert token
    form = {
        "category_code": "SJ0501",
        "description": "店外经营占道",
        "lon": "115.47",
        "lat": "35.25",
        "idempotency_key": key,
        "csrf_token": token.group(1),
    }
    r = c.post("/report", data=form)
    if r.status_code == 429:
        wait = int(r.headers["Retry-After"])  # one report per 300 s refills (less time passed)
        assert 1 <= wait <= 300
        assert f"提交过于频繁，请 {wait} 秒后再试。" in r.text
    return r.status_code


def test_citizen_page_limits_each_address(limited: Settings) -> None:
    app = create_app(limited)
    with TestClient(app, client=("10.1.1.1", 5000)) as one:
        assert [_report(one, f"k{i}") for i in range(3)] == [200, 200, 429]
        two = TestClient(app, client=("10.1.1.2", 5000))  # another address, same running app
        assert _report(two, "k9") == 200


def test_open311_limits_address_and_api_key(limited: Settings) -> None:
    app = create_app(limited)
    body = {"service_code": "SJ0102", "lat": "35.2480", "long": "115.4700", "description": "垃圾"}
    url = "/open311/v2/requests.json"
    with TestClient(app, client=("10.2.2.1", 5000)) as one:
        key = login_token(one, "hotline")
        assert one.post(url, json={**body, "api_key": key}).status_code == 201
        bearer = {"Authorization": f"Bearer {key}"}
        assert one.post(url, json=body, headers=bearer).status_code == 201
        r = one.post(url, json={**body, "api_key": key})
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 300
        assert r.json()["error"]["code"] == "cases.rate_limited"
        assert f"请 {r.headers['Retry-After']} 秒后再试" in r.json()["error"]["message"]
        two = TestClient(app, client=("10.2.2.2", 5000))  # same running app
        # The same api_key from another address is still over its limit …
        assert two.post(url, json={**body, "api_key": key}).status_code == 429
        # … while another key from there goes through.
        other = login_token(two, "wangge")
        r = two.post(url, json={**body, "api_key": other})
        assert r.status_code == 201, r.text
