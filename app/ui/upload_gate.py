"""Only a logged-in admin may send files to the server.

Gradio accepts files on generic routes (`/gradio_api/upload`, and multipart bodies on a few
others) before any event handler runs, so the admin tab's own login check comes too late:
anyone could fill the temp folder. `UploadGate` closes that: a successful admin login issues
a random token, which the page stores in a cookie; an ASGI middleware refuses every
multipart request that does not carry a live token, before a byte is written. Without an
admin password no token is ever issued, so nobody can upload at all.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "pq_admin"
REFUSED = "上传文件需要先登录管理员账户。"


class UploadGate:
    """Tokens for admin sessions (valid `ttl_s` seconds) and the middleware that checks them."""

    def __init__(self, *, ttl_s: float = 8 * 3600, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = self._clock()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.ttl_s
        return token

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            expiry = self._tokens.get(token)
            return expiry is not None and expiry > self._clock()

    def middleware(self) -> Middleware:
        """For `launch(app_kwargs={"middleware": [...]})`."""
        return Middleware(_Guard, gate=self)


def _multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.split(b";")[0].strip().lower() == b"multipart/form-data"
    return False


def _cookie(scope: Scope, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is treated as no cookie
                return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


class _Guard:
    """Refuses file uploads (any multipart request) without a live admin token."""

    def __init__(self, app: ASGIApp, gate: UploadGate) -> None:
        self.app, self.gate = app, gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        if scope["type"] == "http" and _multipart(scope) and not self.gate.valid(_cookie(scope, COOKIE)):
            response = PlainTextResponse(REFUSED, status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# Run after a successful login: keep the token in a cookie the upload requests carry.
SET_COOKIE_JS = f"""
(token) => {{
  if (token) document.cookie = '{COOKIE}=' + token + '; path=/; SameSite=Strict';
  return token;
}}
"""
