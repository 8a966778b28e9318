"""The survey state machine, without Rasa: consent, questions, retries, skip, demographics, review, change."""

from __future__ import annotations

import json

import pytest

from actions.content.files import read_bundle
from actions.survey.engine import OUTSIDE_DISTRICT, PREFER_NOT, Survey, new_state, parse_age_band
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def bundle():
    return read_bundle([SEEDS], known_wards=set())


def make_survey(bundle, slug="harbour-road-cycle-lane") -> Survey:
    consultation = next(c for c in bundle.consultations if c.slug == slug)
    sectors = {"MB3 4": "riverside", "MB1 2": "harbourside"}
    return Survey(
        consultation,
        bundle.council.council,
        resolve_sector=sectors.get,
        theme_tagger=lambda text: ["parking"] if "parking" in text.lower() else [],
    )


def run(survey: Survey, state: dict, *messages: str):
    step = None
    for message in messages:
        step = survey.handle(state, message)
        state = step.state
        json.dumps(state)  # the state must always be storable in a Rasa slot
    return state, step


def test_a_whole_response(bundle):
    survey = make_survey(bundle)
    state = new_state(survey.consultation)
    assert "Do you agree" in survey.prompt(state).text and "privacy" in survey.prompt(state).text.lower()
    state, step = run(
        survey,
        state,
        "yes",
        "yes",
        "no",
        "agree",
        "the painted one",
        "parking and cost",
        "skip",
        "yeah",
        "My name is John Smith, parking is awful. Call 07700 900123",
        "MB3 4AB",
        "I'm 67",
    )
    assert state["stage"] == "review"
    assert state["answers"] == {
        "support": "Agree",
        "design": "Option B - painted lane with wands",
        "concerns": ["Loss of parking", "Cost"],
        "trips": None,
        "cycle_more": "Yes",
        "comments": "My name is [name], parking is awful. Call [phone]",
    }
    assert state["themes"] == {"comments": ["parking"]}
    assert state["ward"] == "riverside" and state["age_band"] == "65-74"
    assert state["quote"] is True and state["notify"] is False and state["consent_at"]
    review = survey.prompt(state).text
    assert "1. How far do you agree" in review and "(skipped)" in review and "[phone]" in review
    state, step = run(survey, state, "submit")
    assert step.submit


def test_declining_consent_stores_nothing(bundle):
    survey = make_survey(bundle)
    state, step = run(survey, new_state(survey.consultation), "no")
    assert step.finished and state["stage"] == "declined" and not step.submit and state["answers"] == {}


def test_required_questions_cannot_be_skipped_and_hints_grow_after_two_failures(bundle):
    survey = make_survey(bundle)
    state, _ = run(survey, new_state(survey.consultation), "yes", "no", "no")
    state, _ = run(survey, state, "skip")
    assert "can't be skipped" in state["hint"]
    state, _ = run(survey, state, "purple")
    assert "The options are:\n1. Strongly agree" in state["hint"] and "just the number" in state["hint"]
    assert state["index"] == 0
    assert "The options are" in survey.prompt(state).text


def test_optional_question_offers_skip_after_two_failures(bundle):
    survey = make_survey(bundle)
    state, _ = run(survey, new_state(survey.consultation), "yes", "no", "no", "agree", "2", "aliens", "more aliens")
    assert state["index"] == 2 and 'say "skip"' in state["hint"]


def test_change_an_answer_in_review_by_number_and_in_words(bundle):
    survey = make_survey(bundle)
    state, _ = run(
        survey,
        new_state(survey.consultation),
        "yes",
        "no",
        "no",
        "agree",
        "2",
        "1",
        "3",
        "no",
        "skip",
        "skip",
        "prefer not to say",
    )
    assert state["stage"] == "review" and state["ward"] == PREFER_NOT and state["age_band"] == PREFER_NOT
    state, step = run(survey, state, "change 2")
    assert state["stage"] == "question" and state["index"] == 1
    state, _ = run(survey, state, "shared path")
    assert state["stage"] == "review" and state["answers"]["design"] == "Option C - shared path"
    state, step = run(survey, state, "actually I strongly disagree")
    assert state["answers"]["support"] == "Strongly disagree" and "Changed" in step.replies[0].text
    state, step = run(survey, state, "change 99")
    assert "There's no question 99" in state["hint"]


def test_postcode_outside_district_and_malformed(bundle):
    survey = make_survey(bundle, "market-square-events")
    state, _ = run(survey, new_state(survey.consultation), "yes", "no", "no", "agree", "1 and 2", "no", "skip")
    assert state["stage"] == "postcode"
    state, _ = run(survey, state, "MB")
    assert "couldn't read that as a postcode" in state["hint"]
    state, _ = run(survey, state, "SW1A 1AA")
    assert state["ward"] == OUTSIDE_DISTRICT and state["stage"] == "age"


def test_rank_one_item_per_turn(bundle):
    survey = make_survey(bundle, "library-opening-hours")
    state, _ = run(survey, new_state(survey.consultation), "yes", "no", "no", "yes", "satisfied", "1")
    assert survey.questions[state["index"]].type == "rank"
    state, _ = run(survey, state, "computers")
    assert "So far: 1. Computers and wifi" in survey.prompt(state).text
    state, _ = run(survey, state, "books", "children's activities")
    assert state["answers"]["important_services"] == [
        "Computers and wifi",
        "Borrowing books",
        "Children's activities",
        "Warm and quiet space to study",
    ]


def test_text_over_the_limit_is_refused_not_truncated(bundle):
    survey = make_survey(bundle, "market-square-events")
    state, _ = run(survey, new_state(survey.consultation), "yes", "no", "no", "agree", "1", "no")
    state, _ = run(survey, state, "a" * 1500)
    assert state["stage"] == "question" and "1,500 characters" in state["hint"] and "comments" not in state["answers"]


def test_submitted_and_failed_saves(bundle):
    survey = make_survey(bundle)
    state = new_state(survey.consultation)
    failed = survey.save_failed(state)
    assert failed.state["save_failed"] and "couldn't save" in failed.replies[0].text and not failed.finished
    done = survey.submitted(state, "MB-2345-6789")
    assert done.finished and "MB-2345-6789" in done.replies[0].text and "20 December 2026" in done.replies[0].text


@pytest.mark.parametrize(
    "text, band",
    [
        ("I'm 67", "65-74"),
        ("35-44", "35-44"),
        ("3", "25-34"),
        ("aged 17", "Under 18"),
        ("80", "75 or over"),
        ("prefer not to say", PREFER_NOT),
        ("skip", PREFER_NOT),
        ("75 or over", "75 or over"),
        ("purple", None),
    ],
)
def test_age_bands(text, band):
    assert parse_age_band(text) == band


def test_abusive_comments_are_kept_but_flagged_for_review(bundle):
    survey = make_survey(bundle, "market-square-events")
    state, _ = run(survey, new_state(survey.consultation), "yes", "no", "no", "agree", "1", "no")
    state, _ = run(survey, state, "This is bullshit, the parking is a joke")
    assert state["answers"]["comments"] == "This is bullshit, the parking is a joke"
    assert state["themes"]["comments"] == ["parking", "needs_review"]


def test_demographics_can_be_switched_off_per_council(bundle):
    survey = make_survey(bundle, "market-square-events")
    state, _ = run(survey, new_state(survey.consultation, demographics=()), "yes", "no", "no", "agree", "1", "no", "skip")
    assert state["stage"] == "review" and state["ward"] is None and state["age_band"] is None
