"""End to end over REST: discovering and explaining consultations, councillors, and the rest of a real assistant."""

from __future__ import annotations

import itertools
import time

import pytest

from actions.dialogue.services import CATALOGUE_CHECK_SECONDS
from tests.conftest import SEEDS
from tests.servers import RunningAssistant

pytestmark = pytest.mark.e2e
TODAY = "2026-11-22"  # the seeds' dates are written around this day
_ids = itertools.count()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    running = RunningAssistant(tmp_path_factory.mktemp("explain"), extra_env={"HYS_TODAY": TODAY}).start()
    yield running
    running.stop()


def new_sender() -> str:
    return f"explain-{next(_ids)}"


def test_list_open_consultations_closing_soonest_first(assistant):
    reply = assistant.texts(new_sender(), "what consultations are open")
    market, harbour, library = (
        reply.index(t) for t in ("Events in Market Square", "Harbour Road cycle lane", "Future of library opening hours")
    )
    assert market < harbour < library
    assert "Friday 27 November 2026" in reply and "Sunday 20 December 2026" in reply
    assert "Rural bus network" not in reply and "Westfield leisure" not in reply


def test_list_narrowed_by_topic_and_by_place(assistant):
    transport = assistant.texts(new_sender(), "anything about transport?")
    assert "Harbour Road cycle lane" in transport and "library" not in transport.lower()
    riverside = assistant.texts(new_sender(), "what's happening in MB3 4?")
    assert "Riverside" in riverside and "Future of library opening hours" in riverside and "Harbour Road" not in riverside
    harbourside = assistant.texts(new_sender(), "what consultations are there in harbourside")
    assert "Harbour Road cycle lane" in harbourside and "Events in Market Square" not in harbourside


def test_closed_ones_only_when_asked_and_nothing_matching_offers_the_full_list(assistant):
    closed = assistant.texts(new_sender(), "what consultations have finished?")
    assert "Rural bus network review" in closed and "Council budget" in closed and "Harbour Road" not in closed
    sender = new_sender()
    nothing = assistant.say(sender, "any consultations about buses")
    assert "couldn't find any open consultations" in nothing[0]["text"]
    assert nothing[0]["buttons"][0]["title"].startswith("Show all")


def test_explain_one_then_follow_ups_without_repeating_the_name(assistant):
    sender = new_sender()
    assistant.texts(sender, "what consultations are open")
    summary = assistant.texts(sender, "the second one")
    assert summary.startswith("Harbour Road cycle lane") and "protected cycle lane" in summary
    assert "open until Sunday 20 December 2026" in assistant.texts(sender, "when does it close?")
    option_b = assistant.texts(sender, "what's option B?")
    assert "painted lane with wands" in option_b and "Keeps all parking" in option_b
    meeting = assistant.texts(sender, "is there a meeting?")
    assert "Drop-in exhibition" in meeting and "Harbourside Community Centre" in meeting
    documents = assistant.texts(sender, "where can I read the full plan?")
    assert "https://www.millbrook.gov.uk/consultations/harbour-road/brochure.pdf" in documents
    faq = assistant.texts(sender, "will parking be removed?")
    assert "28 of the 64 parking spaces" in faq
    why = assistant.texts(sender, "why are you doing this")
    assert "14 collisions" in why
    after = assistant.texts(sender, "what happens after it closes")
    assert "12 February 2027" in after


def test_unanswerable_questions_get_an_honest_answer_with_documents_and_contact(assistant):
    sender = new_sender()
    assistant.texts(sender, "tell me about the cycle lane")
    honest = assistant.texts(sender, "will there be a new zebra crossing by the school?")
    assert "can't find an answer" in honest and "brochure.pdf" in honest and "01632 960 100" in honest


def test_outcomes(assistant):
    bus = assistant.texts(new_sender(), "did anything come of the bus consultation?")
    assert "You said:" in bus and "We did:" in bus and "route 7" in bus
    budget = assistant.texts(new_sender(), "what happened with the budget consultation")
    assert "hasn't been published yet" in budget and "Thursday 25 February 2027" in budget


@pytest.mark.parametrize("postcode", ["MB3 4AB", "mb34ab", "Mb3   4ab"])
def test_who_is_my_councillor_by_postcode(assistant, postcode):
    sender = new_sender()
    assert "postcode" in assistant.texts(sender, "who is my councillor").lower()
    reply = assistant.texts(sender, postcode)
    assert "Riverside ward" in reply and "Cllr Kevin Marsh" in reply and "kevin.marsh@millbrook.gov.uk" in reply


def test_councillor_by_ward_malformed_and_outside_postcodes(assistant):
    assert "Cllr Margaret Ellison" in assistant.texts(new_sender(), "who is the councillor for old town")
    sender = new_sender()
    assistant.texts(sender, "who is my councillor")
    malformed = assistant.texts(sender, "MB3")
    assert "couldn't read that as a postcode" in malformed and "MB3 4AB" in malformed
    outside = assistant.texts(sender, "SW1A 1AA")
    assert "outside Millbrook District Council" in outside


def test_the_rest_of_a_real_assistant(assistant):
    assert "Millbrook District Council" in assistant.texts(new_sender(), "hello")
    assert "privacy" in assistant.texts(new_sender(), "what do you do with my data?").lower()
    assert "01632 960 100" in assistant.texts(new_sender(), "can i speak to a human")
    assert "automated assistant" in assistant.texts(new_sender(), "are you a bot?")
    bins = assistant.texts(new_sender(), "my bin wasn't collected")
    assert "only help with consultations" in bins and "01632 960 100" in bins
    assert "Goodbye" in assistant.texts(new_sender(), "bye")


DRAFT_PROBES = [
    "Westfield leisure centre redevelopment",
    "tell me about the Westfield leisure centre redevelopment",
    "westfield-leisure-centre",
    "what's happening with the swimming pool",
    "leisure centre",
    "westfield pool",
    "I want to have my say on the leisure centre",
    "when does the leisure centre consultation close",
    "what consultations are there in westfield",
    "what consultations have finished",
    "what consultations are open",
]


def test_drafts_are_never_shown_whatever_is_typed(assistant):
    sender = new_sender()
    for probe in DRAFT_PROBES:
        for message in assistant.say(sender, probe):
            text = (message.get("text") or "").lower()
            assert "leisure centre" not in text and "swimming pool" not in text, (probe, text)
            for button in message.get("buttons") or []:
                assert "westfield-leisure-centre" not in button["payload"], probe


def test_a_new_consultation_is_found_and_explained_without_retraining(assistant, tmp_path):
    document = (SEEDS / "market-square-events.yml").read_text()
    document = document.replace("slug: market-square-events", "slug: riverside-play-park")
    document = document.replace("title: Events in Market Square", "title: Riverside play park improvements")
    document = document.replace(
        "keywords: [market square, christmas market, events, music, street food]", "keywords: [playground, swings, play area]"
    )
    document = document.replace("topics: [town centre, events, licensing]", "topics: [parks, children]")
    document = document.replace("closes: 2026-11-27", "closes: 2026-12-01")
    path = tmp_path / "riverside-play-park.yml"
    path.write_text(document)
    loaded = assistant.cli("load", str(path))
    assert loaded.returncode == 0, loaded.stderr
    sender = new_sender()
    # The action server notices new content within CATALOGUE_CHECK_SECONDS; allow a little longer.
    deadline = time.monotonic() + 5 * CATALOGUE_CHECK_SECONDS
    while "Riverside play park improvements" not in (listing := assistant.texts(sender, "what consultations are open")):
        assert time.monotonic() < deadline, listing
        time.sleep(0.5)
    explained = assistant.texts(sender, "tell me about the playground")
    assert explained.startswith("Riverside play park improvements")
    assert "Tuesday 1 December 2026" in assistant.texts(sender, "when does it close?")
    # ...and it can be answered straight away, with no retraining.
    assert "Do you agree" in assistant.texts(sender, "I want to have my say on the play park")
    for message in ["yes", "no", "no", "agree", "1", "no", "skip", "skip", "prefer not to say"]:
        assistant.texts(sender, message)
    receipt = assistant.texts(sender, "submit")
    assert "Your reference is MB-" in receipt
    listing = assistant.cli("list")
    assert any(line.startswith("riverside-play-park") and line.split()[4] == "1" for line in listing.stdout.splitlines())


def test_yes_after_nothing_matched_shows_the_full_list(assistant):
    sender = new_sender()
    assert "Would you like to see all" in assistant.texts(sender, "any consultations about buses")
    everything = assistant.texts(sender, "yes")
    assert "Harbour Road cycle lane" in everything and "Future of library opening hours" in everything
