"""An officer reviews themes in headless Chromium against the real portal, then checks the report to publish.

One browser session (tests/browser/themes_review.mjs): confirm a theme, tag a comment, leave a note, flag it
abusive; the published web page then has the confirmed theme and leaves the flagged comment out of its
quotes. axe-core finds no serious or critical problem on any of the pages on the way.
"""

from __future__ import annotations

import datetime as dt

import pytest

from actions.store import comment_review as review
from actions.store import themes
from actions.store.accounts import add_user
from actions.store.repository import Store
from tests.browser_support import run_node
from tests.servers import E2E_SALT, RunningAssistant

pytestmark = pytest.mark.e2e

HARBOUR = "harbour-road-cycle-lane"
OFFICER = "officer@millbrook.gov.uk"
PASSWORD = "correct horse battery staple"
FLAGGED = "Parking near the shops is hopeless and the council are a bunch of clowns."
KEPT = "Please keep the parking spaces by the pharmacy, my dad can't walk far."
NOT_QUOTABLE = "I'd rather you didn't quote me, but parking is the issue."


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    running = RunningAssistant(tmp_path_factory.mktemp("themes-browser"), extra_env={"HYS_TODAY": "2026-11-22"})
    assert running.cli("load", "seeds").returncode == 0  # the portal alone: no Rasa needed
    store = Store(running.database_url, E2E_SALT)
    for number, (comment, quote) in enumerate([(FLAGGED, True), (KEPT, True), (NOT_QUOTABLE, False)]):
        store.submit_response(
            consultation_slug=HARBOUR,
            channel="socketio",
            sender_id=f"resident-{number}",
            submitted_at=dt.datetime(2026, 11, 10 + number, 9),
            answers={"support": "Agree", "comments": comment},
            themes={"comments": ["parking"]},
            consent_quote=quote,
            ward_slug="harbourside",
        )
    add_user(store, OFFICER, PASSWORD, "officer")
    running.start_portal()
    yield running, store
    running.stop()


def test_an_officer_confirms_tags_notes_and_flags_and_the_report_follows(portal):
    running, store = portal
    result = run_node(
        "tests/browser/themes_review.mjs",
        {
            "base": running.portal_url,
            "email": OFFICER,
            "password": PASSWORD,
            "slug": HARBOUR,
            "theme": "Parking",
            "flagged": FLAGGED,
        },
    )
    steps = {step["name"]: step for step in result["steps"]}
    assert "error" not in steps, steps.get("error")
    for name in (
        "themes page",
        "themes page after a change",
        "review list",
        "review page",
        "review page after changes",
        "report page",
        "published web page",
    ):
        assert steps[name]["axeVersion"].startswith("4."), name  # axe-core really ran
        assert steps[name]["violations"] == [], (name, steps[name]["violations"])
    assert result["failedRequests"] == [] and result["consoleErrors"] == [], result

    assert steps["themes page"]["url"] == f"{running.portal_url}/consultations/{HARBOUR}/themes"
    assert steps["report page"]["url"] == f"{running.portal_url}/consultations/{HARBOUR}/report"
    assert steps["confirmed"]["flash"] == "“Parking” is now confirmed."
    assert steps["confirmed"]["row"].startswith("Parking Confirmed 3 0 3 officer@millbrook.gov.uk")
    assert steps["review page"]["comment"] == FLAGGED
    assert steps["tagged"] == {"name": "tagged", "flash": "Tagged “follow up”.", "tags": ["follow up"]}
    assert steps["noted"]["notes"] == ["Rang the resident back; they are happy to be quoted."]
    flagged = steps["flagged"]
    assert flagged["flash"] == "Flags saved." and flagged["abusive"] is True
    assert flagged["quotable"] == "No: it is flagged, or nothing of it is left"

    published = steps["published web page"]
    assert published["h1"] == "Harbour Road cycle lane: we asked, you said, we did"
    assert published["themes"] == ["Parking"]
    assert published["quotes"] == [KEPT]  # not the flagged comment, nor the resident who said no to quoting

    # What the browser did is in the database, with who did it.
    answer = next(c.answer_id for c in review.comment_page(store, HARBOUR).comments if c.text == FLAGGED)
    comment = review.comment(store, HARBOUR, answer)
    assert comment.tags == ["follow up"] and comment.flags["abusive"][0] == OFFICER
    assert [(note["author"], note["text"]) for note in comment.notes] == [
        (OFFICER, "Rang the resident back; they are happy to be quoted.")
    ]
    parking = themes.themes_of(store, HARBOUR).get("parking")
    assert (parking.status, parking.decided_by) == ("confirmed", OFFICER)
