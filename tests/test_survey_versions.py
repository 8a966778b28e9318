"""A resident in the middle of a response survives an officer's edit: the survey follows questions by id,
on the consultation version it started, and the response is saved (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from actions.content.files import read_bundle
from actions.dialogue import survey as dialogue_survey
from actions.survey.engine import Survey, new_state
from actions.survey.submission import submission_problems
from tests.conftest import SEEDS
from tests.skip_logic_consultation import SLUG, write_ferry

TODAY = dt.date(2026, 11, 22)


def load(store, path):
    return store.apply_bundle(read_bundle([SEEDS / "wards.yml", path], known_wards=set()))


def officer_edit(document):
    """Version 2: two new first questions, and `trips` removed (with the condition that used it)."""
    questions = document["questions"]
    questions.insert(0, {"id": "newsletter", "type": "yesno", "text": "Do you read the ferry newsletter?"})
    questions.insert(0, {"id": "islander", "type": "yesno", "text": "Do you live on the island?"})
    document["questions"] = [q for q in questions if q["id"] != "trips"]
    next(q for q in document["questions"] if q["id"] == "season").pop("ask_if")


def run(survey, state, *messages):
    for message in messages:
        state = survey.handle(state, message).state
        json.dumps(state)
    return state


def test_every_change_loaded_is_a_new_version_and_an_unchanged_load_is_not(store, tmp_path):
    path = write_ferry(tmp_path / "ferry.yml")
    load(store, path)
    load(store, path)
    assert store.consultation(SLUG).version == 1
    load(store, write_ferry(path, officer_edit))
    versions = store.consultation_versions(SLUG)
    assert [v["number"] for v in versions] == [1, 2] and versions[1]["source"] == str(path)
    assert store.consultation(SLUG).version == 2
    assert [q.id for q in store.consultation_version(SLUG, 1).questions][:3] == ["travel", "parking", "trips"]
    assert store.consultation_version(SLUG, 2).questions[1].id == "newsletter"


def test_a_response_in_progress_finishes_on_its_version_after_a_question_it_answered_is_removed(store, tmp_path, monkeypatch):
    path = write_ferry(tmp_path / "ferry.yml")
    load(store, path)
    started = store.consultation(SLUG)
    survey = Survey(started, store.council())
    state = run(survey, new_state(started), "yes", "no", "no", "bus", "4")
    assert state["version"] == 1 and survey.current_question(state).id == "season"

    load(store, write_ferry(path, officer_edit))  # the officer removes `trips`, already answered, and adds a question
    current = store.consultation(SLUG)
    assert current.version == 2
    # Followed by id: even on the new version, the resident is still at the question they were at.
    assert Survey(current, store.council()).current_question(state).id == "season"

    # What the dialogue does with the next message: the survey is built on the version the response started.
    monkeypatch.setattr(dialogue_survey, "store", lambda: store)
    answering = asyncio.run(dialogue_survey.started_version(current, state))
    assert answering.version == 1
    survey = Survey(answering, store.council())
    assert survey.current_question(state).id == "season"  # the same question, not whatever is now in its place
    state = run(survey, state, "winter", "agree", "skip", "prefer not to say", "submit")
    assert state["stage"] == "review"
    assert submission_problems(answering, state, {w.slug for w in store.wards()}, TODAY, current) == []

    reference = store.submit_response(
        consultation_slug=SLUG,
        channel="rest",
        sender_id="resident-1",
        answers=state["answers"],
        submission_key=state["key"],
        content_version=state["version"],
    )
    # `trips` no longer exists, so its answer has nowhere to go; the new questions were never asked of them.
    assert store.response_answers(reference) == {"travel": ["Bus"], "season": "Winter", "support": "Agree"}
    assert store.response_detail(reference)["content_version"] == 1


def test_answers_on_the_current_version_are_all_kept(store, tmp_path):
    load(store, write_ferry(tmp_path / "ferry.yml"))
    reference = store.submit_response(
        consultation_slug=SLUG,
        channel="rest",
        sender_id="resident-2",
        answers={"travel": ["Other (please specify)"], "trips": 1, "support": "Agree"},
        other_texts={"travel": "a mobility scooter"},
        themes={"travel": ["access"]},
        content_version=1,
    )
    detail = store.response_detail(reference)
    assert detail["answers"] == {"travel": ["Other (please specify)"], "trips": 1, "support": "Agree"}
    assert detail["other"] == {"travel": "a mobility scooter"} and detail["themes"]["travel"] == ["access"]


def test_changing_a_response_keeps_its_other_texts_and_comment_themes(store, tmp_path, monkeypatch):
    from types import SimpleNamespace

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    load(store, write_ferry(tmp_path / "ferry.yml"))
    reference = store.submit_response(
        consultation_slug=SLUG,
        channel="rest",
        sender_id="resident-3",
        answers={"travel": ["Other (please specify)"], "trips": 1, "support": "Disagree", "why_not": "Too few boats"},
        other_texts={"travel": "a mobility scooter"},
        themes={"travel": ["accessibility"], "why_not": ["cost"]},
    )
    monkeypatch.setattr(dialogue_survey, "store", lambda: store)
    tracker = Tracker("rest:resident-3", {}, {"text": "yes"}, [], False, None, {}, "action_listen")
    content = SimpleNamespace(council=store.council(), wards=[])
    amend = (reference, store.response_answers(reference))
    events = asyncio.run(dialogue_survey.begin_survey(CollectingDispatcher(), tracker, store.consultation(SLUG), content, amend))
    state = next(event["value"] for event in events if event.get("name") == "survey")
    assert state["other"] == {"travel": "a mobility scooter"}
    assert state["themes"] == {"travel": ["accessibility"], "why_not": ["cost"]}
    assert state["answers"]["why_not"] == "Too few boats" and state["amend_reference"] == reference
