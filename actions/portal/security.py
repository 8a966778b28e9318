"""Portal security: CSRF tokens, slowing down repeated failed sign-ins, and response headers."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass

from aiohttp import web
from aiohttp_session import get_session

CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


@web.middleware
async def csrf_middleware(request: web.Request, handler):
    """Every POST must carry the session's CSRF token in a form field (or X-CSRF-Token header)."""
    if request.method not in SAFE_METHODS:
        session = await get_session(request)
        expected = session.get("csrf")
        form = (
            await request.post() if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data") else {}
        )
        sent = form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token", "")
        if not expected or not isinstance(sent, str) or not secrets.compare_digest(expected, sent):
            raise web.HTTPForbidden(
                text="This form has expired or did not come from this site. Go back, reload the page and try again."
            )
    return await handler(request)


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


class LoginThrottle:
    """Failed sign-ins are slowed down per email and per IP address: free for 3 tries, then 1 s, 2 s, 4 s ... up to
    30 s, and refused for 15 minutes after 10 failures. A success clears the record."""

    FREE_TRIES = 3
    MAX_DELAY = 30.0
    LOCK_AFTER = 10
    WINDOW = 15 * 60.0

    def __init__(self, clock=time.monotonic, sleep=asyncio.sleep):
        self.clock, self.sleep = clock, sleep
        self.failures: dict[str, _Failures] = {}

    def _current(self, key: str) -> _Failures:
        record = self.failures.get(key)
        if record and self.clock() - record.last > self.WINDOW:
            del self.failures[key]
            record = None
        return record or _Failures()

    def delay_for(self, *keys: str) -> float:
        worst = max(self._current(key).count for key in keys)
        return 0.0 if worst < self.FREE_TRIES else min(self.MAX_DELAY, 2.0 ** (worst - self.FREE_TRIES))

    def locked(self, *keys: str) -> bool:
        return any(self._current(key).count >= self.LOCK_AFTER for key in keys)

    async def wait(self, *keys: str) -> None:
        delay = self.delay_for(*keys)
        if delay:
            await self.sleep(delay)

    def failed(self, *keys: str) -> None:
        for key in keys:
            record = self._current(key)
            record.count += 1
            record.last = self.clock()
            self.failures[key] = record

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self.failures.pop(key, None)
