"""End to end over REST: complete responses for every open seeded consultation, review changes, submitting again, withdrawal, bad input."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from actions.store.models import ResponseRow
from actions.store.repository import Store
from tests.servers import RunningAssistant, conversation_key

pytestmark = pytest.mark.e2e
TODAY = "2026-11-22"
_ids = itertools.count()

# (consultation phrase, answers in question order, expected stored answers)
WALKTHROUGHS = {
    "harbour-road-cycle-lane": (
        "I want to have my say on the cycle lane",
        [
            "agree",
            "the painted one",
            "parking and cost",
            "about 12",
            "yeah",
            "My name is Ann Other, parking worries me. Call 07700 900123",
        ],
        {
            "support": "Agree",
            "design": "Option B - painted lane with wands",
            "concerns": ["Loss of parking", "Cost"],
            "trips": 12,
            "cycle_more": "Yes",
            "comments": "My name is [name], parking worries me. Call [phone]",
        },
    ),
    "library-opening-hours": (
        "can I comment on the library plans",
        ["yes", "satisfied", "option b", "3 1 2 4", "skip", "4", "Open access would help me study in the evenings"],
        {
            "use_library": "Yes",
            "satisfaction": "Satisfied",
            "preferred_option": "Option B - staffed core hours plus open access",
            "important_services": [
                "Children's activities",
                "Borrowing books",
                "Computers and wifi",
                "Warm and quiet space to study",
            ],
            "open_access_likely": None,
            "visits": 4,
            "comments": "Open access would help me study in the evenings",
        },
    ),
    "market-square-events": (
        "i'd like to have a say about market square",
        ["strongly disagree", "1 and 3", "no", "skip"],
        {
            "support": "Strongly disagree",
            "event_types": ["Christmas market", "Live music"],
            "live_nearby": "No",
            "comments": None,
        },
    ),
}


# During review each resident changes their answer to question 1.
CHANGES = {
    "harbour-road-cycle-lane": ("neither", "Neither agree nor disagree"),
    "library-opening-hours": ("no", "No"),
    "market-square-events": ("5", "Strongly disagree"),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    running = RunningAssistant(tmp_path_factory.mktemp("survey"), extra_env={"HYS_TODAY": TODAY}).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def store(assistant) -> Store:
    return Store(assistant.database_url, assistant.env["SENDER_HASH_SALT"])


def sender() -> str:
    return f"resident-{next(_ids)}"


def start_and_consent(assistant, who, opener):
    started = assistant.texts(who, opener)
    assert "Do you agree to go ahead?" in started
    assert "Question" not in started
    assert "quote your comments" in assistant.texts(who, "yes")
    assert "send you the outcome" in assistant.texts(who, "no")
    return assistant.texts(who, "yes")  # notify: yes -> first question


@pytest.mark.parametrize("slug", sorted(WALKTHROUGHS))
def test_complete_a_whole_response_and_change_one_answer_in_review(assistant, store, slug):
    opener, answers, expected = WALKTHROUGHS[slug]
    who = sender()
    first_question = start_and_consent(assistant, who, opener)
    assert first_question.startswith("Question 1 of")
    for answer in answers:
        reply = assistant.texts(who, answer)
        assert "Sorry" not in reply, (answer, reply)
        # The validation action asks the next step itself; nothing else may ask it again.
        assert reply.count("Question ") <= 1, (answer, reply)
    assert "postcode" in reply
    assert "age group" in assistant.texts(who, "MB1 2AB")
    review = assistant.texts(who, "45-54")
    assert "Here's a summary of your answers" in review
    changed = assistant.texts(who, "change 1")
    assert changed.startswith("Question 1 of")
    new_answer, stored = CHANGES[slug]
    assert "Here's a summary" in assistant.texts(who, new_answer)
    expected = {**expected, next(iter(expected)): stored}
    receipt = assistant.texts(who, "submit")
    assert "your response has been saved" in receipt
    reference = receipt.split("Your reference is ")[1].split(".")[0]
    assert reference.startswith("MB-")
    assert store.response_answers(reference) == expected
    # The survey has ended: its answers leave the conversation state, the reference stays to quote.
    tracker = assistant.tracker(who)
    assert tracker["active_loop"] == {}
    assert tracker["slots"]["survey"] is None and tracker["slots"]["last_reference"] == reference
    with store.session() as session:
        row = session.scalar(select(ResponseRow).where(ResponseRow.reference == reference))
        assert row.status == "submitted" and row.channel == "rest" and row.ward_slug == "harbourside" and row.age_band == "45-54"
        assert row.notify_outcome is True and row.consent_quote is False and row.consent_privacy_at is not None
        # The HMAC of "rest:<who>" keyed with the e2e salt, worked out in tests/servers.py, not by actions/.
        assert f"rest:{row.sender_hash}" == conversation_key("rest", who)


def test_submit_again_after_saving_adds_nothing_and_a_new_attempt_offers_a_change(assistant, store):
    # The second "submit" arrives after the receipt, when the survey is over, so it never reaches the store.
    # Two submits of one survey run at the same time, before it ends, are tested against the database in
    # tests/test_store.py::test_two_concurrent_submits_of_one_survey_run_save_one_response_with_one_reference.
    who = sender()
    start_and_consent(assistant, who, "i'd like to have a say about market square")
    for answer in ["agree", "1", "no", "skip", "skip", "prefer not to say"]:
        assistant.texts(who, answer)
    first = assistant.texts(who, "submit")
    again = assistant.texts(who, "submit")
    assert "Your reference is" in first and "Your reference is" not in again
    with store.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(ResponseRow)
            .where(ResponseRow.status == "submitted", ResponseRow.sender_hash == store_hash(store, who))
        )
    assert count == 1
    second_try = assistant.texts(who, "i'd like to have a say about market square")
    assert "You've already responded" in second_try and "change your answers" in second_try
    amend = assistant.texts(who, "yes")
    assert "Do you agree" in amend
    assistant.texts(who, "yes")
    assistant.texts(who, "no")
    review = assistant.texts(who, "no")
    assert "Here's a summary" in review
    assistant.texts(who, "change 1")
    assistant.texts(who, "disagree")
    reference = first.split("Your reference is ")[1].split(".")[0]
    resubmitted = assistant.texts(who, "submit")
    assert reference in resubmitted
    assert store.response_answers(reference)["support"] == "Disagree"
    with store.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(ResponseRow).where(ResponseRow.sender_hash == store_hash(store, who)))
            == 1
        )


def store_hash(store: Store, who: str) -> str:
    from actions.store.identity import hash_sender

    return hash_sender(store.sender_salt, "rest", who)


def test_withdrawing_in_chat_removes_the_response_from_counts(assistant, store):
    who = sender()
    start_and_consent(assistant, who, "i'd like to have a say about market square")
    for answer in ["agree", "1", "no", "skip", "skip", "prefer not to say"]:
        assistant.texts(who, answer)
    receipt = assistant.texts(who, "submit")
    reference = receipt.split("Your reference is ")[1].split(".")[0]
    before = {o.slug: o.responses for o in store.overview()}["market-square-events"]
    assert "Withdraw response" in assistant.texts(who, f"withdraw my response {reference}")
    assert "has been withdrawn" in assistant.texts(who, "yes")
    assert {o.slug: o.responses for o in store.overview()}["market-square-events"] == before - 1
    assert store.response_answers(reference) == {}


def test_mid_survey_questions_pause_and_resume(assistant):
    who = sender()
    start_and_consent(assistant, who, "I want to have my say on the cycle lane")
    assistant.texts(who, "agree")
    interruption = assistant.texts(who, "what's option B again?")
    assert "painted lane with wands" in interruption and interruption.rstrip().endswith("None of them")
    assert interruption.count("Question 2 of 6") == 1
    assert "paused" in assistant.texts(who, "stop")
    welcome = assistant.texts(who, "hello")
    assert "unfinished response" in welcome
    resumed = assistant.texts(who, "yes")
    assert "Question 2 of 6" in resumed


def test_closed_and_unknown_consultations_cannot_be_answered(assistant):
    closed = assistant.texts(sender(), "I want to have my say on the bus routes")
    assert "can't take responses" in closed and "We did:" in closed
    draft = assistant.texts(sender(), "I want to have my say on the leisure centre")
    assert "leisure" not in draft.lower() and "Which consultation" in draft


BAD_INPUTS = [
    "",
    " ",
    "x" * 12_000,  # over the 5,000-character message limit, under the REST channel's 16 KB body limit
    "\x00\x01\x02 control",
    "🚲🚲🚲",
    "<script>alert('x')</script>",
    "'; DROP TABLE responses; --",
    "مرحبا أريد أن أعلق",
    "\u202eevil override",
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=["empty", "space", "12k", "control", "emoji", "html", "sql", "rtl", "bidi"])
def test_bad_input_gets_a_reply_and_never_a_crash(assistant, store, text):
    who = sender()
    start_and_consent(assistant, who, "i'd like to have a say about market square")
    replies = assistant.say(who, text)
    assert replies and any(r.get("text") for r in replies)
    # The survey carries on normally afterwards, and nothing was half-written.
    assert "Question" in assistant.texts(who, "agree") + assistant.texts(who, "1")
    with store.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(ResponseRow).where(ResponseRow.sender_hash == store_hash(store, who)))
            == 0
        )
