"""One-time passwords in the portal: the code asked after the password, and setting up or turning off an
authenticator app (``/account/two-factor``).

Every code typed, at sign-in or while setting up, counts against the account's sign-in attempts before it is
checked, exactly like a password: 10 wrong tries in 15 minutes lock the account. Admins, and accounts an admin
marked, must set one up before any other page opens (``sign_in.require_sign_in``).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import segno
from aiohttp import web
from aiohttp_session import get_session, new_session

from ..store import second_factor
from ..store.accounts import User, check_password, finish_two_factor_setup, record_sign_in, turn_off_two_factor
from ..store.sessions import end_session, start_session, user_awaiting_code
from ..store.sign_in_attempts import clear_attempts, release_attempt, reserve_attempt
from .common import SETTINGS_KEY, STORE_KEY, remote_address
from .security import safe_next
from .sign_in import LOCKED, SESSION_KEY, SET_UP_TWO_FACTOR, attempt_keys, render_page

WRONG_CODE = "That code is not right. Codes change every 30 seconds: type the one your app shows now."
UNREADABLE = (
    "Your authenticator app's set-up can't be read, because the portal's secret key has changed. "
    "Ask an administrator to reset it (or run: haveyoursay user reset-2fa EMAIL)."
)
NO_STORE = {"Cache-Control": "no-store"}


def qr_code_svg(uri: str) -> str:
    """The set-up address as an inline SVG QR code (no image request, nothing sent anywhere)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff", title="QR code")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code to scan with your authenticator app" focusable="false" ', 1)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


async def _count_code_attempt(request: web.Request, user: User) -> bool:
    store, settings = request.app[STORE_KEY], request.app[SETTINGS_KEY]
    ip_key, account_key = attempt_keys(request, user.email)

    def count() -> bool:
        return reserve_attempt(store, ip_key, settings.portal_sign_in_limit_per_ip) and reserve_attempt(
            store, account_key, settings.portal_sign_in_limit_per_account
        )

    return await asyncio.to_thread(count)


async def _code_accepted(request: web.Request, user: User) -> None:
    store = request.app[STORE_KEY]
    ip_key, account_key = attempt_keys(request, user.email)

    def forget() -> None:
        clear_attempts(store, account_key)
        release_attempt(store, ip_key)

    await asyncio.to_thread(forget)


# --- the code after the password ----------------------------------------------------------------------


async def _waiting(request: web.Request) -> tuple[User | None, str | None]:
    token = (await get_session(request)).get(SESSION_KEY)
    return await asyncio.to_thread(user_awaiting_code, request.app[STORE_KEY], token), token


def _back_to_sign_in(request: web.Request) -> web.HTTPFound:
    target = safe_next(request.query.get("next"))
    return web.HTTPFound("/login" + ("?" + urlencode({"next": target}, safe="/") if target != "/" else ""))


async def code_page(request: web.Request) -> web.Response:
    user, _token = await _waiting(request)
    if user is None:
        raise _back_to_sign_in(request)
    return await render_page(request, "code.html", 200, title="Enter your code", error=None)


async def code_form(request: web.Request) -> web.Response:
    user, token = await _waiting(request)
    if user is None:  # five minutes passed, or the account was disabled or reset meanwhile
        raise _back_to_sign_in(request)
    store, key = request.app[STORE_KEY], request.app[SETTINGS_KEY].portal_secret_key
    code = str((await request.post()).get("code", ""))[:40]
    if not await _count_code_attempt(request, user):
        await asyncio.to_thread(end_session, store, token)
        return await render_page(request, "code.html", 429, title="Enter your code", error=LOCKED)
    try:
        accepted = await asyncio.to_thread(second_factor.verify, store, user.id, code, key)
    except second_factor.SecondFactorUnreadable:
        return await render_page(request, "code.html", 500, title="Enter your code", error=UNREADABLE)
    if not accepted:
        return await render_page(request, "code.html", 401, title="Enter your code", error=WRONG_CODE)
    await _code_accepted(request, user)

    def signed_in() -> str:
        end_session(store, token)
        record_sign_in(store, user.id)
        return start_session(store, user.id)

    new_token = await asyncio.to_thread(signed_in)
    session = await new_session(request)
    session[SESSION_KEY] = new_token
    raise web.HTTPFound(safe_next(request.query.get("next")))


# --- setting up and turning off ---------------------------------------------------------------------


async def _setup_values(request: web.Request, user: User) -> dict:
    store, key = request.app[STORE_KEY], request.app[SETTINGS_KEY].portal_secret_key
    if user.two_factor:
        return {}
    secret = await asyncio.to_thread(second_factor.pending_secret, store, user.id, key)
    council = await asyncio.to_thread(store.council)
    issuer = f"{council.name if council else 'Council'} Have Your Say"
    uri = second_factor.setup_uri(secret, user.email, issuer)
    return {"qr_svg": qr_code_svg(uri), "secret": grouped(secret), "issuer": issuer}


async def _two_factor_page(request: web.Request, status: int = 200, error: str | None = None, notice: str | None = None):
    user: User = request["user"]
    response = await render_page(
        request,
        "two_factor.html",
        status,
        title="Two-factor authentication",
        error=error,
        notice=notice,
        **await _setup_values(request, user),
    )
    response.headers.update(NO_STORE)  # the set-up secret is on the page
    return response


NOTICES = {
    "on": "Two-factor authentication is on. From now on you'll be asked for a code from your app after your password.",
    "off": "Two-factor authentication is off.",
}


async def two_factor_page(request: web.Request) -> web.Response:
    return await _two_factor_page(request, notice=NOTICES.get(request.query.get("done", "")))


async def set_up(request: web.Request) -> web.Response:
    """The first code from the app turns it on; every session of the account ends, and this browser gets a new one."""
    user: User = request["user"]
    if user.two_factor:
        raise web.HTTPSeeOther(SET_UP_TWO_FACTOR)
    store, key = request.app[STORE_KEY], request.app[SETTINGS_KEY].portal_secret_key
    code = str((await request.post()).get("code", ""))[:40]
    if not await _count_code_attempt(request, user):
        return await _two_factor_page(request, 429, LOCKED)
    ip = remote_address(request)
    if not await asyncio.to_thread(finish_two_factor_setup, store, user, code, key, ip):
        return await _two_factor_page(request, 400, WRONG_CODE)
    await _code_accepted(request, user)
    token = await asyncio.to_thread(start_session, store, user.id)
    session = await new_session(request)
    session[SESSION_KEY] = token
    raise web.HTTPSeeOther(SET_UP_TWO_FACTOR + "?done=on")


async def turn_off(request: web.Request) -> web.Response:
    """Only for accounts that don't need it, with the password and a current code."""
    user: User = request["user"]
    if not user.two_factor or user.needs_two_factor:
        raise web.HTTPForbidden(text="This account needs two-factor authentication; an administrator can reset it.")
    store, key = request.app[STORE_KEY], request.app[SETTINGS_KEY].portal_secret_key
    form = await request.post()
    password, code = str(form.get("password", ""))[:1000], str(form.get("code", ""))[:40]
    if not await _count_code_attempt(request, user):
        return await _two_factor_page(request, 429, LOCKED)
    if await asyncio.to_thread(check_password, store, user.email, password) is None:
        return await _two_factor_page(request, 401, "Your password is not right.")
    try:
        accepted = await asyncio.to_thread(second_factor.verify, store, user.id, code, key)
    except second_factor.SecondFactorUnreadable:
        accepted = False
    if not accepted:
        return await _two_factor_page(request, 401, WRONG_CODE)
    await _code_accepted(request, user)
    await asyncio.to_thread(turn_off_two_factor, store, user, remote_address(request))
    raise web.HTTPSeeOther(SET_UP_TWO_FACTOR + "?done=off")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login/code", code_page)
    app.router.add_post("/login/code", code_form)
    app.router.add_get(SET_UP_TWO_FACTOR, two_factor_page)
    app.router.add_post(SET_UP_TWO_FACTOR, set_up)
    app.router.add_post(SET_UP_TWO_FACTOR + "/off", turn_off)
