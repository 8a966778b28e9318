"""Issue 18's first "done when", in one run of real Chromium against one running portal, Rasa server and action
server (tests/browser/consultation_journey.mjs).

An officer creates a consultation in the editor, after the assistant has started: one question of every type,
"other, please specify" on the choice, and a skip condition ("parking" is asked only of residents who drive). They
save a draft, ask the live preview "what is this about", and publish it. A resident then answers it in the website
widget on /demo/<slug>, typing every answer in their own words, and submits it. The parking question is never
shown, and the officer's CSV export says "not asked" in its cell, beside the other answers as given (the "other"
text redacted). Nothing was retrained or restarted: the same Rasa and action server processes, the same model file.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from actions.store.accounts import add_user
from actions.store.repository import Store
from tests.browser_support import run_node
from tests.servers import E2E_SALT, PROJECT_ROOT, RunningAssistant

pytestmark = pytest.mark.e2e

OFFICER = "transport.officer@millbrook.gov.uk"
PASSWORD = "correct horse battery staple"
SLUG = "ferry-timetable-2027"
TITLE = "Ferry timetable 2027"
SUMMARY = "We are proposing a new ferry timetable for 2027, with an earlier first boat on weekdays."
SUPPORT = "How far do you agree with the new ferry timetable?"
DRIVES = "Do you drive to the ferry terminal?"
PARKING = "How satisfied are you with parking at the ferry terminal?"  # asked only if drives is Yes
TRAVEL = "How do you get to the ferry terminal?"
SEASON = "When do you travel on the ferry most?"
PRIORITIES = "Put these in order of importance to you."
TRIPS = "How many ferry trips do you make in a month?"
COMMENTS = "Is there anything else you would like to tell us?"
QUESTIONS = [
    {"id": "support", "type": "scale", "text": SUPPORT, "scale": "agree5"},
    {"id": "drives", "type": "yesno", "text": DRIVES},
    {
        "id": "parking",
        "type": "scale",
        "text": PARKING,
        "scale": "satisfied5",
        "askIf": {"question": "drives", "test": "is", "value": "Yes"},
    },
    {"id": "travel", "type": "multi", "text": TRAVEL, "options": ["Bus", "Cycling", "Walking"]},
    {"id": "season", "type": "choice", "text": SEASON, "options": ["Summer", "Winter"], "other": "Something else"},
    {"id": "priorities", "type": "rank", "text": PRIORITIES, "options": ["Price", "Speed", "Comfort"]},
    {"id": "trips", "type": "number", "text": TRIPS, "fields": {"min": "0", "max": "100"}},
    {"id": "comments", "type": "text", "text": COMMENTS},
]
OTHER_SEASON = "Around the school holidays, you can ring me on 07700 900123 about it"
COMMENT = "Please keep the late boat on Fridays, it is how I get home from work."
# What the resident types, and what the assistant must ask next (the skipped PARKING never appears).
CONVERSATION: list[tuple[str, str]] = [
    ("I'd like to have my say", "Before we start"),
    ("yes, that's fine", "May we quote"),
    ("no thanks", "send you the outcome"),
    ("no", SUPPORT),
    ("yeah I'd say I agree", DRIVES),
    ("nope", TRAVEL),
    ("walk and cycle", SEASON),
    ("other", 'You chose "Something else". Please tell us what it is'),
    (OTHER_SEASON, PRIORITIES),
    ("speed first, then price, then comfort", TRIPS),
    ("3", COMMENTS),
    (COMMENT, "postcode"),
    ("MB1 2AB", "age"),
    ("45-54", "Here's a summary of your answers"),
    ("all good, send it", "Your reference is"),
]


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("journey")
    assistant = RunningAssistant(workdir, extra_env={"HYS_TODAY": "2026-11-22"}).start()  # seeds, actions, Rasa
    store = Store(assistant.database_url, E2E_SALT)
    add_user(store, OFFICER, PASSWORD, "officer")
    assistant.start_portal()
    yield assistant, store
    assistant.stop()


def test_an_officer_creates_previews_and_publishes_a_consultation_that_a_resident_completes_in_the_widget(running):
    assistant, store = running
    model = PROJECT_ROOT / "models" / "haveyoursay.tar.gz"
    model_before = model.stat().st_mtime_ns
    pids_before = {name: process.pid for name, process in assistant.processes.items()}
    assert store.consultation(SLUG) is None  # created in the browser, while the assistant runs

    result = run_node(
        "tests/browser/consultation_journey.mjs",
        {
            "base": assistant.portal_url,
            "email": OFFICER,
            "password": PASSWORD,
            "slug": SLUG,
            "title": TITLE,
            "summary": SUMMARY,
            "opens": "2026-11-01",
            "closes": "2026-12-20",
            "questions": QUESTIONS,
            "about": "what is this about?",
            "answers": [said for said, _ in CONVERSATION],
            "axeAfter": 6,  # at the multiple-choice question
        },
        timeout=300,
    )
    steps = {step["name"]: step for step in result["steps"]}
    assert "error" not in steps, steps.get("error")
    for name in (
        "new page",
        "form with every type",
        "draft saved",
        "preview page",
        "publish page",
        "demo page",
        "widget at a question",
        "widget after submitting",
        "results page",
    ):
        assert steps[name]["axeVersion"].startswith("4."), name  # axe-core really ran
        assert steps[name]["violations"] == [], (name, steps[name]["violations"])
    assert result["consoleErrors"] == [] and result["failedRequests"] == [], result

    # The draft, the preview on it, then publishing.
    assert steps["draft saved"]["flash"] == "Saved: version 1." and steps["draft saved"]["status"].startswith("Status: Draft")
    assert steps["preview page"]["h1"] == f"Preview: {TITLE}"
    assert SUMMARY in steps["preview: what is this about"]["reply"]
    assert steps["publish page"]["h1"] == f"Publish “{TITLE}”?"
    assert steps["published"]["flash"] == f"Published: “{TITLE}”."
    assert steps["published"]["status"].startswith("Status: Open · version 2")

    # The resident's conversation, typed answer by typed answer: each reply asks what comes next.
    widget = steps["widget"]
    assert steps["demo page"]["h1"] == TITLE and TITLE in widget["greeting"]
    assert widget["userTexts"] == [said for said, _ in CONVERSATION]  # everything sent was typed, nothing clicked
    for (said, expected), turn in zip(CONVERSATION, widget["transcript"], strict=True):
        assert turn["said"] == said
        assert expected.lower() in turn["reply"].lower(), (said, expected, turn["reply"])
    shown = "\n".join(widget["allBotTexts"])
    assert PARKING not in shown  # skip logic: the resident doesn't drive, so parking was never asked
    for question in (SUPPORT, DRIVES, TRAVEL, SEASON, PRIORITIES, TRIPS, COMMENTS):
        assert question in shown
    reference = re.search(r"Your reference is ([A-Z]{2}-[A-Z0-9]{4}-[A-Z0-9]{4})", widget["transcript"][-1]["reply"]).group(1)

    # The officer's CSV export: this response's row, by its reference.
    export = steps["export"]
    assert export["status"] == 200 and export["type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(export["csv"].lstrip("\ufeff"), newline="")))
    mine = [row for row in rows if reference in row]
    assert len(mine) == 1, (reference, rows)
    row = dict(zip(header, mine[0], strict=True))
    assert row["parking"] == "not asked"
    assert row["support"] == "Agree"
    assert row["drives"] == "No"
    assert row["travel"] == "Cycling; Walking"
    assert row["season"] == "Something else"
    assert row["season: other"] == "Around the school holidays, you can ring me on [phone] about it"
    assert (row["priorities: Price"], row["priorities: Speed"], row["priorities: Comfort"]) == ("2", "1", "3")
    assert row["trips"] == "3"
    assert row["comments"] == COMMENT

    # ...as stored, on the version the resident answered.
    detail = store.response_detail(reference)
    assert detail["status"] == "submitted" and detail["content_version"] == 2
    assert "parking" not in detail["answers"]
    assert detail["other"] == {"season": "Around the school holidays, you can ring me on [phone] about it"}

    # No retraining and no restart: the same server processes, still running, and the same model file.
    assert {name: process.pid for name, process in assistant.processes.items()} == pids_before
    assert all(assistant.processes[name].poll() is None for name in ("rasa", "actions", "portal"))
    assert model.stat().st_mtime_ns == model_before
