"""The published report, "We asked, you said, we did", for a seeded consultation: the Word file is opened with
python-docx, the PDF read by an independent text extraction (tests/pdf_text.py), the web page parsed.

Every expected figure is worked out here from the responses as they were inserted, never with the report's
own code. Runs on SQLite and PostgreSQL (the figures come from SQL).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import docx
import pytest
import yaml

from actions.content.files import read_bundle
from actions.demo import generate
from actions.report.content import build_report
from actions.report.docx import write_docx
from actions.report.html import render_html
from actions.report.pdf import write_pdf
from actions.store import comment_review as review
from actions.store import themes
from tests.conftest import SEEDS
from tests.pdf_text import pdf_lines

HARBOUR = "harbour-road-cycle-lane"
OFFICER = "officer@millbrook.gov.uk"
SCALE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]
WE_DID = "We will build Option A from July 2027, keeping the loading bays and the Blue Badge spaces."
POPULATION = {"Harbourside": 8420, "Old Town": 7150}  # seeds/wards.yml


def percent(count: int, base: int) -> str:
    return f"{int((Decimal(100 * count) / Decimal(base)).quantize(Decimal(1), rounding=ROUND_HALF_UP))}%"


def tagged(text: str) -> list[str]:
    """The demo comments' themes, written out by hand for the phrases that decide them in this test."""
    lowered = text.lower()
    found = []
    if "parking" in lowered or "car park" in lowered:
        found.append("parking")
    if any(word in lowered for word in ("dangerous", "crash", "safe")):
        found.append("safety")
    return found


@pytest.fixture
def published(seeded_store, tmp_path):
    """400 demo responses to Harbour Road with an outcome; officers confirmed parking and safety (renamed
    traffic, rejected noise) and flagged one parking comment as abusive."""
    store = seeded_store
    document = yaml.safe_load((SEEDS / f"{HARBOUR}.yml").read_text())
    document["outcome"] = {"published": "2027-02-13", "you_said": "Most of you backed a kerb-separated lane.", "we_did": WE_DID}
    path = tmp_path / f"{HARBOUR}.yml"
    path.write_text(yaml.safe_dump(document))
    store.apply_bundle(read_bundle([path], known_wards=store.known_ward_slugs()))
    consultation = store.consultation(HARBOUR)
    items = list(generate(consultation, store.wards(), 400, 7, dt.date(2026, 11, 22), tagger=tagged))
    store.submit_many(HARBOUR, items)
    themes.set_status(store, HARBOUR, "parking", "confirmed", OFFICER)
    themes.set_status(store, HARBOUR, "safety", "confirmed", OFFICER)
    themes.rename(store, HARBOUR, "traffic", "Traffic and lorries", OFFICER)  # still only a suggestion
    themes.set_status(store, HARBOUR, "noise", "rejected", OFFICER)
    flagged = "Parking is already hard to find near the shops, please don't take any more spaces away."
    for comment in review.comment_page(store, HARBOUR, theme="parking", per_page=1000).comments:
        if comment.text == flagged:
            review.set_flags(store, HARBOUR, comment.answer_id, ["abusive"], OFFICER)
    report = build_report(store, store.consultation(HARBOUR), dt.date(2027, 2, 20))
    return {"store": store, "items": items, "report": report, "flagged": flagged}


def expected_support(items) -> list[list[str]]:
    counts = Counter(item["answers"]["support"] for item in items)
    base = sum(counts[label] for label in SCALE)
    assert all(counts[label] >= 5 for label in SCALE)  # so nothing is hidden for privacy
    return [[label, f"{counts[label]:,}", percent(counts[label], base)] for label in SCALE]


def expected_wards(items) -> list[list[str]]:
    counts = Counter(item["ward_slug"] for item in items)
    from_wards = counts["harbourside"] + counts["old-town"]
    people = sum(POPULATION.values())
    rows = []
    for name, slug in (("Harbourside", "harbourside"), ("Old Town", "old-town")):
        count = counts[slug]
        per_thousand = f"{round(count * 1000 / POPULATION[name], 1):g}"
        rows.append(
            [
                name,
                f"{count:,}",
                percent(count, from_wards),
                f"{POPULATION[name]:,}",
                percent(POPULATION[name], people),
                per_thousand,
            ]
        )
    return rows


def expected_themes(items) -> dict[str, str]:
    counts = Counter(theme for item in items for theme in item["themes"].get("comments", []))
    return {"Parking": f"{counts['parking']:,}", "Safety": f"{counts['safety']:,}"}


def quotable_texts(items, theme: str, flagged: str) -> set[str]:
    return {
        item["answers"]["comments"]
        for item in items
        if item["consent_quote"] and theme in item["themes"].get("comments", []) and item["answers"]["comments"] != flagged
    }


def docx_tables(document) -> dict[str, list[list[str]]]:
    """Each table's rows, by the caption paragraph just before it."""
    tables, caption = {}, None
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(block, document)
            if paragraph.style.name == "Caption":
                caption = paragraph.text
        elif tag == "tbl" and caption:
            table = docx.table.Table(block, document)
            tables[caption] = [[cell.text for cell in row.cells] for row in table.rows]
            caption = None
    return tables


def test_the_word_report_has_the_headings_figures_themes_quotes_and_outcome(published):
    buffer = io.BytesIO()
    write_docx(published["report"], buffer)
    document = docx.Document(io.BytesIO(buffer.getvalue()))
    items = published["items"]
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Title"] == ["Harbour Road cycle lane: we asked, you said, we did"]
    assert by_style["Heading 1"] == ["We asked", "You said", "We did"]
    assert by_style["Heading 2"] == [
        "The proposals",
        "The questions",
        "Who responded",
        "Answers to each question",
        "What people told us in their comments",
        "You said",
        "We did",
    ]
    assert by_style["Heading 3"][:6] == [f"{n}. {q}" for n, q in enumerate(QUESTIONS, start=1)]
    assert "400 people responded" in document.paragraphs[2].text
    assert document.core_properties.title == "Harbour Road cycle lane: we asked, you said, we did"
    assert document.core_properties.language == "en-GB"

    tables = docx_tables(document)
    assert tables["Answers to question 1"][0] == ["Answer", "Responses", "Share"]
    assert tables["Answers to question 1"][1:] == expected_support(items)
    assert tables["Responses by ward"][1:3] == expected_wards(items)
    themes_table = {row[0]: row[1] for row in tables["Themes in residents' comments"][1:]}
    assert themes_table == expected_themes(items)

    quotes = by_style["Quote"]
    assert quotes and published["flagged"] not in quotes
    allowed = quotable_texts(items, "parking", published["flagged"]) | quotable_texts(items, "safety", published["flagged"])
    assert set(quotes) <= allowed  # only residents who agreed to be quoted
    assert WE_DID in [p.text for p in document.paragraphs]
    pictures = document.inline_shapes
    assert len(pictures) >= 5 and all(shape._inline.docPr.get("descr") for shape in pictures)  # every chart has alt text


QUESTIONS = [
    "How far do you agree or disagree with building a protected cycle lane on Harbour Road?",
    "Which design do you prefer?",
    "What concerns you most about the scheme? Choose up to 3.",
    "About how many trips a week do you make along Harbour Road, by any means?",
    "Would you cycle more often if the lane were built?",
    "Is there anything else you would like to tell us about the proposals?",
]


def after(lines: list[str], marker: str, count: int) -> list[str]:
    start = lines.index(marker)
    return lines[start + 1 : start + 1 + count]


def test_the_pdf_report_has_the_headings_figures_themes_quotes_and_outcome(published):
    buffer = io.BytesIO()
    write_pdf(published["report"], buffer)
    data = buffer.getvalue()
    assert data.startswith(b"%PDF-") and b"/Lang (en-GB)" in data
    lines = [line for line in pdf_lines(data) if not re.fullmatch(r"Millbrook District Council · page \d+ of \d+", line)]
    text = " ".join(lines)
    items = published["items"]
    assert "Harbour Road cycle lane: we asked, you said, we did" in text
    for heading in ("We asked", "You said", "We did", "Who responded", "Answers to each question"):
        assert heading in lines, heading
    assert "What people told us in their comments" in text and "400 people responded" in text
    # Question 1's table: header, then each answer's count and share.
    support = after(lines, "Answers to question 1", 3 + 3 * len(SCALE))
    assert support[3:] == [cell for row in expected_support(items) for cell in row]
    wards = after(lines, "Responses by ward", 40)
    for row in expected_wards(items):
        start = wards.index(row[0])
        assert wards[start : start + 6] == row
    theme_rows = after(lines, "Themes in residents' comments", 12)
    assert theme_rows[:2] == ["Theme", "Comments"]
    assert {name: theme_rows[theme_rows.index(name) + 1] for name in ("Parking", "Safety")} == expected_themes(items)
    assert published["flagged"] not in text
    assert WE_DID in text


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.tables = self.captions = self.svgs = self.titled_svgs = 0
        self._tag = None
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("h1", "h2", "h3", "h4"):
            self._tag, self._text = tag, ""
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag == "svg":
            self.svgs += 1
            self.titled_svgs += attrs.get("role") == "img" and bool(attrs.get("aria-labelledby"))

    def handle_data(self, data):
        if self._tag:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._tag:
            self.headings.append((tag, " ".join(self._text.split())))
            self._tag = None


def test_the_web_page_is_self_contained_with_ordered_headings_captioned_tables_and_named_charts(published):
    page = render_html(published["report"])
    outline = Outline()
    outline.feed(page)
    assert outline.lang == "en-GB"
    assert outline.headings[0] == ("h1", "Harbour Road cycle lane: we asked, you said, we did")
    levels = [int(tag[1]) for tag, _text in outline.headings]
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False))  # no level skipped
    assert [text for tag, text in outline.headings if tag == "h2"] == ["Contents", "We asked", "You said", "We did"]
    assert outline.tables == outline.captions >= 8
    assert outline.svgs >= 5 and outline.titled_svgs == outline.svgs
    assert not re.search(r"<(script|img)\b|<link (?!rel=\"icon\" href=\"data:,\">)", page)  # nothing loaded from elsewhere
    assert published["flagged"] not in page and WE_DID in page


def test_small_numbers_are_hidden_and_a_total_cannot_give_them_away(seeded_store):
    store = seeded_store
    answers = ["Agree"] * 7 + ["Disagree"] * 3 + ["Strongly agree"] * 2
    wards = ["harbourside"] * 9 + ["old-town"] * 3
    for number, (support, ward) in enumerate(zip(answers, wards, strict=True)):
        store.submit_response(
            consultation_slug=HARBOUR,
            channel="rest",
            sender_id=f"small-{number}",
            answers={"support": support, "design": "None of them"},
            ward_slug=ward,
            age_band="35-44",
        )
    report = build_report(store, store.consultation(HARBOUR), dt.date(2026, 11, 30))
    support = report.questions[0]
    assert [(row.label, row.count_text, row.percent_text) for row in support.rows] == [
        ("Strongly agree", "fewer than 5", "–"),
        ("Agree", "7", "58%"),
        ("Neither agree nor disagree", "0", "0%"),
        ("Disagree", "fewer than 5", "–"),
        ("Strongly disagree", "0", "0%"),
    ]
    # Old Town's 3 is hidden; Harbourside's 9 must go too, or 12 responses less 9 would give Old Town away.
    assert [(ward.name, ward.count, ward.per_thousand) for ward in report.wards] == [
        ("Harbourside", -1, None),
        ("Old Town", None, None),
    ]
    page = render_html(report)
    assert "not shown" in page and "fewer than 5" in page and ">9<" not in page and ">3<" not in page
    assert report.hidden_any
