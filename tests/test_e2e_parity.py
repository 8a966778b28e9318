"""Parity: the same conversations give the same replies and the same stored events with the speed-ups
on (the default) and off (HYS_SPEEDUPS=off: stock Rasa code, no parse memory, no tracker cache).

Two assistants run side by side, each with its own database, and every message goes to both in
turn. The conversations are the end-to-end tests' own: every open consultation's survey (with a
change in review and a submit), explaining and follow-ups, questions and a pause mid-survey, a
button payload, withdrawal, small talk, and deleting everything. Only what must differ is set
aside: timestamps, message ids and the random response references.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest
from sqlalchemy import text

from actions import speedups
from actions.store.db import engine_for
from tests.servers import MARKET_SQUARE_TO_REVIEW, RunningAssistant, conversation_key
from tests.test_e2e_survey import CHANGES, TODAY, WALKTHROUGHS

pytestmark = pytest.mark.e2e
REFERENCE = re.compile(r"\b[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
RANDOM_OR_CLOCK = [
    (REFERENCE, "MB-XXXX-XXXX"),  # response references
    (re.compile(r"^[0-9a-f]{32}$"), "<uuid>"),  # a survey run's submission key
    (re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*(\+00:00|Z)?$"), "<time>"),  # consent given at
]
VOLATILE = {"timestamp", "message_id"}
_ids = itertools.count()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """(speed-ups on, speed-ups off), started together."""
    assistants = [
        RunningAssistant(tmp_path_factory.mktemp(f"parity-{mode}"), extra_env={"HYS_TODAY": TODAY, "HYS_SPEEDUPS": mode})
        for mode in ("on", "off")
    ]
    try:
        for assistant in assistants:
            loaded = assistant.cli("load", "seeds")
            assert loaded.returncode == 0, loaded.stderr
        for assistant in assistants:
            assistant.start_process("actions")
            assistant.start_process("rasa")
        for assistant in assistants:
            assistant.wait_for("actions", f"http://127.0.0.1:{assistant.action_port}/health")
            assistant.wait_for("rasa", f"{assistant.base_url}/status?token={assistant.token}")
        every = len(speedups.PATCHES)
        assert f"Speed-ups on: {every} of {every} patches" in assistants[0].log("rasa")
        assert "Speed-ups off (HYS_SPEEDUPS=off)" in assistants[1].log("rasa")
        yield assistants
    finally:
        for assistant in assistants:
            assistant.stop()


def normalised(value):
    """JSON with timestamps, message ids, response references, submission keys and clock times set aside."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str):
        for pattern, stand_in in RANDOM_OR_CLOCK:
            value = pattern.sub(stand_in, value)
    return value


def talk(pair, sender: str, messages: list[str]) -> list:
    """Each message to both assistants; every reply must be the same once normalised. Returns the replies."""
    replies = []
    for message in messages:
        on, off = (normalised(assistant.say(sender, message)) for assistant in pair)
        assert on == off, f"{sender}: {message!r}"
        replies.append(on)
    return replies


def stored_events(assistant: RunningAssistant) -> dict[str, list]:
    with engine_for(assistant.database_url).connect() as connection:
        rows = connection.execute(
            text("SELECT sender_id, type_name, intent_name, action_name, data FROM events ORDER BY id")
        ).all()
    events: dict[str, list] = {}
    for sender, type_name, intent, action, data in rows:
        events.setdefault(sender, []).append((type_name, intent, action, normalised(json.loads(data))))
    return events


def stored_responses(assistant: RunningAssistant) -> list:
    with engine_for(assistant.database_url).connect() as connection:
        rows = connection.execute(
            text(
                "SELECT r.channel, r.sender_hash, r.status, r.ward_slug, r.age_band, c.slug, "
                "(SELECT count(*) FROM answers a WHERE a.response_id = r.id) "
                "FROM responses r JOIN consultations c ON c.id = r.consultation_id ORDER BY r.id"
            )
        ).all()
    return [tuple(row) for row in rows]


def new_sender() -> str:
    return f"parity-{next(_ids)}"


def test_every_conversation_gets_the_same_replies_and_stored_events_with_and_without_the_speed_ups(pair):
    for slug, (opener, answers, _expected) in sorted(WALKTHROUGHS.items()):
        change, _ = CHANGES[slug]
        replies = talk(
            pair, new_sender(), [opener, "yes", "no", "yes", *answers, "MB1 2AB", "45-54", "change 1", change, "submit"]
        )
        assert "Your reference is" in json.dumps(replies[-1])
    talk(
        pair,
        new_sender(),
        [
            "hello",
            "what consultations are open",
            "the second one",
            "when does it close",
            "what documents are there",
            "what are the options",
            "anything about transport?",
            "what's happening in MB3 4?",
            "what consultations have finished?",
            "any consultations about buses",
            "who is my councillor",
            "MB1 2AB",
            "what happens to my data",
            "are you a bot",
            "what's the weather like",
            "thanks",
            "bye",
        ],
    )
    who = new_sender()
    opened = talk(pair, who, ["hello", "I want to have my say on the cycle lane", "yes", "no", "yes", "agree"])
    buttons = [button for message in opened[-1] for button in message.get("buttons", [])]
    talk(pair, who, [buttons[0]["payload"], "what's option B again?", "when does it close?", "help", "stop", "hello"])
    talk(pair, who, ["yes", "parking", "/greet", '/ask_deadline{"consultation": "market-square-events"}', "skip"])
    withdrawn = talk(
        pair,
        new_sender(),
        [
            *MARKET_SQUARE_TO_REVIEW,
            "submit",
            "withdraw my response",
            "yes",
        ],
    )
    assert "has been withdrawn" in json.dumps(withdrawn[-1])
    talk(pair, new_sender(), ["hello", "delete everything you hold about me", "yes"])

    on, off = pair
    events_on, events_off = stored_events(on), stored_events(off)
    assert set(events_on) == set(events_off)
    for sender in events_on:
        assert events_on[sender] == events_off[sender], sender
    assert sum(len(events) for events in events_on.values()) > 300
    assert conversation_key("rest", "parity-0") in events_on
    assert stored_responses(on) == stored_responses(off)
    assert [row[2] for row in stored_responses(on)] == ["submitted"] * len(WALKTHROUGHS) + ["withdrawn"]
