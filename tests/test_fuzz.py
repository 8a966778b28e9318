"""Property-based tests (Hypothesis): parsers, postcodes, the YAML loader and validator, redaction, CSV/XLSX writers.

CI runs the default budget; `make fuzz` runs many more examples (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import csv
import io
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from actions.content.files import read_yaml
from actions.content.model import SCALES, Question
from actions.content.validate import ContentError, validate_consultation, validate_council_file
from actions.export.writers import neutralise, write_csv, write_xlsx
from actions.survey.parsing import options_for, parse_answer
from actions.text.postcodes import find_postcode
from actions.text.redaction import redact

settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

OPTIONS = ("Option A - kerb-separated lane", "Option B - painted lane with wands", "Option C - shared path", "None of them")
QUESTIONS = [
    Question(id="s", type="scale", text="?", scale="agree5"),
    Question(id="c", type="choice", text="?", options=OPTIONS),
    Question(id="m", type="multi", text="?", options=OPTIONS, max_choices=2),
    Question(id="r", type="rank", text="?", options=OPTIONS),
    Question(id="y", type="yesno", text="?"),
    Question(id="n", type="number", text="?", min=0, max=100),
    Question(id="t", type="text", text="?", max_length=500),
]
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@given(question=st.sampled_from(QUESTIONS), text=any_text)
def test_parsers_never_crash_and_answers_are_canonical(question, text):
    result = parse_answer(question, text)
    if not result.ok:
        assert result.hint or result.partial
        return
    allowed = set(options_for(question))
    if question.type in ("scale", "choice", "yesno"):
        assert result.value in allowed
    elif question.type in ("multi", "rank"):
        assert set(result.value) <= allowed and len(set(result.value)) == len(result.value)
    elif question.type == "number":
        assert 0 <= result.value <= 100
    else:
        assert len(result.value) <= 500


@given(question=st.sampled_from([q for q in QUESTIONS if q.type in ("scale", "choice", "yesno")]), data=st.data())
def test_parse_of_a_rendered_option_gives_it_back(question, data):
    label = data.draw(st.sampled_from(options_for(question)))
    shown = data.draw(st.sampled_from([label, label.upper(), label.lower(), f"  {label}  "]))
    assert parse_answer(question, shown).value == label
    number = options_for(question).index(label) + 1
    if question.type != "scale" or label in SCALES["agree5"]:
        assert parse_answer(question, str(number)).value == label


@given(order=st.permutations(range(1, len(OPTIONS) + 1)))
def test_rank_numbers_round_trip(order):
    rank = QUESTIONS[3]
    assert parse_answer(rank, " ".join(map(str, order))).value == [OPTIONS[n - 1] for n in order]


outward = st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]?", fullmatch=True)
inward = st.from_regex(r"[0-9][A-Z]{2}", fullmatch=True)


@given(outward, inward, st.sampled_from(["", " ", "  ", "\t"]), st.booleans())
def test_postcodes_in_any_spacing_or_case_give_the_same_sector(out, inn, gap, lower):
    written = f"{out}{gap}{inn}"
    found = find_postcode(f"I live at {written.lower() if lower else written}, thanks")
    assert found is not None and found.sector == f"{out} {inn[0]}" and found.full == f"{out} {inn}"


@given(any_text)
def test_postcode_finder_never_crashes(text):
    found = find_postcode(text)
    assert found is None or re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]", found.sector)


local = st.from_regex(r"[a-z][a-z0-9._+-]{0,15}", fullmatch=True)
domain = st.from_regex(r"[a-z][a-z0-9-]{1,10}\.(com|org|co\.uk|gov\.uk)", fullmatch=True)
mobile = st.from_regex(r"07[0-9]{3} ?[0-9]{6}", fullmatch=True)


@given(prefix=any_text, suffix=any_text, user=local, host=domain, phone=mobile)
def test_redaction_never_leaves_an_email_or_phone_number(prefix, suffix, user, host, phone):
    redacted = redact(f"{prefix} {user}@{host} {phone} {suffix}")
    assert f"{user}@{host}" not in redacted and phone not in redacted
    assert "[email]" in redacted and "[phone]" in redacted


@given(any_text)
def test_redaction_never_crashes_and_is_stable(text):
    once = redact(text)
    assert isinstance(once, str)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@given(yaml_values)
def test_validators_reject_garbage_with_problems_not_exceptions(document):
    for validate in (lambda d: validate_consultation(d, "x.yml", known_wards={"a"}), lambda d: validate_council_file(d, "w.yml")):
        try:
            validate(document)
        except ContentError as error:
            assert error.problems and all(str(problem).startswith(("x.yml", "w.yml")) for problem in error.problems)


@settings(max_examples=50)
@given(st.text(max_size=2000))
def test_the_yaml_reader_never_crashes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "x.yml"
    path.write_text(text, encoding="utf-8")
    try:
        read_yaml(path)
    except ContentError as error:
        assert len(error.problems) == 1


cells = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40), st.integers(-(10**6), 10**6), st.none()
)


@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=20))
def test_csv_writer_round_trips_and_neutralises(rows):
    out = io.BytesIO()
    write_csv(out, iter(rows), ["a", "b", "c"])
    read = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    assert read[0] == ["a", "b", "c"]
    expected = [["" if cell is None else str(neutralise(cell)) for cell in row] for row in rows]
    assert read[1:] == expected
    assert not any(cell.startswith(("=", "+", "@")) for row in read[1:] for cell in row if not cell.lstrip("-").isdigit())


@settings(max_examples=30)
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30), min_size=2, max_size=2),
        max_size=10,
    )
)
def test_xlsx_writer_never_stores_a_formula(rows):
    out = io.BytesIO()
    write_xlsx(out, iter(rows), ["a", "b"], "fuzz")
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
