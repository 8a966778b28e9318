"""Conversation keys, re-keying old conversations, the sealed address never stored, and the server-side
checks on a response before it is saved (issue 15). Real databases: SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from sqlalchemy import select, text

from actions.content.files import read_bundle
from actions.store.conversations import rekey_conversations
from actions.store.db import engine_for
from actions.store.identity import conversation_key, hash_sender
from actions.store.tracker_store import RedactingSQLTrackerStore
from actions.survey.submission import submission_problems

from .conftest import PROJECT_ROOT, SEEDS

SALT = "key-test-salt"
DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def expected_key(channel: str, sender: str) -> str:
    return f"{channel}:{hmac.new(SALT.encode(), f'{channel}:{sender}'.encode(), hashlib.sha256).hexdigest()}"


def test_a_key_is_the_channel_and_an_hmac_of_the_channels_id():
    assert conversation_key(SALT, "twilio", "+447700900111") == expected_key("twilio", "+447700900111")
    assert conversation_key(SALT, "rest", "+447700900111") != conversation_key(SALT, "twilio", "+447700900111")
    assert conversation_key("another-salt", "twilio", "+447700900111") != conversation_key(SALT, "twilio", "+447700900111")


def test_the_sender_hash_of_a_key_is_the_hash_of_the_raw_id_so_responses_stay_linked():
    raw = hash_sender(SALT, "twilio", "+447700900111")
    assert hash_sender(SALT, "twilio", expected_key("twilio", "+447700900111")) == raw
    # A key of another channel is hashed like any other id: it can't stand in for that channel's resident.
    assert hash_sender(SALT, "rest", expected_key("twilio", "+447700900111")) != raw


def save_turn(store: RedactingSQLTrackerStore, sender: str, said: str, channel: str, metadata: dict | None = None) -> None:
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(said, {"name": "greet", "confidence": 1.0}, input_channel=channel, metadata=metadata or {}))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))


def senders(url: str) -> set[str]:
    with engine_for(url).connect() as connection:
        return set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())


def test_old_conversations_under_raw_ids_are_rekeyed_once(database_url):
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=database_url)
    save_turn(store, "+447700900111", "hello", "twilio")
    save_turn(store, "whatsapp:+447700900222", "hi", "twilio")
    save_turn(store, "5551234", "hello", "telegram")
    save_turn(store, expected_key("rest", "already"), "hello", "rest")

    assert sorted(rekey_conversations(database_url, SALT)) == [
        ("telegram", "5551234"),
        ("twilio", "+447700900111"),
        ("twilio", "whatsapp:+447700900222"),
    ]
    assert senders(database_url) == {
        expected_key("twilio", "+447700900111"),
        expected_key("twilio", "whatsapp:+447700900222"),
        expected_key("telegram", "5551234"),
        expected_key("rest", "already"),
    }
    assert rekey_conversations(database_url, SALT) == []  # idempotent
    with engine_for(database_url).connect() as connection:
        stored = "\n".join(connection.execute(text("SELECT sender_id || ' ' || data FROM events")).scalars())
    assert "7700900111" not in stored and "5551234" not in stored


def test_the_sealed_address_in_a_messages_metadata_is_never_written(database_url):
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=database_url)
    key = expected_key("twilio", "+447700900111")
    save_turn(store, key, "yes", "twilio", {"sealed_address": "gAAAAAB-sealed-token", "medium": "sms"})
    with engine_for(database_url).connect() as connection:
        data = [json.loads(row) for row in connection.execute(text("SELECT data FROM events WHERE type_name = 'user'")).scalars()]
    assert data[0]["metadata"] == {"medium": "sms"}


def test_metadata_a_client_sends_is_redacted_before_it_is_stored(database_url):
    store = RedactingSQLTrackerStore(domain=DOMAIN, host=database_url)
    metadata = {"note": "call me on 07700 900123", "nested": {"who": ["jo@example.com"]}, "x": float("nan"), "question": "q1"}
    save_turn(store, expected_key("rest", "meta"), "hello", "rest", metadata)
    with engine_for(database_url).connect() as connection:
        stored = connection.execute(text("SELECT data FROM events WHERE type_name = 'user'")).scalar()
    assert "900123" not in stored and "jo@example.com" not in stored and "NaN" not in stored
    assert json.loads(stored)["metadata"]["question"] == "q1"


# --- server-side checks before saving ------------------------------------------------------------------


@pytest.fixture(scope="module")
def harbour():
    bundle = read_bundle([SEEDS], known_wards=set())
    return next(c for c in bundle.consultations if c.slug == "harbour-road-cycle-lane")


VALID = {
    "support": "Agree",
    "design": "Option B - painted lane with wands",
    "concerns": ["Loss of parking", "Cost"],
    "trips": 12,
    "cycle_more": "No",
    "comments": "The junction needs a crossing",
}
OPEN_DAY = dt.date(2026, 11, 22)


def state(**changes) -> dict:
    return {"slug": "harbour-road-cycle-lane", "answers": dict(VALID), "ward": "harbourside", "age_band": "45-54", **changes}


def test_a_valid_response_passes(harbour):
    assert submission_problems(harbour, state(), {"harbourside"}, OPEN_DAY) == []


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"support": "Totally"}, "support: not one of the options"),
        ({"design": "Option Z"}, "design: not one of the options"),
        ({"concerns": ["Cost", "Free beer"]}, "concerns: not a list of the options"),
        ({"concerns": "Cost"}, "concerns: not a list of the options"),
        ({"trips": "lots"}, "trips: not a number"),
        ({"trips": -3}, "trips: out of range"),
        ({"trips": True}, "trips: not a number"),
        ({"cycle_more": "Maybe"}, "cycle_more: not one of the options"),
        ({"comments": 42}, "comments: not text"),
        ({"comments": "x" * 20000}, "comments: too long"),
        ({"injected": "value"}, "'injected' is not a question of harbour-road-cycle-lane"),
        ({"support": None}, "support is required"),
    ],
)
def test_answers_that_do_not_fit_the_questions_are_refused(harbour, answers, problem):
    problems = submission_problems(harbour, state(answers={**VALID, **answers}), {"harbourside"}, OPEN_DAY)
    assert problem in problems


def test_a_closed_consultation_other_slug_unknown_ward_or_age_band_is_refused(harbour):
    assert "harbour-road-cycle-lane is not open" in submission_problems(harbour, state(), {"harbourside"}, dt.date(2027, 1, 5))
    assert "the response is for a different consultation" in submission_problems(
        harbour, state(slug="budget-2027"), {"harbourside"}, OPEN_DAY
    )
    assert "unknown ward" in submission_problems(harbour, state(ward="narnia"), {"harbourside"}, OPEN_DAY)
    assert "unknown age band" in submission_problems(harbour, state(age_band="900"), {"harbourside"}, OPEN_DAY)


def test_purge_deletes_sealed_addresses_once_their_notice_is_sent_and_old_offered_payloads(store):
    from actions.retention import purge
    from actions.store.models import NotificationRow, ResponseRow

    store.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    sent, failed = (
        store.submit_response(
            consultation_slug="market-square-events",
            channel="twilio",
            sender_id=phone,
            answers={"support": "Agree"},
            notify_outcome=True,
            contact_sealed="sealed-" + phone,
        )
        for phone in ("+447700900501", "+447700900502")
    )
    with store.session() as session:
        for reference, status in ((sent, "sent"), (failed, "failed")):
            row = session.scalar(select(ResponseRow).where(ResponseRow.reference == reference))
            session.add(NotificationRow(response_id=row.id, channel="twilio", status=status))
    store.remember_offered_payloads(expected_key("rest", "someone"), ["/help"])

    purge(store, store.url, 30, now=time.time() + 2 * 86400)

    with store.session() as session:
        kept = dict(session.execute(select(ResponseRow.reference, ResponseRow.contact_sealed)).all())
    assert kept[sent] is None and kept[failed] == "sealed-+447700900502"  # a failed notice is tried again
    assert store.offered_payloads(expected_key("rest", "someone")) == []


def test_migrate_rekeys_old_conversations_and_seals_the_address_of_residents_waiting_for_an_outcome(tmp_path):
    """An upgrade: a conversation under a raw phone number, whose resident asked to hear the outcome."""
    import os
    import subprocess
    import sys

    from cryptography.fernet import Fernet

    from actions.store.migrate import upgrade
    from actions.store.models import ResponseRow
    from actions.store.repository import Store

    url = f"sqlite:///{tmp_path / 'old.db'}"
    fernet_key = Fernet.generate_key()
    upgrade(url)
    old = Store(url, SALT)
    old.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    phone = "+447700900601"
    waiting = old.submit_response(
        consultation_slug="market-square-events",
        channel="twilio",
        sender_id=phone,
        answers={"support": "Agree"},
        notify_outcome=True,
    )
    not_asked = old.submit_response(
        consultation_slug="market-square-events",
        channel="twilio",
        sender_id=phone,
        answers={"support": "Agree"},
        notify_outcome=False,
    )
    save_turn(RedactingSQLTrackerStore(domain=DOMAIN, host=url), phone, "hello", "twilio")

    env = {**os.environ, "DATABASE_URL": url, "HYS_VAR_DIR": str(tmp_path), "SENDER_HASH_SALT": SALT}
    env["CONTACT_ENCRYPTION_KEY"] = fernet_key.decode()
    migrated = subprocess.run(
        [sys.executable, "-m", "actions.cli", "migrate"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    assert "Re-keyed 1 conversation(s)" in migrated.stdout and "sealed the address of 1 response(s)" in migrated.stdout

    assert senders(url) == {expected_key("twilio", phone)}
    with old.session() as session:
        sealed = dict(session.execute(select(ResponseRow.reference, ResponseRow.contact_sealed)).all())
    assert Fernet(fernet_key).decrypt(sealed[waiting].encode()).decode() == phone
    assert sealed[not_asked] is None
    assert phone.encode() not in b"".join(path.read_bytes() for path in tmp_path.glob("old.db*"))
