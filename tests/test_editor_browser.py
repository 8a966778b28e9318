"""An officer builds, validates and publishes a consultation in the editor, in headless Chromium against the real
portal (tests/browser/editor.mjs): one question of every type, "other, please specify" and a skip condition,
rows added with the editor's buttons, an error fixed by keyboard. axe-core finds no serious or critical problem."""

from __future__ import annotations

import pytest

from actions.store.accounts import add_user
from actions.store.repository import Store
from tests.browser_support import run_node
from tests.servers import E2E_SALT, RunningAssistant

pytestmark = pytest.mark.e2e

OFFICER = "officer@millbrook.gov.uk"
PASSWORD = "correct horse battery staple"
SLUG = "ferry-terminal-travel"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    running = RunningAssistant(tmp_path_factory.mktemp("editor-browser"), extra_env={"HYS_TODAY": "2026-11-22"})
    assert running.cli("load", "seeds").returncode == 0  # the portal alone: no Rasa needed
    store = Store(running.database_url, E2E_SALT)
    add_user(store, OFFICER, PASSWORD, "officer")
    running.start_portal()
    yield running, store
    running.stop()


def test_an_officer_builds_a_consultation_with_every_question_type_and_publishes_it(portal):
    running, store = portal
    result = run_node(
        "tests/browser/editor.mjs", {"base": running.portal_url, "email": OFFICER, "password": PASSWORD, "slug": SLUG}
    )
    steps = {step["name"]: step for step in result["steps"]}
    assert "error" not in steps, steps.get("error")
    for name in (
        "new page",
        "form with every type",
        "error page",
        "saved",
        "publish page",
        "history page",
        "archive page",
        "duplicate page",
        "import page",
    ):
        assert steps[name]["axeVersion"].startswith("4."), name
        assert steps[name]["violations"] == [], (name, steps[name]["violations"])
    assert result["consoleErrors"] == [] and result["failedRequests"] == [], result

    # Keyboard: each added row's first field has the keyboard; the error summary does, and its link leads to the field.
    assert steps["faq row focused"]["focused"] == "faqs-0-question"
    assert steps["questions added"]["autofocus"] == [f"questions-{n}-id" for n in range(7)]
    assert steps["fields by type"] == {
        "name": "fields by type",
        "yesnoOptionsHidden": True,
        "multiOptionsVisible": True,
        "numberMinVisible": True,
    }
    assert steps["error page"]["summary"] == ["Summary: must not be empty"]
    assert steps["error page"]["fieldMessage"] == "Error: must not be empty"
    assert steps["error page"]["focused"] == "error-summary"
    assert steps["summary link followed"]["focused"] == "summary"
    assert steps["saved"]["url"] == f"{running.portal_url}/consultations/{SLUG}/edit"
    assert steps["saved"]["flash"] == "Saved: version 1."
    assert steps["preview slot"]["href"] == f"/consultations/{SLUG}/preview"
    assert steps["publish page"]["h1"] == "Publish “Ferry terminal travel survey”?"
    assert steps["published"]["flash"] == "Published: “Ferry terminal travel survey”."
    assert steps["published"]["status"].startswith("Status: Open · version 2")
    assert steps["history page"]["versions"] == ["Version 2", "Version 1"]

    # What the browser did is in the database, as the YAML format has it.
    consultation = store.consultation(SLUG)
    assert consultation.status == "open" and consultation.faqs[0].answer == "In April 2027."
    assert [(q.id, q.type) for q in consultation.questions] == [
        ("drives", "yesno"),
        ("travel", "multi"),
        ("parking", "scale"),
        ("season", "choice"),
        ("priorities", "rank"),
        ("trips", "number"),
        ("comments", "text"),
    ]
    assert consultation.question("travel").other == "Other (please specify)"
    assert consultation.question("season").options == ("Summer", "Winter", "Something else")
    assert consultation.question("parking").ask_if.document() == {"question": "drives", "is": "Yes"}
    assert consultation.question("parking").scale == "satisfied5"
    assert (consultation.question("trips").min, consultation.question("trips").max) == (0, 100)
    assert [v["created_by"] for v in store.consultation_versions(SLUG)] == [OFFICER, OFFICER]
