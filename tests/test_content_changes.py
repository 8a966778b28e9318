"""Edits that would corrupt stored answers are refused by the domain layer, so `haveyoursay load` and the
portal's editor refuse them alike, with the same message; stored answers stay as they were. Also the
field-by-field differences between versions that the portal's history shows."""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import pytest
import yaml

from actions.content.diff import Change, document_changes
from actions.content.files import read_bundle
from actions.content.validate import ContentError
from actions.store.audit import Actor
from actions.store.editing import change_status, restore, save_document
from tests.conftest import PROJECT_ROOT

SLUG = "ferry-timetable"
ADVICE = "Close the consultation and duplicate it to make this change."
FERRY = {
    "slug": SLUG,
    "title": "Ferry timetable",
    "status": "open",
    "opens": "2026-11-01",
    "closes": "2026-12-20",
    "wards": ["all"],
    "summary": "We want your views on a new ferry timetable.",
    "questions": [
        {"id": "travel", "type": "multi", "text": "How do you travel to the ferry?", "options": ["Car", "Bus", "Walking"]},
        {"id": "season", "type": "choice", "text": "When do you travel most?", "options": ["Summer", "Winter"], "other": True},
        {"id": "support", "type": "scale", "text": "Do you support the new timetable?"},
        {"id": "priorities", "type": "rank", "text": "Put these in order.", "options": ["Price", "Speed"]},
        {"id": "comments", "type": "text", "text": "Anything else?"},
    ],
}
ANSWERS = {
    "travel": ["Car", "Bus"],
    "season": "Other (please specify)",
    "support": "Agree",
    "priorities": ["Speed", "Price"],
    "comments": "More sailings please.",
}


def edited(change) -> dict:
    document = copy.deepcopy(FERRY)
    change(document)
    return document


def write(path, document) -> str:
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return str(path)


def load(store, path: str):
    return store.apply_bundle(read_bundle([path], known_wards=store.known_ward_slugs()), created_by="cli:test")


@pytest.fixture
def answered(store, tmp_path):
    load(store, write(tmp_path / "ferry.yml", FERRY))
    reference = store.submit_response(
        consultation_slug=SLUG, channel="rest", sender_id="resident", answers=ANSWERS, other_texts={"season": "Autumn"}
    )
    return store, reference


def _q(document, question_id) -> dict:
    return next(q for q in document["questions"] if q["id"] == question_id)


HARMFUL = [
    (
        "removing an option",
        lambda d: _q(d, "travel").update(options=["Car", "Walking"]),
        "questions[0].options: can't remove or reword 'Bus': 'travel' has 1 answer, stored by option label, so answers "
        f"that chose it would match no option. {ADVICE}",
    ),
    (
        "rewording an option",
        lambda d: _q(d, "travel").update(options=["Car", "Bus or coach", "Walking"]),
        "questions[0].options: can't remove or reword 'Bus': 'travel' has 1 answer, stored by option label, so answers "
        f"that chose it would match no option. {ADVICE}",
    ),
    (
        "reordering options",
        lambda d: _q(d, "travel").update(options=["Bus", "Car", "Walking"]),
        "questions[0].options: can't change the order of the options: 'travel' has 1 answer, and results, exports and "
        f"the paper form read them against the order residents saw. {ADVICE}",
    ),
    (
        "removing the other option",
        lambda d: _q(d, "season").pop("other"),
        "questions[1].other: can't remove or reword 'Other (please specify)': 'season' has 1 answer, stored by option "
        f"label, so answers that chose it would match no option. {ADVICE}",
    ),
    (
        "changing the scale",
        lambda d: _q(d, "support").update(scale="support5"),
        "questions[2].scale: can't remove or reword 'Strongly agree', 'Agree', 'Neither agree nor disagree', 'Disagree', "
        "'Strongly disagree': 'support' has 1 answer, stored by option label, so answers that chose them would match "
        f"no option. {ADVICE}",
    ),
    (
        "adding to a ranking",
        lambda d: _q(d, "priorities").update(options=["Price", "Speed", "Comfort"]),
        "questions[3].options: can't add options to a rank question with 1 answer: the rankings already given would not "
        f"rank the new option. {ADVICE}",
    ),
    (
        "changing a type",
        lambda d: _q(d, "season").update(type="multi"),
        "questions[1].type: cannot change from 'choice' to 'multi': the question already has 1 answer, stored as choice "
        f"answers. {ADVICE}",
    ),
    (
        "removing a question",
        lambda d: d.update(questions=[q for q in d["questions"] if q["id"] != "comments"]),
        f"questions: question 'comments' has 1 answer and cannot be removed: its answers would belong to no question. {ADVICE}",
    ),
]


@pytest.mark.parametrize("change, expected", [(c, e) for _, c, e in HARMFUL], ids=[name for name, _, _ in HARMFUL])
def test_an_edit_that_would_corrupt_stored_answers_is_refused_and_nothing_changes(answered, tmp_path, change, expected):
    store, reference = answered
    path = write(tmp_path / "edited.yml", edited(change))
    with pytest.raises(ContentError) as caught:
        load(store, path)
    assert str(caught.value) == f"{path}: {expected}"
    assert store.consultation(SLUG).version == 1 and [v["number"] for v in store.consultation_versions(SLUG)] == [1]
    assert store.response_answers(reference) == ANSWERS
    # The portal's editor goes through the same rule: the same message, beside the same field.
    result = save_document(store, edited(change), Actor("officer@example.gov.uk", "officer"))
    assert [f"{p.path}: {p.message}" for p in result.problems] == [expected]
    assert store.response_answers(reference) == ANSWERS and store.consultation(SLUG).version == 1


def test_haveyoursay_load_refuses_the_same_edit_with_the_same_message(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "HYS_VAR_DIR": str(tmp_path)}
    env.update(SENDER_HASH_SALT="cli-salt", HYS_TODAY="2026-11-22")
    cli = [sys.executable, "-m", "actions.cli"]
    assert subprocess.run([*cli, "load", write(tmp_path / "ferry.yml", FERRY)], cwd=PROJECT_ROOT, env=env).returncode == 0
    from actions.store.repository import Store

    store = Store(env["DATABASE_URL"], "cli-salt")
    reference = store.submit_response(consultation_slug=SLUG, channel="rest", sender_id="r", answers=ANSWERS)
    path = write(tmp_path / "edited.yml", edited(HARMFUL[0][1]))
    result = subprocess.run([*cli, "load", path], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert result.stderr.splitlines() == [f"{path}: {HARMFUL[0][2]}", "1 problem found; nothing was written."]
    assert store.response_answers(reference) == ANSWERS
    assert store.consultation(SLUG).version == 1


def test_harmless_edits_to_an_answered_consultation_are_saved_as_a_new_version(answered, tmp_path):
    store, reference = answered

    def change(d):
        _q(d, "travel").update(options=["Car", "Bus", "Walking", "Cycling"], text="How do you get to the ferry?")
        _q(d, "support").update(help="Say how much you agree.")
        d["questions"].append({"id": "trips", "type": "number", "text": "How many trips a month?", "min": 0, "max": 100})
        d["questions"][2], d["questions"][3] = d["questions"][3], d["questions"][2]  # questions may move

    load(store, write(tmp_path / "edited.yml", edited(change)))
    assert store.consultation(SLUG).version == 2
    assert store.consultation(SLUG).question("travel").options == ("Car", "Bus", "Walking", "Cycling")
    assert store.response_answers(reference) == ANSWERS


def test_questions_without_answers_may_change_freely(store, tmp_path):
    load(store, write(tmp_path / "ferry.yml", FERRY))
    load(store, write(tmp_path / "ferry.yml", edited(lambda d: _q(d, "travel").update(type="choice", options=["Bus", "Car"]))))
    assert store.consultation(SLUG).question("travel").type == "choice"


def test_archiving_hides_a_consultation_keeps_its_data_and_restores_its_status(answered):
    from actions.dialogue.services import build_catalogue

    store, reference = answered
    officer = Actor("officer@example.gov.uk", "officer")
    assert SLUG in {c.slug for c in build_catalogue(store).consultations}
    assert change_status(store, SLUG, "archive", officer).saved
    assert store.consultation(SLUG).status == "archived"
    assert SLUG not in {c.slug for c in build_catalogue(store).consultations}  # residents no longer see it
    assert store.response_answers(reference) == ANSWERS
    assert restore(store, SLUG, officer).saved and store.consultation(SLUG).status == "open"
    assert [v["created_by"] for v in store.consultation_versions(SLUG)] == ["cli:test", officer.name, officer.name]


def test_the_history_says_what_changed_field_by_field():
    before = copy.deepcopy(FERRY)

    def change(d):
        d["title"] = "Ferry timetable 2027"
        _q(d, "travel").update(options=["Car", "Bus", "Walking", "Cycling"])
        d["questions"].insert(0, d["questions"].pop(4))  # comments moves to the top
        d["questions"].pop()  # priorities removed
        d["faqs"] = [{"question": "When?", "answer": "In May."}]

    changes = document_changes(before, edited(change))
    assert changes == [
        Change("Title", "Ferry timetable", "Ferry timetable 2027"),
        Change("Question 'comments': position", "5", "1"),
        Change("Question 'travel': position", "1", "2"),
        Change("Question 'travel': options", "Car, Bus, Walking", "Car, Bus, Walking, Cycling"),
        Change("Question 'season': position", "2", "3"),
        Change("Question 'support': position", "3", "4"),
        Change("Question 'priorities' removed", "Put these in order.", ""),
        Change("FAQ 1 added", "", '{"question": "When?", "answer": "In May."}'),
    ]
    assert document_changes(None, before) == [Change("Created", "", "Ferry timetable")]
