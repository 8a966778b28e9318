"""The consultation editor, over HTTP against the real portal (a subprocess) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
import yaml

from actions.store.accounts import add_user
from actions.store.audit import audit_entries
from tests.conftest import BACKENDS, PROJECT_ROOT, empty_database
from tests.test_portal import PASSWORD, Browser
from tests.test_portal_themes import start_portal, text

HARBOUR = "harbour-road-cycle-lane"
OFFICER = "officer@millbrook.gov.uk"
COUNCILLOR = "cllr.marsh@millbrook.gov.uk"
ANSWERS = {"support": "Agree", "design": "Option C - shared path", "concerns": ["Cost"], "comments": "Good idea"}


@pytest.fixture(scope="module", params=BACKENDS)
def portal(request, tmp_path_factory):
    from actions.content.files import read_bundle
    from actions.store.migrate import upgrade
    from actions.store.repository import Store
    from tests.conftest import SEEDS

    workdir = tmp_path_factory.mktemp("editor-portal")
    url = empty_database(request.param, workdir)
    upgrade(url)
    store = Store(url, "portal-salt")
    store.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    reference = store.submit_response(
        consultation_slug=HARBOUR, channel="rest", sender_id="r1", submitted_at=dt.datetime(2026, 11, 20, 10), answers=ANSWERS
    )
    add_user(store, OFFICER, PASSWORD, "officer")
    add_user(store, COUNCILLOR, PASSWORD, "councillor", "riverside")
    process, base = start_portal(workdir, url)
    wait_until_up(base)
    yield {"base": base, "store": store, "reference": reference, "url": url, "workdir": workdir}
    process.terminate()
    process.wait(timeout=10)


def wait_until_up(base: str, seconds: float = 90) -> None:
    """start_portal waits 30 s; on a loaded machine the portal can take longer to answer its health check."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(base + "/health", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class FormReader(HTMLParser):
    """The fields a browser would send for the form with ``form_id`` (checked boxes, selected options)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("file",):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)


def form_fields(page: bytes, form_id: str = "editor-form") -> dict:
    reader = FormReader(form_id)
    reader.feed(page.decode())
    fields: dict = {}
    for name, value in reader.fields:
        fields.setdefault(name, []).append(value)
    return fields


def post(browser: Browser, path: str, fields: dict) -> tuple[int, dict, bytes]:
    pairs = [(name, value) for name, values in fields.items() for value in (values if isinstance(values, list) else [values])]
    if not any(name == "csrf_token" for name, _ in pairs):
        pairs.append(("csrf_token", browser.csrf("/")))
    body = urllib.parse.urlencode(pairs).encode()
    try:
        with browser.opener.open(urllib.request.Request(browser.base + path, data=body), timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def officer(portal) -> Browser:
    browser = Browser(portal["base"])
    assert browser.sign_in(OFFICER) == 302
    return browser


NEW = {
    "slug": "skate-park",
    "title": "A skate park for Millbrook",
    "opens": "2026-12-01",
    "closes": "2027-01-31",
    "wards": ["riverside"],
    "summary": "We want to build a skate park at the recreation ground.",
    "questions-0-id": "use",
    "questions-0-type": "choice",
    "questions-0-text": "Would you use it?",
    "questions-0-required": "yes",
    "questions-0-options-0-label": "Yes, often",
    "questions-0-options-0-aliases": "lots, every week",
    "questions-0-options-1-label": "Now and then",
    "questions-0-options-1-aliases": "",
    "questions-0-other": "yes",
    "questions-0-other_label": "",
    "questions-1-id": "why",
    "questions-1-type": "text",
    "questions-1-text": "Why would you use it?",
    "questions-1-required": "yes",
    "questions-1-ask_if_question": "use",
    "questions-1-ask_if_test": "is",
    "questions-1-ask_if_value": "Yes, often",
}


def test_councillors_cannot_create_or_edit(portal):
    browser = Browser(portal["base"])
    assert browser.sign_in(COUNCILLOR) == 302
    assert browser.request("/consultations/new")[0] == 403
    assert browser.request(f"/consultations/{HARBOUR}/edit")[0] == 403
    assert browser.request(f"/consultations/{HARBOUR}/history")[0] == 403
    assert post(browser, f"/consultations/{HARBOUR}/edit", {"title": "Hijacked"})[0] == 403
    assert post(browser, f"/consultations/{HARBOUR}/archive", {})[0] == 403
    assert "New consultation" not in text(browser.request("/")[2])
    assert "Edit the consultation" not in text(browser.request(f"/consultations/{HARBOUR}")[2])
    assert portal["store"].consultation(HARBOUR).title == "Harbour Road cycle lane"


def test_rows_are_added_moved_and_removed_without_javascript_and_nothing_is_saved(portal):
    browser = officer(portal)
    status, _, page = post(browser, "/consultations/new", {**NEW, "slug": "rows-test", "action": "add:questions"})
    assert status == 200
    fields = form_fields(page)
    assert fields["questions-2-type"] == ["choice"] and fields["questions-2-id"] == [""]
    assert re.search(rb'<input type="text" id="questions-2-id"[^>]*autofocus', page)
    status, _, page = post(browser, "/consultations/new", {**fields, "action": "add:questions-0-options"})
    fields = form_fields(page)
    assert [fields[f"questions-0-options-{i}-label"] for i in range(3)] == [["Yes, often"], ["Now and then"], [""]]
    status, _, page = post(browser, "/consultations/new", {**fields, "action": "up:questions-1"})
    fields = form_fields(page)
    assert fields["questions-0-id"] == ["why"] and fields["questions-1-id"] == ["use"]
    status, _, page = post(browser, "/consultations/new", {**fields, "action": "remove:questions-2"})
    assert "questions-2-id" not in form_fields(page)
    assert portal["store"].consultation("rows-test") is None


def test_invalid_input_shows_the_validator_messages_beside_fields_and_saves_nothing(portal):
    browser = officer(portal)
    bad = {
        **NEW,
        "slug": "Skate Park",
        "title": "",
        "closes": "2026-11-01",
        "questions-0-options-1-label": "",
        "questions-1-ask_if_value": "Sometimes",
        "questions-1-other": "yes",
    }
    del bad["questions-0-options-1-aliases"]
    status, _, page = post(browser, "/consultations/new", bad)
    assert status == 400
    html = page.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    expected = [
        (
            "slug",
            "Short name for addresses (slug): &#39;Skate Park&#39; must use only lower-case letters, digits and single hyphens",
        ),
        ("title", "Title: must not be empty"),
        ("closes", "Closes: 2026-11-01 is before opens (2026-12-01)"),
        (
            "questions-0-options-1-label",
            "Question 1, option 2: must be non-empty text or a mapping with label and aliases, got &#39;&#39;",
        ),
        ("questions-0-options-0-label", "Question 1, options: a choice question needs at least 2 options"),
        (
            "questions-1-other",
            "Question 2, other, please specify: &#34;other, please specify&#34; is only for choice and multi questions; this is a text question",
        ),
        (
            "questions-1-ask_if_value",
            "Question 2, ask only if, is: &#39;Sometimes&#39; is not an answer to &#39;use&#39; (Yes, often, Other (please specify)), so this can never be true",
        ),
    ]
    assert links == expected
    # Each message beside its field, tied to it for screen readers.
    assert re.search(r'<p class="error-message" id="closes-error">.*?2026-11-01 is before opens', html)
    assert re.search(r'id="closes" name="closes" value="2026-11-01" aria-describedby="closes-error" aria-invalid="true"', html)
    assert html.count('class="error-message"') == len(expected)
    assert form_fields(page)["questions-1-ask_if_value"] == ["Sometimes"]  # what was typed comes back
    assert portal["store"].consultation("skate-park") is None and portal["store"].consultation("Skate Park") is None


def test_an_officer_creates_publishes_and_the_history_and_audit_say_who(portal):
    store = portal["store"]
    browser = officer(portal)
    status, headers, _ = post(browser, "/consultations/new", {**NEW, "action": "save"})
    assert status == 303 and headers["Location"] == "/consultations/skate-park/edit"
    created = store.consultation("skate-park")
    assert created.status == "draft" and created.version == 1
    assert created.question("use").options == ("Yes, often", "Now and then", "Other (please specify)")
    assert created.question("use").aliases_for("Yes, often") == ("lots", "every week")
    assert created.question("why").ask_if.document() == {"question": "use", "is": "Yes, often"}
    assert store.consultation_versions("skate-park")[0]["created_by"] == OFFICER
    assert (
        'href="/consultations/skate-park/edit">Edit the consultation' in browser.request("/consultations/skate-park")[2].decode()
    )
    page = browser.request("/consultations/skate-park/edit")[2]
    assert "Saved: version 1." in text(page) and 'href="/consultations/skate-park/preview"' in page.decode()

    from actions.dialogue.services import build_catalogue

    assert "skate-park" not in {c.slug for c in build_catalogue(store).consultations}  # drafts: the portal only
    confirm = browser.request("/consultations/skate-park/publish")[2]
    assert "Publish “A skate park for Millbrook”?" in text(confirm)
    assert store.consultation("skate-park").status == "draft"  # the confirmation page changes nothing
    assert post(browser, "/consultations/skate-park/publish", {})[0] == 303
    assert store.consultation("skate-park").status == "open" and store.consultation("skate-park").version == 2
    assert post(browser, "/consultations/skate-park/publish", {})[0] == 400  # only a draft can be published

    fields = form_fields(browser.request("/consultations/skate-park/edit")[2])
    fields["title"] = ["A skate park at the recreation ground"]
    assert post(browser, "/consultations/skate-park/edit", {**fields, "action": "save"})[0] == 303
    history = text(browser.request("/consultations/skate-park/history")[2])
    assert "Version 3" in history and f"by {OFFICER}" in history
    assert "Title A skate park for Millbrook A skate park at the recreation ground" in history
    assert "Status draft open" in history
    entries, _ = audit_entries(store)
    mine = [(e.action, e.target, e.details.get("version")) for e in entries if e.target == "skate-park"]
    assert mine[:3] == [
        ("edit_consultation", "skate-park", 3),
        ("publish_consultation", "skate-park", 2),
        ("create_consultation", "skate-park", 1),
    ]
    assert all(e.actor == OFFICER for e in entries if e.target == "skate-park")
    from actions.portal.audit import ACTION_NAMES, describe

    publish = next(e for e in entries if e.action == "publish_consultation" and e.target == "skate-park")
    assert (ACTION_NAMES[publish.action], describe(publish)) == ("Published consultation", "version 2, from draft")


def test_a_harmful_edit_is_refused_answers_unchanged_and_close_and_duplicate_is_offered(portal):
    store = portal["store"]
    browser = officer(portal)
    before = store.response_answers(portal["reference"])
    fields = form_fields(browser.request(f"/consultations/{HARBOUR}/edit")[2])
    position = next(i for i in range(10) if fields[f"questions-{i}-id"] == ["design"])
    option_keys = sorted(k for k in fields if k.startswith(f"questions-{position}-options-") and k.endswith("-label"))
    labels = [fields[k][0] for k in option_keys]
    assert "Option C - shared path" in labels
    edited = {k: v for k, v in fields.items() if not k.startswith(f"questions-{position}-options-")}
    kept = [label for label in labels if label != "Option C - shared path"]
    for index, label in enumerate(kept):
        edited[f"questions-{position}-options-{index}-label"] = [label]
        edited[f"questions-{position}-options-{index}-aliases"] = [""]
    edited["title"] = ["Harbour Road cycle lane (edited)"]
    status, _, page = post(browser, f"/consultations/{HARBOUR}/edit", {**edited, "action": "save"})
    assert status == 400
    words = text(page)
    message = (
        "can't remove or reword 'Option C - shared path': 'design' has 1 answer, stored by option label, so answers "
        "that chose it would match no option. Close the consultation and duplicate it to make this change."
    )
    assert f"Question {position + 1}, options: {message}" in words
    assert re.search(rf'id="questions-{position}-options-0-label-error"', page.decode())
    assert "Close and duplicate with my changes" in words
    assert store.response_answers(portal["reference"]) == before == ANSWERS
    assert store.consultation(HARBOUR).title == "Harbour Road cycle lane" and store.consultation(HARBOUR).version == 1

    status, headers, _ = post(browser, f"/consultations/{HARBOUR}/edit", {**edited, "action": "close_and_duplicate"})
    assert status == 303 and headers["Location"] == f"/consultations/{HARBOUR}-copy/edit"
    assert store.consultation(HARBOUR).status == "closed"
    copy = store.consultation(f"{HARBOUR}-copy")
    assert copy.status == "draft" and "Option C - shared path" not in copy.question("design").options
    assert copy.title == "Harbour Road cycle lane (edited)"
    assert store.response_answers(portal["reference"]) == ANSWERS


def test_export_round_trips_through_haveyoursay_validate_and_import_saves_a_new_version(portal, tmp_path):
    store = portal["store"]
    browser = officer(portal)
    status, headers, body = browser.request("/consultations/library-opening-hours/export.yml")
    assert status == 200 and headers["Content-Disposition"] == 'attachment; filename="library-opening-hours.yml"'
    path = tmp_path / "library.yml"
    path.write_bytes(body)
    env = {**os.environ, "DATABASE_URL": portal["url"], "HYS_VAR_DIR": str(tmp_path), "SENDER_HASH_SALT": "portal-salt"}
    checked = subprocess.run(
        [sys.executable, "-m", "actions.cli", "validate", str(path)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "OK: 1 consultation(s)" in checked.stdout

    document = yaml.safe_load(body)
    document["title"] = "Library opening hours 2027"
    document["status"] = "archived"  # an import keeps the status: archiving is its own step
    status, headers, _ = post(browser, "/consultations/import", {"yaml": yaml.safe_dump(document, sort_keys=False)})
    assert status == 303 and headers["Location"] == "/consultations/library-opening-hours/edit"
    library = store.consultation("library-opening-hours")
    assert library.title == "Library opening hours 2027" and library.status == "open" and library.version == 2

    status, _, page = post(browser, "/consultations/import", {"yaml": "slug: x\ntitle: a: b"})
    assert (
        status == 400
        and "There is a problem Nothing was saved. invalid YAML at line 2, column 9: mapping values are not allowed here"
        in text(page)
    )
    document["questions"] = [{"id": "x", "type": "yesno", "text": "Really?", "other": True}]
    status, _, page = post(browser, "/consultations/import", {"yaml": yaml.safe_dump(document)})
    assert status == 400
    assert 'Question 1, other, please specify: "other, please specify" is only for choice and multi questions' in text(page)
    assert store.consultation("library-opening-hours").version == 2


def test_archiving_hides_from_the_list_and_restoring_brings_it_back(portal):
    store = portal["store"]
    browser = officer(portal)
    assert "Archive “Events in Market Square”?" in text(browser.request("/consultations/market-square-events/archive")[2])
    assert post(browser, "/consultations/market-square-events/archive", {})[0] == 303
    assert store.consultation("market-square-events").status == "archived"
    assert "Events in Market Square" not in text(browser.request("/")[2])
    assert "Events in Market Square" in text(browser.request("/?archived=1")[2])
    assert post(browser, "/consultations/market-square-events/restore", {})[0] == 303
    assert store.consultation("market-square-events").status == "open"
    assert "Events in Market Square" in text(browser.request("/")[2])


def test_duplicate_makes_a_draft_copy_and_refuses_a_taken_slug(portal):
    store = portal["store"]
    browser = officer(portal)
    status, _, page = post(browser, "/consultations/budget-2027/duplicate", {"slug": HARBOUR, "title": "Copy"})
    assert status == 400 and f"'{HARBOUR}' is already used by another consultation; choose another" in text(page)
    status, headers, _ = post(browser, "/consultations/budget-2027/duplicate", {"slug": "budget-2028", "title": "Budget 2028"})
    assert status == 303 and headers["Location"] == "/consultations/budget-2028/edit"
    copy = store.consultation("budget-2028")
    assert (copy.status, copy.title) == ("draft", "Budget 2028")
    assert [q.id for q in copy.questions] == [q.id for q in store.consultation("budget-2027").questions]


def test_a_form_opened_before_someone_else_saved_does_not_overwrite_their_change(portal):
    store = portal["store"]
    browser = officer(portal)
    fields = form_fields(browser.request("/consultations/westfield-leisure-centre/edit")[2])
    assert fields["based_on"] == ["1"]
    other = officer(portal)
    theirs = form_fields(other.request("/consultations/westfield-leisure-centre/edit")[2])
    assert (
        post(other, "/consultations/westfield-leisure-centre/edit", {**theirs, "title": ["Theirs"], "action": "save"})[0] == 303
    )
    status, _, page = post(
        browser, "/consultations/westfield-leisure-centre/edit", {**fields, "title": ["Mine"], "action": "save"}
    )
    assert status == 400
    assert (
        "The consultation: version 2 was saved after you opened this form (on version 1), so saving would undo it; "
        "nothing was saved." in text(page)
    )
    assert store.consultation("westfield-leisure-centre").title == "Theirs"


def test_publishing_a_draft_without_questions_is_refused_with_a_link_to_the_field(portal):
    store = portal["store"]
    browser = officer(portal)
    draft = {key: value for key, value in NEW.items() if not key.startswith("questions-")}
    assert post(browser, "/consultations/new", {**draft, "slug": "no-questions", "action": "save"})[0] == 303
    status, _, page = post(browser, "/consultations/no-questions/publish", {})
    assert status == 400
    assert (
        '<a href="/consultations/no-questions/edit#add-questions">Questions: an open consultation needs at least one question</a>'
        in (page.decode())
    )
    assert store.consultation("no-questions").status == "draft" and store.consultation("no-questions").version == 1


def test_a_yaml_file_can_be_uploaded(portal):
    store = portal["store"]
    browser = officer(portal)
    document = {
        "slug": "uploaded",
        "title": "Uploaded from a file",
        "status": "open",
        "opens": "2026-12-01",
        "closes": "2027-01-31",
        "wards": ["all"],
        "summary": "A consultation that arrived as a file.",
        "questions": [{"id": "agree", "type": "scale", "text": "Do you agree?"}],
    }
    boundary = "----editor-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{browser.csrf("/")}\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="uploaded.yml"\r\n'
        f"Content-Type: application/yaml\r\n\r\n{yaml.safe_dump(document)}\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; name="yaml"\r\n\r\n\r\n--{boundary}--\r\n',
    ]
    request = urllib.request.Request(
        browser.base + "/consultations/import",
        data="".join(parts).encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        browser.opener.open(request, timeout=30)
        status, location = 200, None
    except urllib.error.HTTPError as error:
        status, location = error.code, error.headers.get("Location")
    assert (status, location) == (303, "/consultations/uploaded/edit")
    uploaded = store.consultation("uploaded")
    assert uploaded.title == "Uploaded from a file" and uploaded.status == "draft"  # a new import is a draft
