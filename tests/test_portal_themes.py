"""The themes pages of the review portal, run for real as a subprocess and used over HTTP."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from cryptography.fernet import Fernet

from actions.store import comment_review as review
from actions.store import themes
from actions.store.accounts import add_user
from tests.conftest import PROJECT_ROOT
from tests.servers import free_port
from tests.test_portal import PASSWORD, Browser

HARBOUR = "harbour-road-cycle-lane"
LIBRARY = "library-opening-hours"
OFFICER = "officer@millbrook.gov.uk"
COUNCILLOR = "cllr.marsh@millbrook.gov.uk"
PARKING = "Parking outside the shops is already impossible on Saturdays."
TRAFFIC = "The lorries to the ferry queue back past the school every morning."
NAMED = "Zbigniew at number 4 keeps his van on the pavement, it is dangerous."


def start_portal(workdir, url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_PORT": str(port),
        "PORTAL_SECRET_KEY": Fernet.generate_key().decode(),
        "PORTAL_ALLOW_HTTP": "true",
        "SENDER_HASH_SALT": "portal-salt",
        "HYS_VAR_DIR": str(workdir),
        "HYS_TODAY": "2026-11-22",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.portal.app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "portal.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return process, base


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    from actions.content.files import read_bundle
    from actions.store.migrate import upgrade
    from actions.store.repository import Store
    from tests.conftest import SEEDS

    workdir = tmp_path_factory.mktemp("themes-portal")
    url = f"sqlite:///{workdir / 'portal.db'}"
    upgrade(url)
    store = Store(url, "portal-salt")
    store.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    for number, (comment, tags) in enumerate(
        [(PARKING, ["parking", "businesses"]), (TRAFFIC, ["traffic", "young_people"]), (NAMED, ["safety"])]
    ):
        store.submit_response(
            consultation_slug=HARBOUR,
            channel="socketio",
            sender_id=f"resident-{number}",
            submitted_at=dt.datetime(2026, 11, 10 + number, 9),
            answers={"support": "Agree", "comments": comment},
            themes={"comments": tags},
            consent_quote=True,
        )
    store.submit_response(
        consultation_slug=LIBRARY,
        channel="rest",
        sender_id="reader",
        answers={"use_library": "Yes", "comments": "Keep Saturdays."},
        themes={"comments": ["opening_hours"]},
    )
    add_user(store, OFFICER, PASSWORD, "officer")
    add_user(store, COUNCILLOR, PASSWORD, "councillor", "riverside")
    process, base = start_portal(workdir, url)
    ids = {comment.text: comment.answer_id for comment in review.comment_page(store, HARBOUR, per_page=50).comments}
    library = review.comment_page(store, LIBRARY).comments[0].answer_id
    yield {"base": base, "store": store, "ids": ids, "library": library}
    process.terminate()
    process.wait(timeout=10)


def officer(portal) -> Browser:
    browser = Browser(portal["base"])
    assert browser.sign_in(OFFICER) == 302
    return browser


def post(browser: Browser, path: str, fields: dict | list) -> tuple[int, dict, bytes]:
    """A form POST with the session's CSRF token; a list of pairs sends repeated fields (checkboxes)."""
    token = browser.csrf(f"/consultations/{HARBOUR}/themes")  # every signed-in page carries it (sign-out form)
    pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
    body = urllib.parse.urlencode([("csrf_token", token), *pairs]).encode()
    try:
        with browser.opener.open(urllib.request.Request(browser.base + path, data=body), timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def text(page: bytes) -> str:
    """The page's visible words, tags removed and entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.decode())).split())


def test_councillors_read_the_themes_but_cannot_review_or_change_them(portal):
    browser = Browser(portal["base"])
    assert browser.sign_in(COUNCILLOR) == 302
    status, _, page = browser.request(f"/consultations/{HARBOUR}/themes")
    assert status == 200 and "Parking" in text(page) and 'name="action" value="confirm"' not in page.decode()
    answer = portal["ids"][PARKING]
    assert browser.request(f"/consultations/{HARBOUR}/themes/review")[0] == 403
    assert browser.request(f"/consultations/{HARBOUR}/themes/review/{answer}")[0] == 403
    assert post(browser, f"/consultations/{HARBOUR}/themes", {"action": "confirm", "theme": "parking"})[0] == 403
    assert post(browser, f"/consultations/{HARBOUR}/themes/review/{answer}", {"action": "note", "note": "x"})[0] == 403
    assert themes.themes_of(portal["store"], HARBOUR).get("parking").status == "suggested"


def test_an_officer_confirms_rejects_renames_adds_and_merges_themes(portal):
    browser = officer(portal)
    base = f"/consultations/{HARBOUR}/themes"
    for fields in (
        {"action": "confirm", "theme": "parking"},
        {"action": "reject", "theme": "young_people"},
        {"action": "rename", "theme": "traffic", "name": "Lorries and traffic"},
        {"action": "add", "name": "Ferry terminal"},
        {"action": "merge", "theme": "businesses", "into": "parking"},
    ):
        status, headers, _ = post(browser, base, fields)
        assert status == 303 and headers["Location"] == base, fields
    status, _, page = browser.request(base)
    words = text(page)
    assert "Merged into “Parking”." in words  # the last change's message
    assert re.search(r"Parking Confirmed 1 0 1 officer@millbrook\.gov\.uk", words)  # 1 comment (parking+businesses)
    assert re.search(r"Ferry terminal added by an officer Confirmed 0 0 0 officer@", words)
    assert re.search(r"Lorries and traffic Suggested 1 0 1 officer@", words)
    assert re.search(r"Young people Rejected 0 0 1 officer@", words)
    assert re.search(r"Businesses Merged into Parking 0 0 1", words)
    assert "officer@millbrook.gov.uk merged theme “Businesses” into “Parking”" in words  # recent changes
    status, _, _ = post(browser, base, {"action": "add", "name": "ferry TERMINAL"})
    assert "Not changed: There is already a theme called “Ferry terminal”." in text(browser.request(base)[2])
    book = themes.themes_of(portal["store"], HARBOUR)
    assert (book.get("traffic").name, book.get("ferry_terminal").status, book.get("businesses").merged_into) == (
        "Lorries and traffic",
        "confirmed",
        "parking",
    )


def test_reviewing_a_comment_themes_flags_tags_notes_and_redaction(portal):
    browser = officer(portal)
    store, answer = portal["store"], portal["ids"][NAMED]
    path = f"/consultations/{HARBOUR}/themes/review/{answer}?status=unreviewed"
    status, _, page = browser.request(path)
    assert status == 200 and NAMED in html.unescape(page.decode())
    themes.add_theme(store, HARBOUR, "Pavement parking", OFFICER)
    status, headers, _ = post(browser, path, [("action", "themes"), ("theme", "safety"), ("theme", "pavement_parking")])
    assert status == 303 and headers["Location"] == path
    for fields in (
        [("action", "tag"), ("tag", "Enforcement")],
        [("action", "note"), ("note", "Passed to parking enforcement, case 1182.")],
        [("action", "flags"), ("flag", "needs_reply"), ("flag", "personal_data")],
        [("action", "redact"), ("words", "Zbigniew, number 4")],
    ):
        assert post(browser, path, fields)[0] == 303, fields
    found = review.comment(store, HARBOUR, answer)
    assert found.text == "[removed] at [removed] keeps his van on the pavement, it is dangerous."
    assert found.themes == ["pavement_parking", "safety"] and found.reviewed_by == OFFICER
    assert found.tags == ["enforcement"] and set(found.flags) == {"needs_reply", "personal_data", "redacted"}
    assert [note["text"] for note in found.notes] == ["Passed to parking enforcement, case 1182."]
    words = text(browser.request(path)[2])
    assert "Personal data removed. The comment is flagged “contains personal data” and won't be quoted." in words
    assert "Zbigniew" not in words and "Can be quoted in the report No: it is flagged" in words
    from actions.store.audit import audit_entries

    entries, _total = audit_entries(store, 10, 0)
    assert [(e.action, e.target, e.actor) for e in entries][0] == ("redact_comment", found.reference, OFFICER)
    # The list of comments shows the reviewed one under "Reviewed", with its tag and flags.
    listing = text(browser.request(f"/consultations/{HARBOUR}/themes/review?status=reviewed")[2])
    assert "1 comment matches" in listing and "#enforcement" in listing and "Needs a reply" in listing
    # Save and go to the next comment not yet reviewed.
    status, headers, _ = post(browser, path, [("action", "themes_next"), ("theme", "safety")])
    assert headers["Location"].startswith(f"/consultations/{HARBOUR}/themes/review/{portal['ids'][PARKING]}")


def test_forms_without_the_token_and_other_consultations_comments_are_refused(portal):
    browser = officer(portal)
    answer = portal["ids"][TRAFFIC]
    assert browser.request(f"/consultations/{HARBOUR}/themes/review/{answer}", {"action": "note", "note": "x"})[0] == 403
    assert browser.request(f"/consultations/{HARBOUR}/themes", {"action": "confirm", "theme": "traffic"})[0] == 403
    assert browser.request(f"/consultations/{HARBOUR}/themes/review/{portal['library']}")[0] == 404
    status, _, _ = post(browser, f"/consultations/{HARBOUR}/themes/review/{portal['library']}", {"action": "note", "note": "x"})
    assert status == 404
    assert review.comment(portal["store"], LIBRARY, portal["library"]).notes == []
    assert browser.request("/consultations/nope/themes")[0] == 404


def test_the_report_opens_and_downloads_in_every_format_and_downloads_are_audited(portal):
    import base64
    import hashlib
    import io

    import docx

    from actions.store.audit import audit_entries

    browser = Browser(portal["base"])
    assert browser.sign_in(COUNCILLOR) == 302  # totals and consented quotes only: councillors may publish it too
    status, _, page = browser.request(f"/consultations/{HARBOUR}/report")
    assert status == 200 and "Report to publish" in text(page) and "Download PDF" in text(page)
    status, headers, body = browser.request(f"/consultations/{HARBOUR}/report.docx")
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert headers["Content-Disposition"] == f'attachment; filename="{HARBOUR}-report-2026-11-22.docx"'
    title = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs if p.style.name == "Title"]
    assert title == ["Harbour Road cycle lane: we asked, you said, we did"]
    status, headers, body = browser.request(f"/consultations/{HARBOUR}/report.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    # The web page is shown in the browser with its own inline styles allowed by their hash, and nothing else.
    status, headers, body = browser.request(f"/consultations/{HARBOUR}/report.html")
    assert status == 200 and "Content-Disposition" not in headers
    style = re.search(rb"<style>(.*?)</style>", body, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style).digest()).decode()
    assert f"style-src 'sha256-{digest}';" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    status, headers, _ = browser.request(f"/consultations/{HARBOUR}/report.html?download=1")
    assert headers["Content-Disposition"].endswith('.html"')
    assert browser.request(f"/consultations/{HARBOUR}/report.xlsx")[0] == 404
    entries, _total = audit_entries(portal["store"], 10, 0)
    downloads = [
        (e.action, e.target, e.actor, e.details.get("format"))
        for e in entries
        if e.details.get("format", "").startswith("report")
    ]
    assert downloads == [
        ("export", HARBOUR, COUNCILLOR, "report.html"),
        ("export", HARBOUR, COUNCILLOR, "report.pdf"),
        ("export", HARBOUR, COUNCILLOR, "report.docx"),
    ]


MARKET = "market-square-events"


def test_filters_counts_and_exports_follow_the_themes_as_officers_left_them(portal, tmp_path):
    """Suggested themes are only suggestions: after officers reject, merge, add, assign and remove themes, the
    results page's theme filter, its counts, its filter choices and the exports (portal and command line) follow
    their decisions, not the tagger's tags."""
    import csv
    import io

    store = portal["store"]
    comments = {
        "noise": ("Far too loud after ten at night.", ["noise"]),
        "parking": ("Traders' vans fill every space on the square.", ["parking"]),
        "traffic": ("The diversions send buses down our street.", ["traffic"]),
        "toilets": ("The toilets were locked all afternoon.", ["facilities"]),
    }
    references = {
        name: store.submit_response(
            consultation_slug=MARKET,
            channel="socketio",
            sender_id=f"market-{name}",
            submitted_at=dt.datetime(2026, 11, 12, 10),
            answers={"live_nearby": "Yes", "comments": comment},
            themes={"comments": tags},
        )
        for name, (comment, tags) in comments.items()
    }
    ids = {comment.text: comment.answer_id for comment in review.comment_page(store, MARKET, per_page=50).comments}
    browser = officer(portal)
    base = f"/consultations/{MARKET}/themes"
    for fields in (
        {"action": "reject", "theme": "noise"},
        {"action": "merge", "theme": "traffic", "into": "parking"},
        {"action": "add", "name": "Cleanliness"},
    ):
        assert post(browser, base, fields)[0] == 303, fields
    toilets = f"{base}/review/{ids[comments['toilets'][0]]}"
    assert post(browser, toilets, [("action", "themes"), ("theme", "facilities"), ("theme", "cleanliness")])[0] == 303
    parking = f"{base}/review/{ids[comments['parking'][0]]}"
    assert post(browser, parking, [("action", "themes")])[0] == 303  # every theme taken off this comment

    def responding(theme: str) -> int:
        page = browser.request(f"/consultations/{MARKET}?theme={theme}")[2].decode()
        return int(re.search(r"([\d,]+)</strong> submitted response", page).group(1).replace(",", ""))

    # Tagged noise, but officers rejected it; traffic's comment now counts as parking; parking's own comment
    # had its theme taken off; an officer added cleanliness to the toilets comment.
    assert {theme: responding(theme) for theme in ("noise", "traffic", "parking", "cleanliness", "facilities")} == {
        "noise": 0,
        "traffic": 0,
        "parking": 1,
        "cleanliness": 1,
        "facilities": 1,
    }
    words = text(browser.request(f"/consultations/{MARKET}")[2])
    counts = dict(re.findall(r"(Noise|Parking|Traffic|Cleanliness|Facilities) (\d+)", words.split("Comments per theme")[1]))
    assert counts == {"Parking": "1", "Cleanliness": "1", "Facilities": "1"}
    choices = re.findall(
        r'<option value="([a-z_]+)"',
        browser.request(f"/consultations/{MARKET}")[2].decode().split('name="theme"')[1].split("</select>")[0],
    )
    assert "cleanliness" in choices and "parking" in choices and "noise" not in choices and "traffic" not in choices

    listing = text(browser.request(f"/consultations/{MARKET}/comments/comments")[2])
    assert "The toilets were locked all afternoon." in listing and "Themes: Cleanliness Facilities" in listing
    assert "Themes: Noise" not in listing and "Themes: Traffic" not in listing and "Themes: Parking" in listing

    status, _headers, body = browser.request(f"/consultations/{MARKET}/export?format=csv&ward=all&theme=parking")
    exported = [row["reference"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))]
    assert status == 200 and exported == [references["traffic"]]
    out = tmp_path / "parking.csv"
    env = {**os.environ, "DATABASE_URL": store.url, "SENDER_HASH_SALT": "portal-salt", "HYS_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "actions.cli", "export", "--consultation", MARKET, "--theme", "parking", "--out", str(out)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [row["reference"] for row in csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))] == [references["traffic"]]
