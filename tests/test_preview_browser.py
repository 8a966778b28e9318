"""Issue 18, live preview, in real headless Chromium against the real portal, Rasa server and action server.

One browser session (tests/browser/preview.mjs): an officer signs in, opens /consultations/<slug>/preview on a
draft, talks to the assistant by keyboard ("what is this about?", then the whole survey in their own words),
and is told nothing was saved; an edit is saved (a new version, loaded while everything runs: no retraining,
no restart) and "Restart preview" opens a fresh conversation on it; a councillor is refused the page. axe-core
finds no serious or critical problem in any state. The database is then checked: nothing was stored.
"""

from __future__ import annotations

import sys

import pytest

from actions.store.accounts import add_user
from actions.store.audit import audit_entries
from actions.store.models import ResponseRow, UnansweredRow
from actions.store.repository import Store
from tests.browser_support import run_node
from tests.preview_consultation import EDITED_SUMMARY, SLUG, SUMMARY, write_draft
from tests.servers import E2E_SALT, PROJECT_ROOT, RunningAssistant

pytestmark = pytest.mark.e2e
OFFICER = "planning.officer@millbrook.gov.uk"
COUNCILLOR = "cllr.marsh@millbrook.gov.uk"
PASSWORD = "correct horse battery staple"
ANSWERS = ["I'd like to have my say", "yes", "no", "no", "agree", "half", "a tap near every plot", "MB1 2AB", "45-54", "submit"]


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("preview-browser")
    assistant = RunningAssistant(workdir, extra_env={"HYS_TODAY": "2026-11-22"}).start()
    assert assistant.cli("load", str(write_draft(workdir / "draft.yml"))).returncode == 0
    write_draft(workdir / "edited.yml", EDITED_SUMMARY)
    store = Store(assistant.database_url, E2E_SALT)
    add_user(store, OFFICER, PASSWORD, "officer")
    add_user(store, COUNCILLOR, PASSWORD, "councillor", "riverside")
    assistant.start_portal()
    yield assistant, store, workdir
    assistant.stop()


def test_an_officer_previews_a_draft_by_keyboard_restarts_it_after_an_edit_and_nothing_is_stored(running):
    assistant, store, workdir = running
    env_names = ("DATABASE_URL", "TRACKER_STORE_URL", "HYS_VAR_DIR", "SENDER_HASH_SALT", "HYS_TODAY")
    result = run_node(
        "tests/browser/preview.mjs",
        {
            "base": assistant.portal_url,
            "email": OFFICER,
            "password": PASSWORD,
            "slug": SLUG,
            "summary": SUMMARY,
            "newSummary": EDITED_SUMMARY,
            "answers": ANSWERS,
            "edit": {
                "command": [sys.executable, "-m", "actions.cli", "load", str(workdir / "edited.yml")],
                "cwd": str(PROJECT_ROOT),
                "env": {name: assistant.env[name] for name in env_names},
            },
            "councillor": {"email": COUNCILLOR, "password": PASSWORD},
        },
        timeout=300,
    )
    steps = {step["name"]: step for step in result["steps"]}
    assert "error" not in steps, steps.get("error")
    for name in ("preview page", "at a question", "after the survey", "restarted"):
        assert steps[name]["axeVersion"].startswith("4."), name  # axe-core really ran
        assert steps[name]["violations"] == [], (name, steps[name]["violations"])

    page = steps["preview page"]
    assert page["h1"] == "Preview: Riverside allotments"
    assert SUMMARY in page["opening"]  # the assistant opens on the draft
    assert page["focusOnLoad"] != "INPUT"  # opening the page doesn't take focus
    about = steps["what is this about"]
    assert SUMMARY in about["about"] and about["focusAfterReply"] and about["tabs"] > 0

    transcript = steps["survey"]["transcript"]
    replies = "\n".join(turn["reply"] for turn in transcript)
    for question in (
        "How far do you agree with turning the depot into allotments?",
        "Which size of plot would you want?",
        "What else should the allotments have?",
    ):
        assert question in replies
    assert "This is a preview: nothing was saved." in steps["survey"]["last"]

    restarted = steps["restarted"]
    assert restarted["session"] != page["session"]  # a fresh conversation...
    assert restarted["earlierMessages"] == 0
    assert EDITED_SUMMARY in restarted["opening"] and "version 2" in restarted["version"]  # ...on the new version
    assert EDITED_SUMMARY in steps["asked again"]["about"]

    assert steps["councillor"] == {"name": "councillor", "status": 403, "grant": 0}
    assert result["consoleErrors"] == [], result["consoleErrors"]
    assert result["failedRequests"] == [], result["failedRequests"]

    with store.session() as session:
        assert session.query(ResponseRow).count() == 0
        assert session.query(UnansweredRow).count() == 0
    entries, _ = audit_entries(store)
    previews = [
        (entry.actor, entry.target, entry.details["version"]) for entry in entries if entry.action == "consultation.preview"
    ]
    assert previews == [(OFFICER, SLUG, 2), (OFFICER, SLUG, 1)]  # newest first
