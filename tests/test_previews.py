"""Preview grants (store/previews.py) on SQLite and PostgreSQL: what verifies and what doesn't, that a grant is
never stored with the conversation, and that preview conversations are purged an hour after they go idle.
The whole preview through the real servers is tests/test_e2e_preview.py; the page, tests/test_preview_browser.py."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from sqlalchemy import text

from actions.retention import purge
from actions.store.account_admin import disable_account
from actions.store.accounts import add_user
from actions.store.audit import Actor
from actions.store.db import engine_for
from actions.store.previews import conversation_for, mint_grant, read_grant, verified_grant
from actions.store.sessions import end_session, start_session
from actions.store.tracker_store import RedactingSQLTrackerStore

from .conftest import PROJECT_ROOT, TEST_SALT

SECRET = "action-server-token-for-tests"
PASSWORD = "a long enough password"
DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def preview_key(session_id: str) -> str:
    """The preview conversation key for a widget session id, written out independently of actions/."""
    return "preview:" + hmac.new(TEST_SALT.encode(), f"preview:{session_id}".encode(), hashlib.sha256).hexdigest()


def payload_of(grant: str) -> dict:
    body = grant.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


@pytest.fixture
def officer(store):
    return add_user(store, "officer@millbrook.gov.uk", PASSWORD, "officer")


def mint(store, user, slug="riverside-allotments", **extra):
    token = start_session(store, user.id)
    minted = mint_grant(SECRET, TEST_SALT, slug=slug, version=2, session_token=token, user_id=user.id, **extra)
    return minted, token


def test_a_grant_names_the_draft_the_conversation_the_session_and_its_expiry(store, officer):
    minted, token = mint(store, officer)
    payload = payload_of(minted.grant)
    assert payload["slug"] == "riverside-allotments" and payload["version"] == 2
    assert payload["conversation"] == preview_key(minted.session_id)
    assert payload["session"] == hashlib.sha256(token.encode()).hexdigest()
    assert 29 * 60 < payload["exp"] - time.time() <= 30 * 60
    grant = verified_grant(store, {"preview_grant": minted.grant}, preview_key(minted.session_id), SECRET)
    assert grant is not None and grant.slug == "riverside-allotments"


def test_only_our_own_unexpired_signature_verifies(store, officer):
    minted, _ = mint(store, officer)
    body, signature = minted.grant.split(".")
    tampered = base64.urlsafe_b64encode(json.dumps(dict(payload_of(minted.grant), slug="budget-2027")).encode()).rstrip(b"=")
    other_key = base64.urlsafe_b64encode(hmac.new(b"another key", body.encode(), hashlib.sha256).digest()).rstrip(b"=")
    for bad in (f"{tampered.decode()}.{signature}", f"{body}.{other_key.decode()}", body, "", None, 42, "x" * 5000):
        assert read_grant(bad, SECRET) is None
    assert read_grant(minted.grant, "another ACTION_SERVER_TOKEN") is None
    assert read_grant(minted.grant, "") is None  # no token, no previews
    expired, _ = mint(store, officer, now=time.time() - 31 * 60)
    assert read_grant(expired.grant, SECRET) is None
    assert read_grant(minted.grant, SECRET) is not None


def test_a_grant_works_only_in_its_own_conversation(store, officer):
    minted, _ = mint(store, officer)
    metadata = {"preview_grant": minted.grant}
    assert conversation_for(metadata, minted.session_id, SECRET, TEST_SALT) == preview_key(minted.session_id)
    assert conversation_for(metadata, "another-session", SECRET, TEST_SALT) is None
    assert conversation_for({}, minted.session_id, SECRET, TEST_SALT) is None
    for sender in (preview_key("another-session"), "socketio:" + preview_key(minted.session_id).split(":")[1]):
        assert verified_grant(store, metadata, sender, SECRET) is None


def test_signing_out_disabling_or_another_role_ends_the_preview(seeded_store, officer):
    store = seeded_store
    minted, token = mint(store, officer)
    key, metadata = preview_key(minted.session_id), {"preview_grant": minted.grant}
    assert verified_grant(store, metadata, key, SECRET) is not None
    end_session(store, token)
    assert verified_grant(store, metadata, key, SECRET) is None

    councillor = add_user(store, "cllr@millbrook.gov.uk", PASSWORD, "councillor", "riverside")
    as_councillor, _ = mint(store, councillor)
    assert verified_grant(store, {"preview_grant": as_councillor.grant}, preview_key(as_councillor.session_id), SECRET) is None

    again, _ = mint(store, officer)
    admin = add_user(store, "admin@millbrook.gov.uk", PASSWORD, "admin")
    disable_account(store, Actor.account(admin), officer.id)
    assert verified_grant(store, {"preview_grant": again.grant}, preview_key(again.session_id), SECRET) is None


def test_the_grant_is_never_stored_with_the_conversation(store, officer):
    """Nor, in Rasa's ``session_started_metadata`` slot (which copies a new session's first message's metadata),
    the sealed address or unredacted personal details: that slot goes through the same redaction."""
    minted, _ = mint(store, officer)
    metadata = {
        "preview_grant": minted.grant,
        "consultation": "riverside-allotments",
        "sealed_address": "gAAAAAB-sealed-token",
        "note": "call me on 07700 900123",
    }
    tracker_store = RedactingSQLTrackerStore(domain=DOMAIN, host=store.url)
    key = preview_key(minted.session_id)
    tracker = asyncio.run(tracker_store.get_or_create_tracker(key))
    # As Rasa starts a session: the first message's metadata copied into a slot, then the message.
    tracker.update(SlotSet("session_started_metadata", metadata))
    tracker.update(UserUttered("/greet", {"name": "greet", "confidence": 1.0}, metadata=metadata))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(tracker_store.save(tracker))
    with engine_for(store.url).connect() as connection:
        stored = "\n".join(connection.execute(text("SELECT data FROM events WHERE sender_id = :s"), {"s": key}).scalars())
    assert "riverside-allotments" in stored  # the rest of the metadata is kept
    assert minted.grant not in stored and "preview_grant" not in stored
    assert "sealed" not in stored and "900123" not in stored


def test_preview_conversations_are_purged_an_hour_after_they_go_idle(store, officer):
    tracker_store = RedactingSQLTrackerStore(domain=DOMAIN, host=store.url)
    preview, resident = preview_key("s1"), "socketio:" + "a" * 64
    for sender in (preview, resident):
        tracker = asyncio.run(tracker_store.get_or_create_tracker(sender))
        tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
        asyncio.run(tracker_store.save(tracker))

    def senders() -> set[str]:
        with engine_for(store.url).connect() as connection:
            return set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())

    purge(store, store.url, 30, now=time.time() + 50 * 60)
    assert senders() == {preview, resident}
    report = purge(store, store.url, 30, now=time.time() + 70 * 60)
    assert senders() == {resident} and report.conversations == 1
