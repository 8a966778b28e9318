"""The tracker store against a real database: redaction, what it writes, and its cache staying true to SQL."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from sqlalchemy import text

from actions.settings import get_settings
from actions.store.conversations import delete_conversations
from actions.store.db import engine_for
from actions.store.tracker_store import RedactingSQLTrackerStore

from .conftest import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def run(coroutine):
    return asyncio.run(coroutine)


def new_store(url: str) -> RedactingSQLTrackerStore:
    return RedactingSQLTrackerStore(domain=DOMAIN, host=url)


def rows(url: str, sender: str) -> list[str]:
    with engine_for(url).connect() as connection:
        return list(connection.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}).scalars())


def turn(store: RedactingSQLTrackerStore, sender: str, said: str, *events) -> None:
    """One message as Rasa handles it: read, append the message and what the bot did, save."""
    tracker = run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(said, {"name": "greet", "confidence": 1.0}))
    for event in events:
        tracker.update(event)
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))


def state(tracker) -> list[dict]:
    return tracker.current_state(EventVerbosity.ALL)["events"]


@pytest.fixture
def url(database_url) -> str:
    return database_url


def test_messages_are_redacted_in_sql_and_when_read_back(url):
    store = new_store(url)
    turn(store, "r1", "email me at jo@example.com")
    stored = "\n".join(rows(url, "r1"))
    assert "jo@example.com" not in stored and "[email]" in stored
    for reader in (store, new_store(url)):  # from the cache, and from SQL
        texts = [e.get("text") for e in state(run(reader.retrieve("r1"))) if e["event"] == "user"]
        assert texts == ["email me at [email]"]


def test_each_save_writes_only_the_new_events(url):
    store = new_store(url)
    turn(store, "r2", "hello")
    first = len(rows(url, "r2"))
    turn(store, "r2", "again", SlotSet("ward", "harbour"))
    assert len(rows(url, "r2")) == first + 3  # user, slot, action_listen
    assert len(set(rows(url, "r2"))) == len(rows(url, "r2"))
    with engine_for(url).connect() as connection:
        newest = connection.execute(text("SELECT max(id) FROM events WHERE sender_id = 'r2'")).scalar()
    assert store._stored["r2"].last_id == newest, "the insert tells the newest id, so the next read uses the cache"


def test_a_cached_read_equals_a_fresh_read_from_sql(url):
    store = new_store(url)
    for n in range(5):
        turn(store, "r3", f"message {n}", SlotSet("survey", {"index": n, "answers": {"q": [n]}}))
    cached, fresh = run(store.retrieve("r3")), run(new_store(url).retrieve("r3"))
    assert state(cached) == state(fresh)
    assert cached.get_slot("survey") == {"index": 4, "answers": {"q": [4]}}


def test_writes_by_another_server_are_seen(url):
    """Two Rasa servers behind a load balancer: each must see the other's turns."""
    one, two = new_store(url), new_store(url)
    turn(one, "r4", "first")
    turn(two, "r4", "second", SlotSet("ward", "north"))
    turn(one, "r4", "third")
    tracker = run(two.retrieve("r4"))
    assert [e["text"] for e in state(tracker) if e["event"] == "user"] == ["first", "second", "third"]
    assert tracker.get_slot("ward") == "north"
    assert state(tracker) == state(run(new_store(url).retrieve("r4")))


def test_erasure_elsewhere_empties_the_conversation(url):
    store = new_store(url)
    turn(store, "r5", "my data")
    assert delete_conversations(url, ["r5"]) > 0
    assert run(store.retrieve("r5")) is None
    turn(store, "r5", "new start")
    assert [e["text"] for e in state(run(new_store(url).retrieve("r5"))) if e["event"] == "user"] == ["new start"]


def test_a_new_session_is_read_from_its_start_as_rasa_reads_it(url):
    store = new_store(url)
    turn(store, "r6", "old session", SlotSet("ward", "harbour"))
    time.sleep(0.01)  # sessions are told apart by timestamp
    turn(store, "r6", "new session", ActionExecuted("action_session_start"), SessionStarted(), SlotSet("ward", "harbour"))
    cached, fresh = run(store.retrieve("r6")), run(new_store(url).retrieve("r6"))
    assert state(cached) == state(fresh)
    assert "old session" not in str(state(cached))


def test_an_event_timed_before_its_session_began_is_left_out_as_rasa_leaves_it_out(url):
    """An action server with a slow clock can return events timed before the session started; Rasa's SQL read
    leaves them out, so the cached read (which otherwise skips working out the session again) does too."""
    store = new_store(url)
    turn(store, "r6b", "first", ActionExecuted("action_session_start"), SessionStarted())
    turn(store, "r6b", "second", SlotSet("ward", "harbour"))
    started = next(e["timestamp"] for e in state(run(store.retrieve("r6b"))) if e["event"] == "session_started")
    turn(store, "r6b", "third", SlotSet("ward", "north", timestamp=started - 60))
    cached, fresh = run(store.retrieve("r6b")), run(new_store(url).retrieve("r6b"))
    assert state(cached) == state(fresh)
    assert '"north"' not in json.dumps(state(cached)) and [e["text"] for e in state(cached) if e["event"] == "user"] == [
        "first",
        "second",
        "third",
    ]
    turn(store, "r6b", "fourth")  # and the next turn is read as Rasa reads it too
    assert state(run(store.retrieve("r6b"))) == state(run(new_store(url).retrieve("r6b")))


@pytest.fixture
def no_cache(monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_cache_can_be_switched_off(url, no_cache):
    store = new_store(url)
    turn(store, "r7", "one")
    turn(store, "r7", "two")
    assert [e["text"] for e in state(run(store.retrieve("r7"))) if e["event"] == "user"] == ["one", "two"]
    assert len(store._stored) == 0


def test_a_tracker_read_twice_is_still_saved_once(url):
    """Rasa's HTTP API can read a conversation while a message is being handled."""
    store = new_store(url)
    turn(store, "r8", "hello")
    handled = run(store.retrieve("r8"))
    run(store.retrieve("r8"))  # e.g. GET /conversations/r8/predict
    handled.update(UserUttered("answer", {"name": "affirm", "confidence": 1.0}))
    run(store.save(handled))
    texts = [e.get("text") for e in state(run(new_store(url).retrieve("r8"))) if e["event"] == "user"]
    assert texts == ["hello", "answer"]


def test_each_read_hands_out_a_new_tracker_and_changing_it_changes_nothing_kept(url):
    """The store keeps one tracker per conversation up to date and hands Rasa copies of it."""
    store = new_store(url)
    turn(store, "r9", "hello", SlotSet("ward", "harbour"))
    first = run(store.retrieve("r9"))
    first.update(SlotSet("ward", "spoilt"))  # Rasa changes its tracker, then (say) fails before saving
    first.slots["survey"].value = {"spoilt": True}
    second = run(store.retrieve("r9"))
    assert second is not first and second.get_slot("ward") == "harbour" and second.get_slot("survey") is None
    assert state(second) == state(run(new_store(url).retrieve("r9")))
    turn(store, "r9", "call me on 07700 900123", SlotSet("ward", "north"))
    cached, fresh = run(store.retrieve("r9")), run(new_store(url).retrieve("r9"))
    assert state(cached) == state(fresh) and cached.get_slot("ward") == "north"
    assert "07700" not in str(state(cached))
