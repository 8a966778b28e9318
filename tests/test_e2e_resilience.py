"""End to end: the action server dies mid-survey, the tracker store never holds raw personal data, erasure by reference."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from actions.store.db import engine_for
from actions.store.repository import Store
from tests.servers import MARKET_SQUARE_TO_COMMENT, MARKET_SQUARE_TO_REVIEW, RunningAssistant, conversation_key

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    running = RunningAssistant(tmp_path_factory.mktemp("resilience"), extra_env={"HYS_TODAY": "2026-11-22"}).start()
    yield running
    running.stop()


def tracker_rows(assistant, sender: str) -> list[str]:
    with engine_for(assistant.database_url).connect() as connection:
        return [
            row[0]
            for row in connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": conversation_key("rest", sender)}
            )
        ]


def answer_through(assistant, who: str, messages: list[str]) -> str:
    reply = ""
    for message in messages:
        reply = assistant.texts(who, message)
    return reply


def test_killing_the_action_server_mid_survey_loses_no_answers(assistant):
    who = "restart-resident"
    answer_through(assistant, who, ["I want to have my say on the cycle lane", "yes", "no", "no", "agree", "the painted one"])
    assistant.stop_process("actions", kill=True)  # SIGKILL: no chance to save anything
    assistant.start_actions()
    reply = answer_through(assistant, who, ["1 and 3"])
    assert "Question 4 of 6" in reply
    receipt = answer_through(assistant, who, ["skip", "no", "skip", "skip", "prefer not to say", "submit"])
    reference = receipt.split("Your reference is ")[1].split(".")[0]
    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    assert store.response_answers(reference) == {
        "support": "Agree",
        "design": "Option B - painted lane with wands",
        "concerns": ["Loss of parking", "Cost"],
        "trips": None,
        "cycle_more": "No",
        "comments": None,
    }


def test_the_tracker_store_never_keeps_typed_personal_details(assistant):
    who = "private-resident"
    answer_through(
        assistant,
        who,
        [*MARKET_SQUARE_TO_COMMENT, "I'm Jo Bloggs, email jo@example.com or ring 07700 900123, I live at MB1 4XY"],
    )
    stored = "\n".join(tracker_rows(assistant, who))
    assert stored, "the SQL tracker store should hold this conversation"
    for secret in ["jo@example.com", "07700 900123", "Bloggs", "4XY"]:
        assert secret not in stored
    assert "[email]" in stored


def test_erase_by_reference_withdraws_and_deletes_the_conversation(assistant):
    who = "erase-resident"
    receipt = answer_through(
        assistant,
        who,
        [*MARKET_SQUARE_TO_REVIEW, "submit"],
    )
    reference = receipt.split("Your reference is ")[1].split(".")[0]
    assert tracker_rows(assistant, who)
    erased = assistant.cli("erase", reference)
    assert erased.returncode == 0, erased.stderr
    assert f"Withdrew {reference}" in erased.stdout
    assert tracker_rows(assistant, who) == []
    store = Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])
    assert store.response_summary(reference)["status"] == "withdrawn"
    assert store.response_answers(reference) == {}
    again = assistant.cli("erase", "MB-ZZZZ-ZZZZ")
    assert again.returncode == 1 and "No response with reference MB-ZZZZ-ZZZZ" in again.stderr
    malformed = assistant.cli("erase", "not-a-reference")
    assert malformed.returncode == 2 and "is not a reference" in malformed.stderr


def test_events_are_plain_json(assistant):
    rows = tracker_rows(assistant, "private-resident")
    assert all(isinstance(json.loads(row), dict) for row in rows)
