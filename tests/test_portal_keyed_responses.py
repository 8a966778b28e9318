"""Keying in paper, phone and in-person responses: the real portal over HTTP, on SQLite and PostgreSQL.

The consultation has a question of every type, skip logic and "other, please specify" (the ferry consultation
of tests/skip_logic_consultation.py with a rank and a yes/no question added). Every expected value is written
out here, never computed by the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import urllib.parse
import urllib.request

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from actions.content.files import read_bundle
from actions.store.accounts import add_user
from actions.store.audit import audit_entries
from actions.store.migrate import upgrade
from actions.store.models import AnswerRow, ResponseRow
from actions.store.repository import Store
from tests.conftest import SEEDS, empty_database
from tests.skip_logic_consultation import SLUG, write_ferry
from tests.test_portal import PASSWORD, Browser
from tests.test_portal_themes import start_portal, text

OFFICER = "officer@millbrook.gov.uk"
COUNCILLOR = "cllr.marsh@millbrook.gov.uk"
NEW = f"/consultations/{SLUG}/keyed-responses/new"
SAVE = f"/consultations/{SLUG}/keyed-responses"
REFERENCE = re.compile(r"MB-[0-9A-Z]{4}-[0-9A-Z]{4}")


def every_type(document: dict) -> None:
    """Add a rank and a yes/no question to the ferry consultation (it has the other types)."""
    document["questions"] += [
        {
            "id": "priorities",
            "type": "rank",
            "text": "Rank what matters most on the ferry.",
            "options": ["Price", "Reliability", "Comfort"],
        },
        {"id": "card", "type": "yesno", "text": "Do you have a ferry season card?", "required": False},
    ]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"keyed-{request.param}")
    url = empty_database(request.param, workdir)
    upgrade(url)
    store = Store(url, "portal-salt")
    store.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    store.apply_bundle(read_bundle([write_ferry(workdir / "ferry.yml", every_type)], known_wards=store.known_ward_slugs()))
    add_user(store, OFFICER, PASSWORD, "officer")
    add_user(store, COUNCILLOR, PASSWORD, "councillor", "riverside")
    process, base = start_portal(workdir, url)
    yield {"base": base, "store": store, "url": url}
    process.terminate()
    process.wait(timeout=10)


def officer(site, email: str = OFFICER) -> Browser:
    browser = Browser(site["base"])
    assert browser.sign_in(email) == 302
    return browser


def blank_form(browser: Browser) -> tuple[str, str]:
    """The CSRF token and the form's own idempotency token, from a freshly opened form."""
    status, _, page = browser.request(NEW)
    assert status == 200, page[:300]
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    token = re.search(rb'name="token" value="([0-9a-f]{32})"', page).group(1).decode()
    return csrf, token


def post(browser: Browser, fields: list[tuple[str, str]], csrf: str | None) -> tuple[int, dict, str]:
    pairs = ([("csrf_token", csrf)] if csrf else []) + fields
    body = urllib.parse.urlencode(pairs).encode()
    try:
        with browser.opener.open(urllib.request.Request(browser.base + SAVE, data=body), timeout=60) as reply:
            return reply.status, dict(reply.headers), reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def good(token: str, **changes) -> list[tuple[str, str]]:
    """A complete paper response: drives by car and takes a bus, parking asked; 2 trips, so "season" is not asked."""
    fields = {
        "token": token,
        "channel": "paper",
        "received_on": "2026-11-18",
        "consent": "yes",
        "quote": "yes",
        "q-travel": ["Car", "Other (please specify)"],
        "q-travel-other": "My neighbour drives me, Mrs Jones at 4 Quay Street",
        "q-parking": "Dissatisfied",
        "q-trips": "2",
        "q-support": "Disagree",
        "q-why_not": "The last boat is too early for shift workers. Call me on 07700 900123.",
        "q-priorities-1": "2",
        "q-priorities-2": "1",
        "q-priorities-3": "",
        "q-card": "No",
        "postcode": "MB3 4AB",
        "age_band": "65-74",
    }
    fields.update(changes)
    pairs = []
    for key, value in fields.items():
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return pairs


def count_responses(site) -> int:
    with site["store"].session() as session:
        return len(session.scalars(select(ResponseRow.id)).all())


def problem_next_to(page: str, field: str) -> str:
    """The one-line problem shown inside the field's own block."""
    match = re.search(rf'id="field-{re.escape(field)}".*?<p class="error" id="error-{re.escape(field)}">([^<]+)</p>', page, re.S)
    assert match, f"no problem shown next to {field}"
    return html.unescape(match.group(1))


def test_an_officer_keys_in_a_paper_response_stored_like_a_chat_response(site):
    browser = officer(site)
    csrf, token = blank_form(browser)
    status, headers, _ = post(browser, good(token), csrf)
    assert status == 303
    reference = REFERENCE.search(headers["Location"]).group(0)
    assert headers["Location"] == f"/consultations/{SLUG}/keyed-responses/{reference}"
    status, _, page = browser.request(headers["Location"])
    assert status == 200
    assert f'<p class="reference" id="reference">{reference}</p>' in page.decode()
    assert "Paper response" in text(page) and "received 18 November 2026" in text(page)

    detail = site["store"].response_detail(reference)
    assert detail["channel"] == "paper" and detail["ward"] == "riverside" and detail["age_band"] == "65-74"
    assert detail["consent_quote"] is True and detail["notify_outcome"] is None
    assert detail["answers"] == {
        "travel": ["Car", "Other (please specify)"],
        "parking": "Dissatisfied",
        "trips": 2,
        "support": "Disagree",
        "why_not": "The last boat is too early for shift workers. Call me on [phone].",
        "priorities": ["Reliability", "Price"],
        "card": "No",
    }  # "season" was not asked (2 trips): no answer row at all
    assert "Jones" not in detail["other"]["travel"] and "Quay Street" not in detail["other"]["travel"]
    with site["store"].session() as session:
        row = session.scalar(select(ResponseRow).where(ResponseRow.reference == reference))
        assert str(row.received_on) == "2026-11-18" and row.keyed_by is not None and row.postcode_hash
        assert str(row.consent_privacy_at) == "2026-11-18 00:00:00"
    shown = text(browser.request(f"/responses/{reference}")[2])
    assert f"Channel Paper Received 18 November 2026, keyed in by {OFFICER}" in shown
    entries, _ = audit_entries(site["store"])
    entry = next(entry for entry in entries if entry.action == "key_in_response" and reference in entry.target)
    assert entry.actor == OFFICER and entry.details == {"channel": "paper", "received_on": "2026-11-18"}
    logged = json.dumps([entry.target, entry.details])
    assert "MB3" not in logged and "Disagree" not in logged and "shift" not in logged


def test_the_form_is_generated_from_every_question_and_links_the_paper_form(site):
    browser = officer(site)
    page = browser.request(NEW)[2].decode()
    for name in ("q-travel", "q-parking", "q-trips", "q-season", "q-support", "q-why_not", "q-priorities-3", "q-card"):
        assert f'name="{name}"' in page, name
    assert 'name="q-travel-other"' in page and 'name="q-season-other"' in page
    assert (
        "Asked only if you ticked &#34;Car&#34; in question 1" in page or 'Asked only if you ticked "Car" in question 1' in page
    )
    assert 'href="/consultations/ferry-terminal-timetable/paper-form.docx"' in page
    consultation_page = browser.request(f"/consultations/{SLUG}")[2].decode()
    assert f'href="{NEW}"' in consultation_page and "Printable paper form" in consultation_page
    status, headers, body = browser.request(f"/consultations/{SLUG}/paper-form.docx")
    assert status == 200 and body[:2] == b"PK" and "paper-form.docx" in headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(body))
    office_box = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "For office use" in office_box and "Reference" in office_box and "Received on" in office_box
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "Your privacy" in paragraphs and "I have read this and agree to take part." in " ".join(paragraphs)
    assert "6. What worries you about the new timetable?" in paragraphs and "8. Do you have a ferry season card?" in paragraphs


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"channel": "fax"}, "channel", "Choose how the response came in: paper, phone or in person."),
        ({"received_on": "2026-11-23"}, "received_on", "The date received can't be in the future (today is 22 November 2026)."),
        (
            {"received_on": "2026-10-31"},
            "received_on",
            "The consultation opened on 1 November 2026: a response can't be received before that.",
        ),
        ({"received_on": "18/11/2026"}, "received_on", "Enter the date as day, month and year, for example 2026-11-20."),
        (
            {"consent": None},
            "consent",
            "Tick this only if consent was given on the form or by the resident: without it nothing is saved.",
        ),
        (
            {"q-support": None},
            "q-support",
            "This question needs an answer. If the resident left it blank, tick “Left blank on the form”.",
        ),
        (
            {"q-support-blank": "yes"},
            "q-support",
            "There is an answer and “left blank on the form” is ticked: keep one of them.",
        ),
        ({"q-support": "Maybe"}, "q-support", "Not one of the options."),
        ({"q-trips": "lots"}, "q-trips", "Enter a number, in figures."),
        ({"q-trips": "51"}, "q-trips", "Enter a number from 0 to 50."),
        ({"q-priorities-2": "2"}, "q-priorities", "Use each number once, from 1 to 3."),
        (
            {"q-priorities-1": "3", "q-priorities-2": "1"},
            "q-priorities",
            "Number the options 1, 2, 3 and so on without gaps (1 to 3).",
        ),
        ({"q-travel": ["Car", "Hovercraft"]}, "q-travel", "Not a list of the options."),
        (
            {"q-travel": ["Car"]},
            "q-travel-other",
            'Written here only when "Other (please specify)" is chosen: choose it, or clear this box.',
        ),
        ({"q-why_not": "x" * 2001}, "q-why_not", "That's 2,001 characters, and the limit for this answer is 2,000."),
        (
            {"postcode": "not a postcode"},
            "postcode",
            "Enter a postcode like MB3 4AB (or its first part, like MB3 4), or leave it blank.",
        ),
        ({"ward": "harbourside"}, "ward", "This ward doesn't match the postcode: leave the ward blank, or correct one of them."),
        ({"age_band": "Teenager"}, "age_band", "Choose one of the age groups."),
    ],
)
def test_each_problem_is_one_line_next_to_its_field_and_nothing_is_saved(site, changes, field, message):
    browser = officer(site)
    csrf, token = blank_form(browser)
    before = count_responses(site)
    status, _, page = post(browser, good(token, **changes), csrf)
    assert status == 422
    assert problem_next_to(page, field) == message
    assert "Nothing was saved" in page
    assert count_responses(site) == before


def test_questions_not_asked_must_be_left_blank_and_are_not_stored(site):
    browser = officer(site)
    csrf, token = blank_form(browser)
    # "parking" is asked only of drivers; "season" only of 3 trips or more; "why_not" only if they disagree.
    unasked = good(token, **{"q-travel": ["Bus"], "q-travel-other": None, "q-support": "Agree", "q-season": "Summer"})
    status, _, page = post(browser, unasked, csrf)
    assert status == 422
    for field in ("q-parking", "q-season", "q-why_not"):
        assert (
            problem_next_to(page, field)
            == "Not asked, because of an earlier answer: clear this answer, or correct the earlier one."
        )
    fixed = good(
        token, **{"q-travel": ["Bus"], "q-travel-other": None, "q-support": "Agree", "q-parking": None, "q-why_not": None}
    )
    status, headers, _ = post(browser, fixed, csrf)
    assert status == 303
    reference = REFERENCE.search(headers["Location"]).group(0)
    answers = site["store"].response_detail(reference)["answers"]
    assert set(answers) == {"travel", "trips", "support", "priorities", "card"}  # no rows for parking, season, why_not


def test_other_please_specify_and_a_question_asked_by_a_number(site):
    browser = officer(site)
    csrf, token = blank_form(browser)
    fields = good(
        token,
        **{
            "q-trips": "4",
            "q-season": "Something else (please tell us)",
            "q-season-other": "School holidays",
            "q-support": "Agree",
            "q-why_not": None,
            "postcode": "MB1 2XY",
        },
    )
    status, headers, _ = post(browser, fields, csrf)
    assert status == 303
    detail = site["store"].response_detail(REFERENCE.search(headers["Location"]).group(0))
    assert detail["answers"]["season"] == "Something else (please tell us)" and detail["other"]["season"] == "School holidays"
    assert detail["ward"] == "harbourside"


def test_a_duplicate_is_shown_and_saved_only_when_the_officer_says_so(site):
    browser = officer(site)
    csrf, first = blank_form(browser)
    fields = {"q-support": "Strongly agree", "q-why_not": None, "postcode": "MB4 1ZZ", "channel": "phone"}
    status, headers, _ = post(browser, good(first, **fields), csrf)
    assert status == 303
    existing = REFERENCE.search(headers["Location"]).group(0)

    before = count_responses(site)
    _csrf, second = blank_form(browser)
    again = {**fields, "channel": "paper", "received_on": "2026-11-20"}
    status, _, page = post(browser, good(second, **again), csrf)
    assert status == 409 and count_responses(site) == before
    assert f"<strong>{existing}</strong>, received 18 November 2026 (Phone)" in page
    assert f'name="save_anyway" value="{existing}"' in page and "Save anyway" in page
    status, headers, _ = post(browser, good(second, **again, save_anyway=existing), csrf)
    assert status == 303 and count_responses(site) == before + 1
    assert REFERENCE.search(headers["Location"]).group(0) != existing

    _csrf, third = blank_form(browser)
    different = {**fields, "q-support": "Agree"}
    assert post(browser, good(third, **different), csrf)[0] == 303  # same postcode, different answers: no warning


def test_posting_the_same_form_twice_saves_one_response(site):
    browser = officer(site)
    csrf, token = blank_form(browser)
    fields = good(token, postcode="MB5 1AA", **{"q-card": "Yes"})
    first = post(browser, fields, csrf)
    before = count_responses(site)
    again = post(browser, fields, csrf)
    assert first[0] == again[0] == 303 and first[1]["Location"] == again[1]["Location"]
    assert count_responses(site) == before
    entries, _ = audit_entries(site["store"])
    reference = REFERENCE.search(first[1]["Location"]).group(0)
    assert len([entry for entry in entries if reference in entry.target]) == 1


def test_councillors_cannot_key_in(site):
    councillor = officer(site, COUNCILLOR)
    assert councillor.request(NEW)[0] == 403
    csrf = councillor.csrf(f"/consultations/{SLUG}")
    before = count_responses(site)
    assert post(councillor, good("0" * 32), csrf)[0] == 403
    assert count_responses(site) == before
    assert "Key in a paper or phone response" not in councillor.request(f"/consultations/{SLUG}")[2].decode()


def test_a_post_without_the_csrf_token_is_refused(site):
    browser = officer(site)
    _csrf, token = blank_form(browser)
    before = count_responses(site)
    status, _, page = post(browser, good(token, postcode="MB2 2AA"), None)
    assert status == 403 and "did not come from this site" in page
    assert count_responses(site) == before


def test_keyed_responses_count_in_results_exports_and_report_with_their_channel(site):
    browser = officer(site)
    csrf, token = blank_form(browser)
    status, headers, _ = post(browser, good(token, channel="in_person", postcode="MB2 3AA", received_on="2026-11-21"), csrf)
    assert status == 303
    reference = REFERENCE.search(headers["Location"]).group(0)
    results = text(browser.request(f"/consultations/{SLUG}")[2])
    assert re.search(r"Responses by channel Channel Responses (.* )?In person (fewer than 5|\d)", results), results[-400:]
    status, _, body = browser.request(f"/consultations/{SLUG}/export?format=csv")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))}
    assert rows[reference]["channel"] == "in_person" and rows[reference]["received_on"] == "2026-11-21"
    status, _, body = browser.request(f"/consultations/{SLUG}/export?format=json")
    record = next(item for item in json.loads(body)["responses"] if item["reference"] == reference)
    assert record["channel"] == "in_person" and record["received_on"] == "2026-11-21"
    report = text(browser.request(f"/consultations/{SLUG}/report.html")[2])
    assert "In person" in report
    crosstab = text(browser.request(f"/consultations/{SLUG}/crosstab?question=support&by=channel")[2])
    assert "In person" in crosstab and "Paper" in crosstab
    status, _, body = browser.request(f"/consultations/{SLUG}/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(body))["Responses"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    row = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == reference)
    assert row[header.index("channel")] == "in_person"
    assert row[header.index("received_on")] == dt.datetime(2026, 11, 21)  # a real date in Excel


def test_the_idempotency_token_cannot_reach_a_chat_response(site):
    """A form token is looked up only among keyed responses' keys ("keyed-" + token)."""
    store = site["store"]
    chat_key = "ab" * 16
    store.submit_response(
        consultation_slug=SLUG,
        channel="socketio",
        sender_id="chat-1",
        answers={"travel": ["Bus"], "trips": 1, "support": "Agree", "priorities": ["Price"]},
        submission_key=chat_key,
    )
    browser = officer(site)
    csrf, _token = blank_form(browser)
    status, headers, _ = post(browser, good(chat_key, postcode="MB4 2AA"), csrf)
    assert status == 303
    with store.session() as session:
        row = session.scalar(select(ResponseRow).where(ResponseRow.submission_key == "keyed-" + chat_key))
        assert row is not None and row.channel == "paper"
        assert session.scalar(select(AnswerRow.id).where(AnswerRow.response_id == row.id)) is not None


def test_a_required_question_left_blank_on_paper_is_kept_as_not_answered_when_the_officer_says_so(site):
    """A paper form can't insist on an answer: refusing it would lose the whole response."""
    browser = officer(site)
    csrf, token = blank_form(browser)
    status, headers, page = post(
        browser, good(token, **{"q-support": None, "q-support-blank": "yes", "q-why_not": None, "q-card": "Yes"}), csrf
    )
    assert status == 303, re.findall(r'class="error"[^>]*>([^<]+)', page)
    reference = REFERENCE.search(headers["Location"]).group(0)
    answers = site["store"].response_detail(reference)["answers"]
    assert answers["support"] is None and answers["parking"] == "Dissatisfied"  # asked, not answered: "skipped"
    assert 'name="q-support-blank"' in browser.request(NEW)[2].decode()
    assert 'name="q-card-blank"' not in browser.request(NEW)[2].decode()  # optional: "Left blank" is enough


def test_what_residents_wrote_for_other_can_be_read_and_searched_beside_the_comments(site):
    """An "other, please specify" text is a resident's own words like a comment: officers read it, redacted, on
    its own page linked from the question's results, and find its response by searching for its words."""
    browser = officer(site)
    csrf, token = blank_form(browser)
    wrote = "A lift from the hospital volunteer car scheme"
    changes = {"q-travel-other": wrote, "q-support": "Agree", "q-why_not": None, "q-card": "Yes"}
    status, headers, page = post(browser, good(token, **changes), csrf)
    assert status == 303, re.findall(r'class="error"[^>]*>([^<]+)', page)
    reference = REFERENCE.search(headers["Location"]).group(0)
    results = browser.request(f"/consultations/{SLUG}")[2].decode()
    link = re.search(
        r'<a href="([^"]+/comments/travel[^"]*)">Read what residents wrote for “Other \(please specify\)”</a>', results
    )
    assert link, "the travel question links to its other texts"
    page = text(browser.request(html.unescape(link.group(1)))[2])
    assert wrote in page and reference in page
    assert "Mrs Jones" not in page and "Quay Street" not in page  # the first response's text, redacted when stored
    found = text(browser.request(f"/consultations/{SLUG}/comments/travel?q=volunteer")[2])
    assert wrote in found and "1–1 of 1" in found
    listing = text(browser.request(f"/consultations/{SLUG}/responses?q=volunteer")[2])
    assert reference in listing
    assert browser.request(f"/consultations/{SLUG}/comments/trips")[0] == 404  # a number question has no texts
