"""The editor's form and the YAML-shaped document turn into each other without losing anything, and each
problem's field path finds the form field it is shown beside."""

from __future__ import annotations

import pytest

from actions.content.documents import consultation_document
from actions.content.files import read_bundle
from actions.content.validate import validate_consultation
from actions.portal import editor_form as forms
from tests.conftest import SEEDS
from tests.test_content_changes import FERRY

SEEDED = read_bundle([SEEDS], known_wards=set()).consultations
EVERYTHING = {
    **FERRY,
    "background": "The timetable was last changed in 2019.",
    "topics": ["transport"],
    "keywords": ["boat", "sailings"],
    "proposals": [{"id": "option-a", "title": "More sailings", "description": "Two more a day."}],
    "documents": [{"title": "Timetable", "url": "https://example.gov.uk/t.pdf"}],
    "events": [{"title": "Drop-in", "when": "2026-11-28T15:00:00", "where": "Terminal"}],
    "faqs": [{"question": "When?", "answer": "April."}],
    "next_steps": "A decision in February.",
    "decision_expected": "2027-02-10",
    "outcome": {"published": "2027-03-01", "you_said": "More sailings.", "we_did": "Added two."},
    "questions": [
        {
            "id": "travel",
            "type": "multi",
            "text": "How?",
            "options": [{"label": "Car", "aliases": ["drive", "by car"]}, "Bus"],
            "max_choices": 2,
            "other": "Something else",
        },
        {
            "id": "trips",
            "type": "number",
            "text": "How many?",
            "min": 0,
            "max": 100,
            "required": False,
            "help": "A number, like 4.",
        },
        {
            "id": "parking",
            "type": "scale",
            "text": "Parking?",
            "scale": ["Good", "Fine", "Poor"],
            "ask_if": {"question": "travel", "includes": "Car"},
        },
        {
            "id": "often",
            "type": "choice",
            "text": "Often?",
            "options": ["Yes", "No"],
            "ask_if": {"all": [{"question": "trips", "at_least": 3}, {"question": "trips", "at_most": 10}]},
        },
        {
            "id": "why",
            "type": "text",
            "text": "Why?",
            "max_length": 500,
            "ask_if": {"question": "parking", "one_of": ["Fine", "Poor"]},
        },
        {"id": "more", "type": "yesno", "text": "More?", "ask_if": {"question": "trips", "is": 4}},
        {"id": "order", "type": "rank", "text": "Order?", "options": ["Price", "Speed"]},
    ],
}


@pytest.mark.parametrize("consultation", [*SEEDED, validate_consultation(EVERYTHING, "x")], ids=lambda c: c.slug)
def test_a_document_survives_the_form_unchanged(consultation):
    document = consultation_document(consultation)
    state = forms.from_document(document)
    back, problems = forms.to_document(state)
    back["status"] = document["status"]  # not a form field: publishing is its own step
    assert problems == []
    assert consultation_document(validate_consultation(back, "form")) == document


def test_row_buttons_add_move_and_remove():
    state = forms.from_document(consultation_document(validate_consultation(EVERYTHING, "x")))
    assert forms.apply_row_action(state, "add:faqs") == "faqs-1-question" and len(state["faqs"]) == 2
    assert forms.apply_row_action(state, "down:questions-0") == "questions-1-id"
    assert [q["id"] for q in state["questions"][:2]] == ["trips", "travel"]
    assert forms.apply_row_action(state, "up:questions-1-options-1") == "questions-1-options-0-label"
    assert [o["label"] for o in state["questions"][1]["options"]] == ["Bus", "Car"]
    assert forms.apply_row_action(state, "remove:questions-1-options-0") == "add-questions-1-options"
    assert forms.apply_row_action(state, "remove:questions-9") is None  # no such row: refused, nothing changed
    assert forms.apply_row_action(state, "explode:questions") is None
    assert len(state["questions"]) == 7


@pytest.mark.parametrize(
    "path, anchor",
    [
        ("title", "title"),
        ("wards[1]", "wards"),
        ("proposals[0].id", "proposals-0-id"),
        ("proposals", "add-proposals"),
        ("events[0].when", "events-0-when"),
        ("outcome.we_did", "outcome-we_did"),
        ("questions", "add-questions"),
        ("questions[0].options[0].aliases", "questions-0-options-0-aliases"),
        ("questions[0].options", "questions-0-options-0-label"),
        ("questions[0].other", "questions-0-other"),
        ("questions[2].scale", "questions-2-scale_labels"),
        ("questions[2].ask_if.question", "questions-2-ask_if_question"),
        ("questions[2].ask_if.includes", "questions-2-ask_if_value"),
        ("questions[3].ask_if.all[1].at_most", "questions-3-ask_if_yaml"),
        ("questions[1].max", "questions-1-max"),
        ("", "editor-form"),
    ],
)
def test_each_problem_is_shown_beside_its_field(path, anchor):
    state = forms.from_document(consultation_document(validate_consultation(EVERYTHING, "x")))
    assert forms.anchor_for(path, state) == anchor


def test_a_combined_condition_that_is_not_yaml_is_a_problem_of_the_condition():
    state = forms.from_document(consultation_document(validate_consultation(EVERYTHING, "x")))
    state["questions"][3]["ask_if_yaml"] = "{all: [unclosed"
    _document, problems = forms.to_document(state)
    assert [(p.path, p.message) for p in problems] == [
        ("questions[3].ask_if", "invalid YAML at line 1, column 16: expected ',' or ']', but got '<stream end>'")
    ]
