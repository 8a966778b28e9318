"""Validation of consultation and wards files: one clear line per problem, naming file and field."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml

from actions.content.files import read_bundle
from actions.content.validate import ContentError, validate_consultation

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
WARDS = {"harbourside", "old-town", "riverside"}


def valid_consultation() -> dict:
    return yaml.safe_load((SEEDS / "harbour-road-cycle-lane.yml").read_text())


def problems_for(document, known_wards=WARDS) -> list[str]:
    with pytest.raises(ContentError) as caught:
        validate_consultation(document, "x.yml", known_wards=known_wards)
    return [str(problem) for problem in caught.value.problems]


def with_change(change) -> dict:
    document = copy.deepcopy(valid_consultation())
    change(document)
    return document


def test_the_seeded_consultation_is_valid():
    consultation = validate_consultation(valid_consultation(), "x.yml", known_wards=WARDS)
    assert consultation.slug == "harbour-road-cycle-lane"
    assert [q.type for q in consultation.questions] == ["scale", "choice", "multi", "number", "yesno", "text"]


MALFORMED = [
    ("missing title", lambda d: d.pop("title"), "x.yml: title: is required"),
    ("missing closes", lambda d: d.pop("closes"), "x.yml: closes: is required (a date such as 2026-12-20)"),
    (
        "bad slug",
        lambda d: d.update(slug="Harbour Road!"),
        "x.yml: slug: 'Harbour Road!' must use only lower-case letters, digits and single hyphens",
    ),
    (
        "unknown status",
        lambda d: d.update(status="published"),
        "x.yml: status: 'published' must be one of: draft, open, closed, archived",
    ),
    ("closes before opens", lambda d: d.update(closes="2026-10-01"), "x.yml: closes: 2026-10-01 is before opens (2026-11-01)"),
    (
        "date that is not a date",
        lambda d: d.update(opens="next tuesday"),
        "x.yml: opens: must be a date such as 2026-12-20, got 'next tuesday'",
    ),
    (
        "unknown ward",
        lambda d: d.update(wards=["harbourside", "atlantis"]),
        "x.yml: wards[1]: unknown ward 'atlantis' (not in any loaded wards file)",
    ),
    ("wards not a list", lambda d: d.update(wards="harbourside"), "x.yml: wards: must be a list, got text"),
    ("topics wrong type", lambda d: d.update(topics={"a": 1}), "x.yml: topics: must be a list, got a mapping"),
    ("summary too long", lambda d: d.update(summary="word " * 81), "x.yml: summary: is 81 words; keep it to 80 or fewer"),
    (
        "choice with one option",
        lambda d: d["questions"][1].update(options=["Only one"]),
        "x.yml: questions[1].options: a choice question needs at least 2 options",
    ),
    (
        "duplicate question id",
        lambda d: d["questions"][2].update(id="support"),
        "x.yml: questions: duplicate question id 'support'",
    ),
    (
        "unknown question type",
        lambda d: d["questions"][0].update(type="slider"),
        "x.yml: questions[0].type: 'slider' must be one of: scale, choice, multi, rank, text, yesno, number",
    ),
    (
        "unknown scale",
        lambda d: d["questions"][0].update(scale="happy7"),
        "x.yml: questions[0].scale: 'happy7' must be one of: agree5, satisfied5, likely5, support5, or a list of labels, most positive first",
    ),
    (
        "max_choices above options",
        lambda d: d["questions"][2].update(max_choices=12),
        "x.yml: questions[2].max_choices: must be between 1 and the number of options (7)",
    ),
    (
        "number min above max",
        lambda d: d["questions"][3].update(min=10, max=5),
        "x.yml: questions[3].max: must be greater than min (10)",
    ),
    (
        "required not boolean",
        lambda d: d["questions"][0].update(required="yes"),
        "x.yml: questions[0].required: must be true or false, got 'yes'",
    ),
    (
        "misspelt field",
        lambda d: d["questions"][1].update(optoins=["a", "b"]),
        "x.yml: questions[1].optoins: unknown field (check the spelling against docs/consultation-format.md)",
    ),
    (
        "document url not a url",
        lambda d: d["documents"][0].update(url="brochure.pdf"),
        "x.yml: documents[0].url: 'brochure.pdf' must be a full http:// or https:// address",
    ),
    (
        "event without time",
        lambda d: d["events"][0].pop("when"),
        "x.yml: events[0].when: is required (a date and time such as 2026-11-28T18:30)",
    ),
    ("faq missing answer", lambda d: d["faqs"][0].pop("answer"), "x.yml: faqs[0].answer: is required"),
    (
        "duplicate option",
        lambda d: d["questions"][1].update(options=["Yes", "yes", "No"]),
        "x.yml: questions[1].options: duplicate option 'yes'",
    ),
    (
        "outcome without date",
        lambda d: d.update(outcome={"you_said": "a", "we_did": "b"}),
        "x.yml: outcome.published: is required (a date such as 2026-12-20)",
    ),
    (
        "open with no questions",
        lambda d: d.update(questions=[]),
        "x.yml: questions: an open consultation needs at least one question",
    ),
    (
        "text max_length zero",
        lambda d: d["questions"][5].update(max_length=0),
        "x.yml: questions[5].max_length: must be between 1 and 10000",
    ),
]


@pytest.mark.parametrize("change, expected", [(c, e) for _, c, e in MALFORMED], ids=[name for name, _, _ in MALFORMED])
def test_malformed_consultations_are_rejected_with_one_line_naming_the_field(change, expected):
    problems = problems_for(with_change(change))
    assert expected in problems
    assert all("\n" not in problem for problem in problems)


def test_a_document_that_is_not_a_mapping_is_rejected():
    assert problems_for(["a", "list"]) == ["x.yml: must be a mapping of fields, got a list"]


def test_every_problem_is_reported_at_once():
    problems = problems_for({"slug": "ok-slug"})
    assert len(problems) >= 5  # title, status, opens, closes, wards, summary...


# --- whole files -----------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def bundle_problems(paths, known_wards=WARDS) -> list[str]:
    with pytest.raises(ContentError) as caught:
        read_bundle(paths, known_wards=known_wards)
    return [str(problem) for problem in caught.value.problems]


def test_bad_yaml_names_the_line(tmp_path):
    bad = write(tmp_path / "bad.yml", "slug: x\ntitle: [unclosed\nstatus: open\n")
    [problem] = bundle_problems([bad])
    assert problem.startswith(f"{bad}: invalid YAML at line")


def test_empty_file(tmp_path):
    empty = write(tmp_path / "empty.yml", "   \n# only a comment\n")
    # A file of only comments parses to nothing: it is reported as not a mapping.
    assert bundle_problems([write(tmp_path / "blank.yml", "")]) == [f"{tmp_path / 'blank.yml'}: file is empty"]
    assert bundle_problems([empty]) == [f"{empty}: must be a mapping of fields, got nothing"]


def test_a_ten_megabyte_file_is_refused_before_parsing(tmp_path):
    huge = tmp_path / "huge.yml"
    huge.write_bytes(b"summary: " + b"a" * 10_000_000)
    assert bundle_problems([huge]) == [f"{huge}: file is 10.0 MB; the limit is 1 MB"]


def test_duplicate_yaml_keys_are_refused(tmp_path):
    dup = write(tmp_path / "dup.yml", "slug: a\nslug: b\n")
    [problem] = bundle_problems([dup])
    assert "duplicate key 'slug'" in problem and "line 2" in problem


def test_duplicate_slugs_across_files(tmp_path):
    text = (SEEDS / "market-square-events.yml").read_text()
    first = write(tmp_path / "a.yml", text)
    second = write(tmp_path / "b.yml", text)
    assert bundle_problems([first, second]) == [f"{second}: slug: duplicate slug 'market-square-events' (also in {first})"]


def test_not_utf8(tmp_path):
    latin = tmp_path / "latin.yml"
    latin.write_bytes("title: caf\xe9".encode("latin-1"))
    assert bundle_problems([latin]) == [f"{latin}: file is not UTF-8 text"]


def test_wards_file_problems(tmp_path):
    document = yaml.safe_load((SEEDS / "wards.yml").read_text())
    document["wards"][1]["postcode_sectors"].append("MB1 2")  # already Harbourside's
    document["wards"][0]["postcode_sectors"].append("not a postcode")
    document["wards"][2]["councillors"][0]["email"] = "nobody"
    path = write(tmp_path / "wards.yml", yaml.safe_dump(document))
    problems = bundle_problems([path])
    assert f"{path}: wards: postcode sector 'MB1 2' is in both 'harbourside' and 'old-town'" in problems
    assert f"{path}: wards[0].postcode_sectors[2]: 'not a postcode' is not a postcode sector such as 'MB1 2'" in problems
    assert f"{path}: wards[2].councillors[0].email: 'nobody' is not an email address" in problems


def test_wards_defined_in_the_same_load_are_known(tmp_path):
    bundle = read_bundle([SEEDS], known_wards=set())
    assert bundle.council is not None and len(bundle.council.wards) >= 6
    assert {c.slug for c in bundle.consultations} >= {"harbour-road-cycle-lane", "westfield-leisure-centre"}


def test_seeds_cover_what_the_demo_needs():
    import datetime as dt

    bundle = read_bundle([SEEDS], known_wards=set())
    today = dt.date(2026, 11, 22)
    by_status: dict[str, list] = {}
    for consultation in bundle.consultations:
        by_status.setdefault(consultation.effective_status(today), []).append(consultation)
    open_ones = by_status["open"]
    assert len(open_ones) >= 2
    rich = [c for c in open_ones if 5 <= len(c.questions) <= 8]
    assert len(rich) >= 2
    assert {q.type for c in rich for q in c.questions} == {"scale", "choice", "multi", "rank", "text", "yesno", "number"}
    assert any((c.closes - today).days <= 7 for c in open_ones)
    assert any(c.outcome for c in by_status["closed"])
    assert by_status.get("draft")


def test_custom_scales_and_option_aliases_survive_the_store_document_round_trip():
    from actions.content.documents import consultation_document, consultation_from_document
    from tests.conftest import PROJECT_ROOT

    fixtures = PROJECT_ROOT / "tests" / "understanding" / "consultations"
    bundle = read_bundle([PROJECT_ROOT / "seeds" / "wards.yml", fixtures], known_wards=set())
    library = next(c for c in bundle.consultations if c.slug == "oakfield-library-hub")
    importance = next(q for q in library.questions if q.id == "importance")
    assert importance.scale == "custom" and importance.scale_labels[0] == "Very important"
    aliased = dataclasses.replace(
        library,
        questions=tuple(
            dataclasses.replace(q, aliases=(("Café", ("coffee shop", "tea room")),)) if q.id == "services" else q
            for q in library.questions
        ),
    )
    assert consultation_from_document(consultation_document(aliased)) == aliased
