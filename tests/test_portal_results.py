"""The portal's results and reading pages over HTTP, on 10,000 demo responses, on SQLite and PostgreSQL.

Every expected figure is worked out here from the generated responses themselves (the dictionaries
handed to ``Store.submit_many``), never with the portal's own code: percentages, number statistics,
Borda scores, cross-tabs, filters, search, paging, previous / next and a councillor's ward limits.
The dataset is built once per database and shared by the tests in this module.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter

import pytest
from cryptography.fernet import Fernet
from openpyxl import load_workbook

from actions.content.files import read_bundle
from actions.demo import generate
from actions.store.accounts import add_user
from actions.store.migrate import upgrade
from actions.store.repository import Store
from actions.text.themes import tagger_for
from tests.conftest import PROJECT_ROOT, SEEDS, empty_database
from tests.servers import free_port
from tests.test_portal import PASSWORD, Browser

LIBRARY = "library-opening-hours"
HARBOUR = "harbour-road-cycle-lane"
RESPONSES = 10_000
OFFICER = "officer@millbrook.gov.uk"
COUNCILLOR = "cllr.marsh@millbrook.gov.uk"  # Riverside; the Harbour Road consultation is not for Riverside
TODAY = dt.date(2026, 11, 22)
DONT_KNOW = "Don't know"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request, tmp_path_factory):
    """The seeded council, 10,000 library responses and 600 Harbour Road ones, and a running portal."""
    workdir = tmp_path_factory.mktemp(f"results-{request.param}")
    url = empty_database(request.param, workdir)
    upgrade(url)
    store = Store(url, "results-salt")
    store.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    tagger = tagger_for(store.council().themes).tags
    items = {}
    for slug, count in ((LIBRARY, RESPONSES), (HARBOUR, 600)):
        items[slug] = list(generate(store.consultation(slug), store.wards(), count, 7, TODAY, tagger))
        for start in range(0, count, 2000):
            store.submit_many(slug, items[slug][start : start + 2000])
    add_user(store, OFFICER, PASSWORD, "officer")
    add_user(store, COUNCILLOR, PASSWORD, "councillor", "riverside")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_PORT": str(port),
        "PORTAL_SECRET_KEY": Fernet.generate_key().decode(),
        "PORTAL_ALLOW_HTTP": "true",
        "SENDER_HASH_SALT": "results-salt",
        "HYS_VAR_DIR": str(workdir),
        "HYS_TODAY": TODAY.isoformat(),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.portal.app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "portal.log", "wb"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield {"base": base, "items": items, "store": store, "url": url}
    process.terminate()
    process.wait(timeout=10)


def signed_in(site, email: str = OFFICER) -> Browser:
    browser = Browser(site["base"])
    assert browser.sign_in(email) == 302
    return browser


def get(browser: Browser, path: str) -> str:
    status, _headers, body = browser.request(path)
    assert status == 200, (path, status, body[:500])
    return body.decode()


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()


def words(fragment: str) -> str:
    return " ".join(text(fragment))


def section(page: str, question_id: str) -> str:
    start = page.index(f'id="q-{question_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def table_rows(fragment: str) -> dict[str, list[str]]:
    """Each body row's header cell -> its data cells, as the reader sees them."""
    rows = {}
    for header, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', fragment, re.S):
        rows[words(header)] = [words(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    return rows


def expected_percent(count: int, base: int) -> str:
    return f"{100 * count / base:.1f}%"


def matches(item: dict, ward=None, channel=None, answers=(), theme=None, since=None) -> bool:
    if ward and item["ward_slug"] != ward:
        return False
    if since and item["submitted_at"] < since:
        return False
    if channel and item["channel"] != channel:
        return False
    for question_id, label in answers:
        value = item["answers"].get(question_id)
        if not (value == label or (isinstance(value, list) and label in value)):
            return False
    if theme and not any(theme in tags for tags in item["themes"].values()):
        return False
    return True


# --- results -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, chosen",
    [
        ("", {}),
        ("ward=riverside&answer=use_library:Yes", {"ward": "riverside", "answers": [("use_library", "Yes")]}),
        ("channel=twilio&theme=young_people", {"channel": "twilio", "theme": "young_people"}),
        ("since=2026-11-12", {"since": dt.datetime(2026, 11, 12)}),  # most responses: read from the answers' index
        ("channel=socketio", {"channel": "socketio"}),  # about half: the index, checked against the kept responses
        ("answer=satisfaction:Dissatisfied", {"answers": [("satisfaction", "Dissatisfied")]}),  # worked out once
    ],
    ids=["everyone", "ward and answer", "channel and theme", "most responses", "about half", "one answer"],
)
def test_percentages_match_an_independent_count_with_dont_know_and_skipped_apart(site, query, chosen):
    browser = signed_in(site)
    page = get(browser, f"/consultations/{LIBRARY}?{query}")
    chosen_items = [item for item in site["items"][LIBRARY] if matches(item, **chosen)]
    assert f"{len(chosen_items):,}</strong> submitted response" in page
    consultation = site["store"].consultation(LIBRARY)
    for question in consultation.questions:
        if question.type not in ("scale", "choice", "yesno"):
            continue
        values = [item["answers"].get(question.id) for item in chosen_items]
        dont_know = values.count("Don't know")
        skipped = values.count(None)
        views = [value for value in values if value not in (None, "Don't know")]
        rows = table_rows(section(page, question.id))
        labels = (
            question.scale_labels
            if question.type == "scale"
            else (["Yes", "No"] if question.type == "yesno" else question.options)
        )
        for label in labels:
            count = views.count(label)
            assert rows[label] == [f"{count:,}", expected_percent(count, len(views))], (question.id, label)
        assert rows["Skipped (not in the per cent)"][0] == f"{skipped:,}"
        assert rows["Skipped (not in the per cent)"][1] == expected_percent(skipped, len(values)) + " of all"
        if question.type == "scale":
            assert rows["Don't know (not in the per cent)"][0] == f"{dont_know:,}"


def test_numbers_get_mean_median_range_and_a_histogram_and_ranks_a_mean_position_and_borda_score(site):
    page = get(signed_in(site), f"/consultations/{LIBRARY}")
    items = site["items"][LIBRARY]
    visits = [item["answers"]["visits"] for item in items if item["answers"].get("visits") is not None]
    numbers = section(page, "visits")
    stats = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", numbers))
    assert stats["Mean"] == f"{statistics.mean(visits):,.2f}".rstrip("0").rstrip(".")
    assert stats["Median"] == f"{statistics.median(visits):g}"
    assert stats["Range"] == f"{min(visits)} to {max(visits)}"
    histogram = table_rows(numbers)
    assert sum(int(row[0].replace(",", "")) for row in histogram.values()) == len(visits)
    assert histogram["0–6"][0] == f"{sum(1 for v in visits if v <= 6):,}"
    assert "<svg" in numbers and 'role="img"' in numbers  # the chart, with the table beside it
    options = site["store"].consultation(LIBRARY).question("important_services").options
    orders = [item["answers"]["important_services"] for item in items]
    ranking = table_rows(section(page, "important_services"))
    for option in options:
        places = [order.index(option) + 1 for order in orders if option in order]
        borda = sum(len(options) - place for place in places)
        first = sum(1 for order in orders if order and order[0] == option)
        assert ranking[option] == [f"{sum(places) / len(places):.2f}".rstrip("0").rstrip("."), f"{borda:,}", f"{first:,}"]


def test_a_cross_tab_by_ward_matches_an_independent_count_with_row_percentages(site):
    page = get(signed_in(site), f"/consultations/{LIBRARY}/crosstab?question=satisfaction&by=ward")
    items = site["items"][LIBRARY]
    names = {ward.slug: ward.name for ward in site["store"].wards()}
    rows = table_rows(page[page.index('<table class="crosstab">') :])
    labels = site["store"].consultation(LIBRARY).question("satisfaction").scale_labels
    for slug, name in [*names.items(), (None, "Not given")]:
        values = [item["answers"]["satisfaction"] for item in items if item["ward_slug"] == slug]
        views = [value for value in values if value not in (None, "Don't know")]
        cells = rows[name]
        for column, label in enumerate(labels):
            count = views.count(label)
            assert cells[column] == f"{count:,} {expected_percent(count, len(views))}", (name, label)
        assert cells[len(labels)] == f"{values.count(DONT_KNOW):,}"
        assert cells[-1] == f"{len(views):,}"


def test_a_cross_tab_by_another_question_counts_each_pair_of_answers(site):
    page = get(signed_in(site), f"/consultations/{LIBRARY}/crosstab?question=preferred_option&by=question:use_library")
    items = site["items"][LIBRARY]
    options = site["store"].consultation(LIBRARY).question("preferred_option").options
    rows = table_rows(page[page.index('<table class="crosstab">') :])
    for answer in ("Yes", "No"):
        views = [item["answers"]["preferred_option"] for item in items if item["answers"]["use_library"] == answer]
        assert rows[answer][: len(options)] == [
            f"{views.count(o):,} {expected_percent(views.count(o), len(views))}" for o in options
        ]


def test_small_cells_are_hidden_with_any_cell_that_would_give_them_away(site):
    """Slack responses from one ward, by age band: many cells are under 5."""
    query = "ward=westfield&channel=slack"
    page = get(signed_in(site), f"/consultations/{LIBRARY}/crosstab?question=satisfaction&by=age_band&{query}")
    table = page[page.index('<table class="crosstab">') : page.index("</table>", page.index('<table class="crosstab">'))]
    items = [item for item in site["items"][LIBRARY] if matches(item, ward="westfield", channel="slack")]
    labels = [*site["store"].consultation(LIBRARY).question("satisfaction").scale_labels, "Don't know"]
    small = 0
    for band, cells in table_rows(table).items():
        values = [item["answers"]["satisfaction"] for item in items if (item["age_band"] or "Not given") == band]
        counts = [values.count(label) for label in labels] + [values.count(None)]
        shown = cells[: len(counts)]
        hidden = [index for index, cell in enumerate(shown) if cell.startswith("fewer than 5")]
        for index, count in enumerate(counts):
            if 0 < count < 5:
                small += 1
                assert index in hidden, (band, labels[index] if index < len(labels) else "no answer", count)
            if index not in hidden:
                assert shown[index].split()[0] == f"{count:,}"
        # a row never has exactly one hidden cell, or it could be worked out from the row's total
        assert len(hidden) != 1, (band, shown)
    assert small >= 5, "the filter should make small cells, or this test proves nothing"
    assert "fewer than 5" in table and "cells hidden" in page


# --- filters into exports ------------------------------------------------------------------------


def test_the_filter_in_the_address_carries_into_every_export_from_that_view(site):
    browser = signed_in(site)
    query = "ward=riverside&channel=socketio&answer=satisfaction:Satisfied&answer=satisfaction:Very+satisfied&theme=young_people"
    page = get(browser, f"/consultations/{LIBRARY}?{query}")
    chosen = {
        "ward": "riverside",
        "channel": "socketio",
        "theme": "young_people",
    }
    expected = [
        item
        for item in site["items"][LIBRARY]
        if matches(item, **chosen) and item["answers"]["satisfaction"] in ("Satisfied", "Very satisfied")
    ]
    assert 20 < len(expected) < 500
    links = {
        words(label): html.unescape(href)
        for href, label in re.findall(r'<a href="(/consultations/[^"]+/export\?[^"]+)">(.*?)</a>', page)
    }
    status, _headers, body = browser.request(links["CSV"])
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == len(expected)
    assert {row["ward"] for row in rows} == {"riverside"} and {row["channel"] for row in rows} == {"socketio"}
    assert {row["satisfaction"] for row in rows} == {"Satisfied", "Very satisfied"}
    assert all("young_people" in row["comments_themes"] for row in rows)
    status, _headers, body = browser.request(links["Excel"])
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Responses", "Comments", "Summary", "Read me"]
    sheet = workbook["Responses"]
    assert sheet.max_row == len(expected) + 1
    assert sheet.freeze_panes == "B2"
    assert isinstance(sheet["B2"].value, dt.datetime)  # a real date, not text
    assert sheet.column_dimensions["A"].width >= 14 and sheet.column_dimensions["B"].width >= 16
    numbers = [cell.value for cell in sheet[1]].index("visits")
    assert all(isinstance(row[numbers].value, int) for row in sheet.iter_rows(min_row=2) if row[numbers].value not in (None, ""))
    readme = {row[0].value: row[1].value for row in workbook["Read me"].iter_rows(min_row=2) if row[0].value}
    assert readme["Responses in this file"] == str(len(expected))
    for phrase in ("Ward: Riverside", "Channel: Website chat", "Theme: Young people", "Answered “Satisfied”"):
        assert phrase in readme["Filter"]
    summary = [[cell.value for cell in row] for row in workbook["Summary"].iter_rows(min_row=2)]
    satisfied = next(row for row in summary if row[1] == "Satisfied")
    assert satisfied[2] == sum(1 for item in expected if item["answers"]["satisfaction"] == "Satisfied")
    status, _headers, body = browser.request(links["JSON"])
    assert status == 200 and body.count(b'"reference"') == len(expected)


# --- reading: paging, search, previous and next --------------------------------------------------


def test_comments_are_paged_and_searched_with_every_word_needed(site):
    browser = signed_in(site)
    items = site["items"][LIBRARY]
    path = f"/consultations/{LIBRARY}/comments/comments"
    everyone = [item for item in items if item["answers"].get("comments")]
    first = get(browser, path)
    assert f"1–50 of <strong>{len(everyone):,}</strong> comments" in first
    assert f"Page 1 of {-(-len(everyone) // 50):,}" in first
    second = get(browser, path + "?page=2")
    assert "51–100 of" in second
    quotes = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)
    newest = [item["answers"]["comments"] for item in sorted(everyone, key=lambda item: item["submitted_at"], reverse=True)]
    assert [html.unescape(quote) for quote in quotes.findall(first)] == newest[:50]
    assert [html.unescape(quote) for quote in quotes.findall(second)] == newest[50:100]
    search = "library kids"  # both words, anywhere in the comment, in any order
    wanted = [item for item in everyone if all(word in item["answers"]["comments"].lower() for word in search.split())]
    either = [item for item in everyone if "library" in item["answers"]["comments"].lower()]
    assert 0 < len(wanted) < len(either)
    found = get(browser, f"{path}?{urllib.parse.urlencode({'ward': 'all', 'q': search})}")
    assert f"of <strong>{len(wanted):,}</strong> comment" in found
    assert all(
        {"library", "kids"} <= set(html.unescape(quote).lower().replace(".", " ").split()) for quote in quotes.findall(found)
    )
    # the page links keep the search and the filter
    assert "q=library+kids" in found and "ward=all" in found
    # a wildcard is a character, not "anything"
    nothing = get(browser, f"{path}?q=%25")
    assert "Nothing matches “%”" in nothing and "Try fewer or shorter words" in nothing
    # past the last page: back to the last page
    status, headers, _ = browser.request(f"{path}?q={urllib.parse.quote(search)}&page=999")
    assert status == 302 and "page=" in headers["Location"]


def test_the_responses_list_searches_by_word_or_reference(site):
    browser = signed_in(site)
    page = get(browser, f"/consultations/{LIBRARY}/responses?ward=harbourside")
    expected = sum(1 for item in site["items"][LIBRARY] if item["ward_slug"] == "harbourside")
    assert f"of <strong>{expected:,}</strong> responses" in page
    reference = re.findall(r"/responses/(MB-[A-Z0-9-]+)", page)[7]
    found = get(browser, f"/consultations/{LIBRARY}/responses?q={reference.lower()}")
    assert "of <strong>1</strong> response," in found and reference in found
    assert "Harbourside" in page and "Website chat" in page  # readable labels, not slugs and channel codes


def test_previous_and_next_walk_the_filtered_searched_list_and_keep_the_filter(site):
    browser = signed_in(site)
    query = "ward=old-town&channel=twilio&q=library"
    listing = get(browser, f"/consultations/{LIBRARY}/responses?{query}")
    order = re.findall(r'<th scope="row"><a href="/responses/(MB-[A-Z0-9-]+)\?', listing)
    total = int(re.search(r"of <strong>([\d,]+)</strong> responses", listing).group(1).replace(",", ""))
    assert len(order) >= 5
    reference = order[0]
    walked = [reference]
    for step in range(1, 5):
        page = get(browser, f"/responses/{reference}?ward=old-town&channel=twilio&q=library")
        assert f"Response {step:,} of {total:,} matching the filter" in page
        next_link = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', page).group(1))
        assert "ward=old-town" in next_link and "channel=twilio" in next_link and "q=library" in next_link
        reference = re.search(r"/responses/(MB-[A-Z0-9-]+)", next_link).group(1)
        walked.append(reference)
    assert walked == order[:5]
    page = get(browser, f"/responses/{walked[2]}?ward=old-town&channel=twilio&q=library")
    previous = html.unescape(re.search(r'<a rel="prev" href="([^"]+)"', page).group(1))
    assert f"/responses/{walked[1]}?" in previous
    assert "Old Town" in page and "SMS or WhatsApp" in page


# --- a councillor's ward -------------------------------------------------------------------------


def test_a_councillor_sees_district_totals_but_only_their_own_wards_detail(site):
    browser = signed_in(site, COUNCILLOR)
    items = site["items"][LIBRARY]
    riverside = [item for item in items if item["ward_slug"] == "riverside"]
    page = get(browser, f"/consultations/{LIBRARY}")
    assert f"{len(riverside):,}</strong> submitted responses" in page
    assert '<option value="harbourside"' not in page  # only their ward and "all wards" to choose from
    other = get(browser, f"/consultations/{LIBRARY}?ward=harbourside")
    assert "Councillors see the whole district or their own ward" in other
    assert f"{len(riverside):,}</strong> submitted responses" in other
    district = get(browser, f"/consultations/{LIBRARY}?ward=all")
    assert f"{len(items):,}</strong> submitted responses" in district
    # Comments, exports and the ward cross-tab stay inside Riverside, whatever the filter says.
    comments = get(browser, f"/consultations/{LIBRARY}/comments/comments?ward=all")
    with_comment = sum(1 for item in riverside if item["answers"].get("comments"))
    assert f"of <strong>{with_comment:,}</strong> comments" in comments and "from Riverside" in comments
    assert "/responses/MB-" not in comments
    status, _headers, body = browser.request(f"/consultations/{LIBRARY}/export?format=csv&ward=all")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert status == 200 and len(rows) == len(riverside) and {row["ward"] for row in rows} == {"riverside"}
    crosstab = get(browser, f"/consultations/{LIBRARY}/crosstab?question=use_library&by=ward&ward=all")
    assert list(table_rows(crosstab[crosstab.index('<table class="crosstab">') :])) == [
        "Riverside",
        "Everyone else (other wards, and ward not given)",
    ]
    assert browser.request(f"/consultations/{LIBRARY}/responses")[0] == 403
    reference = re.search(r"MB-[A-Z0-9]{4}-[A-Z0-9]{4}", body.decode("utf-8-sig")).group(0)
    assert browser.request(f"/responses/{reference}")[0] == 403


def test_beyond_their_ward_a_councillor_sees_small_counts_hidden(site):
    browser = signed_in(site, COUNCILLOR)
    query = "ward=all&channel=slack&answer=use_library:No&answer=satisfaction:Very+dissatisfied&since=2026-11-19"
    page = get(browser, f"/consultations/{LIBRARY}?{query}")
    answers = [("use_library", "No"), ("satisfaction", "Very dissatisfied")]
    since = dt.datetime(2026, 11, 19)
    items = [
        item
        for item in site["items"][LIBRARY]
        if matches(item, channel="slack", answers=answers) and item["submitted_at"] >= since
    ]
    counts = Counter(item["answers"]["preferred_option"] for item in items)
    rows = table_rows(section(page, "preferred_option"))
    assert any(0 < n < 5 for n in counts.values()), "the filter should leave a small count, or this proves nothing"
    for option, n in counts.items():
        if 0 < n < 5:
            assert rows[option][0] == "fewer than 5"
    assert "Counts under 5 are hidden outside your ward" in page


# --- empty and edge states -----------------------------------------------------------------------


def test_empty_views_say_why_and_exports_are_never_silently_empty(site):
    councillor = signed_in(site, COUNCILLOR)
    page = get(councillor, f"/consultations/{HARBOUR}")
    assert "No responses from Riverside ward: this consultation is for other wards." in page
    assert "Choose “All wards”" in page and "/export?" not in page
    status, headers, body = councillor.request(f"/consultations/{HARBOUR}/export?format=xlsx&ward=all")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Nothing to download" in body and b"No file was made" in body
    comments = get(councillor, f"/consultations/{HARBOUR}/comments/comments")
    assert "No responses from Riverside ward" in comments
    officer = signed_in(site)
    draft = get(officer, "/consultations/westfield-leisure-centre")
    assert "This consultation is a draft, so nobody can respond yet." in draft
    filtered = get(officer, f"/consultations/{LIBRARY}?since=2030-01-01")
    assert "No responses match these filters." in filtered and "Clear all filters" in filtered
    backwards = get(officer, f"/consultations/{LIBRARY}?since=2026-11-20&until=2026-11-01")
    assert "before the “from” date" in backwards


def test_new_pages_have_no_serious_or_critical_axe_violations(site):
    from tests.browser_support import run_node

    if not site["url"].startswith("sqlite"):
        pytest.skip("the pages' markup does not depend on the database: checked once, on SQLite")

    reference = re.search(r"/responses/(MB-[A-Z0-9-]+)", get(signed_in(site), f"/consultations/{LIBRARY}/responses")).group(1)
    officer_pages = [
        f"/consultations/{LIBRARY}",
        f"/consultations/{LIBRARY}?ward=riverside&answer=use_library:Yes&theme=cost",
        f"/consultations/{LIBRARY}/crosstab?question=satisfaction&by=age_band&ward=westfield&channel=slack",
        f"/consultations/{HARBOUR}/crosstab?question=concerns&by=question:support",
        f"/consultations/{LIBRARY}/responses?q=library",
        f"/consultations/{LIBRARY}/comments/comments?q=saturday&page=2",
        f"/responses/{reference}?ward=all&q=",
        f"/consultations/{LIBRARY}/export?format=csv&since=2030-01-01",
        "/consultations/westfield-leisure-centre",
    ]
    councillor_pages = [f"/consultations/{HARBOUR}", f"/consultations/{LIBRARY}?ward=all&channel=slack"]
    for email, pages in ((OFFICER, officer_pages), (COUNCILLOR, councillor_pages)):
        report = run_node(
            "tests/browser/check_pages.mjs",
            {"base": site["base"], "login": {"email": email, "password": PASSWORD}, "pages": pages},
        )
        for page in report["pages"]:
            assert page["status"] == 200, page
            assert page["axeVersion"].startswith("4."), "axe-core must actually have run"
            assert page["consoleErrors"] == [] and page["failedRequests"] == [], page
            assert page["violations"] == [], page


# --- suppression, on tables worked by hand -------------------------------------------------------


@pytest.mark.parametrize(
    "counts, lines, hidden",
    [
        # one small cell in a row with a known total: the next smallest in that row goes too
        ([[3, 10, 20]], [[(0, 0), (0, 1), (0, 2)]], {(0, 0), (0, 1)}),
        # two small cells already protect each other
        ([[3, 4, 20]], [[(0, 0), (0, 1), (0, 2)]], {(0, 0), (0, 1)}),
        # zero describes nobody and is shown; a small cell alone with zeros cannot be protected by a zero
        ([[0, 2, 0]], [[(0, 0), (0, 1), (0, 2)]], {(0, 1)}),
        # rows and columns both: hiding (0,1) for row 0 leaves column 1 with one hidden cell, so (1,1) goes too
        (
            [[2, 9, 30], [40, 12, 50]],
            [[(0, 0), (0, 1), (0, 2)], [(1, 0), (1, 1), (1, 2)], [(0, 0), (1, 0)], [(0, 1), (1, 1)], [(0, 2), (1, 2)]],
            {(0, 0), (0, 1), (1, 0), (1, 1)},
        ),
    ],
    ids=["row", "pair", "zeros", "rows and columns"],
)
def test_a_hidden_count_can_never_be_worked_out_from_a_known_total(counts, lines, hidden):
    from actions.export.suppression import suppressed_cells

    assert suppressed_cells(counts, lines) == hidden


def test_the_median_of_an_even_number_of_answers_is_the_mean_of_the_middle_two():
    from actions.content.model import Question
    from actions.export.analysis import number_stats

    question = Question(id="trips", type="number", text="How many trips?", min=0, max=100)
    stats = number_stats(question, [(1.0, 1), (2.0, 1), (10.0, 1), (20.0, 1)])
    assert (stats.count, stats.mean, stats.median, stats.minimum, stats.maximum) == (4, 8.25, 6.0, 1.0, 20.0)
    assert number_stats(question, [(3.0, 2), (7.0, 1)]).median == 3.0


def test_the_command_line_export_takes_the_same_answer_and_theme_filters(site, tmp_path):
    expected = [item for item in site["items"][LIBRARY] if matches(item, answers=[("use_library", "No")], theme="cost")]
    out = tmp_path / "filtered.csv"
    env = {**os.environ, "DATABASE_URL": site["url"], "SENDER_HASH_SALT": "results-salt", "HYS_VAR_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "actions.cli", "export", "--consultation", LIBRARY, "--out", str(out)]
    done = subprocess.run(
        [*command, "--answer", "use_library:No", "--theme", "cost"], cwd=PROJECT_ROOT, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(expected) and {row["use_library"] for row in rows} == {"No"}
    refused = subprocess.run([*command, "--answer", "use_library"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "QUESTION:LABEL" in refused.stderr
