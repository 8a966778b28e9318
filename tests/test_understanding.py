"""The understanding layer on the failures the issue names, without Rasa (pure and fast).

Uses the seeded Harbour Road consultation; the held-out measurement on
consultations that are not in seeds/ is tests/test_understanding_corpus.py.
"""

from __future__ import annotations

import pytest

from actions.content.files import read_bundle
from actions.content.model import DONT_KNOW, Question
from actions.content.validate import ContentError, validate_consultation
from actions.understanding import CONFIRM, NOT_UNDERSTOOD, STORE, understand_answer, understand_review, understand_yes_no
from actions.understanding.retrieval import answer_question, find_proposal
from tests.conftest import PROJECT_ROOT, SEEDS

FIXTURES = PROJECT_ROOT / "tests" / "understanding" / "consultations"

BUNDLE = read_bundle([SEEDS], known_wards=set())
HARBOUR = next(c for c in BUNDLE.consultations if c.slug == "harbour-road-cycle-lane")
SUPPORT, DESIGN, CONCERNS, TRIPS, CYCLE_MORE, COMMENTS = HARBOUR.questions
TRAVEL = Question(
    id="travel", type="multi", text="How do you travel?", options=("Car", "Walking", "Bicycle", "Bus", "None of these")
)


def stored(question: Question, text: str):
    understood = understand_answer(question, text)
    assert understood.decision == STORE, f"{text!r}: {understood}"
    return understood.value


def not_stored(question: Question, text: str):
    understood = understand_answer(question, text)
    assert understood.decision in (CONFIRM, NOT_UNDERSTOOD), f"{text!r} was stored as {understood.value!r}"
    return understood


@pytest.mark.parametrize(
    "text, label",
    [
        ("not a hope", "Strongly disagree"),
        ("I'm dead against it", "Strongly disagree"),
        ("couldn't care less", "Neither agree nor disagree"),
        ("10/10", "Strongly agree"),
        ("yeah, probably", "Agree"),
        ("I strongly object to this", "Strongly disagree"),
        ("no idea", DONT_KNOW),
        ("2", "Agree"),
        ("stronlgy agre", "Strongly agree"),
    ],
)
def test_scales_in_residents_words(text, label):
    understood = understand_answer(SUPPORT, text)
    assert understood.decision in (STORE, CONFIRM) and understood.value == label, understood


def test_negation_is_never_stored_as_the_label_it_negates():
    assert not_stored(SUPPORT, "not strongly agree").value != "Strongly agree"
    assert stored(SUPPORT, "don't agree at all") in ("Disagree", "Strongly disagree")
    not_stored(SUPPORT, "agree and disagree")


def test_a_custom_scale_needs_no_retraining_and_is_read_the_right_way_round():
    importance = Question(
        id="imp",
        type="scale",
        text="How important?",
        scale="custom",
        options=("Very important", "Quite important", "Not very important", "Not at all important"),
    )
    assert stored(importance, "it's vital") == "Very important"
    assert stored(importance, "couldn't care less") == "Not at all important"
    backwards = Question(
        id="b", type="scale", text="How good?", scale="custom", options=("Very poor", "Poor", "Good", "Very good")
    )
    assert stored(backwards, "absolutely brilliant") == "Very good"


@pytest.mark.parametrize(
    "text, label",
    [
        ("plan B", "Option B - painted lane with wands"),
        ("c", "Option C - shared path"),
        ("the first one", "Option A - kerb-separated lane"),
        ("neither really", "None of them"),
        ("the shared path", "Option C - shared path"),
    ],
)
def test_choices_by_letter_position_and_words(text, label):
    assert stored(DESIGN, text) == label


def test_a_choice_the_resident_rejects_is_not_stored():
    understood = not_stored(DESIGN, "I don't want the painted lane")
    assert understood.value != "Option B - painted lane with wands"


def test_lists_keep_every_item_and_everyday_words_match():
    assert stored(TRAVEL, "I cycle") == ["Bicycle"]
    assert stored(TRAVEL, "we drive") == ["Car"]
    assert stored(TRAVEL, "walk mostly") == ["Walking"]
    assert stored(TRAVEL, "bus or car") == ["Car", "Bus"]
    assert stored(TRAVEL, "car, walking & bike") == ["Car", "Walking", "Bicycle"]
    assert stored(TRAVEL, "all of them") == ["Car", "Walking", "Bicycle", "Bus"]
    assert stored(CONCERNS, "cost") == ["Cost"]
    not_stored(TRAVEL, "car and none of these")


def test_all_except_and_the_choice_limit():
    travel = Question(id="t", type="multi", text="?", options=("Car", "Walking", "Bicycle", "Bus"))
    assert stored(travel, "everything except the bus") == ["Car", "Walking", "Bicycle"]
    not_stored(CONCERNS, "everything except cost")  # 6 options left, and the question allows 3


def test_officers_aliases_match_an_option():
    question = validate_consultation(
        {
            **_minimal(),
            "questions": [
                {
                    "id": "q",
                    "type": "choice",
                    "text": "Which?",
                    "options": [{"label": "Skate park", "aliases": ["halfpipe", "ramps"]}, "Play area"],
                }
            ],
        },
        "x.yml",
    ).questions[0]
    assert stored(question, "the ramps") == "Skate park"


def test_aliases_are_validated():
    bad = {
        **_minimal(),
        "questions": [{"id": "q", "type": "choice", "text": "Which?", "options": [{"label": "A", "aliases": ["B"]}, "B"]}],
    }
    with pytest.raises(ContentError, match="alias 'B' of 'A' is already 'B'"):
        validate_consultation(bad, "x.yml")


@pytest.mark.parametrize(
    "text, number",
    [("one hundred", 100), ("a dozen", 12), ("twelve", 12), ("twice a week", 2), ("none", 0), ("about 5", 5)],
)
def test_numbers_in_words(text, number):
    assert stored(TRIPS, text) == number


@pytest.mark.parametrize("text", ["two or three", "3-4", "between 5 and 10", "loads"])
def test_a_range_or_vague_amount_is_asked_again_not_guessed(text):
    understood = not_stored(TRIPS, text)
    assert understood.decision == NOT_UNDERSTOOD and understood.hint


@pytest.mark.parametrize(
    "step, text, value",
    [
        ("consent", "No problem, go ahead", "yes"),
        ("consent", "no thanks", "no"),
        ("quote", "yes, but not with my name", "yes"),
        ("quote", "only if it's anonymous", "yes"),
        ("quote", "I'd rather you didn't", "no"),
        ("notify", "keep me posted", "yes"),
    ],
)
def test_yes_and_no_in_ordinary_words(step, text, value):
    understood = understand_yes_no(text, step)
    assert understood.decision == STORE and understood.value == value


USED_LIBRARY = "Have you used a Millbrook library in the last 12 months?"


@pytest.mark.parametrize(
    "text", ["not very happy tbh", "not impressed", "I'm not that keen", "not sure tbh", "not happy with it, but yes I go"]
)
def test_a_feeling_is_no_answer_to_a_factual_yes_no_question(text):
    """Asked again, never stored as No (before: any message starting "not" was a sure No)."""
    assert understand_yes_no(text, "yesno", USED_LIBRARY).decision == NOT_UNDERSTOOD


@pytest.mark.parametrize(
    "step, text, value",
    [
        ("yesno", "not really", "no"),
        ("yesno", "nope", "no"),
        ("consent", "not happy with that", "no"),
        ("quote", "not keen", "no"),
    ],
)
def test_no_in_other_words_still_counts_where_it_answers(step, text, value):
    understood = understand_yes_no(text, step, USED_LIBRARY if step == "yesno" else "")
    assert understood.value == value and understood.decision != NOT_UNDERSTOOD


REVIEW = [(q.text, q.options, q.type) for q in HARBOUR.questions]


@pytest.mark.parametrize("text", ["Go ahead and submit it", "all fine, send it", "perfect", "send", "looks good to me"])
def test_the_review_submits_in_ordinary_words(text):
    assert understand_review(text, REVIEW).value == "submit"


@pytest.mark.parametrize(
    "text, number",
    [
        ("change the second answer", 2),
        ("change my answer about cycling more often", 5),
        ("go back to q4", 4),
        ("redo my comments", 6),
    ],
)
def test_the_review_opens_the_question_named(text, number):
    assert understand_review(text, REVIEW).value == ("change", number)


def test_the_review_asks_again_with_the_exact_words_to_use():
    understood = understand_review("hmm what", REVIEW)
    assert understood.decision == NOT_UNDERSTOOD and '"submit"' in understood.hint and '"change 2"' in understood.hint


def test_a_question_back_is_not_stored_as_an_answer():
    not_stored(DESIGN, "what's option b?")


def test_explaining_by_meaning_not_only_faq_wording():
    elm = next(
        c for c in read_bundle([SEEDS / "wards.yml", FIXTURES], known_wards=set()).consultations if c.slug.startswith("elm")
    )
    found = answer_question(elm, "are we losing parking?")  # the FAQ: "How many parking spaces will be removed?"
    assert found is not None and found.source == "faq:1"
    assert answer_question(HARBOUR, "what happens after it closes").source == "next_steps"
    assert "14 collisions" in answer_question(HARBOUR, "how many crashes have there been", closest=True).text
    assert answer_question(HARBOUR, "what time do the bins get collected") is None


def test_proposals_resolve_by_id_suffix_title_or_position():
    renamed = validate_consultation(
        {
            **_minimal(),
            "proposals": [
                {"id": "option-a", "title": "Kerb", "description": "x"},
                {"id": "option-b", "title": "Paint", "description": "y"},
            ],
        },
        "x.yml",
    )
    assert find_proposal(renamed, "what's option b").id == "option-b"
    assert find_proposal(renamed, "tell me about the second option").id == "option-b"
    assert find_proposal(HARBOUR, "what is plan c").id == "C"


def _minimal() -> dict:
    return {
        "slug": "x",
        "title": "X",
        "status": "draft",
        "opens": "2026-01-01",
        "closes": "2026-02-01",
        "wards": ["all"],
        "summary": "A summary.",
    }


def test_a_question_that_names_a_kind_of_passage_is_answered_confidently_without_sharing_a_word():
    # None of these shares a word with the passage that answers it, and none is close to it in meaning by the
    # sentence encoder; the cue for the kind of passage (events, key dates) is the evidence.
    for question, source in [
        ("is there anywhere I can talk to someone face to face", "events"),
        ("is there a meeting i could go along to", "events"),
        ("when is the last day to reply", "dates"),
    ]:
        found = answer_question(HARBOUR, question)
        assert found is not None and found.source == source and found.confident, question
    # A match made only through everyday words, with no cue, is still only offered as the closest passage.
    assert answer_question(HARBOUR, "what time do the bins get collected") is None
