"""Exports tell "not asked" (skip logic), skipped and "Don't know" apart, and carry the "other, please
specify" text beside the choice (CSV wide and long, JSON), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from actions.content.files import read_bundle
from actions.export.records import ExportFilter
from actions.export.service import ExportRequest, export
from tests.conftest import SEEDS
from tests.skip_logic_consultation import SLUG, write_ferry


@pytest.fixture
def ferry_responses(store, tmp_path):
    store.apply_bundle(read_bundle([SEEDS / "wards.yml", write_ferry(tmp_path / "ferry.yml")], known_wards=set()))
    by_bus = store.submit_response(
        consultation_slug=SLUG,
        channel="rest",
        sender_id="a",
        submitted_at=dt.datetime(2026, 11, 20, 9),
        answers={"travel": ["Bus"], "trips": 2, "support": "Agree"},  # parking, season, why_not not asked
    )
    by_car = store.submit_response(
        consultation_slug=SLUG,
        channel="socketio",
        sender_id="b",
        submitted_at=dt.datetime(2026, 11, 21, 9),
        answers={
            "travel": ["Car", "Other (please specify)"],
            "parking": None,  # asked, and skipped
            "trips": 5,
            "season": "Something else (please tell us)",
            "support": "Don't know",
        },
        other_texts={"travel": "[name] gives me a lift", "season": "School holidays"},
        themes={"travel": ["lifts"]},
    )
    return store, by_bus, by_car


def run_export(store, fmt="csv", layout="wide") -> bytes:
    out = io.BytesIO()
    export(store, ExportRequest(ExportFilter(SLUG), format=fmt, layout=layout), out)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_wide_csv_marks_not_asked_apart_from_skipped_and_dont_know_and_puts_other_beside_the_choice(ferry_responses):
    store, by_bus, by_car = ferry_responses
    header, *rows = csv_rows(run_export(store))
    assert header[8:] == [
        "travel",
        "travel: other",
        "travel: other themes",
        "parking",
        "trips",
        "season",
        "season: other",
        "season: other themes",
        "support",
        "why_not",
        "why_not_themes",
    ]
    by_ref = {row[0]: row[8:] for row in rows}
    assert by_ref[by_bus] == [
        "Bus",
        "",
        "",
        "not asked",
        "2",
        "not asked",
        "not asked",
        "not asked",
        "Agree",
        "not asked",
        "not asked",
    ]
    assert by_ref[by_car] == [
        "Car; Other (please specify)",
        "[name] gives me a lift",
        "lifts",
        "",
        "5",
        "Something else (please tell us)",
        "School holidays",
        "",
        "Don't know",
        "not asked",
        "not asked",
    ]


def test_long_csv_has_a_row_for_a_question_not_asked_and_the_other_text_on_its_option(ferry_responses):
    store, by_bus, by_car = ferry_responses
    header, *rows = csv_rows(run_export(store, layout="long"))
    assert header[5:] == ["question", "question_type", "value", "rank", "themes", "skipped", "other", "asked", "received_on"]
    bus = {row[5]: row[7:] for row in rows if row[0] == by_bus}
    assert bus["parking"] == ["", "", "", "no", "", "no", ""]
    assert bus["support"] == ["Agree", "", "", "no", "", "yes", ""]
    car = [row[5:] for row in rows if row[0] == by_car]
    assert ["travel", "multi", "Other (please specify)", "", "lifts", "no", "[name] gives me a lift", "yes", ""] in car
    assert ["travel", "multi", "Car", "", "", "no", "", "yes", ""] in car
    assert ["parking", "scale", "", "", "", "yes", "", "yes", ""] in car
    assert ["season", "choice", "Something else (please tell us)", "", "", "no", "School holidays", "yes", ""] in car


def test_json_lists_what_was_not_asked_and_the_other_texts(ferry_responses):
    store, by_bus, by_car = ferry_responses
    document = json.loads(run_export(store, "json"))
    records = {record["reference"]: record for record in document["responses"]}
    assert records[by_bus]["not_asked"] == ["parking", "season", "why_not"]
    assert records[by_car]["not_asked"] == ["why_not"]
    assert records[by_car]["answers"]["parking"] is None  # skipped: asked, no answer
    assert records[by_car]["other"] == {"travel": "[name] gives me a lift", "season": "School holidays"}
    assert records[by_car]["flat"]["travel: other"] == "[name] gives me a lift"
    parking = next(q for q in document["meta"]["questions"] if q["id"] == "parking")
    assert parking["ask_if"] == {"question": "travel", "includes": "Car"}
    travel = next(q for q in document["meta"]["questions"] if q["id"] == "travel")
    assert travel["other"] == "Other (please specify)"


def test_the_portals_percentages_are_of_residents_asked_never_of_everyone(ferry_responses):
    from actions.content.validate import validate_consultation
    from actions.export.analysis import question_summaries
    from tests.skip_logic_consultation import ferry_document

    store, _by_bus, _by_car = ferry_responses
    for sender, parking in (("c", "Satisfied"), ("d", "Very satisfied")):
        store.submit_response(
            consultation_slug=SLUG,
            channel="rest",
            sender_id=sender,
            answers={"travel": ["Car"], "parking": parking, "trips": 1, "support": "Agree"},
        )
    consultation = validate_consultation(ferry_document(), "ferry.yml")
    summaries = {summary.question.id: summary for summary in question_summaries(store, consultation, ExportFilter(SLUG))}
    parking = summaries["parking"]
    # 4 responses: one by bus was not asked, one skipped it, two answered.
    assert (parking.responses, parking.not_asked, parking.skipped, parking.answered) == (4, 1, 1, 2)
    shares = {option.label: option.percent for option in parking.options}
    assert shares["Satisfied"] == 50.0 and shares["Very satisfied"] == 50.0
    travel = {option.label: (option.count, option.percent) for option in summaries["travel"].options}
    assert travel["Other (please specify)"] == (1, 25.0) and travel["Car"] == (3, 75.0)
    why_not = summaries["why_not"]
    assert (why_not.not_asked, why_not.answered) == (4, 0)
