"""The preview page over HTTP against the real portal, on SQLite and PostgreSQL: who may open it, the grant it
carries (checked here independently of actions/: its signature, slug, version, conversation and expiry), a new
conversation each time it is opened, its headers, the audit entry, and a clear answer without a signing key.
The assistant's side is tests/test_e2e_preview.py; the page in a browser, tests/test_preview_browser.py."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import time
import uuid
from zoneinfo import ZoneInfo

import pytest

from actions.store.accounts import add_user
from actions.store.audit import audit_entries
from actions.store.repository import Store
from tests.conftest import empty_database
from tests.servers import ACTION_TOKEN, E2E_SALT, RunningAssistant
from tests.test_portal import PASSWORD, Browser

pytestmark = pytest.mark.e2e
OFFICER = "officer@millbrook.gov.uk"
COUNCILLOR = "cllr.marsh@millbrook.gov.uk"
DRAFT = "westfield-leisure-centre"  # a draft in seeds/
KEY_LABEL = b"haveyoursay/preview-grant/v1"


def start(request, tmp_path_factory, extra_env: dict | None = None):
    workdir = tmp_path_factory.mktemp("preview-portal")
    running = RunningAssistant(workdir, database_url=empty_database(request.param, workdir), extra_env=extra_env)
    assert running.cli("load", "seeds").returncode == 0  # the portal alone: no Rasa needed
    store = Store(running.database_url, E2E_SALT)
    add_user(store, OFFICER, PASSWORD, "officer")
    add_user(store, COUNCILLOR, PASSWORD, "councillor", "riverside")
    running.start_portal()
    return running, store


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def portal(request, tmp_path_factory):
    running, store = start(request, tmp_path_factory)
    yield running, store
    running.stop()


def grant_on(page: bytes) -> tuple[str, str]:
    grant = re.search(rb'data-preview-grant="([^"]+)"', page).group(1).decode()
    session = re.search(rb'data-preview-session="([^"]+)"', page).group(1).decode()
    return grant, session


def check(grant: str) -> dict:
    """The grant's payload, after checking its signature the way the action server must."""
    body, signature = grant.split(".")
    key = hmac.new(ACTION_TOKEN.encode(), KEY_LABEL, hashlib.sha256).digest()
    expected = base64.urlsafe_b64encode(hmac.new(key, body.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    assert hmac.compare_digest(signature, expected)
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_an_officer_gets_a_fresh_grant_for_the_latest_version_each_time(portal):
    running, store = portal
    officer = Browser(running.portal_url)
    assert officer.sign_in(OFFICER) == 302
    status, headers, page = officer.request(f"/consultations/{DRAFT}/preview")
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert f"connect-src 'self' {running.env['CHAT_SERVER_URL']}" in headers["Content-Security-Policy"]
    assert b"<h1>Preview: Westfield leisure centre redevelopment</h1>" in page
    assert f"version {store.consultation(DRAFT).version}".encode() in page
    grant, session = grant_on(page)
    payload = check(grant)
    assert payload["slug"] == DRAFT and payload["version"] == store.consultation(DRAFT).version
    conversation = hmac.new(E2E_SALT.encode(), f"preview:{session}".encode(), hashlib.sha256).hexdigest()
    assert payload["conversation"] == f"preview:{conversation}" and uuid.UUID(session).version == 4
    assert 29 * 60 < payload["exp"] - time.time() <= 30 * 60
    until = dt.datetime.fromtimestamp(payload["exp"], ZoneInfo("Europe/London")).strftime("%H:%M")
    assert f"until <strong>{until}</strong>".encode() in page  # the officer is told when it ends

    _, _, again = officer.request(f"/consultations/{DRAFT}/preview")  # Restart preview: the same page again
    assert grant_on(again)[1] != session
    entries, _ = audit_entries(store)
    assert [(e.actor, e.target) for e in entries if e.action == "consultation.preview"] == [(OFFICER, DRAFT)] * 2


def test_councillors_strangers_and_unknown_consultations_get_no_grant(portal):
    running, _store = portal
    councillor = Browser(running.portal_url)
    assert councillor.sign_in(COUNCILLOR) == 302
    status, _, page = councillor.request(f"/consultations/{DRAFT}/preview")
    assert status == 403 and b"data-preview-grant" not in page
    stranger = Browser(running.portal_url)
    status, headers, _ = stranger.request(f"/consultations/{DRAFT}/preview")
    assert status == 302 and headers["Location"].startswith("/login")
    officer = Browser(running.portal_url)
    officer.sign_in(OFFICER)
    status, _, page = officer.request("/consultations/no-such-thing/preview")
    assert status == 404 and page.strip() == b"No such consultation."


@pytest.fixture(params=["sqlite"])
def portal_without_token(request, tmp_path_factory):
    running, store = start(request, tmp_path_factory, {"ACTION_SERVER_TOKEN": ""})
    yield running, store
    running.stop()


def test_without_action_server_token_the_page_says_preview_is_unavailable(portal_without_token):
    running, _store = portal_without_token
    officer = Browser(running.portal_url)
    officer.sign_in(OFFICER)
    status, _, page = officer.request(f"/consultations/{DRAFT}/preview")
    assert status == 503 and b"data-preview-grant" not in page
    assert b"Preview is not available: the portal has no ACTION_SERVER_TOKEN" in page
