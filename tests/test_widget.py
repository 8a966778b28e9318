"""The website widget on the demo page, in headless Chromium, used by keyboard only, against the real servers.

One browser run (tests/browser/widget_conversation.mjs) drives every state: two whole responses on seeded
consultations (library opening hours, with its rank question; Harbour Road, with its checkboxes), a forged
late answer, deep links, save and finish later, start again, and the error state. Each test below checks one
part of its report; what was stored is read straight from the database.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections import Counter

import pytest

from tests.browser_support import run_node
from tests.servers import RunningAssistant

pytestmark = pytest.mark.e2e

LATE_ANSWER = "That answer was for an earlier question, so I haven't saved it. Please answer the latest question."
COMMENT = "Later opening on Saturdays would help my family."
AXE_STATES = {
    "closed",
    "open",
    "question: yes/no",
    "question: scale",
    "question: choice",
    "question: rank",
    "question: number",
    "question: text",
    "question: multi",
    "postcode",
    "review",
    "error",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = RunningAssistant(
        tmp_path_factory.mktemp("widget"),
        # Two whole responses from one chat take more than the 30 messages a minute a resident may send.
        extra_env={"HYS_TODAY": "2026-11-22", "RATE_LIMIT_PER_SENDER": "120"},
    ).start()
    running.start_portal()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def report(site, tmp_path_factory):
    # WIDGET_SCREENSHOT=docs/images/widget.png refreshes the screenshot in docs/widget.md.
    screenshot = os.environ.get("WIDGET_SCREENSHOT") or str(tmp_path_factory.mktemp("shots") / "widget.png")
    result = run_node("tests/browser/widget_conversation.mjs", {"base": site.portal_url, "screenshot": screenshot}, timeout=420)
    return {**result, "step": {step["name"]: step for step in result["steps"]}}


def test_the_browser_run_completes(report):
    # When a step fails the run stops there; the tests below then fail on what is missing.
    assert "error" not in report["step"], json.dumps(report["step"].get("error"), indent=1)


def stored(site, receipt: str) -> tuple[dict, dict]:
    """The response quoted in a receipt, read from the database: (its row, {question key: answer})."""
    reference = re.search(r"\b[A-Z]{2}-[A-Z0-9]{4}-[A-Z0-9]{4}\b", receipt).group(0)
    with sqlite3.connect(site.database_url.removeprefix("sqlite:///")) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM responses WHERE reference = ?", (reference,)).fetchone()
        answers = db.execute(
            "SELECT q.key, a.value FROM answers a JOIN questions q ON q.id = a.question_id WHERE a.response_id = ?", (row["id"],)
        ).fetchall()
    # SQLite hands numbers back as numbers; everything else is the JSON text.
    return dict(row), {key: json.loads(value) if isinstance(value, str) else value for key, value in answers}


def test_a_whole_library_response_by_keyboard_with_the_rank_put_in_order_by_move_buttons(site, report):
    library = report["step"]["library"]
    row, answers = stored(site, library["receipt"])
    assert row["status"] == "submitted" and row["channel"] == "socketio"
    assert row["ward_slug"] == "riverside" and row["age_band"] == "35-44"  # postcode MB3 4AB
    assert answers == {
        "use_library": "Yes",
        "satisfaction": "Satisfied",  # not the forged "Very dissatisfied"
        "preferred_option": "Option B - staffed core hours plus open access",
        "important_services": ["Children's activities", "Borrowing books", "Warm and quiet space to study", "Computers and wifi"],
        "open_access_likely": None,  # skipped with its Skip button
        "visits": 12,
        "comments": COMMENT,
    }
    # Each move keeps focus on the button pressed, in its new place; "already first" moves nothing.
    moves = library["moves"]
    assert [move["focus"] for move in moves] == [
        "Move up: Children's activities",
        "Move up: Children's activities",
        "Move up: Children's activities",
        "Move up: Warm and quiet space to study",
    ]
    assert moves[0]["order"] == [
        "Borrowing books",
        "Children's activities",
        "Computers and wifi",
        "Warm and quiet space to study",
    ]
    assert (
        moves[1]["order"]
        == moves[2]["order"]
        == [
            "Children's activities",
            "Borrowing books",
            "Computers and wifi",
            "Warm and quiet space to study",
        ]
    )
    assert moves[3]["order"] == [
        "Children's activities",
        "Borrowing books",
        "Warm and quiet space to study",
        "Computers and wifi",
    ]
    assert library["rankShown"] == (
        "1. Children's activities, 2. Borrowing books, 3. Warm and quiet space to study, 4. Computers and wifi"
    )
    # The chosen answer replaces the control, and typing carries on in the message box.
    assert library["consentAnswered"] == "Your answer: ✓ Yes, I agree"
    assert library["focusAfterChoosing"] == "hys-input"
    # A number outside the question's range is refused in the page, with the reason tied to the field.
    assert library["outOfRange"] == {"invalid": "true", "error": "Please enter a number from 0 to 60.", "describedBy": True}
    assert library["count"] == f"{len(COMMENT)} of 2,000 characters"


def test_a_whole_harbour_road_response_by_keyboard_with_checkboxes_up_to_the_limit(site, report):
    harbour = report["step"]["harbour"]
    row, answers = stored(site, harbour["receipt"])
    assert row["status"] == "submitted" and row["ward_slug"] is None and row["age_band"] is None
    assert answers == {
        "support": "Agree",
        "design": "Option A - kerb-separated lane",
        "concerns": ["Loss of parking", "Cost", "Pedestrian safety"],
        "trips": None,
        "cycle_more": "Yes",
        "comments": None,  # the optional comment skipped with the widget's Skip button
    }
    assert harbour["steps"]["multi"]["options"] == [
        "Loss of parking",
        "Safety at junctions",
        "Cost",
        "Disruption during works",
        "Deliveries to shops",
        "Pedestrian safety",
        "None",
    ]
    # With 3 chosen (max_choices: 3), the other boxes can't be ticked.
    assert harbour["afterThree"] == {
        "disabled": ["Safety at junctions", "Disruption during works", "Deliveries to shops", "None"],
        "count": "3 of 3 chosen",
    }
    assert harbour["multiShown"] == "Loss of parking; Cost; Pedestrian safety"


def test_hints_say_the_range_and_dont_know_exactly_as_offered(report):
    library = report["step"]["library"]["steps"]
    scale = library["scale"]
    assert scale["options"] == [
        "Very satisfied",
        "Satisfied",
        "Neither satisfied nor dissatisfied",
        "Dissatisfied",
        "Very dissatisfied",
        "Don't know",
    ]
    assert scale["hint"] == (
        'Choose one, from "Very satisfied" to "Very dissatisfied", or "Don\'t know". '
        'You can also type its number, from 1 to 6 (6 is "Don\'t know").'
    )
    assert scale["text"] == "Question 2 of 7\nHow satisfied are you with the current library opening hours?"
    assert library["choice"]["hint"] == "Choose one. You can also type its number, from 1 to 3."
    assert library["number"]["hint"] == "A number from 0 to 60."
    assert library["text"]["hint"] == "Up to 2,000 characters."
    assert report["step"]["harbour"]["steps"]["multi"]["hint"] == "Choose up to 3, then Done."


def test_an_old_button_can_no_longer_be_clicked(report):
    old = report["step"]["old button"]
    assert old["text"] == "What's open?" and old["disabled"] and old["stale"]
    assert old["sentAfterForcedClick"] == 0  # even re-enabled and clicked, it sends nothing
    assert report["focusWalk"] and not [stop for stop in report["focusWalk"] if stop["stale"]]  # Tab never lands on one
    assert report["step"]["quick reply by keyboard"]["answered"] == "Your answer: ✓ Future of library opening hours"
    assert report["step"]["reload keeps the conversation"]["liveControls"] == 0


def test_a_forged_late_answer_to_an_earlier_question_is_refused_by_the_server(site, report):
    forged = report["step"]["forged late answer"]
    assert forged["reply"] == {"text": LATE_ANSWER}
    assert forged["shown"] == LATE_ANSWER and forged["stillLive"]  # the review can still be answered
    _, answers = stored(site, report["step"]["library"]["receipt"])
    assert answers["satisfaction"] == "Satisfied"


def test_deep_links_open_the_chat_on_that_consultation(report):
    market = report["step"]["deep link by ?consultation="]
    assert market["first"].startswith("Events in Market Square (open until Friday 27 November 2026")
    assert "We plan to hold up to 12 events a year in Market Square" in market["first"]
    assert market["open"] and market["focus"] == "BODY" and market["userMessages"] == 0  # opened without taking focus
    library = report["step"]["deep link by data-consultation"]
    assert library["closedAtFirst"]
    assert library["first"].startswith("Future of library opening hours (open until Friday 15 January 2027)")
    card = report["step"]["card link"]
    assert card["url"].endswith("/demo")  # the card opened the chat in place
    assert card["latest"].startswith("Harbour Road cycle lane (open until Sunday 20 December 2026)")


def test_axe_finds_no_violations_of_any_level_in_any_state_at_320_and_1280_px(report):
    runs = report["axe"]
    assert {(run["state"], run["width"]) for run in runs} == {(s, w) for s in AXE_STATES for w in ("320", "1280")}
    assert all(run["version"].startswith("4.") for run in runs)
    assert [(run["state"], run["width"], run["violations"]) for run in runs if run["violations"]] == []


def test_each_bot_message_is_announced_once_with_its_options(report):
    said = report["step"]["announcements"]
    announced, messages = said["announced"], said["messages"]
    assert len(messages) > 40
    assert not [a for a in announced if a.startswith("You said")]

    def announcements_of(text: str) -> list[str]:
        head = "Assistant said: " + text
        return [a for a in announced if a == head or a.startswith(head + " ")]

    copies = Counter(message["text"] for message in messages)
    for message in messages:
        spoken = announcements_of(message["text"])
        assert len(spoken) == copies[message["text"]], message["text"]
        assert all(option in spoken[0] for option in message["options"]), (message, spoken)
    assert len([a for a in announced if a.startswith("Assistant said: ")]) == len(messages)
    scale = announcements_of("Question 2 of 7\nHow satisfied are you with the current library opening hours?")
    assert (
        "6 choices: Very satisfied, Satisfied, Neither satisfied nor dissatisfied, Dissatisfied, Very dissatisfied, Don't know."
        in scale[0]
    )
    # Moving an item in the rank list says where it is now.
    assert "Children's activities, now 2 of 4." in announced and "Children's activities is already first." in announced
    # The transcript itself is not a live region, so nothing is read twice.
    assert report["step"]["greeting"]["transcriptLive"] == ["region", None]


def test_focus_never_moves_on_its_own_and_the_transcript_is_navigable_by_keyboard(report):
    assert report["step"]["greeting"]["focus"] == "hys-input"
    assert report["step"]["asked what is open"]["focusAfterReply"] == "hys-input"
    transcript = report["step"]["transcript by keyboard"]
    assert transcript["tabStops"] == 1  # one Tab stop for the whole transcript
    assert transcript["atHome"] and transcript["atEnd"]
    assert transcript["up"].startswith("hys-message")
    assert transcript["focusStayed"]  # a message arrived while reading an earlier one: focus stayed there


def test_every_control_has_a_focus_ring_and_a_name_and_the_widget_reflows_and_respects_user_settings(report):
    stops = report["focusWalk"]
    assert len(stops) > 50
    assert [s for s in stops if not s["outline"].startswith("solid") or float(s["outline"].split()[1][:-2]) < 3] == []
    assert [s for s in stops if not s["name"].strip()] == []
    reflow = report["reflow"]
    assert {run["state"] for run in reflow} == AXE_STATES
    assert [run for run in reflow if run["overflowing"] or run["panelScrolls"]] == []
    # "Start again" and "Save and finish later" stay on screen in every state, at 320 px and at 200% zoom.
    assert [run for run in reflow if run["toolsVisible"] is False] == []
    assert all(run["toolsVisible"] for run in reflow if run["state"] != "closed")
    media = report["step"]["media"]
    assert media["normalMotion"] == "hys-bounce" and media["reducedMotion"] == "none"
    assert media["forcedFocus"] == "solid 3px" and media["forcedBorder"] == "solid 2px"


def test_save_and_finish_later_and_start_again(report):
    both = report["step"]["save and start again"]
    assert both["paused"].startswith("OK, I've paused your response.")
    assert both["asked"] == {"visible": True, "focus": "Yes, start again"}
    assert both["newSession"] and both["messages"] == 1 and both["focus"] == "hys-input"
    assert both["first"].startswith("Events in Market Square (open until")  # the page's consultation again


def test_reopening_mid_response_asks_the_same_step_again(report):
    reopened = report["step"]["reopened mid-response"]
    assert reopened["before"] == reopened["after"] and reopened["before"].endswith(":quote")
    # Reopening sends the widget's /check_updates: it must not be read as an answer ("Please reply ...").
    assert reopened["newMessages"] == [
        "Thank you. May we quote your comments, without your name, in the published consultation report?"
    ]


def test_launcher_escape_reload_the_error_state_and_nothing_from_elsewhere(site, report):
    step = report["step"]
    assert step["launcher reachable by Tab"]["isButton"] == "BUTTON"
    assert step["greeting"]["label"] == "Assistant said:" and step["asked what is open"]["userLabel"] == "You said:"
    assert step["greeting"]["time"]
    assert step["quick reply by keyboard"]["links"] >= 1  # links in bot messages are clickable
    safe = step["resident text stays text"]
    assert safe["text"] == "<img src=x onerror=alert(1)> hello" and safe["elements"] == 0
    assert report["consoleErrors"] == []
    reload = step["reload keeps the conversation"]
    assert reload["session"] and reload["sameSession"] == reload["session"] and reload["local"] == []
    assert reload["restored"] == reload["before"]
    closed = step["escape closes and returns focus"]
    assert "hys-launcher" in closed["focus"] and closed["expanded"] == "false"
    # Nothing is fetched from anywhere but the portal and the Rasa server: no web fonts, no trackers.
    assert set(report["origins"]) <= {site.portal_url, site.base_url} and report["fonts"] == []
    offline = step["offline"]
    assert offline["text"] == "Sorry, we can't reach the assistant at the moment.Try again"
    assert offline["announced"] == 1  # said once, though every reconnection attempt fails
