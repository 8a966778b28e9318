"""Exports: exact columns and values, formula injection, non-ASCII text, withdrawn responses, filters (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from actions.export.records import ExportFilter
from actions.export.service import ExportRequest, export
from actions.export.writers import neutralise
from actions.settings import get_settings
from actions.text.redaction import redact

HARBOUR = "harbour-road-cycle-lane"
LIBRARY = "library-opening-hours"
CONTACT_KEY = "q0mQ8dG7sUe3xHc2nW9yJ4kP6tZ1vB5aR8fL3oN0iE4="  # a Fernet key for the tests only


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, 0)


@pytest.fixture
def contact_key(monkeypatch):
    """Addresses of residents who asked to hear the outcome are kept sealed with CONTACT_ENCRYPTION_KEY."""
    monkeypatch.setenv("CONTACT_ENCRYPTION_KEY", CONTACT_KEY)
    get_settings.cache_clear()
    yield CONTACT_KEY
    get_settings.cache_clear()


@pytest.fixture
def responses(seeded_store, contact_key):
    """A known set of responses: multi, skipped optional, text with themes, injection payloads, RTL text, a withdrawn one."""
    store = seeded_store
    refs = {}
    refs["full"] = store.submit_response(
        consultation_slug=HARBOUR,
        channel="socketio",
        sender_id="a",
        submitted_at=at(3),
        answers={
            "support": "Agree",
            "design": "Option B - painted lane with wands",
            "concerns": ["Loss of parking", "Cost"],
            "trips": 12,
            "cycle_more": "Yes",
            "comments": "Parking is a worry",
        },
        themes={"comments": ["parking"]},
        ward_slug="harbourside",
        age_band="35-44",
        consent_quote=True,
        notify_outcome=False,
    )
    refs["skipped"] = store.submit_response(
        consultation_slug=HARBOUR,
        channel="twilio",
        sender_id="+447700900123",
        submitted_at=at(10),
        answers={
            "support": "Don't know",
            "design": "None of them",
            "concerns": None,
            "trips": None,
            "cycle_more": None,
            "comments": None,
        },
        ward_slug="old-town",
        consent_quote=False,
        notify_outcome=True,
        contact_sealed=store.seal_address("+447700900123"),  # as the channel edge seals it for the survey
    )
    refs["nasty"] = store.submit_response(
        consultation_slug=HARBOUR,
        channel="telegram",
        sender_id="b",
        submitted_at=at(20),
        answers={
            "support": "Disagree",
            "design": "Option A - kerb-separated lane",
            "concerns": ["Cost"],
            "trips": 0,
            "cycle_more": "No",
            "comments": '=HYPERLINK("http://evil","x") مرحبا «café» 🚲',
        },
        ward_slug="harbourside",
    )
    refs["withdrawn"] = store.submit_response(
        consultation_slug=HARBOUR,
        channel="socketio",
        sender_id="c",
        submitted_at=at(5),
        answers={"support": "Strongly agree", "design": "Option C - shared path"},
    )
    store.withdraw_response(refs["withdrawn"])
    refs["rank"] = store.submit_response(
        consultation_slug=LIBRARY,
        channel="rest",
        sender_id="d",
        submitted_at=at(15),
        answers={
            "use_library": "Yes",
            "important_services": [
                "Computers and wifi",
                "Borrowing books",
                "Children's activities",
                "Warm and quiet space to study",
            ],
        },
    )
    return refs


def run_export(store, fmt="csv", layout="wide", slug=HARBOUR, **filters) -> bytes:
    out = io.BytesIO()
    export(store, ExportRequest(ExportFilter(slug, **filters), format=fmt, layout=layout), out)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 BOM so Excel reads it correctly"
    assert b"\r\n" in data
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


HARBOUR_HEADER = [
    "reference",
    "submitted_at",
    "channel",
    "ward",
    "age_band",
    "consent_quote",
    "notify_outcome",
    "received_on",
    "support",
    "design",
    "concerns",
    "trips",
    "cycle_more",
    "comments",
    "comments_themes",
]


def test_csv_wide_has_exact_columns_and_values(seeded_store, responses):
    header, *rows = csv_rows(run_export(seeded_store))
    assert header == HARBOUR_HEADER
    by_ref = {row[0]: row for row in rows}
    assert set(by_ref) == {responses["full"], responses["skipped"], responses["nasty"]}  # never the withdrawn one
    assert [row[0] for row in rows] == [responses["full"], responses["skipped"], responses["nasty"]]
    assert by_ref[responses["full"]] == [
        responses["full"],
        "2026-11-03T12:00:00Z",
        "socketio",
        "harbourside",
        "35-44",
        "yes",
        "no",
        "",
        "Agree",
        "Option B - painted lane with wands",
        "Loss of parking; Cost",
        "12",
        "Yes",
        "Parking is a worry",
        "parking",
    ]
    assert by_ref[responses["skipped"]] == [
        responses["skipped"],
        "2026-11-10T12:00:00Z",
        "twilio",
        "old-town",
        "",
        "no",
        "yes",
        "",
        "Don't know",
        "None of them",
        "",
        "",
        "",
        "",
        "",
    ]


def test_formula_injection_is_neutralised_in_csv_and_xlsx(seeded_store, responses):
    rows = {row[0]: row for row in csv_rows(run_export(seeded_store))[1:]}
    assert rows[responses["nasty"]][13].startswith("'=HYPERLINK")
    workbook = load_workbook(io.BytesIO(run_export(seeded_store, "xlsx")))
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    nasty = next(row for row in values if row[0] == responses["nasty"])
    assert nasty[13].startswith("'=HYPERLINK")
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for row in values for v in row)
    for payload in ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=x", "\r=x"]:
        assert neutralise(payload) == "'" + payload
    assert neutralise(-5) == -5 and neutralise("safe") == "safe" and neutralise("") == ""


def test_non_ascii_and_right_to_left_text_survive_every_format(seeded_store, responses):
    phrase = "مرحبا «café» 🚲"
    assert phrase in run_export(seeded_store).decode("utf-8-sig")
    assert phrase in run_export(seeded_store, "json").decode("utf-8")
    assert phrase in run_export(seeded_store, "jsonl").decode("utf-8")
    sheet = load_workbook(io.BytesIO(run_export(seeded_store, "xlsx"))).active
    assert any(isinstance(cell.value, str) and phrase in cell.value for row in sheet.iter_rows() for cell in row)


def test_xlsx_matches_the_csv(seeded_store, responses):
    """The Responses sheet holds the CSV's rows, with the submitted time as a real date rather than text."""
    csv_data = csv_rows(run_export(seeded_store))
    sheet = load_workbook(io.BytesIO(run_export(seeded_store, "xlsx")))["Responses"]

    def text(cell) -> str:
        if isinstance(cell.value, dt.datetime):
            return cell.value.isoformat() + "Z"
        return "" if cell.value is None else str(cell.value)

    xlsx_data = [[text(cell) for cell in row] for row in sheet.iter_rows()]
    assert all(isinstance(row[1].value, dt.datetime) for row in sheet.iter_rows(min_row=2))
    assert xlsx_data == csv_data


def test_rank_answers_get_one_column_per_option(seeded_store, responses):
    header, row = csv_rows(run_export(seeded_store, slug=LIBRARY))
    columns = dict(zip(header, row))
    assert columns["important_services: Borrowing books"] == "2"
    assert columns["important_services: Computers and wifi"] == "1"
    assert columns["important_services: Children's activities"] == "3"
    assert columns["important_services: Warm and quiet space to study"] == "4"
    # This response has no answer at all to `satisfaction`: it was not asked (skipped would be empty).
    assert columns["satisfaction"] == "not asked" and columns["use_library"] == "Yes"


def test_json_keeps_lists_and_a_flat_form(seeded_store, responses):
    document = json.loads(run_export(seeded_store, "json"))
    assert document["meta"]["consultation"] == HARBOUR
    full = next(r for r in document["responses"] if r["reference"] == responses["full"])
    assert full["answers"]["concerns"] == ["Loss of parking", "Cost"]
    assert full["answers"]["trips"] == 12
    assert full["themes"] == {"comments": ["parking"]}
    assert full["flat"]["concerns"] == "Loss of parking; Cost"
    assert full["consent"] == {"quote_anonymously": True, "notify_outcome": False}
    lines = run_export(seeded_store, "jsonl").decode().splitlines()
    assert [json.loads(line)["reference"] for line in lines] == [r["reference"] for r in document["responses"]]


def test_json_ends_with_the_consultations_unanswered_questions(seeded_store, responses):
    store = seeded_store
    store.record_unanswered(HARBOUR, "question", "Are we losing parking?")
    store.record_unanswered(HARBOUR, "question", "are we losing parking")
    store.record_unanswered(HARBOUR, "answer", "not a hope", question_id="support")
    store.record_unanswered(HARBOUR, "question", "<script>x</script> ring 07700 900123")
    store.record_unanswered(LIBRARY, "question", "is there parking at the library?")
    data = run_export(store, "json")
    document = json.loads(data)
    assert list(document) == ["meta", "responses", "unanswered"]
    assert len(document["responses"]) == 3
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    groups = document["unanswered"]
    assert all(iso.match(g["first_seen"]) and iso.match(g["last_seen"]) for g in groups)
    assert [{k: v for k, v in g.items() if not k.endswith("_seen")} for g in groups] == [
        {"kind": "question", "question_id": None, "count": 2, "examples": ["are we losing parking", "Are we losing parking?"]},
        {"kind": "question", "question_id": None, "count": 1, "examples": [redact("<script>x</script> ring 07700 900123")]},
        {"kind": "answer", "question_id": "support", "count": 1, "examples": ["not a hope"]},
    ]
    assert b"900123" not in data and b"library" not in data.split(b'"unanswered"')[1]
    # The log is the consultation's, whatever the response filters; JSON Lines and CSV hold responses only.
    assert json.loads(run_export(store, "json", ward="riverside"))["unanswered"] == groups
    assert all("unanswered" not in json.loads(line) for line in run_export(store, "jsonl").decode().splitlines())
    assert b"losing" not in run_export(store)
    empty = json.loads(run_export(store, "json", slug="market-square-events"))
    assert empty["responses"] == [] and empty["unanswered"] == []


def test_long_layout_has_one_row_per_answer(seeded_store, responses):
    header, *rows = csv_rows(run_export(seeded_store, layout="long"))
    assert header == [
        "reference",
        "submitted_at",
        "channel",
        "ward",
        "age_band",
        "question",
        "question_type",
        "value",
        "rank",
        "themes",
        "skipped",
        "other",
        "asked",
        "received_on",
    ]
    full = [row for row in rows if row[0] == responses["full"]]
    assert [row[5] for row in full] == ["support", "design", "concerns", "concerns", "trips", "cycle_more", "comments"]
    assert [row[7] for row in full if row[5] == "concerns"] == ["Loss of parking", "Cost"]
    skipped = [row for row in rows if row[0] == responses["skipped"] and row[5] == "comments"]
    assert skipped[0][10] == "yes"
    header, *ranked = csv_rows(run_export(seeded_store, layout="long", slug=LIBRARY))
    assert [(row[7], row[8]) for row in ranked if row[5] == "important_services"][:2] == [
        ("Computers and wifi", "1"),
        ("Borrowing books", "2"),
    ]


def test_filters(seeded_store, responses):
    def refs(**filters):
        return [row[0] for row in csv_rows(run_export(seeded_store, **filters))[1:]]

    assert refs(ward="harbourside") == [responses["full"], responses["nasty"]]
    assert refs(channel="twilio") == [responses["skipped"]]
    assert refs(since=dt.date(2026, 11, 10)) == [responses["skipped"], responses["nasty"]]
    assert refs(until=dt.date(2026, 11, 10)) == [responses["full"], responses["skipped"]]
    assert refs(since=dt.date(2026, 11, 4), until=dt.date(2026, 11, 19)) == [responses["skipped"]]
    assert refs(ward="riverside") == []


def test_withdrawn_responses_are_in_no_export_or_count(seeded_store, responses):
    for fmt in ("csv", "json", "jsonl"):
        assert responses["withdrawn"].encode() not in run_export(seeded_store, fmt)
    assert {o.slug: o.responses for o in seeded_store.overview()}[HARBOUR] == 3


def test_personal_data_only_on_request(seeded_store, responses):
    plain = csv_rows(run_export(seeded_store))
    assert "contact_id" not in plain[0]
    out = io.BytesIO()
    export(seeded_store, ExportRequest(ExportFilter(HARBOUR), include_personal_data=True), out)
    header, *rows = csv_rows(out.getvalue())
    assert header[8:10] == ["contact_channel", "contact_id"]
    contacts = {row[0]: row[8:10] for row in rows}
    assert contacts == {
        # Asked to hear the outcome. A leading "+" could start a formula, so CSV carries the number as text
        # ('+44...: Excel shows +447700900123); JSON below carries it as it is.
        responses["skipped"]: ["twilio", "'+447700900123"],
        responses["full"]: ["", ""],  # said no
        responses["nasty"]: ["", ""],  # never asked
    }
    out = io.BytesIO()
    export(seeded_store, ExportRequest(ExportFilter(HARBOUR), format="json", include_personal_data=True), out)
    document = json.loads(out.getvalue())
    assert {item["reference"]: item["contact"] for item in document["responses"]} == {
        responses["skipped"]: {"channel": "twilio", "id": "+447700900123"},
        responses["full"]: None,
        responses["nasty"]: None,
    }


def test_demo_data_is_deterministic_and_deletable(seeded_store):
    from actions.demo import generate

    consultation = seeded_store.consultation(HARBOUR)
    first = list(generate(consultation, seeded_store.wards(), 50, 7, dt.date(2026, 11, 22)))
    second = list(generate(consultation, seeded_store.wards(), 50, 7, dt.date(2026, 11, 22)))
    assert first == second
    assert seeded_store.submit_many(HARBOUR, first) == 50
    assert all("07700" not in json.dumps(item["answers"]) for item in first)
    assert len(csv_rows(run_export(seeded_store))) == 51
    assert seeded_store.delete_demo_responses() == 50
    assert len(csv_rows(run_export(seeded_store))) == 1
