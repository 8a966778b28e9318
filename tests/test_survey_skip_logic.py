"""Skip logic and "other, please specify" in the survey itself (no Rasa): what is asked, the review,
the follow-up in the resident's words, and the server-side checks before saving."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from actions.content.files import read_bundle
from actions.content.validate import validate_consultation
from actions.survey.engine import Survey, new_state
from actions.survey.sms_wording import TextMessageSurvey
from actions.survey.submission import submission_problems
from tests.conftest import SEEDS
from tests.skip_logic_consultation import ferry_document

TODAY = dt.date(2026, 11, 22)
CONSENT = ("yes", "no", "no")  # agree; don't quote me; don't tell me the outcome


@pytest.fixture(scope="module")
def council():
    return read_bundle([SEEDS], known_wards=set()).council.council


@pytest.fixture(scope="module")
def ferry():
    return validate_consultation(ferry_document(), "ferry.yml")


def make_survey(ferry, council, kind=Survey) -> Survey:
    return kind(
        ferry,
        council,
        resolve_sector={"MB1 2": "harbourside"}.get,
        theme_tagger=lambda text: ["parking"] if "parking" in text.lower() else [],
    )


def run(survey: Survey, state: dict, *messages: str):
    step = None
    for message in messages:
        step = survey.handle(state, message)
        state = step.state
        json.dumps(state)  # always storable in a Rasa slot
    return state, step


def asked(survey: Survey, state: dict) -> str:
    return survey.current_question(state).id


def test_a_question_whose_condition_is_false_is_not_asked_and_left_out_of_the_answers(ferry, council):
    survey = make_survey(ferry, council)
    state, _ = run(survey, new_state(ferry), *CONSENT, "the bus")
    assert asked(survey, state) == "trips"  # not parking: they don't come by car
    assert "Question 3 of 6" in survey.prompt(state).text
    state, _ = run(survey, state, "2")
    assert asked(survey, state) == "support"  # not season: fewer than 3 trips
    state, _ = run(survey, state, "agree", "skip", "prefer not to say")
    assert state["stage"] == "review"
    # Not asked: no entry at all. Skipped would be None.
    assert state["answers"] == {"travel": ["Bus"], "trips": 2, "support": "Agree"}
    assert submission_problems(ferry, state, {"harbourside"}, TODAY) == []


def test_a_question_whose_condition_holds_is_asked_and_a_required_one_must_be_answered(ferry, council):
    survey = make_survey(ferry, council)
    state, _ = run(survey, new_state(ferry), *CONSENT, "car and walking")
    assert asked(survey, state) == "parking"
    state, _ = run(survey, state, "very satisfied", "10")
    assert asked(survey, state) == "season"
    state, _ = run(survey, state, "summer", "strongly disagree")
    assert asked(survey, state) == "why_not"
    state, _ = run(survey, state, "skip")
    assert "can't be skipped" in state["hint"] and asked(survey, state) == "why_not"
    state, _ = run(survey, state, "The last boat is too early for shift workers", "skip", "skip")
    assert state["stage"] == "review"
    assert set(state["answers"]) == {"travel", "parking", "trips", "season", "support", "why_not"}
    assert submission_problems(ferry, state, {"harbourside"}, TODAY) == []


def test_the_review_lists_only_questions_asked_and_numbers_them_in_turn(ferry, council):
    for kind in (Survey, TextMessageSurvey):
        survey = make_survey(ferry, council, kind)
        state, _ = run(survey, new_state(ferry), *CONSENT, "bus", "2", "agree", "skip", "skip")
        review = survey.prompt(state).text
        assert "parking" not in review.lower() and "When do you travel" not in review
        assert re.findall(r"^(\d+)\. ", review.split("\n\n")[0], re.MULTILINE) == ["1", "2", "3"]
        state, _ = run(survey, state, "change 3")
        assert asked(survey, state) == "support"


def test_changing_an_answer_in_review_asks_what_it_now_needs_and_forgets_what_it_no_longer_does(ferry, council):
    survey = make_survey(ferry, council)
    state, _ = run(survey, new_state(ferry), *CONSENT, "bus", "2", "agree", "skip", "skip")
    state, _ = run(survey, state, "change 1", "car")
    assert asked(survey, state) == "parking"  # now asked, before going back to the review
    state, _ = run(survey, state, "satisfied")
    assert state["stage"] == "review" and state["answers"]["parking"] == "Satisfied"
    state, _ = run(survey, state, "change 1", "walking")
    assert state["stage"] == "review" and "parking" not in state["answers"]
    state, step = run(survey, state, "actually I strongly disagree")
    assert asked(survey, state) == "why_not" and "Changed" in step.replies[0].text
    state, _ = run(survey, state, "It cuts the late boat")
    assert state["stage"] == "review" and state["answers"]["why_not"] == "It cuts the late boat"
    assert submission_problems(ferry, state, {"harbourside"}, TODAY) == []


def test_other_please_specify_asks_a_follow_up_kept_redacted_and_themed(ferry, council):
    survey = make_survey(ferry, council)
    state, _ = run(survey, new_state(ferry), *CONSENT, "bus and other")
    assert state["stage"] == "other" and state["answers"]["travel"] == ["Bus", "Other (please specify)"]
    assert 'You chose "Other (please specify)"' in survey.prompt(state).text
    state, step = run(survey, state, "John Smith gives me a lift, parking is hopeless. Ring 07700 900123")
    assert state["other"]["travel"] == "[name] gives me a lift, parking is hopeless. Ring [phone]"
    assert state["themes"]["travel"] == ["parking"]
    assert any("removed personal details" in reply.text for reply in step.replies)
    assert asked(survey, state) == "trips"
    state, _ = run(survey, state, "1", "agree", "skip", "skip")
    assert "Bus; Other (please specify): [name] gives me a lift" in survey.prompt(state).text
    assert submission_problems(ferry, state, {"harbourside"}, TODAY) == []


def test_an_officers_own_other_label_is_understood_and_skipping_the_follow_up_keeps_the_choice(ferry, council):
    survey = make_survey(ferry, council)
    state, _ = run(survey, new_state(ferry), *CONSENT, "bus", "5", "something else")
    assert state["stage"] == "other" and state["answers"]["season"] == "Something else (please tell us)"
    state, _ = run(survey, state, "skip")
    assert asked(survey, state) == "support" and "season" not in state["other"]
    assert state["answers"]["season"] == "Something else (please tell us)"


def test_changing_away_from_other_forgets_its_text(ferry, council):
    survey = make_survey(ferry, council)
    state, _ = run(survey, new_state(ferry), *CONSENT, "other", "a mobility scooter", "1", "agree", "skip", "skip")
    assert state["other"] == {"travel": "a mobility scooter"}
    state, _ = run(survey, state, "change 1", "walking")
    assert state["stage"] == "review" and state["other"] == {} and "travel" not in state["themes"]


def base_state(ferry, **answers) -> dict:
    return dict(new_state(ferry), stage="review", answers=answers, consent_at="2026-11-22T10:00:00+00:00")


SERVER_CHECKS = [
    # (answers, other texts, the problem, or None when it may be saved)
    ({"travel": ["Bus"], "trips": 2, "support": "Agree"}, {}, None),
    (
        {"travel": ["Bus"], "parking": "Satisfied", "trips": 2, "support": "Agree"},
        {},
        "parking was not asked (its ask_if is false), so it can't have an answer",
    ),
    ({"travel": ["Car"], "trips": 2, "support": "Agree"}, {}, "parking was asked but has no answer"),
    ({"travel": ["Car"], "parking": "Satisfied", "trips": 2, "support": "Disagree", "why_not": None}, {}, "why_not is required"),
    (
        {"travel": ["Bus"], "trips": 2, "support": "Agree"},
        {"travel": "a lift"},
        "travel: an 'other' text, but the answer doesn't choose 'Other (please specify)'",
    ),
    ({"travel": ["Other (please specify)"], "trips": 2, "support": "Agree"}, {"travel": "a lift"}, None),
    (
        {"travel": ["Other (please specify)"], "trips": 2, "support": "Agree"},
        {"trips": "x"},
        "trips: an 'other' text, but the answer doesn't choose None",
    ),
]


@pytest.mark.parametrize("answers, other, problem", SERVER_CHECKS)
def test_the_server_checks_skip_logic_and_other_texts_before_saving(ferry, answers, other, problem):
    state = dict(base_state(ferry, **answers), other=other)
    problems = submission_problems(ferry, state, {"harbourside"}, TODAY)
    assert problems == ([] if problem is None else [problem])


def test_a_response_from_before_question_ids_were_kept_carries_on_at_the_same_question(ferry, council):
    survey = make_survey(ferry, council)
    old = {key: value for key, value in new_state(ferry).items() if key not in ("question", "other", "version")}
    old.update(v=1, stage="question", index=2, answers={"travel": ["Bus"]})  # a state saved by the previous release
    state, _ = run(survey, old, "4")
    assert state["answers"]["trips"] == 4 and asked(survey, state) == "season"


def test_a_multi_answer_matching_no_option_is_offered_back_as_the_officers_own_other_label(council):
    document = ferry_document()
    document["questions"][0]["other"] = "Another way (please say)"
    ferry = validate_consultation(document, "ferry.yml")
    survey = make_survey(ferry, council)
    state, _ = run(survey, new_state(ferry), *CONSENT, "a mobility scooter")
    assert state["pending"] == ["Another way (please say)"]
    state, _ = run(survey, state, "yes")
    assert state["stage"] == "other"


def test_a_state_at_a_question_this_version_lacks_goes_on_at_the_next_one_it_needs(ferry, council):
    survey = make_survey(ferry, council)
    state, _ = run(survey, new_state(ferry), *CONSENT, "bus")
    lost = dict(state, question="removed_question")
    assert survey.prompt(lost).text.startswith("Question 3 of 6\nAbout how many ferry trips")
    state, _ = run(survey, lost, "4")
    assert state["answers"]["trips"] == 4 and asked(survey, state) == "season"


def test_demo_responses_follow_skip_logic(ferry):
    from actions.demo import generate

    wards = list(read_bundle([SEEDS], known_wards=set()).council.wards)
    responses = list(generate(ferry, wards, 200, seed=1, today=TODAY))
    for response in responses:
        answers = response["answers"]
        assert ("parking" in answers) == ("Car" in (answers["travel"] or []))
        assert ("season" in answers) == (answers["trips"] is not None and answers["trips"] >= 3)
    assert any("parking" in r["answers"] for r in responses) and any("parking" not in r["answers"] for r in responses)
