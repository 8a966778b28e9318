"""The data the website widget draws answer controls from, the step ids that tie an answer to its question,
and how both reach the widget (and nowhere else). No servers; the browser test is tests/test_widget.py."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.channels.widget import WidgetOutput
from actions.content.files import read_bundle
from actions.dialogue.survey import ask
from actions.survey.controls import control, step_id
from actions.survey.engine import Survey, new_state
from actions.survey.sms_wording import TextMessageSurvey
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def bundle():
    return read_bundle([SEEDS], known_wards=set())


def survey_of(bundle, slug: str, kind=Survey) -> Survey:
    return kind(next(c for c in bundle.consultations if c.slug == slug), bundle.council.council)


def at_question(survey: Survey, number: int) -> dict:
    state = new_state(survey.consultation)
    for reply in ("yes", "no", "no"):
        state = survey.handle(state, reply).state
    return dict(state, question=survey.questions[number - 1].id, index=number - 1)


def test_each_question_type_becomes_its_control(bundle):
    harbour = survey_of(bundle, "harbour-road-cycle-lane")
    scale = control(harbour, at_question(harbour, 1))
    assert scale["type"] == "buttons" and scale["display"] == (
        "Question 1 of 6\nHow far do you agree or disagree with building a protected cycle lane on Harbour Road?"
    )
    assert [o["label"] for o in scale["options"]] == [
        "Strongly agree",
        "Agree",
        "Neither agree nor disagree",
        "Disagree",
        "Strongly disagree",
        "Don't know",
    ]
    assert scale["options"][1] == {"label": "Agree", "value": "Agree"} and scale["skip"] is None
    assert scale["hint"] == (
        'Choose one, from "Strongly agree" to "Strongly disagree", or "Don\'t know". '
        'You can also type its number, from 1 to 6 (6 is "Don\'t know").'
    )
    multi = control(harbour, at_question(harbour, 3))
    assert multi["type"] == "multi" and multi["max_choices"] == 3 and multi["exclusive"] == ["None"]
    assert multi["options"][0] == {"label": "Loss of parking", "value": "1"}
    assert multi["options"][6] == {"label": "None", "value": "7"}
    assert multi["skip"] == "skip" and multi["display"].startswith("Question 3 of 6 (optional)\n")
    number = control(harbour, at_question(harbour, 4))
    assert (number["type"], number["min"], number["max"], number["hint"]) == ("number", 0, 100, "A number from 0 to 100.")
    yesno = control(harbour, at_question(harbour, 5))
    assert [o["value"] for o in yesno["options"]] == ["yes", "no"] and yesno["hint"] == 'Choose "Yes" or "No".'
    text = control(harbour, at_question(harbour, 6))
    assert (text["type"], text["max_length"], text["hint"]) == ("text", 2000, "Up to 2,000 characters.")
    assert text["skip"] == "skip"  # an optional comment has a Skip button in the widget, though not as a chat button

    library = survey_of(bundle, "library-opening-hours")
    rank = control(library, at_question(library, 4))
    assert rank["type"] == "rank" and [o["value"] for o in rank["options"]] == ["1", "2", "3", "4"]
    assert rank["options"][2]["label"] == "Children's activities" and rank["skip"] is None
    choice = control(library, at_question(library, 3))
    assert choice["hint"] == "Choose one. You can also type its number, from 1 to 3."


def test_the_other_steps_become_buttons_or_a_postcode_field(bundle):
    harbour = survey_of(bundle, "harbour-road-cycle-lane")
    state = new_state(harbour.consultation)
    consent = control(harbour, state)
    assert consent["type"] == "buttons" and consent["options"] == [
        {"label": "Yes, I agree", "value": "yes"},
        {"label": "No", "value": "no"},
    ]
    assert control(harbour, dict(state, stage="postcode"))["type"] == "postcode"
    assert control(harbour, dict(state, stage="postcode"))["skip"] == "skip"
    age = control(harbour, dict(state, stage="age"))
    assert age["options"][-1] == {"label": "Prefer not to say", "value": "Prefer not to say"} and len(age["options"]) == 9
    review = control(harbour, dict(state, stage="review"))
    assert [o["value"] for o in review["options"]] == ["submit", "change"]
    change = control(harbour, dict(state, stage="change"))
    assert change["options"][1] == {"label": "2. Which design do you prefer?", "value": "2"}


def test_a_step_id_is_the_same_each_time_a_step_is_asked_and_differs_from_every_other_step(bundle):
    harbour = survey_of(bundle, "harbour-road-cycle-lane")
    first = at_question(harbour, 1)
    retried = harbour.handle(first, "purple elephant").state  # not understood: the same question again
    assert step_id(harbour, retried) == step_id(harbour, first)
    offered = dict(first, pending="Agree")  # "I've put that as "Agree". Is that right?"
    second = dict(first, question=harbour.questions[1].id, index=1)
    ids = {
        step_id(harbour, dict(first, stage="consent")),
        step_id(harbour, first),
        step_id(harbour, second),
        step_id(harbour, dict(first, stage="review")),
    }
    assert len(ids) == 4
    assert step_id(harbour, offered) not in ids
    # Another run of the same survey (a new response) never shares ids with the last one.
    assert step_id(harbour, at_question(harbour, 1)) != step_id(harbour, first)


def test_ask_sends_the_control_only_to_the_widget_and_only_with_the_prompt(bundle):
    harbour = survey_of(bundle, "harbour-road-cycle-lane")
    state = at_question(harbour, 2)
    from actions.survey.engine import Reply

    widget = CollectingDispatcher()
    ask(widget, harbour, state, [Reply("Skipped.")], widget=True)
    assert [m.get("custom") for m in widget.messages] == [{}, {"question": control(harbour, state)}]
    assert widget.messages[1]["text"].startswith("Question 2 of 6") and widget.messages[1]["buttons"]
    other = CollectingDispatcher()
    ask(other, harbour, state, [Reply("Skipped.")])
    assert [m.get("custom") for m in other.messages] == [{}, {}]
    # SMS keeps its own wording, with nothing extra.
    sms = CollectingDispatcher()
    texting = survey_of(bundle, "harbour-road-cycle-lane", TextMessageSurvey)
    ask(sms, texting, state, [Reply("Skipped.")])
    assert len(sms.messages) == 1 and sms.messages[0]["custom"] == {}


class FakeSocketServer:
    def __init__(self) -> None:
        self.emitted: list[tuple[str, dict, str]] = []

    async def emit(self, event: str, data: dict, room: str) -> None:
        self.emitted.append((event, data, room))


def test_the_socketio_output_attaches_the_control_to_the_last_part_of_its_message():
    sio = FakeSocketServer()
    output = WidgetOutput(sio, "bot_uttered")
    question = {"id": "abc:q:1:support", "type": "buttons"}
    message = {
        "text": "Please reply with a number.\n\nQuestion 1 of 6\nHow far do you agree?",
        "buttons": [{"title": "Agree", "payload": "Agree"}],
        "custom": {"question": question},
    }
    asyncio.run(output.send_response("room-1", message))
    assert sio.emitted == [
        ("bot_uttered", {"text": "Please reply with a number."}, "room-1"),
        (
            "bot_uttered",
            {
                "text": "Question 1 of 6\nHow far do you agree?",
                "quick_replies": [{"content_type": "text", "title": "Agree", "payload": "Agree"}],
                "question": question,
            },
            "room-1",
        ),
    ]
    # Any other message is sent as Rasa sends it.
    sio.emitted.clear()
    asyncio.run(output.send_response("room-1", {"text": "Hello\n\nthere"}))
    assert sio.emitted == [("bot_uttered", {"text": "Hello"}, "room-1"), ("bot_uttered", {"text": "there"}, "room-1")]


def test_other_please_specify_and_the_change_list_follow_the_skip_logic(bundle):
    from actions.content.validate import validate_consultation
    from tests.skip_logic_consultation import ferry_document

    ferry = Survey(validate_consultation(ferry_document(), "ferry.yml"), bundle.council.council)
    state = new_state(ferry.consultation)
    for reply in ("yes", "no", "no", "bus and other"):
        state = ferry.handle(state, reply).state
    assert state["stage"] == "other"
    other = control(ferry, state)
    assert (other["type"], other["max_length"], other["skip"]) == ("text", 1000, "skip")
    assert other["id"].endswith(":other:travel") and other["id"] != step_id(ferry, dict(state, stage="question"))
    for reply in ("the shuttle", "1", "agree"):  # not by car: no parking question; 1 trip: no season question
        state = ferry.handle(state, reply).state
    change = control(ferry, dict(state, stage="change"))
    assert [o["label"] for o in change["options"]] == [
        "1. How do you usually get to the ferry terminal?",
        "2. About how many ferry trips do you make in a month?",
        "3. How far do you agree with the new winter timetable?",
    ]
