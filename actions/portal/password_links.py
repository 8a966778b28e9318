"""The page behind an invitation or reset link: its owner sets a password (12 characters or more).

Opening the page changes nothing (mail scanners and chat apps open links to preview them); only the form uses
the link up. The owner is then signed in as after a right password: an account with a one-time password is
asked for a code, and one that needs an app but has none sets it up before anything else.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp_session import get_session

from ..store import account_links
from ..store.accounts import AccountError, LinkError, set_password_from_link
from ..store.sign_in_attempts import clear_attempts
from .common import STORE_KEY, remote_address
from .sign_in import SESSION_KEY, attempt_keys, render_page, start_signed_in

PROBLEMS = {
    "unknown": "This link doesn't work. Check that you copied all of it, or ask an administrator for a new one.",
    "used": "This link has already been used. Sign in with the password you set, or ask an administrator for a new link.",
    "expired": "This link has expired. Ask an administrator for a new one.",
    "disabled": "This account has been disabled. Ask an administrator if you need it again.",
}
STATUS = {"unknown": 404, "used": 410, "expired": 410, "disabled": 403}
# The token is in the address: never send it on in a Referer, never keep the page in a cache.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


async def _page(request: web.Request, state: account_links.LinkState, status: int = 200, error: str | None = None):
    response = await render_page(
        request,
        "set_password.html",
        status,
        title="Set your password",
        problem=PROBLEMS.get(state.problem or ""),
        purpose=state.purpose,
        email=state.email,
        error=error,
        action=request.path,
    )
    response.headers.update(PRIVATE)
    return response


async def link_page(request: web.Request) -> web.Response:
    state = await asyncio.to_thread(account_links.look_up, request.app[STORE_KEY], request.match_info["token"])
    return await _page(request, state, STATUS.get(state.problem or "", 200))


async def set_password(request: web.Request) -> web.Response:
    store, token = request.app[STORE_KEY], request.match_info["token"]
    form = await request.post()
    password, repeat = str(form.get("password", ""))[:1000], str(form.get("repeat_password", ""))[:1000]
    state = await asyncio.to_thread(account_links.look_up, store, token)
    if state.problem is not None:
        return await _page(request, state, STATUS[state.problem])
    if password != repeat:
        return await _page(request, state, 400, "The two passwords don't match.")
    try:
        user = await asyncio.to_thread(set_password_from_link, store, token, password, remote_address(request))
    except LinkError as error:  # used up by another browser a moment ago
        return await _page(request, account_links.LinkState(error.problem), STATUS[error.problem])
    except AccountError as error:
        return await _page(request, state, 400, f"That password is not allowed: {error}.")
    _ip_key, account_key = attempt_keys(request, user.email)
    await asyncio.to_thread(clear_attempts, store, account_key)  # the link lifts a lock, as a reset should
    previous = (await get_session(request)).get(SESSION_KEY)
    signed_in = await start_signed_in(request, user, "/", previous)
    response = web.HTTPSeeOther(signed_in.location)
    response.headers.update(PRIVATE)
    raise response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/set-password/{token}", link_page)
    app.router.add_post("/set-password/{token}", set_password)
