"""Every response carries the security headers; pages' inline scripts run only by nonce."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from mudan.app import create_app
from mudan.settings import Settings


def _policy(value: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in value.split(";") if p.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def test_pages_api_and_errors_all_carry_the_headers(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    for path, headers in (
        ("/login", {}),
        ("/open", {}),
        ("/api/v1/me", admin_headers),
        ("/api/v1/me", {}),  # 401
        ("/no-such-page", {}),  # 404
    ):
        r = client.get(path, headers=headers)
        assert r.headers["x-frame-options"] == "DENY", path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        csp = _policy(r.headers["content-security-policy"])
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
        assert (
            "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
        )
        assert "strict-transport-security" not in r.headers  # plain HTTP in the demo


def test_inline_scripts_carry_this_responses_nonce(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    r = client.get("/ops/screen", headers=admin_headers)
    assert r.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"])
    assert nonce
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", r.text)
    assert inline and all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline)
    again = client.get("/ops/screen", headers=admin_headers).headers["content-security-policy"]
    assert nonce.group(1) not in again  # a fresh nonce per response


def test_https_deployments_get_hsts_and_map_tiles_are_allowed(settings: Settings) -> None:
    settings.auth.cookie_secure = True
    settings.map.tiles = "xyz"
    settings.map.xyz_url = "https://{s}.tiles.example.gov.cn/{z}/{x}/{y}.png"
    with TestClient(create_app(settings)) as c:
        r = c.get("/login")
    assert r.headers["strict-transport-security"].startswith("max-age=")
    assert (
        "https://*.tiles.example.gov.cn" in _policy(r.headers["content-security-policy"])["img-src"]
    )


def test_templates_need_neither_inline_handlers_nor_eval() -> None:
    from pathlib import Path

    import mudan

    root = Path(mudan.__file__).parent
    bad = re.compile(r"""\son[a-z]+=["']|javascript:|hx-(?:vals|vars)=['"]js:|hx-on""")
    found = [
        f"{p.relative_to(root)}: {m.group(0)}"
        for p in root.rglob("*.html")
        for m in bad.finditer(p.read_text(encoding="utf-8"))
    ]
    assert not found  # the CSP blocks them: use mudan.js (data-row-index, data-print) instead
