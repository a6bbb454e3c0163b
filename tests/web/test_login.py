from __future__ import annotations

import re

from fastapi.testclient import TestClient

from mudan.domains.org.demo import DEMO_PASSWORD


def _csrf(client: TestClient, path: str = "/login") -> str:
    html = client.get(path).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


def _login(client: TestClient, username: str, password: str) -> object:
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _csrf(client), "next": "/"},
        follow_redirects=False,
    )


def test_login_then_home_shows_sections(client: TestClient) -> None:
    r = _login(client, "admin", DEMO_PASSWORD)
    assert r.status_code == 303  # type: ignore[attr-defined]
    home = client.get("/")
    assert home.status_code == 200
    for section in (
        "数据中台",
        "共享开放",
        "城市感知",
        "城市治理",
        "运行中心",
        "惠民服务",
        "评价考核",
    ):
        assert section in home.text
    assert "本板块尚未建设" in home.text  # unbuilt sections say so plainly
    assert "/admin/regions" in home.text


def test_wrong_password_gives_chinese_message(client: TestClient) -> None:
    r = _login(client, "admin", "wrong-password")
    assert r.status_code == 401  # type: ignore[attr-defined]
    assert "用户名或密码错误" in r.text  # type: ignore[attr-defined]
    r2 = client.get("/", follow_redirects=False, headers={"accept": "text/html"})
    assert r2.status_code == 303 and r2.headers["location"] == "/login?next=/"


def test_lockout_after_repeated_failures(client: TestClient) -> None:
    for _ in range(5):
        _login(client, "dsj", "not-the-password")
    r = _login(client, "dsj", DEMO_PASSWORD)  # even the right password is refused now
    assert r.status_code == 401  # type: ignore[attr-defined]
    assert "账号已临时锁定" in r.text  # type: ignore[attr-defined]


def test_post_without_csrf_token_is_refused(client: TestClient) -> None:
    assert _login(client, "admin", DEMO_PASSWORD).status_code == 303  # type: ignore[attr-defined]
    r = client.post(
        "/admin/users",
        data={
            "username": "x1",
            "display_name": "x",
            "password": "Abcdef#12345",
            "role": "evaluator",
        },
        headers={"accept": "application/json"},
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "auth.csrf"


def test_login_form_rejects_missing_csrf(client: TestClient) -> None:
    client.get("/login")
    r = client.post(
        "/login",
        data={"username": "admin", "password": DEMO_PASSWORD},
        follow_redirects=False,
        headers={"accept": "application/json"},
    )
    # Login CSRF: a cross-site form cannot log the victim into the attacker's account.
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.csrf"


def test_open_redirect_is_blocked(client: TestClient) -> None:
    r = client.post(
        "/login",
        data={
            "username": "admin",
            "password": DEMO_PASSWORD,
            "csrf_token": _csrf(client),
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_admin_creates_user_in_page_and_sees_errors(client: TestClient) -> None:
    _login(client, "admin", DEMO_PASSWORD)
    token = _csrf(client, "/admin/users")
    form = {
        "username": "liming",
        "display_name": "李明",
        "password": "short",
        "role": "data_officer",
        "department_code": "371700005",
        "csrf_token": token,
    }
    r = client.post("/admin/users", data=form)
    assert r.status_code == 422 and "密码强度不足" in r.text
    form["password"] = "Peony#Heze2024"
    r = client.post("/admin/users", data=form)
    assert r.status_code == 200 and "已创建" in r.text and "liming" in r.text
    r = client.post("/admin/users", data=form)
    assert r.status_code == 422 and "已存在" in r.text


def test_region_page_locates_and_explains_bad_points(client: TestClient) -> None:
    _login(client, "admin", DEMO_PASSWORD)
    r = client.get("/admin/regions", params={"lon": 115.417826, "lat": 35.252512})
    assert r.status_code == 200 and 'id="locate-result"' in r.text and "牡丹区" in r.text
    r = client.get("/admin/regions", params={"lon": 116.40, "lat": 39.90})
    assert "不在菏泽市范围内" in r.text


def test_grid_worker_cannot_open_admin_users_page(client: TestClient) -> None:
    _login(client, "wangge", DEMO_PASSWORD)
    r = client.get("/admin/users", headers={"accept": "text/html"})
    assert r.status_code == 403 and "无权执行此操作" in r.text
