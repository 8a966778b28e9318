"""The live preview: /consultations/<slug>/preview, for officers and admins.

The page embeds the website chat widget in preview mode, talking to the real Rasa server and action server.
Each time the page is opened it mints a new preview grant (store/previews.py) for the latest saved version of
the consultation, draft or not, and a new socket.io session id that the grant is bound to: "Restart preview"
simply opens the page again, so after an edit is saved it starts a fresh conversation on the new version,
with no retraining and no restart. The action server checks the grant itself; the page only carries it.
Opening a preview is written to the audit log.
"""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from ..store.accounts import User
from ..store.audit import record_audit
from ..store.previews import GRANT_LIFETIME, mint_grant
from .common import SETTINGS_KEY, STORE_KEY, context, remote_address
from .sign_in import SESSION_KEY

COUNCIL_TIME = ZoneInfo("Europe/London")
PREVIEW_UNAVAILABLE = (
    "Preview is not available: the portal has no ACTION_SERVER_TOKEN to sign it with. "
    "Give the portal the same .env as the action server."
)


def require_officer(request: web.Request) -> User:
    user: User = request["user"]
    if not user.is_officer:
        raise web.HTTPForbidden(text="Only officers and administrators can preview consultations.")
    return user


async def preview_page(request: web.Request) -> web.Response:
    user = require_officer(request)
    store, settings = request.app[STORE_KEY], request.app[SETTINGS_KEY]
    slug = request.match_info["slug"]
    consultation = await asyncio.to_thread(store.consultation, slug)
    if consultation is None or consultation.version is None:
        raise web.HTTPNotFound(text="No such consultation.")
    server = settings.chat_server_url.rstrip("/")
    values = {
        "title": f"Preview: {consultation.title}",
        "consultation": consultation,
        "chat_server": server,
        "lifetime_minutes": int(GRANT_LIFETIME.total_seconds() // 60),
        "minted": None,
        "until": None,
        "unavailable": None,
    }
    status = 200
    if not settings.action_server_token or not settings.sender_hash_salt:
        values["unavailable"], status = PREVIEW_UNAVAILABLE, 503
    else:
        token = (await get_session(request)).get(SESSION_KEY)
        values["minted"] = mint_grant(
            settings.action_server_token,
            settings.sender_hash_salt,
            slug=slug,
            version=consultation.version,
            session_token=token,
            user_id=user.id,
        )
        values["until"] = values["minted"].expires.astimezone(COUNCIL_TIME).strftime("%H:%M")
        await asyncio.to_thread(
            record_audit,
            store,
            "consultation.preview",
            slug,
            user=user,
            ip=remote_address(request),
            details={"version": consultation.version, "status": consultation.status},
        )
    response = aiohttp_jinja2.render_template("preview.html", request, await context(request, **values))
    response.set_status(status)
    websocket = server.replace("https://", "wss://").replace("http://", "ws://")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; connect-src 'self' {server} {websocket}; img-src 'self' data:; style-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    response.headers["Cache-Control"] = "no-store"  # the grant is for this page view only
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/consultations/{slug}/preview", preview_page)
