"""Portal sign-in against the real portal app over HTTP, on SQLite and PostgreSQL: the lockout counted in the
database (also across two portal processes), the per-address limit, sessions that end on sign-out and on a
password change, and Secure cookies with HSTS unless plain HTTP is allowed.

The open-redirect cases are in test_portal.py (against the portal run as a process).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import getpass
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter

import aiohttp
import pyotp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select, update

from actions.portal.app import create_app
from actions.settings import Settings, get_settings
from actions.store.accounts import add_user
from actions.store.models import PortalSessionRow, SignInAttemptRow
from actions.store.repository import Store
from actions.store.second_factor import confirm_setup, pending_secret
from actions.store.sign_in_attempts import reserve_attempt
from tests.conftest import PROJECT_ROOT, TEST_SALT
from tests.servers import free_port

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase, long enough"
SECRET = "Sm3dPq8d1Zk3vW5xY7zA9bC2eF4gH6jK8mN0pQ2rS4o="  # a Fernet key, for tests only
OFFICER = "officer@millbrook.gov.uk"
COUNCILLOR = "cllr.marsh@millbrook.gov.uk"
ADMIN = "admin@millbrook.gov.uk"
HARBOUR = "harbour-road-cycle-lane"
# The authenticator apps of the accounts the tests have set one up for (email -> secret), and the last time
# step each secret's codes were used for: a code works once, so the next sign-in uses a later step.
AUTHENTICATORS: dict[str, str] = {}
LAST_STEP: dict[str, int] = {}


async def next_code(secret: str) -> str:
    """A code the portal has not accepted yet, computed with pyotp from the secret alone (not with our code)."""
    while True:
        now = int(time.time()) // 30
        step = max(now, LAST_STEP.get(secret, -1) + 1)
        if step <= now + 1:
            LAST_STEP[secret] = step
            return pyotp.TOTP(secret).at(step * 30)
        await asyncio.sleep(1)


async def set_up_in_portal(browser, email: str) -> str:
    """Set up an authenticator app on the portal's page, as a person would: read the key shown for typing by
    hand, make the code from it with pyotp, send it. Returns the secret (also kept in AUTHENTICATORS)."""
    status, _, page = await browser.get("/account/two-factor")
    assert status == 200, status
    secret = re.search(rb'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).decode().replace(" ", "")
    code = await next_code(secret)
    form = {"csrf_token": re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode(), "code": code}
    status, headers, _ = await browser.post("/account/two-factor", form)
    assert (status, headers.get("Location")) == (303, "/account/two-factor?done=on")
    AUTHENTICATORS[email] = secret
    return secret


def set_up_authenticator(store: Store, user_id: int, email: str) -> str:
    """Give an account an authenticator app, as finishing the portal's set-up page does; returns the secret."""
    secret = pending_secret(store, user_id, SECRET)
    step = int(time.time()) // 30
    with store.session() as session:
        assert confirm_setup(session, user_id, pyotp.TOTP(secret).at(step * 30), SECRET)
    AUTHENTICATORS[email] = secret
    LAST_STEP[secret] = step
    return secret


def portal_settings(url: str, **changes) -> Settings:
    """The portal's settings for a test: its database, plain HTTP on 127.0.0.1, and this machine as the proxy."""
    values = {
        "database_url": url,
        "tracker_store_url": url,
        "portal_secret_key": SECRET,
        "sender_hash_salt": TEST_SALT,
        "portal_allow_http": True,
        "portal_trusted_proxies": ("127.0.0.1",),
        "portal_sign_in_limit_per_account": 10,
        "portal_sign_in_limit_per_ip": 100,
    }
    return dataclasses.replace(get_settings(), **{**values, **changes})


@contextlib.asynccontextmanager
async def running_portal(settings: Settings, store: Store):
    """The real portal application on a free port; yields its base URL."""
    server = TestServer(create_app(settings, store), host="127.0.0.1")
    await server.start_server()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.close()


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects; ``cookie`` starts it with a copied cookie."""

    def __init__(self, base: str, cookie: str | None = None):
        self.base = base
        self.session = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: keep cookies for an IP address host
            cookies={"hys_portal": cookie} if cookie else None,
        )

    async def request(self, method: str, path: str, data: dict | None = None, address: str | None = None):
        headers = {"X-Forwarded-For": address} if address else None
        async with self.session.request(method, self.base + path, data=data, headers=headers, allow_redirects=False) as reply:
            return reply.status, reply.headers, await reply.read()

    async def get(self, path: str, address: str | None = None):
        return await self.request("GET", path, address=address)

    async def post(self, path: str, data: dict, address: str | None = None):
        return await self.request("POST", path, data, address)

    async def csrf(self, path: str = "/login") -> str:
        _status, _headers, page = await self.get(path)
        return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()

    async def sign_in(self, email: str, password: str = PASSWORD, address: str | None = None) -> int:
        """The password, then, for an account with an authenticator app in AUTHENTICATORS, the code."""
        form = {"csrf_token": await self.csrf(), "email": email, "password": password}
        status, headers, _ = await self.post("/login", form, address)
        if status == 302 and headers["Location"].startswith("/login/code") and email in AUTHENTICATORS:
            code = await next_code(AUTHENTICATORS[email])
            status, headers, _ = await self.post(headers["Location"], {"csrf_token": await self.csrf(), "code": code}, address)
        return status

    def cookie(self) -> str:
        return next(cookie.value for cookie in self.session.cookie_jar if cookie.key == "hys_portal")

    async def close(self) -> None:
        await self.session.close()


@contextlib.asynccontextmanager
async def browsers(base: str, count: int = 1):
    opened = [Browser(base) for _ in range(count)]
    try:
        yield opened if count > 1 else opened[0]
    finally:
        for browser in opened:
            await browser.close()


def with_responses_and_accounts(store: Store) -> Store:
    """The demo council with two submitted responses (Riverside, Harbourside) and three accounts; the admin has
    an authenticator app (``Browser.sign_in`` types its code)."""
    when = dt.datetime(2026, 11, 20, 10)
    for sender, ward, support in [("r1", "riverside", "Agree"), ("r2", "harbourside", "Disagree")]:
        store.submit_response(
            consultation_slug=HARBOUR,
            channel="socketio",
            sender_id=sender,
            submitted_at=when,
            ward_slug=ward,
            answers={"support": support},
        )
    add_user(store, OFFICER, PASSWORD, "officer")
    add_user(store, COUNCILLOR, PASSWORD, "councillor", "riverside")
    admin = add_user(store, ADMIN, PASSWORD, "admin")
    set_up_authenticator(store, admin.id, ADMIN)  # admins need one
    return store


@pytest.fixture
def portal_store(seeded_store) -> Store:
    return with_responses_and_accounts(seeded_store)


# --- the lockout ---------------------------------------------------------------------------------


async def guesses(browser: Browser, token: str, passwords: list[str], first_address: int = 0) -> list[int]:
    """Sign-in attempts for the officer, all at once, each from a different address (as from a botnet)."""

    async def attempt(number: int, password: str) -> int:
        form = {"csrf_token": token, "email": OFFICER, "password": password}
        index = first_address + number
        return (await browser.post("/login", form, address=f"198.51.{index // 250}.{index % 250 + 1}"))[0]

    return list(await asyncio.gather(*(attempt(n, p) for n, p in enumerate(passwords))))


@pytest.mark.asyncio
async def test_sixty_parallel_wrong_guesses_lock_the_account_and_the_right_password_is_then_refused(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as browser:
        token = await browser.csrf()
        statuses = await guesses(browser, token, [f"wrong guess number {n}" for n in range(60)])
        # Exactly 10 passwords were checked (401); the other 50 were refused before checking (429).
        assert Counter(statuses) == {401: 10, 429: 50}
        assert (await guesses(browser, token, [PASSWORD], first_address=500)) == [429]
        # The lock is on this account only: another account signs in from the same browser.
        assert await browser.sign_in(ADMIN, address="198.51.100.200") == 302


@pytest.mark.asyncio
async def test_padding_the_email_does_not_open_a_fresh_count_for_a_locked_account(portal_store):
    """Found by probing: the email was cut to 320 characters and then stripped, so trailing spaces plus a
    character landed on a new counter while the account lookup (which strips again) found the officer."""
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as browser:
        token = await browser.csrf()
        assert set(await guesses(browser, token, [f"wrong {n}" for n in range(10)])) == {401}
        for number, padded in enumerate([OFFICER + " " * 304 + "x", OFFICER + "\t" * 310 + "y", " " + OFFICER.upper() + " "]):
            form = {"csrf_token": token, "email": padded, "password": PASSWORD}
            status = (await browser.post("/login", form, address=f"203.0.113.{number + 1}"))[0]
            assert status in (401, 429), padded[-3:]


@pytest.mark.asyncio
async def test_the_lock_holds_across_two_portal_processes_sharing_the_database(portal_store, tmp_path):
    """One portal in this process, another started as its own process, both on the same database."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": portal_store.url,
        "TRACKER_STORE_URL": portal_store.url,
        "PORTAL_PORT": str(port),
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_ALLOW_HTTP": "true",
        "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
        "PORTAL_SIGN_IN_LIMIT_PER_ACCOUNT": "10",
        "PORTAL_SIGN_IN_LIMIT_PER_IP": "100",
        "SENDER_HASH_SALT": TEST_SALT,
        "HYS_VAR_DIR": str(tmp_path),
    }
    other = subprocess.Popen(
        [sys.executable, "-m", "actions.portal.app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "portal.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    try:
        other_base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(other_base + "/health", timeout=1)
                break
            except OSError:
                assert other.poll() is None and time.monotonic() < deadline, (tmp_path / "portal.log").read_text()
                await asyncio.sleep(0.2)
        async with running_portal(portal_settings(portal_store.url), portal_store) as base:
            async with browsers(base) as here, browsers(other_base) as there:
                here_token, there_token = await here.csrf(), await there.csrf()
                wrong = [f"wrong guess number {n}" for n in range(30)]
                here_statuses, there_statuses = await asyncio.gather(
                    guesses(here, here_token, wrong), guesses(there, there_token, wrong, first_address=30)
                )
                assert Counter(here_statuses + there_statuses) == {401: 10, 429: 50}
                assert await guesses(here, here_token, [PASSWORD], first_address=500) == [429]
                assert await guesses(there, there_token, [PASSWORD], first_address=600) == [429]
    finally:
        other.terminate()
        other.wait(timeout=10)


@pytest.mark.asyncio
async def test_a_locked_account_opens_again_after_fifteen_minutes(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as browser:
        token = await browser.csrf()
        assert Counter(await guesses(browser, token, [f"guess {n}" for n in range(11)])) == {401: 10, 429: 1}
        with portal_store.session() as session:
            # The account's counter (the others are the eleven addresses', one attempt each).
            (expires_at,) = session.scalars(select(SignInAttemptRow.expires_at).where(SignInAttemptRow.attempts == 11)).all()
            locked_for = expires_at - dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            assert dt.timedelta(minutes=14) < locked_for <= dt.timedelta(minutes=15)
            # Fifteen minutes pass.
            session.execute(update(SignInAttemptRow).values(expires_at=SignInAttemptRow.expires_at - dt.timedelta(minutes=15)))
        assert await browser.sign_in(OFFICER, address="198.51.100.99") == 302


def test_the_lock_lasts_a_whole_window_from_the_attempt_that_reached_the_limit(store):
    start = dt.datetime(2026, 11, 22, 9, 0)
    minute = dt.timedelta(minutes=1)
    for number in range(9):
        assert reserve_attempt(store, "account key", 10, start + number * minute)
    assert reserve_attempt(store, "account key", 10, start + 14 * minute)  # the tenth: allowed, and now locked
    assert not reserve_attempt(store, "account key", 10, start + 28 * minute)  # 15 minutes after the first, still locked
    assert reserve_attempt(store, "account key", 10, start + 29 * minute + dt.timedelta(seconds=1))  # 15 after the tenth
    assert reserve_attempt(store, "another key", 10, start + 28 * minute)  # counters are separate


@pytest.mark.asyncio
async def test_one_address_is_limited_without_locking_anyone_else_out(portal_store):
    settings = portal_settings(portal_store.url, portal_sign_in_limit_per_ip=5)
    async with running_portal(settings, portal_store) as base, browsers(base) as browser:
        # One address (an attacker behind the council's proxy) tries five accounts once each...
        for number in range(5):
            assert await browser.sign_in(f"someone{number}@millbrook.gov.uk", "wrong password!!", "203.0.113.7") == 401
        # ...and is then refused, even with a right password...
        assert await browser.sign_in(OFFICER, address="203.0.113.7") == 429
        # ...while everyone else behind the same proxy signs in, the officer included (no account was locked).
        assert await browser.sign_in(OFFICER, address="203.0.113.8") == 302
        # Good sign-ins don't use up an address's allowance: a shared office address keeps working.
        for _ in range(7):
            assert await browser.sign_in(COUNCILLOR, address="203.0.113.9") == 302


@pytest.mark.asyncio
async def test_a_client_cannot_choose_its_own_address_unless_it_is_a_trusted_proxy(portal_store):
    settings = portal_settings(portal_store.url, portal_sign_in_limit_per_ip=3, portal_trusted_proxies=())
    async with running_portal(settings, portal_store) as base, browsers(base) as browser:
        for number in range(3):
            assert await browser.sign_in(f"someone{number}@millbrook.gov.uk", "wrong password!!", f"192.0.2.{number}") == 401
        assert await browser.sign_in(OFFICER, address="192.0.2.99") == 429


# --- sessions ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_copied_cookie_stops_working_after_sign_out(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as officer:
        assert await officer.sign_in(OFFICER) == 302
        async with contextlib.AsyncExitStack() as stack:
            copy = Browser(base, cookie=officer.cookie())
            stack.push_async_callback(copy.close)
            assert (await copy.get("/"))[0] == 200
            assert (await officer.post("/logout", {"csrf_token": await officer.csrf("/")}))[0] == 302
            assert (await officer.get("/"))[0] == 302
            status, headers, _ = await copy.get(f"/consultations/{HARBOUR}")
            assert status == 302 and headers["Location"].startswith("/login?next=")


@pytest.mark.asyncio
async def test_a_session_lasts_eight_hours(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as officer:
        assert await officer.sign_in(OFFICER) == 302
        with portal_store.session() as session:
            (row,) = session.scalars(select(PortalSessionRow)).all()
            assert row.expires_at - row.created_at == dt.timedelta(hours=8)
        assert (await officer.get("/"))[0] == 200
        with portal_store.session() as session:  # eight hours pass
            eight_hours = dt.timedelta(hours=8)
            session.execute(
                update(PortalSessionRow).values(
                    created_at=PortalSessionRow.created_at - eight_hours, expires_at=PortalSessionRow.expires_at - eight_hours
                )
            )
        status, headers, _ = await officer.get("/")
        assert status == 302 and headers["Location"].startswith("/login")


@pytest.mark.asyncio
async def test_a_password_change_ends_every_other_session_and_keeps_this_one(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base, 2) as (officer, other):
        assert await officer.sign_in(OFFICER) == 302
        assert await other.sign_in(OFFICER) == 302  # the officer's second browser
        copy = Browser(base, cookie=officer.cookie())
        try:
            assert (await copy.get("/"))[0] == 200
            token = await officer.csrf("/account/password")
            form = {"csrf_token": token, "current_password": "not my password", "new_password": NEW_PASSWORD}
            status, _, page = await officer.post("/account/password", {**form, "repeat_password": NEW_PASSWORD})
            assert status == 401 and b"current password is not right" in page
            assert (await copy.get("/"))[0] == 200  # a refused change ends nothing
            form["current_password"] = PASSWORD
            status, headers, _ = await officer.post("/account/password", {**form, "repeat_password": NEW_PASSWORD})
            assert status == 303 and headers["Location"] == "/account/password?changed=1"
            assert (await copy.get("/"))[0] == 302
            assert (await other.get("/"))[0] == 302
            status, _, page = await officer.get("/account/password?changed=1")
            assert status == 200 and b"Your password was changed" in page
        finally:
            await copy.close()
        async with browsers(base) as fresh:
            assert await fresh.sign_in(OFFICER, PASSWORD) == 401
            assert await fresh.sign_in(OFFICER, NEW_PASSWORD) == 302


def cli_user() -> str:
    """How the audit log names whoever runs the CLI in these tests."""
    return f"cli:{getpass.getuser()}"


def run_cli(url: str, stdin: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TRACKER_STORE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "SENDER_HASH_SALT": TEST_SALT,
    }
    return subprocess.run(
        [sys.executable, "-m", "actions.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.asyncio
async def test_a_password_set_with_the_cli_ends_the_sessions_and_lifts_the_lock(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as officer:
        assert await officer.sign_in(OFFICER) == 302
        copy = Browser(base, cookie=officer.cookie())
        try:
            async with browsers(base) as attacker:
                token = await attacker.csrf()
                assert Counter(await guesses(attacker, token, [f"guess {n}" for n in range(12)])) == {401: 10, 429: 2}
            result = await asyncio.to_thread(run_cli, portal_store.url, NEW_PASSWORD + "\n", "user", "set-password", OFFICER)
            assert result.returncode == 0, result.stderr
            assert "signed out" in result.stdout
            assert (await copy.get("/"))[0] == 302
            assert (await officer.get("/"))[0] == 302
        finally:
            await copy.close()
        async with browsers(base) as fresh:
            assert await fresh.sign_in(OFFICER, NEW_PASSWORD) == 302


# --- HTTPS by default ------------------------------------------------------------------------------


def test_settings_ask_for_https_unless_plain_http_is_allowed(monkeypatch, tmp_path):
    import actions.settings

    monkeypatch.setattr(actions.settings, "PROJECT_ROOT", tmp_path)  # no .env: `make run` may have written one here
    monkeypatch.setenv("PORTAL_ALLOW_HTTP", "")  # so that the original value comes back after the test...
    monkeypatch.delenv("PORTAL_ALLOW_HTTP")  # ...even though loading .env below sets it behind monkeypatch's back
    try:
        get_settings.cache_clear()
        assert get_settings().portal_secure_cookies is True
        for value, secure in [("", True), ("false", True), ("true", False)]:
            monkeypatch.setenv("PORTAL_ALLOW_HTTP", value)
            get_settings.cache_clear()
            assert get_settings().portal_secure_cookies is secure
        (tmp_path / ".env").write_text("PORTAL_ALLOW_HTTP=true\n")
        monkeypatch.delenv("PORTAL_ALLOW_HTTP")
        get_settings.cache_clear()
        assert get_settings().portal_secure_cookies is False  # a development .env, as `make run` writes it
    finally:
        get_settings.cache_clear()


def test_a_production_portal_refuses_plain_http(tmp_path):
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    with pytest.raises(SystemExit, match="PORTAL_ALLOW_HTTP=true is for local development"):
        create_app(portal_settings(url, production=True, portal_allow_http=True))
    assert create_app(portal_settings(url, production=True, portal_allow_http=False)) is not None


@pytest.mark.asyncio
async def test_cookies_are_secure_and_hsts_is_sent_unless_plain_http_is_allowed(portal_store):
    secure = portal_settings(portal_store.url, portal_allow_http=False)
    async with running_portal(secure, portal_store) as base, browsers(base) as browser:
        status, headers, _ = await browser.get("/login")
        assert status == 200
        cookie = headers["Set-Cookie"]
        assert "hys_portal=" in cookie and re.search(r";\s*Secure", cookie)
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        status, headers, _ = await browser.get("/")  # redirects and errors carry it too
        assert status == 302 and "Strict-Transport-Security" in headers
        assert "Strict-Transport-Security" in (await browser.get("/static/nothing-here.css"))[1]
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as browser:
        status, headers, _ = await browser.get("/login")
        assert status == 200 and "Secure" not in headers["Set-Cookie"]
        assert "Strict-Transport-Security" not in headers
