"""Signed session cookies with a key list (rotation without logging everyone out).

The cookie is base64 JSON signed with itsdangerous' ``TimestampSigner``: the newest key signs,
every listed key verifies, and a cookie verified by an older key is re-signed with the newest on
its response. It carries the CSRF token and the id of a server-side session (never a user id):
what the user may do is decided by the ``web_session`` row, so a stolen signing key alone does
not make anyone a user.
"""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from typing import Any

import itsdangerous
from itsdangerous.exc import BadSignature
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class KeyedSessionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: list[str],
        cookie: str = "mudan_session",
        max_age: int = 8 * 3600,
        https_only: bool = False,
        same_site: str = "lax",
    ) -> None:
        if not keys:
            raise ValueError("at least one session key is needed")
        self.app = app
        # itsdangerous signs with the LAST key and verifies with any.
        self.newest = itsdangerous.TimestampSigner(keys[0])
        self.any_key = itsdangerous.TimestampSigner(list(reversed(keys)))
        self.cookie, self.max_age = cookie, max_age
        flags = f"path=/; Max-Age={max_age}; httponly; samesite={same_site}"
        self.flags = flags + ("; secure" if https_only else "")

    def _load(self, raw: str) -> tuple[dict[str, Any], bool]:
        """The session dict and whether it must be re-signed (verified by an older key)."""
        data = raw.encode("utf-8")
        stale = False
        try:
            data = self.newest.unsign(data, max_age=self.max_age)
        except BadSignature:
            try:
                data = self.any_key.unsign(data, max_age=self.max_age)
            except BadSignature:
                return {}, False
            stale = True
        try:
            value = json.loads(b64decode(data))
        except ValueError:
            return {}, False
        return (value, stale) if isinstance(value, dict) else ({}, False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = HTTPConnection(scope).cookies.get(self.cookie)
        session, stale = self._load(raw) if raw else ({}, False)
        scope["session"] = session
        had_cookie = bool(raw)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                current = scope["session"]
                if current:
                    payload = b64encode(json.dumps(current).encode("utf-8"))
                    signed = self.newest.sign(payload).decode("utf-8")
                    headers.append("Set-Cookie", f"{self.cookie}={signed}; {self.flags}")
                elif had_cookie or stale:
                    headers.append(
                        "Set-Cookie",
                        f"{self.cookie}=null; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; "
                        f"{self.flags.split('; ', 2)[2]}",
                    )
            await send(message)

        await self.app(scope, receive, send_wrapper)
