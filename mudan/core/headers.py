"""Security headers on every response: CSP with a per-request script nonce, no framing,
no MIME sniffing, a strict referrer policy, and HSTS when cookies are HTTPS-only.

Pages mark their inline ``<script>`` blocks with ``nonce="{{ csp_nonce }}"``; the nonce is
made here and read by ``mudan.web.render``. Inline ``style`` attributes stay allowed (the
templates use them for layout; styles cannot run code).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mudan.settings import MapSettings

# Swagger UI (/api/docs) is FastAPI's page: its assets come from a CDN and it runs an inline script.
DOCS_CDN = "https://cdn.jsdelivr.net"


def tile_origins(cfg: MapSettings) -> list[str]:
    """Origins the one-map loads base-map tiles from (img-src)."""
    if cfg.tiles == "tianditu" and cfg.tianditu_key.get_secret_value():
        return ["https://*.tianditu.gov.cn"]
    if cfg.tiles == "xyz" and cfg.xyz_url:
        url = urlparse(cfg.xyz_url.replace("{s}", "a"))
        host = url.netloc.replace("a.", "*.", 1) if "{s}" in cfg.xyz_url else url.netloc
        return [f"{url.scheme}://{host}"]
    return []


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, map_settings: MapSettings, hsts: bool) -> None:
        self.app = app
        self.img = " ".join(["'self'", "data:", "blob:", *tile_origins(map_settings)])
        self.hsts = hsts

    def policy(self, path: str, nonce: str) -> str:
        script = f"'self' 'nonce-{nonce}'"
        style = "'self' 'unsafe-inline'"
        img = self.img
        if path.startswith("/api/docs"):
            script += f" {DOCS_CDN} 'unsafe-inline'"
            style += f" {DOCS_CDN}"
            img += " https://fastapi.tiangolo.com"
        return "; ".join(
            (
                "default-src 'self'",
                f"script-src {script}",
                f"style-src {style}",
                f"img-src {img}",
                "connect-src 'self'",
                "font-src 'self' data:",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            )
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", self.policy(scope["path"], nonce))
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_wrapper)
