"""An officer keys in a paper response in headless Chromium against the real portal, then finds it in the
results' counts, the CSV export and the published report, with the channel "Paper".

One browser session (tests/browser/keyed_response.mjs). Before it, the consultation (every question type, skip
logic, "other, please specify") has 6 chat responses and 4 paper ones, so the keyed-in response makes 5 paper
responses: a count the report shows rather than hiding as "fewer than 5". axe-core finds no serious or
critical problem on the form, the form with a problem, the duplicate warning, the saved page or the report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from actions.store.accounts import add_user
from actions.store.repository import Store
from tests.browser_support import run_node
from tests.servers import E2E_SALT, RunningAssistant
from tests.skip_logic_consultation import SLUG, write_ferry
from tests.test_portal_keyed_responses import every_type

pytestmark = pytest.mark.e2e

OFFICER = "officer@millbrook.gov.uk"
PASSWORD = "correct horse battery staple"
ANSWERS = {"travel": ["Bus"], "trips": 4, "season": "Summer", "support": "Agree", "priorities": ["Price"]}


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("keyed-browser")
    running = RunningAssistant(workdir, extra_env={"HYS_TODAY": "2026-11-22"})
    assert running.cli("load", "seeds").returncode == 0  # the portal alone: no Rasa needed
    loaded = running.cli("load", str(write_ferry(workdir / "ferry.yml", every_type)))
    assert loaded.returncode == 0, loaded.stderr
    store = Store(running.database_url, E2E_SALT)
    for number in range(10):
        store.submit_response(
            consultation_slug=SLUG,
            channel="socketio" if number < 6 else "paper",
            sender_id=f"resident-{number}",
            submitted_at=dt.datetime(2026, 11, 10, 9 + number),
            answers=ANSWERS,
            ward_slug="harbourside",
        )
    add_user(store, OFFICER, PASSWORD, "officer")
    running.start_portal()
    yield running, store
    running.stop()


def test_a_keyed_in_paper_response_is_counted_exported_and_reported(portal):
    running, store = portal
    result = run_node(
        "tests/browser/keyed_response.mjs", {"base": running.portal_url, "email": OFFICER, "password": PASSWORD, "slug": SLUG}
    )
    steps = {step["name"]: step for step in result["steps"]}
    assert "error" not in steps, steps.get("error")
    for name in ("form", "problems", "saved", "duplicate", "report"):
        assert steps[name]["axeVersion"].startswith("4."), name  # axe-core really ran
        assert steps[name]["violations"] == [], (name, steps[name]["violations"])
    expected = ("status of 422 (Unprocessable Entity)", "status of 409 (Conflict)")  # the two refusals asked for
    assert [error for error in result["consoleErrors"] if not error.endswith(expected)] == [], result["consoleErrors"]
    # Only the two refusals the test asked for: the problem (422) and the duplicate warning (409).
    assert [entry.split(" ")[0] for entry in result["failedRequests"]] == ["422", "409"], result["failedRequests"]

    skip = steps["skip logic"]
    assert skip["before"] == {"parking": True, "why_not": True} and skip["after"] == {"parking": False, "why_not": False}
    assert skip["whyNotWhenAgreeing"] is True and skip["notice"] is True  # not asked again, and the page says so
    reached = set(steps["keyboard"]["reached"])
    for name in (
        "channel",
        "received_on",
        "consent",
        "quote",
        "q-travel",
        "q-travel-other",
        "q-parking",
        "q-trips",
        "q-support",
        "q-why_not",
        "q-priorities-1",
        "q-card",
        "postcode",
        "age_band",
    ):
        assert name in reached, (name, sorted(reached))
    assert "q-season" not in reached  # 1 trip a month: "When do you travel most?" is not asked, so not in the way
    assert "Save response" in reached

    assert steps["problems"]["consentProblem"].startswith("Tick this only if consent was given")
    assert steps["problems"]["summary"] == "Nothing was saved: 1 problem to fix"
    assert steps["problems"]["focused"] == "problems"  # keyboard users start at the list of problems
    assert steps["problems"]["stillFilled"] == "The last boat leaves before the late shift ends."
    reference = steps["saved"]["reference"]
    assert reference.startswith("MB-")
    assert f"{reference}, received 19 November 2026 (Paper)" in steps["duplicate"]["warning"]
    assert steps["duplicate"]["button"] == "Save anyway"

    assert steps["results"]["channels"] == ["Website chat | 6", "Paper | 5"]
    assert steps["results"]["total"] == "11"
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(steps["export"]["csv"].lstrip("\ufeff")))}
    assert rows[reference]["channel"] == "paper" and rows[reference]["received_on"] == "2026-11-19"
    assert (
        rows[reference]["travel"] == "Car; Other (please specify)"
        and rows[reference]["travel: other"] == "A lift from my neighbour"
    )
    assert rows[reference]["season"] == "not asked" and rows[reference]["parking"] == "Very dissatisfied"
    assert steps["report"]["channels"] == ["Website chat | 6 | 55%", "Paper | 5 | 45%"]

    detail = store.response_detail(reference)
    assert detail["channel"] == "paper" and detail["age_band"] == "75 or over" and detail["ward"] == "riverside"
    assert len([row for row in rows.values() if row["channel"] == "paper"]) == 5  # the duplicate was not saved
