"""What every portal page shares: the application's keys, the client's address and the template context."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ..settings import Settings
from ..store.repository import Store
from .security import CSRF_FIELD, Network, client_ip, csrf_token, safe_next

STORE_KEY = web.AppKey("store", Store)
SETTINGS_KEY = web.AppKey("settings", Settings)
PROXIES_KEY = web.AppKey("trusted_proxies", tuple)


def remote_address(request: web.Request) -> str:
    trusted: tuple[Network, ...] = request.app[PROXIES_KEY]
    return client_ip(request, trusted)


async def context(request: web.Request, **values) -> dict:
    store = request.app[STORE_KEY]
    council = await asyncio.to_thread(store.council)
    next_path = request.query.get("next", "")
    return {
        "user": request.get("user"),
        "csrf_field": CSRF_FIELD,
        "csrf_token": await csrf_token(request),
        "next_path": safe_next(next_path, "") if next_path else "",
        "council_name": council.name if council else "Council",
        **values,
    }
