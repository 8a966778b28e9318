"""The review portal, run for real as a subprocess on a free port and used over HTTP."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
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

from actions.store.accounts import add_user
from tests.conftest import PROJECT_ROOT
from tests.servers import free_port

PASSWORD = "correct horse battery staple"
HARBOUR = "harbour-road-cycle-lane"


class Browser:
    """A tiny cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as reply:
                return reply.status, dict(reply.headers), reply.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def csrf(self, path: str = "/login") -> str:
        _status, _headers, page = self.request(path)
        return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()

    def sign_in(self, email: str, password: str = PASSWORD) -> int:
        return self.request("/login", {"csrf_token": self.csrf(), "email": email, "password": password})[0]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    from actions.content.files import read_bundle
    from actions.store.migrate import upgrade
    from actions.store.repository import Store
    from tests.conftest import SEEDS

    workdir = tmp_path_factory.mktemp("portal")
    url = f"sqlite:///{workdir / 'portal.db'}"
    upgrade(url)
    store = Store(url, "portal-salt")
    store.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    when = dt.datetime(2026, 11, 20, 10)
    store.submit_response(
        consultation_slug=HARBOUR,
        channel="socketio",
        sender_id="r1",
        submitted_at=when,
        ward_slug="riverside",
        answers={"support": "Agree", "design": "Option C - shared path", "comments": "<script>alert('owned')</script> & parking"},
        themes={"comments": ["parking"]},
        notify_outcome=True,
    )
    store.submit_response(
        consultation_slug=HARBOUR,
        channel="twilio",
        sender_id="r2",
        submitted_at=when,
        ward_slug="harbourside",
        answers={"support": "Disagree", "design": "Option A - kerb-separated lane", "comments": "Too expensive"},
    )
    withdrawn = store.submit_response(
        consultation_slug=HARBOUR,
        channel="rest",
        sender_id="r3",
        submitted_at=when,
        ward_slug="riverside",
        answers={"support": "Strongly agree", "comments": "WITHDRAWN COMMENT"},
    )
    store.withdraw_response(withdrawn)
    for kind, wording, question_id in [
        ("question", "Are we losing parking?", None),
        ("question", "are we losing parking", None),
        ("question", "ARE WE LOSING PARKING!!", None),
        ("question", "is the quay path staying open? ring me on 07700 900123", None),
        ("question", "<script>alert('unanswered')</script> when do works start?", None),
        ("answer", "plan b i guess", "design"),
        ("answer", "not a hope", "support"),
        ("answer", "Not a hope!", "support"),
    ]:
        store.record_unanswered(HARBOUR, kind, wording, question_id)
    add_user(store, "officer@millbrook.gov.uk", PASSWORD, "officer")
    add_user(store, "cllr.marsh@millbrook.gov.uk", PASSWORD, "councillor", "riverside")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_PORT": str(port),
        "PORTAL_SECRET_KEY": Fernet.generate_key().decode(),
        "PORTAL_ALLOW_HTTP": "true",  # plain http://127.0.0.1; Secure cookies are tested in test_portal_sign_in.py
        "SENDER_HASH_SALT": "portal-salt",
        "HYS_VAR_DIR": str(workdir),
        "HYS_TODAY": "2026-11-22",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.portal.app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "portal.log", "wb"),
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield {"base": base, "env": env, "withdrawn": withdrawn, "store": store}
    process.terminate()
    process.wait(timeout=10)


def test_pages_need_sign_in(portal):
    status, headers, _ = Browser(portal["base"]).request("/")
    assert status == 302 and headers["Location"].startswith("/login")


def test_wrong_password_is_refused(portal):
    assert Browser(portal["base"]).sign_in("officer@millbrook.gov.uk", "wrong password here") == 401


def test_a_post_without_a_csrf_token_is_refused(portal):
    browser = Browser(portal["base"])
    browser.request("/login")
    status, _, body = browser.request("/login", {"email": "officer@millbrook.gov.uk", "password": PASSWORD})
    assert status == 403 and b"expired" in body
    status, _, _ = browser.request("/login", {"csrf_token": "forged", "email": "officer@millbrook.gov.uk", "password": PASSWORD})
    assert status == 403


def test_session_cookie_is_httponly_and_samesite(portal):
    browser = Browser(portal["base"])
    browser.request("/login")
    status, headers, _ = browser.request(
        "/login", {"csrf_token": browser.csrf(), "email": "officer@millbrook.gov.uk", "password": PASSWORD}
    )
    assert status == 302
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_officer_sees_everything_escaped_and_never_withdrawn(portal):
    browser = Browser(portal["base"])
    assert browser.sign_in("officer@millbrook.gov.uk") == 302
    status, _, listing = browser.request("/")
    assert status == 200 and b"Harbour Road cycle lane" in listing and b"Westfield leisure centre" in listing
    status, _, page = browser.request(f"/consultations/{HARBOUR}")
    assert status == 200
    assert b"<svg" in page and b"<table>" in page and b'role="img"' in page
    assert b"2</strong> submitted responses" in page
    assert b"personal=1" in page
    status, _, page = browser.request(f"/consultations/{HARBOUR}/comments/comments")
    assert status == 200
    assert b"<script>alert" not in page
    assert b"&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; &amp; parking" in page
    assert b"WITHDRAWN COMMENT" not in page
    status, _, _ = browser.request(f"/responses/{portal['withdrawn']}")
    assert status == 404


def test_councillor_starts_on_their_ward_and_cannot_export_personal_data(portal):
    browser = Browser(portal["base"])
    assert browser.sign_in("cllr.marsh@millbrook.gov.uk") == 302
    status, _, page = browser.request(f"/consultations/{HARBOUR}")
    assert status == 200
    assert b'<option value="riverside" selected>' in page
    assert b"1</strong> submitted response match" in page  # only Riverside's one
    status, _, everyone = browser.request(f"/consultations/{HARBOUR}?ward=all")
    assert b"2</strong> submitted responses" in everyone  # the district's totals
    assert b"personal=1" not in everyone
    # ...but only their own ward's comments and downloads, whatever the ward filter says.
    status, _, comments = browser.request(f"/consultations/{HARBOUR}/comments/comments?ward=all")
    assert status == 200 and b"parking" in comments and b"Too expensive" not in comments
    status, _, body = browser.request(f"/consultations/{HARBOUR}/export?format=csv&personal=1")
    assert status == 403 and b"Only officers" in body
    status, _, download = browser.request(f"/consultations/{HARBOUR}/export?format=csv&ward=all")
    assert status == 200 and b"Too expensive" not in download and b"parking" in download


def test_unanswered_questions_page_is_linked_counted_grouped_and_escaped(portal):
    browser = Browser(portal["base"])
    browser.sign_in("officer@millbrook.gov.uk")
    _status, _, results = browser.request(f"/consultations/{HARBOUR}")
    assert f'href="/consultations/{HARBOUR}/unanswered"'.encode() in results
    status, _, page = browser.request(f"/consultations/{HARBOUR}/unanswered")
    assert status == 200
    text = page.decode()
    assert "<h1>Questions residents asked that we couldn't answer</h1>" in text
    assert "add a FAQ, an alias or an option" in text and "haveyoursay load" in text
    questions, answers = text.split("Answers not understood after two tries")
    # The three parking wordings are one group of 3, newest wording first; the phone number was never stored.
    parking = re.search(r"<tr><td><ul class=\"examples\">(.*?)</ul></td><td class=\"num\">(\d+)</td>", questions)
    assert parking.group(2) == "3"
    assert re.findall(r"<li>(.*?)</li>", parking.group(1)) == [
        "ARE WE LOSING PARKING!!",
        "are we losing parking",
        "Are we losing parking?",
    ]
    assert "is the quay path staying open?" in questions and "07700" not in text and "900123" not in text
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#39;unanswered&#39;)&lt;/script&gt; when do works start?" in questions
    # Answers appear under their survey question's text, in survey order.
    support = answers.index("How far do you agree or disagree with building a protected cycle lane on Harbour Road?")
    design = answers.index("Which design do you prefer?")
    assert support < answers.index("not a hope") < design < answers.index("plan b i guess")
    assert re.search(r"Not a hope!</li><li>not a hope</li></ul></td><td class=\"num\">2</td>", answers)
    assert "not a hope" not in questions and "parking" not in answers


def test_unanswered_questions_follow_the_results_page_access_rules(portal):
    path = f"/consultations/{HARBOUR}/unanswered"
    status, headers, _ = Browser(portal["base"]).request(path)
    assert status == 302 and headers["Location"] == f"/login?next={path}"
    councillor = Browser(portal["base"])
    councillor.sign_in("cllr.marsh@millbrook.gov.uk")
    assert councillor.request(f"/consultations/{HARBOUR}")[0] == 200
    status, _, page = councillor.request(path)  # like the results: every consultation, not only their ward
    assert status == 200 and b"Are we losing parking?" in page
    assert councillor.request("/consultations/nope/unanswered")[0] == 404


def test_the_json_download_includes_the_unanswered_groups(portal):
    browser = Browser(portal["base"])
    browser.sign_in("officer@millbrook.gov.uk")
    status, _, download = browser.request(f"/consultations/{HARBOUR}/export?format=json&ward=all")
    assert status == 200
    groups = json.loads(download)["unanswered"]
    assert [(g["kind"], g["question_id"], g["count"]) for g in groups][:2] == [("question", None, 3), ("answer", "support", 2)]
    assert groups[1]["examples"] == ["Not a hope!", "not a hope"]
    assert b"900123" not in download


def test_single_response_view(portal):
    browser = Browser(portal["base"])
    browser.sign_in("officer@millbrook.gov.uk")
    reference = next(
        r for r in re.findall(rb"/responses/(MB-[A-Z0-9-]+)", browser.request(f"/consultations/{HARBOUR}/responses?ward=all")[2])
    )
    status, _, page = browser.request(f"/responses/{reference.decode()}")
    assert status == 200 and reference in page and b"Wants to hear the outcome" in page and b"Channel" in page
    councillor = Browser(portal["base"])
    councillor.sign_in("cllr.marsh@millbrook.gov.uk")
    status, _, body = councillor.request(f"/responses/{reference.decode()}")
    assert status == 403 and b"Only officers" in body and reference not in body


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_the_export_download_matches_the_cli_export(portal, fmt, tmp_path):
    browser = Browser(portal["base"])
    browser.sign_in("officer@millbrook.gov.uk")
    status, headers, download = browser.request(f"/consultations/{HARBOUR}/export?format={fmt}&ward=all")
    assert status == 200
    assert f'filename="{HARBOUR}-2026-11-22.{fmt}"' in headers["Content-Disposition"]
    out = tmp_path / f"cli.{fmt}"
    cli = subprocess.run(
        [sys.executable, "-m", "actions.cli", "export", "--consultation", HARBOUR, "--format", fmt, "--out", str(out)],
        cwd=PROJECT_ROOT,
        env=portal["env"],
        capture_output=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert download == out.read_bytes()


def test_bad_filters_get_a_clear_message_not_an_error(portal):
    browser = Browser(portal["base"])
    browser.sign_in("officer@millbrook.gov.uk")
    status, _, page = browser.request(f"/consultations/{HARBOUR}?since=yesterday&ward=atlantis")
    assert status == 200 and b"is not a date like 2026-11-22" in page and b"Unknown ward" in page
    assert browser.request(f"/consultations/{HARBOUR}/export?format=pdf")[0] == 400
    assert browser.request("/consultations/nope")[0] == 404


def test_pages_render_in_headless_chromium_without_console_errors_or_serious_axe_violations(portal):
    from tests.browser_support import run_node

    reference = portal["store"].submit_response(
        consultation_slug=HARBOUR, channel="rest", sender_id="browser", answers={"support": "Agree"}
    )
    report = run_node(
        "tests/browser/check_pages.mjs",
        {
            "base": portal["base"],
            "login": {"email": "officer@millbrook.gov.uk", "password": PASSWORD},
            "pages": [
                "/",
                f"/consultations/{HARBOUR}",
                f"/consultations/{HARBOUR}?ward=riverside&theme=parking",
                "/consultations/library-opening-hours",
                f"/consultations/{HARBOUR}/unanswered",
                "/consultations/library-opening-hours/unanswered",
                f"/responses/{reference}",
            ],
        },
    )
    for page in report["pages"]:
        assert page["status"] == 200, page
        assert page["axeVersion"].startswith("4."), "axe-core must actually have run"
        assert page["consoleErrors"] == [], page
        assert page["failedRequests"] == [], page
        assert page["violations"] == [], page


# Each value is put in the sign-in link's query string exactly as written (an attacker's link).
REFUSED_NEXT = {
    "tab": "/%09/evil.example",
    "newline": "/%0A/evil.example",
    "carriage return and newline": "/%0D%0A/evil.example",
    "leading tab": "%09//evil.example",
    "NUL": "/%00/evil.example",
    "backslash": "/%5Cevil.example",
    "backslash then slash": "%5C/evil.example",
    "encoded slashes": "/%252F%252Fevil.example",
    "encoded slashes from the start": "%252F%252Fevil.example",
    "encoded backslash": "/%255Cevil.example",
    "double-encoded slashes": "/%25252F%25252Fevil.example",
    "double-encoded tab": "/%2509/evil.example",
    "absolute https URL": "https%3A%2F%2Fevil.example%2F",
    "absolute http URL with a path": "http://evil.example/consultations",
    "scheme-relative": "//evil.example/",
    "scheme-relative, encoded": "%2F%2Fevil.example",
    "slash backslash": "/%5Cevil.example/x",
    "javascript:": "javascript:alert(document.cookie)",
    "data:": "data:text/html,hello",
    "no leading slash": "evil.example",
    "leading space": "%20//evil.example",
}
# ...and same-site paths, with their query strings, that must still work (sent encoded, as the portal links them).
ALLOWED_NEXT = [
    "/",
    "/consultations/harbour-road-cycle-lane",
    "/consultations/harbour-road-cycle-lane?ward=riverside&since=2026-11-01",
    "/consultations/harbour-road-cycle-lane/export?format=csv&ward=all",
]


def sign_in_with_next(portal, raw_next: str) -> tuple[int, str]:
    browser = Browser(portal["base"])
    token = browser.csrf()
    status, headers, _ = browser.request(
        f"/login?next={raw_next}", {"csrf_token": token, "email": "officer@millbrook.gov.uk", "password": PASSWORD}
    )
    return status, headers.get("Location", "")


@pytest.mark.parametrize("raw_next", REFUSED_NEXT.values(), ids=REFUSED_NEXT.keys())
def test_sign_in_never_redirects_off_the_site(portal, raw_next):
    assert sign_in_with_next(portal, raw_next) == (302, "/")


@pytest.mark.parametrize("target", ALLOWED_NEXT)
def test_sign_in_returns_to_the_page_asked_for_with_its_query_string(portal, target):
    assert sign_in_with_next(portal, urllib.parse.quote(target, safe="")) == (302, target)


def test_a_signed_out_visit_comes_back_to_the_same_page_and_filter_after_sign_in(portal):
    browser = Browser(portal["base"])
    page = f"/consultations/{HARBOUR}?ward=riverside&since=2026-11-01"
    status, headers, _ = browser.request(page)
    assert status == 302
    login = headers["Location"]
    _status, _headers, form = browser.request(login)
    action = re.search(rb'<form method="post" action="([^"]+)"', form).group(1).decode().replace("&amp;", "&")
    status, headers, _ = browser.request(
        action, {"csrf_token": browser.csrf(login), "email": "officer@millbrook.gov.uk", "password": PASSWORD}
    )
    assert status == 302 and headers["Location"] == page


def test_a_single_response_tells_not_asked_from_skipped_and_shows_the_other_text(portal, tmp_path):
    from actions.content.files import read_bundle
    from tests.skip_logic_consultation import SLUG, write_ferry

    store = portal["store"]
    store.apply_bundle(read_bundle([write_ferry(tmp_path / "ferry.yml")], known_wards=store.known_ward_slugs()))
    reference = store.submit_response(
        consultation_slug=SLUG,
        channel="rest",
        sender_id="r-ferry",
        answers={"travel": ["Bus", "Other (please specify)"], "trips": None, "support": "Agree"},
        other_texts={"travel": "<b>a lift</b> from my son"},
        themes={"travel": ["young_people"]},
    )
    browser = Browser(portal["base"])
    browser.sign_in("officer@millbrook.gov.uk")
    status, _, page = browser.request(f"/responses/{reference}")
    assert status == 200
    rows = dict(re.findall(rb'<th scope="row">\d+\. ([^<]+)</th>\s*<td>(.*?)</td>', page, re.S))
    assert b"Not asked" in rows[b"How satisfied are you with parking at the ferry terminal?"]
    assert b"Skipped" in rows[b"About how many ferry trips do you make in a month?"]
    assert (
        b"Other (please specify): <q>&lt;b&gt;a lift&lt;/b&gt; from my son</q>"
        in rows[b"How do you usually get to the ferry terminal?"]
    )
