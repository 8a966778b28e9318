"""End to end through the real Rasa server and action server: residents' own words on a consultation
loaded at run time (not in seeds/), with no retraining and no code change.

* A whole response in natural language, with three questions asked in other words than the content's.
* The review step: 20 different natural confirmations and 10 change requests.
"""

from __future__ import annotations

import itertools
import re
import time

import pytest

from actions.store.repository import Store
from tests.conftest import PROJECT_ROOT
from tests.servers import RunningAssistant

pytestmark = pytest.mark.e2e
TODAY = "2026-11-22"
FIXTURES = PROJECT_ROOT / "tests" / "understanding" / "consultations"
OPENER = "i'd like to have my say on the elm street school street"
_ids = itertools.count()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    # One resident amends the same response twenty times in a minute here: lift the per-sender rate limit.
    env = {"HYS_TODAY": TODAY, "RATE_LIMIT_PER_SENDER": "1000"}
    running = RunningAssistant(tmp_path_factory.mktemp("understanding"), extra_env=env).start()
    # Loaded while everything runs: the assistant must pick it up with no retraining.
    loaded = running.cli("load", str(FIXTURES))
    assert loaded.returncode == 0, loaded.stderr
    # The action server picks up new content within a couple of seconds (it checks the content version).
    deadline = time.monotonic() + 20
    while "Elm Street school street" not in running.texts("content-probe", "tell me about the elm street school street"):
        assert time.monotonic() < deadline, "the loaded consultation never reached the assistant"
        time.sleep(0.5)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def store(assistant) -> Store:
    return Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])


def sender() -> str:
    return f"understanding-{next(_ids)}"


class Conversation:
    """One resident. ``answer`` says yes when the assistant offers an answer back for confirmation."""

    def __init__(self, assistant: RunningAssistant):
        self.assistant = assistant
        self.who = sender()
        self.confirmations = 0

    def say(self, text: str) -> str:
        return self.assistant.texts(self.who, text)

    def answer(self, text: str) -> str:
        reply = self.say(text)
        if "Is that right?" in reply:
            self.confirmations += 1
            reply = self.say("yes")
        assert "Please reply" not in reply and "didn't understand" not in reply, (text, reply)
        return reply


def reference_in(receipt: str) -> str:
    match = re.search(r"Your reference is ([A-Z0-9-]+)\.", receipt)
    assert match, receipt
    return match.group(1)


def test_a_new_consultation_is_explained_and_answered_in_residents_own_words(assistant, store):
    resident = Conversation(assistant)
    about = resident.say("tell me about the elm street school street")
    assert "Elm Street school street" in about
    # Three questions in other words than the content's own.
    parking = resident.say("are we losing parking outside the school?")
    assert re.search(r"12 (parking )?bays", parking)
    fine = resident.say("how much is the fine if i drive in during the closure?")
    assert "£70" in fine
    after = resident.say("what happens after it closes")
    assert "Transport Committee on 5 March 2027" in after

    started = resident.say(OPENER)
    assert "Do you agree to go ahead?" in started and "house numbers" in started
    assert "quote your comments" in resident.answer("no problem, go ahead")
    assert "send you the outcome" in resident.answer("yes but not with my name")
    assert resident.answer("yeah keep me posted").startswith("Question 1 of 8")
    for answer in [
        "totally agree, about time",
        "not a chance, we live miles away",
        "plan b",
        "we drive or walk mostly",
        "safety first, then air quality, then traffic, parking last",
        "five",
        "yep",
        "12 Mill Lane is mine and my neighbour Bob Smith agrees with me",
    ]:
        reply = resident.answer(answer)
    assert "postcode" in reply
    assert "age group" in resident.answer("skip")
    review = resident.answer("prefer not to say")
    assert "Here's a summary of your answers" in review
    reference = reference_in(resident.say("all fine, send it"))
    assert store.response_answers(reference) == {
        "support": "Strongly agree",
        "likely_walk": "Very unlikely",
        "version": "Plan B - all-day closure",
        "travel": ["Car or van", "Walking"],
        "priorities": ["Children's safety", "Air quality", "Traffic on nearby roads", "Parking"],
        "days": 5,
        "resident": "Yes",
        "comments": "[address] is mine and my neighbour [name] agrees with me",
    }


def test_what_the_content_cannot_answer_is_logged_redacted_for_officers(assistant, store):
    resident = Conversation(assistant)
    resident.say("tell me about the elm street school street")
    honest = resident.say("is there a swimming pool planned? email me at jo@example.com")
    assert "can't find an answer" in honest
    started = resident.say(OPENER)
    assert "Do you agree" in started
    for reply in ("yes", "no", "no"):
        resident.answer(reply)
    for attempt in ("blue", "purple"):  # not an answer to "how far do you agree", twice
        assert "Question 1 of 8" in resident.say(attempt)
    groups = store.unanswered_summary("elm-street-school-street")
    questions = [g for g in groups if g["kind"] == "question"]
    answers = [g for g in groups if g["kind"] == "answer"]
    assert any("swimming pool" in example and "[email]" in example for g in questions for example in g["examples"])
    assert all("jo@example.com" not in example for g in groups for example in g["examples"])
    assert any(g["question_id"] == "support" and "purple" in g["examples"] for g in answers)


# Twenty different ways residents confirm at the review.
CONFIRMATIONS = [
    "all fine, send it",
    "go ahead and submit it",
    "perfect",
    "looks good",
    "yes that's right",
    "that's all correct",
    "send",
    "submit please",
    "spot on thanks",
    "yep all good",
    "happy with that",
    "that's everything",
    "ok send it off",
    "yes please send",
    "nothing to change, submit",
    "lovely, thanks",
    "great, post it",
    "correct",
    "done",
    "go for it",
]
# Ten ways to ask for a change, with the question (1-based) each opens.
CHANGE_REQUESTS = [
    ("change the second answer", 2),
    ("change my travel answer", 4),
    ("go back to question 3", 3),
    ("can i redo the ranking", 5),
    ("actually i want to change the first one", 1),
    ("edit q6", 6),
    ("the bit about how many days is wrong", 6),
    ("change my comments", 8),
    ("fix number 7", 7),
    ("i'd like to change the last one", 8),
]
ANSWER_AGAIN = {1: "agree", 2: "likely", 3: "plan a", 4: "bus", 5: "1 2 3 4", 6: "3", 7: "no", 8: "skip"}


def reach_the_review(resident: Conversation, first_time: bool) -> str:
    if first_time:
        assert "Do you agree" in resident.say(OPENER)
        resident.answer("yes")
        resident.answer("no")
        resident.answer("no")
        for answer in ["agree", "likely", "plan a", "bus", "1 2 3 4", "3", "no", "skip"]:
            resident.answer(answer)
        resident.answer("skip")
        return resident.answer("prefer not to say")
    offered = resident.say(OPENER)
    assert "You've already responded" in offered
    assert "Do you agree" in resident.say("yes")
    resident.answer("yes")
    resident.answer("no")
    return resident.answer("no")


def test_the_review_accepts_twenty_natural_confirmations(assistant, store):
    resident = Conversation(assistant)
    references = set()
    for number, confirmation in enumerate(CONFIRMATIONS):
        review = reach_the_review(resident, first_time=number == 0)
        assert "Here's a summary of your answers" in review
        receipt = resident.say(confirmation)
        assert "your response has been saved" in receipt, (confirmation, receipt)
        references.add(reference_in(receipt))
    assert len(references) == 1  # each confirmation re-submitted the same response (an amendment)
    assert store.response_answers(references.pop())["support"] == "Agree"


def test_the_review_opens_the_question_named_in_ten_change_requests(assistant):
    resident = Conversation(assistant)
    assert "Here's a summary" in reach_the_review(resident, first_time=True)
    for request, number in CHANGE_REQUESTS:
        opened = resident.say(request)
        assert opened.startswith(f"Question {number} of 8"), (request, opened)
        assert "Here's a summary" in resident.answer(ANSWER_AGAIN[number]), request
