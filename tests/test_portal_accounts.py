"""Accounts managed in the portal, through the real portal app over HTTP on SQLite and PostgreSQL: invitations
and resets as single-use, expiring links, disabling, the rule that an administrator is always left, and
one-time passwords (required for admins, optional for others, counted against the lock, never replayed).

Codes are computed with pyotp from the secret the set-up page shows (or ``set_up_authenticator`` kept), never
with the portal's own code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import pyotp
import pytest
from aiohttp.test_utils import TestServer
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from actions.cli import build_parser
from actions.content.files import read_bundle
from actions.portal.accounts import LINK_SENDER_KEY
from actions.portal.app import create_app
from actions.settings import get_settings
from actions.store.account_admin import disable_account
from actions.store.accounts import AccountError, add_user, find_user
from actions.store.audit import Actor
from actions.store.migrate import upgrade
from actions.store.models import AccountLinkRow, AuditRow, PortalSessionRow, UserRow
from actions.store.repository import Store
from actions.store.second_factor import verify
from actions.store.sessions import session_user, start_session
from tests.browser_support import run_node
from tests.conftest import PROJECT_ROOT, SEEDS, TEST_SALT
from tests.servers import RunningAssistant
from tests.test_portal_audit import read_csv
from tests.test_portal_sign_in import (
    ADMIN,
    AUTHENTICATORS,
    LAST_STEP,
    OFFICER,
    PASSWORD,
    SECRET,
    Browser,
    browsers,
    cli_user,
    next_code,
    portal_settings,
    running_portal,
    set_up_authenticator,
    set_up_in_portal,
    with_responses_and_accounts,
)

NEW_PASSWORD = "a passphrase of my own choosing"
LINK = re.compile(rb'id="link" class="link-box" type="text" readonly value="([^"]+)"')


@pytest.fixture
def portal_store(seeded_store) -> Store:
    """On SQLite and PostgreSQL: for the flows whose SQL differs (claiming a link, codes, counters, locks)."""
    return with_responses_and_accounts(seeded_store)


@pytest.fixture
def sqlite_store(tmp_path) -> Store:
    """SQLite only, for flows the tests above already run on both databases (keeps CI within its time)."""
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    upgrade(url)
    store = Store(url, TEST_SALT)
    store.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    return with_responses_and_accounts(store)


def csrf_of(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


async def admin_post(admin: Browser, path: str, form: dict, page: str = "/admin/accounts"):
    _, _, shown = await admin.get(page)
    return await admin.post(path, {"csrf_token": csrf_of(shown), **form})


def link_path(page: bytes) -> str:
    """The set-password link shown to the admin, as a path on the test portal."""
    return urlsplit(LINK.search(page).group(1).decode()).path


async def invite(admin: Browser, email: str, role: str = "officer", **extra) -> str:
    status, headers, page = await admin_post(admin, "/admin/accounts", {"email": email, "role": role, **extra})
    assert status == 201, page
    assert headers["Cache-Control"] == "no-store"
    return link_path(page)


async def use_link(browser: Browser, path: str, password: str = NEW_PASSWORD, repeat: str | None = None):
    form = {"csrf_token": await browser.csrf(), "password": password, "repeat_password": password if repeat is None else repeat}
    return await browser.post(path, form)


@pytest.fixture
def cli(monkeypatch, capsys):
    """``haveyoursay ARGS`` in this process (the subprocess runs are in test_portal_audit and test_portal_sign_in):
    returns (exit status, stdout, stderr)."""

    def run(url: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
        for name, value in {"DATABASE_URL": url, "TRACKER_STORE_URL": url, "PORTAL_SECRET_KEY": SECRET}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SENDER_HASH_SALT", TEST_SALT)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        get_settings.cache_clear()
        try:
            parsed = build_parser().parse_args(list(args))
            status = parsed.handler(parsed)
        finally:
            get_settings.cache_clear()
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def user_id(store: Store, email: str) -> int:
    return find_user(store, email).id


async def audit_entries(admin: Browser) -> list[dict]:
    return read_csv((await admin.get("/admin/audit.csv"))[2])


# --- invitations ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_an_invited_officer_sets_their_own_password_with_a_link_that_works_once(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base, 3) as (admin, new, other):
        assert await admin.sign_in(ADMIN) == 302
        path = await invite(admin, "new.officer@millbrook.gov.uk")
        token = path.rsplit("/", 1)[1]
        assert len(token) >= 40  # 32 random bytes
        with portal_store.session() as session:
            (stored,) = session.scalars(select(AccountLinkRow)).all()
            # Only the token's SHA-256 is kept; nothing in the row is the token.
            assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
            assert token not in repr([getattr(stored, c.name) for c in AccountLinkRow.__table__.columns])
            assert dt.timedelta(days=6, hours=23) < stored.expires_at - stored.created_at <= dt.timedelta(days=7)
        # The new account can't sign in before the link is used.
        assert await other.sign_in("new.officer@millbrook.gov.uk", "") == 401

        # Opening the link (as a mail scanner would) uses nothing up; a short or mismatched password neither.
        for _ in range(2):
            status, headers, page = await new.get(path)
            assert status == 200 and b"new.officer@millbrook.gov.uk" in page
            assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
        status, _, page = await use_link(new, path, "eleven char")
        assert status == 400 and b"at least 12 characters" in page
        status, _, page = await use_link(new, path, NEW_PASSWORD, "something else entirely")
        assert status == 400 and b"don&#39;t match" in page

        status, headers, _ = await use_link(new, path)
        assert (status, headers["Location"]) == (303, "/")
        assert (await new.get("/"))[0] == 200  # signed in by the link

        # Used up: neither another browser nor the same one can use it again.
        status, _, page = await other.get(path)
        assert status == 410 and b"already been used" in page
        assert (await use_link(other, path, "yet another long password"))[0] == 410
        assert await other.sign_in("new.officer@millbrook.gov.uk", "yet another long password") == 401
        assert await other.sign_in("new.officer@millbrook.gov.uk", NEW_PASSWORD) == 302
        assert (await other.get("/nowhere-" + token))[0] == 404

        entries = await audit_entries(admin)
        invited = next(entry for entry in entries if entry["action"] == "invite")
        assert (invited["actor"], invited["role"], invited["target"]) == (ADMIN, "admin", "new.officer@millbrook.gov.uk")
        assert invited["account_change"].startswith("role officer, ward none, two-factor required no, link works until ")
        set_by_link = next(entry for entry in entries if entry["action"] == "set_password")
        assert (set_by_link["actor"], set_by_link["target"], set_by_link["account_change"]) == (
            "new.officer@millbrook.gov.uk",
            "new.officer@millbrook.gov.uk",
            "by invitation link",
        )


@pytest.mark.asyncio
async def test_a_mail_sender_can_deliver_the_link_instead_of_showing_it(sqlite_store):
    class Outbox:
        def __init__(self):
            self.sent = []

        def send(self, email, url, purpose, expires_at) -> bool:
            self.sent.append((email, url, purpose))
            return True

    app = create_app(portal_settings(sqlite_store.url), sqlite_store)
    app[LINK_SENDER_KEY] = outbox = Outbox()
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with browsers(f"http://127.0.0.1:{server.port}", 2) as (admin, new):
            assert await admin.sign_in(ADMIN) == 302
            form = {"email": "mailed@millbrook.gov.uk", "role": "officer"}
            status, _, page = await admin_post(admin, "/admin/accounts", form)
            assert status == 201 and b"The link was sent to" in page and LINK.search(page) is None
            ((email, url, purpose),) = outbox.sent
            assert (email, purpose) == ("mailed@millbrook.gov.uk", "invitation")
            assert (await use_link(new, urlsplit(url).path))[0] == 303
    finally:
        await server.close()


@pytest.mark.asyncio
async def test_an_expired_or_unknown_link_is_refused(sqlite_store):
    async with running_portal(portal_settings(sqlite_store.url), sqlite_store) as base, browsers(base, 2) as (admin, new):
        assert await admin.sign_in(ADMIN) == 302
        path = await invite(admin, "late@millbrook.gov.uk")
        with sqlite_store.session() as session:  # seven days pass
            (link,) = session.scalars(select(AccountLinkRow)).all()
            link.expires_at -= dt.timedelta(days=7)
        status, _, page = await new.get(path)
        assert status == 410 and b"expired" in page
        assert (await use_link(new, path))[0] == 410
        assert (await new.get(path[:-4] + "AAAA"))[0] == 404
        # The admin makes a new invitation; it works.
        late = user_id(sqlite_store, "late@millbrook.gov.uk")
        status, _, page = await admin_post(admin, f"/admin/accounts/{late}/reset", {}, f"/admin/accounts/{late}")
        assert status == 201 and b"Invitation link" in page
        assert (await use_link(new, link_path(page)))[0] == 303


# --- admins need an authenticator app -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_an_invited_admin_must_set_up_an_authenticator_app_before_the_account_works(portal_store):
    email = "deputy@millbrook.gov.uk"
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base, 2) as (admin, deputy):
        assert await admin.sign_in(ADMIN) == 302
        path = await invite(admin, email, "admin")
        assert (await use_link(deputy, path))[0] == 303
        for page in ("/", "/admin/accounts", "/admin/audit.csv", "/account/password"):
            status, headers, _ = await deputy.get(page)
            assert (status, headers["Location"]) == (303, "/account/two-factor"), page

        status, headers, page = await deputy.get("/account/two-factor")
        assert status == 200 and headers["Cache-Control"] == "no-store"
        qr = re.search(rb"<svg .*?</svg>", page, re.S).group(0)
        assert b'role="img"' in qr and b"aria-label=" in qr and b"<image" not in qr and b"href" not in qr
        secret = re.search(rb'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).decode().replace(" ", "")
        assert len(secret) == 32

        wrong = {"csrf_token": csrf_of(page), "code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"}
        status, _, page = await deputy.post("/account/two-factor", wrong)
        assert status == 400 and secret[:4].encode() in page  # the same key is offered again
        code = await next_code(secret)
        status, headers, _ = await deputy.post("/account/two-factor", {"csrf_token": csrf_of(page), "code": code})
        assert (status, headers["Location"]) == (303, "/account/two-factor?done=on")
        assert (await deputy.get("/admin/accounts"))[0] == 200

        # Never shown again, and not kept in the clear.
        status, _, page = await deputy.get("/account/two-factor")
        assert status == 200 and b'class="secret"' not in page and b"<svg" not in page and secret[:8].encode() not in page
        with portal_store.session() as session:
            row = session.scalar(select(UserRow).where(UserRow.email == email))
            columns = repr([getattr(row, column.name) for column in UserRow.__table__.columns])
            assert secret not in columns and secret.lower() not in columns and row.totp_secret_sealed

        # The code used to set up can't sign in (replay); a later one can.
        async with browsers(base) as again:
            form = {"csrf_token": await again.csrf(), "email": email, "password": NEW_PASSWORD}
            status, headers, _ = await again.post("/login", form)
            assert (status, headers["Location"]) == (302, "/login/code")
            assert (await again.get("/"))[0] == 302  # waiting for the code opens nothing
            status, _, page = await again.post("/login/code", {"csrf_token": await again.csrf(), "code": code})
            assert status == 401 and b"That code is not right" in page
            status, headers, _ = await again.post(
                "/login/code", {"csrf_token": await again.csrf(), "code": await next_code(secret)}
            )
            assert (status, headers["Location"]) == (302, "/")
            assert (await again.get("/admin/accounts"))[0] == 200

        entries = await audit_entries(admin)
        assert [(e["actor"], e["action"]) for e in entries if e["target"] == email] == [
            (ADMIN, "invite"),
            (email, "set_password"),
            (email, "set_up_two_factor"),
        ]


def test_a_code_is_accepted_for_one_step_either_side_and_only_once(store):
    user = add_user(store, "clock@millbrook.gov.uk", PASSWORD, "admin")
    secret = set_up_authenticator(store, user.id, "clock@millbrook.gov.uk")  # uses the current step
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(minutes=5)  # ten steps on
    step = int(now.replace(tzinfo=dt.timezone.utc).timestamp()) // 30
    totp = pyotp.TOTP(secret)

    def code(at_step: int) -> str:
        return totp.at(at_step * 30)

    assert not verify(store, user.id, code(step - 2), SECRET, now)
    assert not verify(store, user.id, code(step + 2), SECRET, now)
    assert not verify(store, user.id, "12345", SECRET, now)
    assert verify(store, user.id, code(step - 1), SECRET, now)
    assert not verify(store, user.id, code(step - 1), SECRET, now)  # replayed
    assert verify(store, user.id, code(step), SECRET, now)
    assert not verify(store, user.id, code(step - 1), SECRET, now)  # older than the last one used
    assert verify(store, user.id, code(step + 1)[:3] + " " + code(step + 1)[3:], SECRET, now)  # as apps show it
    assert not verify(store, user.id, code(step + 1), SECRET, now)


@pytest.mark.asyncio
async def test_codes_sealed_under_another_secret_key_are_refused_with_what_to_do(sqlite_store):
    changed = portal_settings(sqlite_store.url, portal_secret_key=Fernet.generate_key().decode())
    async with running_portal(changed, sqlite_store) as base, browsers(base) as admin:
        form = {"csrf_token": await admin.csrf(), "email": ADMIN, "password": PASSWORD}
        assert (await admin.post("/login", form))[1]["Location"] == "/login/code"
        code = await next_code(AUTHENTICATORS[ADMIN])
        status, _, page = await admin.post("/login/code", {"csrf_token": await admin.csrf(), "code": code})
        assert status == 500 and b"secret key has changed" in page and b"reset-2fa" in page
        assert (await admin.get("/"))[0] == 302  # and nothing opens


@pytest.mark.asyncio
async def test_wrong_codes_count_against_the_account_lock(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as browser:
        form = {"csrf_token": await browser.csrf(), "email": ADMIN, "password": PASSWORD}
        assert (await browser.post("/login", form))[0] == 302  # attempt 1: the password, right
        secret = AUTHENTICATORS[ADMIN]
        wrong = str((int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000).zfill(6)
        statuses = [
            (await browser.post("/login/code", {"csrf_token": await browser.csrf(), "code": wrong}))[0] for _ in range(10)
        ]
        assert statuses == [401] * 9 + [429]  # attempts 2-10 checked, the 11th refused
        with portal_store.session() as session:  # a right password without the code is not a sign-in
            assert session.scalar(select(UserRow.last_login_at).where(UserRow.email == ADMIN)) is None
        # The waiting session has ended, and the right password and code are now refused too.
        status, headers, _ = await browser.post("/login/code", {"csrf_token": await browser.csrf(), "code": "123456"})
        assert (status, headers["Location"]) == (302, "/login")
        assert (await browser.post("/login", {**form, "csrf_token": await browser.csrf()}))[0] == 429


# --- reset, disable, enable ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_reset_ends_the_sessions_and_the_old_password_and_gives_a_new_link(sqlite_store):
    async with (
        running_portal(portal_settings(sqlite_store.url, portal_sign_in_limit_per_account=3), sqlite_store) as base,
        browsers(base, 3) as (admin, officer, fresh),
    ):
        assert await officer.sign_in(OFFICER) == 302
        copy = Browser(base, cookie=officer.cookie())
        try:
            assert await admin.sign_in(ADMIN) == 302
            target = user_id(sqlite_store, OFFICER)
            status, headers, page = await admin_post(admin, f"/admin/accounts/{target}/reset", {}, f"/admin/accounts/{target}")
            assert status == 200 and b"Reset link" in page and headers["Cache-Control"] == "no-store"
            assert (await officer.get("/"))[0] == 302
            assert (await copy.get("/"))[0] == 302
            assert await fresh.sign_in(OFFICER, PASSWORD) == 401
            for number in range(2):  # someone keeps guessing: the account is locked (3 tries here)
                assert await fresh.sign_in(OFFICER, f"a wrong guess, number {number}") == 401
            assert await fresh.sign_in(OFFICER, PASSWORD) == 429
            with sqlite_store.session() as session:
                link = session.scalar(select(AccountLinkRow).where(AccountLinkRow.used_at.is_(None)))
                assert dt.timedelta(hours=23) < link.expires_at - link.created_at <= dt.timedelta(hours=24)
            assert (await use_link(fresh, link_path(page)))[0] == 303
            assert (await fresh.get("/"))[0] == 200
            assert await officer.sign_in(OFFICER, NEW_PASSWORD) == 302  # the link lifted the lock
        finally:
            await copy.close()
        entries = await audit_entries(admin)
        reset = next(entry for entry in entries if entry["action"] == "reset_account")
        assert (reset["actor"], reset["target"]) == (ADMIN, OFFICER)
        assert reset["account_change"].startswith("reset link, link works until ")


@pytest.mark.asyncio
async def test_a_reset_keeps_or_forgets_the_authenticator_app(sqlite_store):
    other = add_user(sqlite_store, "second.admin@millbrook.gov.uk", PASSWORD, "admin")
    set_up_authenticator(sqlite_store, other.id, "second.admin@millbrook.gov.uk")
    settings = portal_settings(sqlite_store.url, portal_sign_in_limit_per_account=3)
    async with running_portal(settings, sqlite_store) as base, browsers(base, 3) as (admin, one, two):
        assert await admin.sign_in(ADMIN) == 302
        page_path = f"/admin/accounts/{other.id}"
        # Reset keeping the app: a link alone doesn't open an account that has one; the code is still asked.
        _, _, page = await admin_post(admin, f"{page_path}/reset", {}, page_path)
        for number in range(3):  # meanwhile someone guesses and locks the account (3 tries here)
            assert await one.sign_in("second.admin@millbrook.gov.uk", f"a wrong guess, number {number}") == 401
        assert await one.sign_in("second.admin@millbrook.gov.uk", "a fourth wrong guess") == 429
        status, headers, _ = await use_link(one, link_path(page))
        assert (status, headers["Location"]) == (303, "/login/code")
        assert (await one.get("/"))[0] == 302

        def last_sign_in():
            with sqlite_store.session() as session:
                return session.scalar(select(UserRow.last_login_at).where(UserRow.id == other.id))

        assert last_sign_in() is None  # not signed in yet: the code is still to come
        code = await next_code(AUTHENTICATORS["second.admin@millbrook.gov.uk"])
        status, _, _ = await one.post("/login/code", {"csrf_token": await one.csrf(), "code": code})
        assert status == 302 and (await one.get("/"))[0] == 200  # the link lifted the lock
        assert last_sign_in() is not None
        # Reset forgetting it (a lost phone): the link leads to setting up a new one.
        _, _, page = await admin_post(admin, f"{page_path}/reset", {"reset_two_factor": "on"}, page_path)
        assert (await use_link(two, link_path(page), "the third password here"))[0] == 303
        status, headers, _ = await two.get("/")
        assert (status, headers["Location"]) == (303, "/account/two-factor")
        await set_up_in_portal(two, "second.admin@millbrook.gov.uk")
        assert (await two.get("/admin/accounts"))[0] == 200


@pytest.mark.asyncio
async def test_disabling_ends_the_sessions_at_once_and_refuses_sign_in_until_enabled(sqlite_store):
    async with (
        running_portal(portal_settings(sqlite_store.url), sqlite_store) as base,
        browsers(base, 3) as (admin, officer, fresh),
    ):
        assert await officer.sign_in(OFFICER) == 302
        assert await admin.sign_in(ADMIN) == 302
        target = user_id(sqlite_store, OFFICER)
        status, headers, _ = await admin_post(admin, f"/admin/accounts/{target}/disable", {}, f"/admin/accounts/{target}")
        assert (status, headers["Location"]) == (303, f"/admin/accounts/{target}?done=disabled")
        with sqlite_store.session() as session:
            assert session.scalars(select(PortalSessionRow).where(PortalSessionRow.user_id == target)).all() == []
        assert (await officer.get("/"))[0] == 302
        status, _, page = await fresh.request(
            "POST", "/login", {"csrf_token": await fresh.csrf(), "email": OFFICER, "password": PASSWORD}
        )
        assert status == 403 and b"has been disabled" in page
        assert await fresh.sign_in(OFFICER, "not the password at all") == 401  # nothing said without the password
        status, _, page = await admin_post(admin, f"/admin/accounts/{target}/enable", {}, f"/admin/accounts/{target}")
        assert status == 303
        assert await fresh.sign_in(OFFICER) == 302
        entries = [(e["actor"], e["action"], e["target"]) for e in await audit_entries(admin)]
        assert (ADMIN, "disable_account", OFFICER) in entries and (ADMIN, "enable_account", OFFICER) in entries


@pytest.mark.asyncio
async def test_an_admin_can_change_roles_and_require_two_factor_of_an_officer(sqlite_store):
    async with running_portal(portal_settings(sqlite_store.url), sqlite_store) as base, browsers(base, 2) as (admin, officer):
        assert await officer.sign_in(OFFICER) == 302
        assert await admin.sign_in(ADMIN) == 302
        target = user_id(sqlite_store, OFFICER)
        path = f"/admin/accounts/{target}"
        form = {"role": "councillor", "ward": "atlantis"}
        status, _, page = await admin_post(admin, f"{path}/change", form, path)
        assert status == 409 and b"a councillor needs a ward" in page
        status, _, _ = await admin_post(admin, f"{path}/change", {"role": "officer", "two_factor_required": "on"}, path)
        assert status == 303
        status, headers, _ = await officer.get("/")  # takes effect on the officer's next page
        assert (status, headers["Location"]) == (303, "/account/two-factor")
        await set_up_in_portal(officer, OFFICER)
        assert (await officer.get("/"))[0] == 200
        change = next(e for e in await audit_entries(admin) if e["action"] == "change_account")
        assert (change["actor"], change["target"], change["account_change"]) == (ADMIN, OFFICER, "two-factor required no → yes")


@pytest.mark.asyncio
async def test_two_factor_is_optional_for_an_officer_who_can_turn_it_on_and_off(sqlite_store):
    async with running_portal(portal_settings(sqlite_store.url), sqlite_store) as base, browsers(base, 2) as (officer, later):
        assert await officer.sign_in(OFFICER) == 302
        assert b"is <strong>off</strong>" in (await officer.get("/account/two-factor"))[2]
        secret = await set_up_in_portal(officer, OFFICER)
        status, headers, _ = await later.post(
            "/login", {"csrf_token": await later.csrf(), "email": OFFICER, "password": PASSWORD}
        )
        assert (status, headers["Location"]) == (302, "/login/code")  # from now on a code is asked
        set_up_code = pyotp.TOTP(secret).at(LAST_STEP[secret] * 30)
        form = {"csrf_token": await officer.csrf("/account/two-factor"), "password": PASSWORD, "code": set_up_code}
        status, _, page = await officer.post("/account/two-factor/off", form)
        assert status == 401  # the code that set it up has been used
        form["code"] = await next_code(secret)
        status, _, page = await officer.post("/account/two-factor/off", {**form, "password": "not my password!"})
        assert status == 401 and b"password is not right" in page
        status, headers, _ = await officer.post("/account/two-factor/off", form)
        assert (status, headers["Location"]) == (303, "/account/two-factor?done=off")
        AUTHENTICATORS.pop(OFFICER)
        assert await later.sign_in(OFFICER) == 302
        assert (await later.get("/"))[0] == 200  # no code asked any more


# --- an administrator is always left ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_only_admin_cannot_disable_demote_or_reset_themselves_away(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as admin:
        assert await admin.sign_in(ADMIN) == 302
        me = user_id(portal_store, ADMIN)
        path = f"/admin/accounts/{me}"
        await invite(admin, "not.yet@millbrook.gov.uk", "admin")  # an invited admin can't sign in yet: doesn't count
        status, _, page = await admin_post(admin, f"{path}/disable", {}, path)
        assert status == 409 and b"would leave no administrator who can sign in" in page
        status, _, page = await admin_post(admin, f"{path}/change", {"role": "officer"}, path)
        assert status == 409 and b"would leave no administrator who can sign in" in page
        assert (await admin.get("/admin/accounts"))[0] == 200  # still an admin, still signed in

        other = add_user(portal_store, "other.admin@millbrook.gov.uk", PASSWORD, "admin")
        status, _, _ = await admin_post(admin, f"{path}/change", {"role": "officer"}, path)
        assert status == 303  # another admin is left, so stepping down is allowed
        assert (await admin.get("/admin/accounts"))[0] == 403
        assert find_user(portal_store, ADMIN).role == "officer"
        with pytest.raises(AccountError, match="no administrator"):
            disable_account(portal_store, Actor("other.admin@millbrook.gov.uk", "admin", other.id), other.id)


def test_a_disabled_accounts_session_opens_nothing_even_if_its_row_is_left(store):
    """Disabling deletes the sessions; a session started at that very moment is refused by the check on every page."""
    user = add_user(store, "racing@millbrook.gov.uk", PASSWORD, "officer")
    token = start_session(store, user.id)
    assert session_user(store, token) == user
    with store.session() as session:
        session.execute(update(UserRow).where(UserRow.id == user.id).values(disabled_at=dt.datetime(2026, 11, 22, 9)))
    assert session_user(store, token) is None


def test_two_admins_disabling_each_other_at_the_same_moment_leave_one(store):
    first = add_user(store, "first@millbrook.gov.uk", PASSWORD, "admin")
    second = add_user(store, "second@millbrook.gov.uk", PASSWORD, "admin")
    for _ in range(5):
        start = threading.Barrier(2)
        outcomes: list[str] = []

        def disable(by, target) -> None:
            start.wait()
            try:
                disable_account(store, Actor(by.email, "admin", by.id), target.id)
                outcomes.append("disabled")
            except AccountError:
                outcomes.append("refused")

        threads = [threading.Thread(target=disable, args=pair) for pair in ((first, second), (second, first))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["disabled", "refused"]
        with store.session() as session:
            session.execute(update(UserRow).values(disabled_at=None))  # both active again for the next round


@pytest.mark.asyncio
async def test_only_admins_manage_accounts(sqlite_store):
    async with running_portal(portal_settings(sqlite_store.url), sqlite_store) as base, browsers(base, 2) as (officer, anonymous):
        assert await officer.sign_in(OFFICER) == 302
        assert b'href="/admin/accounts"' not in (await officer.get("/"))[2]
        target = user_id(sqlite_store, ADMIN)
        assert (await officer.get("/admin/accounts"))[0] == 403
        assert (await officer.get(f"/admin/accounts/{target}"))[0] == 403
        token = await officer.csrf("/")
        for action in ("disable", "reset", "reset-two-factor", "change", "enable"):
            assert (await officer.post(f"/admin/accounts/{target}/{action}", {"csrf_token": token, "role": "officer"}))[0] == 403
        assert (await officer.post("/admin/accounts", {"csrf_token": token, "email": "x@millbrook.gov.uk", "role": "admin"}))[
            0
        ] == 403
        status, headers, _ = await anonymous.get("/admin/accounts")
        assert status == 302 and headers["Location"].startswith("/login")
    assert find_user(sqlite_store, "x@millbrook.gov.uk") is None and not find_user(sqlite_store, ADMIN).disabled


# --- the command line ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_cli_disables_enables_and_resets_two_factor_and_each_is_audited(sqlite_store, cli):
    url = sqlite_store.url
    status, out, _ = cli(url, "user", "list")
    assert status == 0 and re.search(rf"{re.escape(ADMIN)}\s+admin\s+active\s+on\s+never", out), out
    status, _, err = cli(url, "user", "disable", ADMIN)
    assert status == 1 and "would leave no administrator" in err
    async with running_portal(portal_settings(url), sqlite_store) as base, browsers(base, 2) as (officer, admin):
        assert await officer.sign_in(OFFICER) == 302
        assert cli(url, "user", "disable", OFFICER)[0] == 0
        assert (await officer.get("/"))[0] == 302
        assert await officer.sign_in(OFFICER) == 403
        assert cli(url, "user", "enable", OFFICER)[0] == 0
        assert await officer.sign_in(OFFICER) == 302

        assert cli(url, "user", "reset-2fa", ADMIN)[0] == 0  # a lost phone, and no other admin to help
        AUTHENTICATORS.pop(ADMIN)
        assert await admin.sign_in(ADMIN) == 302
        assert (await admin.get("/"))[0] == 303  # sets up a new app first
        await set_up_in_portal(admin, ADMIN)
        entries = [(e["actor"], e["role"], e["action"], e["target"]) for e in await audit_entries(admin)]
        assert entries[:3] == [
            (cli_user(), "cli", "disable_account", OFFICER),
            (cli_user(), "cli", "enable_account", OFFICER),
            (cli_user(), "cli", "reset_two_factor", ADMIN),
        ]
    status, _, err = cli(url, "user", "disable", "nobody@millbrook.gov.uk")
    assert status == 1 and "No account for nobody@millbrook.gov.uk" in err


def test_the_cli_records_who_made_an_account_and_who_set_a_password(sqlite_store, cli):
    email = "cllr.new@millbrook.gov.uk"
    status, out, err = cli(
        sqlite_store.url,
        "user",
        "add",
        email,
        "--role",
        "councillor",
        "--ward",
        "riverside",
        "--require-2fa",
        stdin=PASSWORD + "\n",
    )
    assert status == 0, err
    assert "must set up an authenticator app" in out
    assert cli(sqlite_store.url, "user", "set-password", email, stdin=NEW_PASSWORD + "\n")[0] == 0
    with sqlite_store.session() as session:
        rows = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        assert [(row.actor, row.role, row.action, row.target) for row in rows] == [
            (cli_user(), "cli", "create_account", email),
            (cli_user(), "cli", "change_password", email),
        ]
        assert rows[0].details == {"account_role": "councillor", "account_ward": "riverside", "two_factor_required": True}


# --- in a real browser -----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_account_pages_work_in_a_browser_with_no_serious_accessibility_problems(tmp_path):
    running = RunningAssistant(tmp_path, extra_env={"HYS_TODAY": "2026-11-22"})
    try:
        assert running.cli("load", str(SEEDS)).returncode == 0
        made = subprocess.run(
            [sys.executable, "-m", "actions.cli", "user", "add", ADMIN, "--role", "admin"],
            cwd=PROJECT_ROOT,
            env=running.env,
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert made.returncode == 0, made.stderr
        running.start_portal()
        config = {"base": running.portal_url, "admin": {"email": ADMIN, "password": PASSWORD}}
        report = run_node("tests/browser/accounts.mjs", {**config, "invitee": OFFICER, "password": NEW_PASSWORD})
    finally:
        running.stop()
    assert "error" not in report, report.get("error")
    assert report["steps"] == {
        "afterPassword": "/account/two-factor",
        "qrCode": {"role": "img", "label": "QR code to scan with your authenticator app"},
        "afterSetUp": "/account/two-factor?done=on",
        "linkShown": True,
        "askedForCode": "/login/code",
        "afterCode": "/",
        "inviteeSignedIn": True,
    }
    shown = {page["name"]: page for page in report["pages"]}
    assert list(shown) == [
        "set up two-factor",
        "two-factor on",
        "accounts",
        "invitation link",
        "account",
        "audit log with account changes",
        "enter your code",
        "set your password",
        "used link",
        "two-factor off",
    ]
    for page in report["pages"]:
        assert page["axeVersion"].startswith("4."), "axe-core must actually have run"
        assert page["violations"] == [], page
        expected = (
            ["Failed to load resource: the server responded with a status of 410 (Gone)"] if page["name"] == "used link" else []
        )
        assert page["consoleErrors"] == expected, page
    assert shown["invitation link"]["status"] == 201 and shown["used link"]["status"] == 410
