"""Signing in and out, changing one's password, and the check that every other page is signed in.

Sessions live in the database (``store.sessions``): the encrypted cookie carries only a random
token, so signing out or changing the password ends the session even where the cookie has been copied.
Attempts are counted in the database before the password is checked, per account (10 in 15 minutes, then
the account is locked) and, more generously, per client address, so every portal process shares the counts.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session, new_session

from ..store.accounts import AccountError, User, authenticate, change_password, check_password
from ..store.audit import Actor
from ..store.sessions import end_session, session_user, start_session
from ..store.sign_in_attempts import attempt_key, clear_attempts, forget_finished_windows, release_attempt, reserve_attempt
from .common import SETTINGS_KEY, STORE_KEY, context, remote_address
from .security import safe_next

SESSION_KEY = "sid"  # the session token inside the encrypted cookie
PUBLIC_PATHS = ("/login", "/health", "/static/", "/widget/", "/demo", "/set-password/")
# Where an account that must set up a one-time password may go before it has (everything else leads there).
SET_UP_TWO_FACTOR = "/account/two-factor"
SETTING_UP_PATHS = (SET_UP_TWO_FACTOR, "/logout")
DISABLED = "This account has been disabled. Ask an administrator if you need it again."
LOCKED = "Too many sign-in attempts. Please wait 15 minutes and try again, or ask an administrator to reset your password."


@web.middleware
async def require_sign_in(request: web.Request, handler):
    if request.path.startswith(PUBLIC_PATHS):
        return await handler(request)
    session = await get_session(request)
    user = await asyncio.to_thread(session_user, request.app[STORE_KEY], session.get(SESSION_KEY))
    if user is None:
        target = request.path_qs if request.method == "GET" else "/"
        raise web.HTTPFound("/login?" + urlencode({"next": target}, safe="/"))
    if user.must_set_up_two_factor and request.path not in SETTING_UP_PATHS:
        raise web.HTTPSeeOther(SET_UP_TWO_FACTOR)
    request["user"] = user
    return await handler(request)


def require_admin(request: web.Request) -> User:
    user: User = request["user"]
    if not user.is_admin:
        raise web.HTTPForbidden(text="Only administrators can see this page.")
    return user


async def start_signed_in(request: web.Request, user: User, target: str, previous: str | None) -> web.HTTPException:
    """After a right password (or a used password link), in a fresh cookie (no fixation): a full session, or,
    when the account has a one-time password, a five-minute session that only opens the code's page. The
    account's attempt count is cleared only once the code is right too, so guessing codes locks it as well."""
    store = request.app[STORE_KEY]
    ip_key, account_key = attempt_keys(request, user.email)

    def started() -> str:
        release_attempt(store, ip_key)
        end_session(store, previous)
        forget_finished_windows(store)
        if user.two_factor:
            return start_session(store, user.id, awaiting_code=True)
        clear_attempts(store, account_key)
        return start_session(store, user.id)

    token = await asyncio.to_thread(started)
    session = await new_session(request)
    session[SESSION_KEY] = token
    if user.two_factor:
        return web.HTTPFound("/login/code" + (("?" + urlencode({"next": target}, safe="/")) if target != "/" else ""))
    return web.HTTPFound(target)


async def render_page(request: web.Request, template: str, status: int, **values) -> web.Response:
    response = aiohttp_jinja2.render_template(template, request, await context(request, **values))
    response.set_status(status)
    return response


def attempt_keys(request: web.Request, email: str) -> tuple[str, str]:
    secret = request.app[SETTINGS_KEY].portal_secret_key
    return attempt_key(secret, "ip", remote_address(request)), attempt_key(secret, "account", email)


MAX_EMAIL_CHARS = 320
NO_MATCH = "That email and password don't match an account."


async def login_page(request: web.Request) -> web.Response:
    return await render_page(request, "login.html", 200, title="Sign in", error=None, email="")


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    # Normalised once, and never cut short: a padded email must not count on a fresh counter for the
    # same account (strip-after-truncate did exactly that).
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))[:1000]
    if len(email) > MAX_EMAIL_CHARS:
        return await render_page(request, "login.html", 401, title="Sign in", email="", error=NO_MATCH)
    store, settings = request.app[STORE_KEY], request.app[SETTINGS_KEY]
    ip_key, account_key = attempt_keys(request, email)

    def count_attempt() -> bool:
        # Counted before the password is checked, so parallel guesses can't all slip in under the limit.
        return reserve_attempt(store, ip_key, settings.portal_sign_in_limit_per_ip) and reserve_attempt(
            store, account_key, settings.portal_sign_in_limit_per_account
        )

    if not await asyncio.to_thread(count_attempt):
        return await render_page(request, "login.html", 429, title="Sign in", email=email, error=LOCKED)
    user = await asyncio.to_thread(check_password, store, email, password)
    if user is None:
        return await render_page(request, "login.html", 401, title="Sign in", email=email, error=NO_MATCH)
    if user.disabled:  # said only to someone who knows the password
        return await render_page(request, "login.html", 403, title="Sign in", email=email, error=DISABLED)
    previous = (await get_session(request)).get(SESSION_KEY)
    raise await start_signed_in(request, user, safe_next(request.query.get("next")), previous)


async def logout(request: web.Request) -> web.Response:
    session = await get_session(request)
    await asyncio.to_thread(end_session, request.app[STORE_KEY], session.get(SESSION_KEY))
    session.invalidate()
    raise web.HTTPFound("/login")


async def password_page(request: web.Request) -> web.Response:
    changed = request.query.get("changed") == "1"
    return await render_page(request, "password.html", 200, title="Change your password", error=None, changed=changed)


async def change_password_form(request: web.Request) -> web.Response:
    """A new password ends every session of the account (other browsers, copied cookies), then signs this
    browser in again with a new one."""
    form = await request.post()
    current = str(form.get("current_password", ""))[:1000]
    new = str(form.get("new_password", ""))[:1000]
    repeat = str(form.get("repeat_password", ""))[:1000]
    user: User = request["user"]
    store, settings = request.app[STORE_KEY], request.app[SETTINGS_KEY]
    _ip_key, account_key = attempt_keys(request, user.email)

    async def refuse(status: int, error: str) -> web.Response:
        return await render_page(request, "password.html", status, title="Change your password", error=error, changed=False)

    if new != repeat:
        return await refuse(400, "The new passwords don't match.")
    if not await asyncio.to_thread(reserve_attempt, store, account_key, settings.portal_sign_in_limit_per_account):
        return await refuse(429, LOCKED)
    if await asyncio.to_thread(authenticate, store, user.email, current) is None:
        return await refuse(401, "Your current password is not right.")

    def changed() -> str:
        clear_attempts(store, account_key)
        change_password(store, user.id, new, actor=Actor.account(user, remote_address(request)))
        return start_session(store, user.id)

    try:
        token = await asyncio.to_thread(changed)
    except AccountError as error:
        return await refuse(400, f"The new password is not allowed: {error}.")
    session = await new_session(request)
    session[SESSION_KEY] = token
    raise web.HTTPSeeOther("/account/password?changed=1")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/account/password", password_page)
    app.router.add_post("/account/password", change_password_form)
