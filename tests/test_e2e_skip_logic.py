"""End to end through the real Rasa and action servers: a consultation with skip logic and "other, please
specify", loaded while they run (no retraining, no restart), answered in residents' own words; and a
resident in the middle of a response when an officer removes a question they have answered."""

from __future__ import annotations

import csv
import io
import itertools
import time

import pytest

from actions.store.repository import Store
from tests.servers import RunningAssistant
from tests.skip_logic_consultation import SLUG, write_ferry

pytestmark = pytest.mark.e2e
TODAY = "2026-11-22"
PARKING = "How satisfied are you with parking at the ferry terminal?"
SEASON = "When do you travel most?"
WHY_NOT = "What worries you about the new timetable?"
_ids = itertools.count()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    running = RunningAssistant(tmp_path_factory.mktemp("skip-logic"), extra_env={"HYS_TODAY": TODAY}).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def store(assistant) -> Store:
    return Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])


def load_and_wait(assistant, path, shows: str) -> None:
    """Load content while the servers run, then wait until the assistant explains it with ``shows``."""
    loaded = assistant.cli("load", str(path))
    assert loaded.returncode == 0, loaded.stderr
    deadline = time.monotonic() + 20
    while shows not in assistant.texts(f"probe-{next(_ids)}", "tell me about the ferry timetable"):
        assert time.monotonic() < deadline, "the loaded consultation never reached the assistant"
        time.sleep(0.5)


def reference_in(receipt: str) -> str:
    assert "Your reference is" in receipt, receipt
    return receipt.split("Your reference is ")[1].split(".")[0]


def test_skipped_questions_are_not_asked_other_is_kept_redacted_and_the_export_says_not_asked(assistant, store, tmp_path):
    load_and_wait(assistant, write_ferry(tmp_path / "ferry.yml"), "new winter timetable")
    who = f"ferry-{next(_ids)}"
    said: list[str] = []

    def say(text: str) -> str:
        reply = assistant.texts(who, text)
        said.append(reply)
        return reply

    assert "Do you agree to go ahead?" in say("I'd like to have my say on the ferry timetable")
    assert "up to 6 questions" in said[0]
    say("yes")
    say("no")
    assert "How do you usually get to the ferry terminal?" in say("no")
    assert 'You chose "Other (please specify)"' in say("the bus, or sometimes something else")
    reply = say("My neighbour John Smith drives me as I use a mobility scooter, call him on 07700 900123")
    assert "removed personal details" in reply and "About how many ferry trips" in reply  # not the parking question
    assert "How far do you agree with the new winter timetable?" in say("about two a month")  # not the season one
    assert "postcode" in say("I agree with it")  # no follow-up for residents who agree
    say("MB1 2AB")
    review = say("45-54")
    assert "Here's a summary of your answers" in review
    assert "Other (please specify): My neighbour [name] drives me" in review
    reference = reference_in(say("submit"))
    assert not any(PARKING in reply or SEASON in reply or WHY_NOT in reply for reply in said)

    detail = store.response_detail(reference)
    assert detail["answers"] == {"travel": ["Bus", "Other (please specify)"], "trips": 2, "support": "Agree"}
    assert detail["other"] == {"travel": "My neighbour [name] drives me as I use a mobility scooter, call him on [phone]"}
    assert detail["themes"]["travel"] == ["accessibility"]

    exported = assistant.cli("export", "--consultation", SLUG)
    assert exported.returncode == 0, exported.stderr
    header, *rows = list(csv.reader(io.StringIO(exported.stdout.lstrip("\ufeff"), newline="")))
    row = dict(zip(header, next(row for row in rows if row[0] == reference), strict=True))
    assert row["parking"] == "not asked" and row["season"] == "not asked" and row["why_not"] == "not asked"
    assert row["travel"] == "Bus; Other (please specify)"
    assert row["travel: other"] == "My neighbour [name] drives me as I use a mobility scooter, call him on [phone]"


def test_a_resident_in_the_middle_of_a_response_finishes_it_after_an_officer_removes_a_question(assistant, store, tmp_path):
    path = write_ferry(tmp_path / "ferry.yml")
    load_and_wait(assistant, path, "new winter timetable")
    who = f"ferry-{next(_ids)}"
    for message in ["I want to respond to the ferry timetable consultation", "yes", "no", "no", "car"]:
        assistant.texts(who, message)
    assert "About how many ferry trips" in assistant.texts(who, "satisfied")

    def officer_edit(document):
        document["summary"] = "A revised winter timetable for the Millbrook ferry, with a later last boat on Fridays."
        document["questions"].insert(0, {"id": "islander", "type": "yesno", "text": "Do you live on the island?"})
        document["questions"] = [q for q in document["questions"] if q["id"] != "parking"]  # already answered

    load_and_wait(assistant, write_ferry(path, officer_edit), "later last boat on Fridays")
    # The resident carries on with the questions they started on, where they were.
    assert SEASON in assistant.texts(who, "6")
    for message in ["winter", "agree", "skip"]:
        assistant.texts(who, message)
    review = assistant.texts(who, "prefer not to say")
    assert "Here's a summary of your answers" in review and "Do you live on the island?" not in review
    reference = reference_in(assistant.texts(who, "submit"))
    # `parking` is gone from the consultation, so that answer has nowhere to go; the rest is kept.
    assert store.response_answers(reference) == {"travel": ["Car"], "trips": 6, "season": "Winter", "support": "Agree"}
    assert store.response_detail(reference)["content_version"] == 1
