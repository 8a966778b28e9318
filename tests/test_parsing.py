"""Every question type's parser against what residents actually type (accepted and rejected)."""

from __future__ import annotations

import pytest

from actions.content.model import Question
from actions.survey.parsing import clean_text, is_explicit_skip, is_skip, parse_answer

SCALE = Question(id="support", type="scale", text="How far do you agree?", scale="agree5")
SATISFIED = Question(id="sat", type="scale", text="How satisfied?", scale="satisfied5")
LIKELY = Question(id="likely", type="scale", text="How likely?", scale="likely5")
CHOICE = Question(
    id="design",
    type="choice",
    text="Which design?",
    options=("Option A - kerb-separated lane", "Option B - painted lane with wands", "Option C - shared path", "None of them"),
)
MULTI = Question(
    id="concerns",
    type="multi",
    text="Concerns?",
    max_choices=3,
    options=(
        "Loss of parking",
        "Safety at junctions",
        "Cost",
        "Disruption during works",
        "Deliveries to shops",
        "Pedestrian safety",
        "None",
    ),
)
RANK = Question(
    id="services",
    type="rank",
    text="Order these",
    options=("Borrowing books", "Computers and wifi", "Children's activities", "Warm and quiet space to study"),
)
YESNO = Question(id="cycle", type="yesno", text="Would you cycle more?")
NUMBER = Question(id="trips", type="number", text="Trips a week?", min=0, max=100)
TEXT = Question(id="comments", type="text", text="Anything else?", required=False, max_length=200)


def check(question, text, expected):
    result = parse_answer(question, text)
    if expected is None:
        assert not result.ok, f"{text!r} should be rejected, got {result.value!r}"
        assert result.hint or result.partial or result.confirm
    else:
        assert result.ok, f"{text!r} should give {expected!r}, hint: {result.hint}"
        assert result.value == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Strongly agree", "Strongly agree"),
        ("strongly agree", "Strongly agree"),
        ("AGREE", "Agree"),
        ("agree", "Agree"),
        ("i agree", "Agree"),
        ("totally agree", "Strongly agree"),
        ("disagree", "Disagree"),
        ("strongly disagree", "Strongly disagree"),
        ("I don't agree", "Disagree"),
        ("not sure", "Don't know"),
        ("dunno", "Don't know"),
        ("Don't know", "Don't know"),
        ("neutral", "Neither agree nor disagree"),
        ("1", "Strongly agree"),
        ("5", "Strongly disagree"),
        ("3.", "Neither agree nor disagree"),
        ("stongly agree", "Strongly agree"),
        ("Neither agree nor disagree", "Neither agree nor disagree"),
        ("7", None),
        ("0", None),
        ("banana", None),
        ("yes", None),
        ("", None),
        ("agree and disagree and maybe", None),
    ],
)
def test_scale_agree(text, expected):
    check(SCALE, text, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("very satisfied", "Very satisfied"),
        ("happy", "Satisfied"),
        ("unhappy", "Dissatisfied"),
        ("not satisfied", "Dissatisfied"),
        ("2", "Satisfied"),
        ("very unhappy", "Very dissatisfied"),
    ],
)
def test_scale_satisfied(text, expected):
    check(SATISFIED, text, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("very likely", "Very likely"),
        ("probably", "Likely"),
        ("probably not", "Unlikely"),
        ("never", "Very unlikely"),
        ("definitely", "Very likely"),
        ("4", "Unlikely"),
    ],
)
def test_scale_likely(text, expected):
    check(LIKELY, text, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2", "Option B - painted lane with wands"),
        ("option b", "Option B - painted lane with wands"),
        ("B", "Option B - painted lane with wands"),
        ("the painted one", "Option B - painted lane with wands"),
        ("kerb", "Option A - kerb-separated lane"),
        ("shared path please", "Option C - shared path"),
        ("Option C - shared path", "Option C - shared path"),
        ("none of them", "None of them"),
        ("the second one", "Option B - painted lane with wands"),
        ("number 1", "Option A - kerb-separated lane"),
        ("i'd go for the kerb separated lane", "Option A - kerb-separated lane"),
        ("wands", "Option B - painted lane with wands"),
        ("7", None),
        ("0", None),
        ("the blue one", None),
        ("", None),
    ],
)
def test_choice(text, expected):
    check(CHOICE, text, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 and 3", ["Loss of parking", "Cost"]),
        ("1, 3", ["Loss of parking", "Cost"]),
        ("3 1", ["Loss of parking", "Cost"]),
        ("parking, cost", ["Loss of parking", "Cost"]),
        ("junctions and deliveries", ["Safety at junctions", "Deliveries to shops"]),
        ("cost", ["Cost"]),
        ("2", ["Safety at junctions"]),
        ("1 & 2", ["Loss of parking", "Safety at junctions"]),
        ("Cost; Disruption during works", ["Cost", "Disruption during works"]),
        ("1 and 1", ["Loss of parking"]),
        ("1 2 3 4", None),
        ("1, 2, 3 and 4", None),
        ("9", None),
        ("parking and aliens", None),
        ("", None),
    ],
)
def test_multi_with_max_choices(text, expected):
    check(MULTI, text, expected)


ORDER = ["Children's activities", "Borrowing books", "Computers and wifi", "Warm and quiet space to study"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3 1 2 4", ORDER),
        ("3,1,2,4", ORDER),
        ("3 1 2", ORDER),
        ("3, 1, 2, 4", ORDER),
        ("children's activities, borrowing books, computers, warm and quiet space", ORDER),
        ("children's activities, books, computers", ORDER),
        ("1 2 3 4", list(RANK.options)),
        ("1 1 2 3", None),
        ("1 2 3 4 5", None),
        ("5 4 3 2", None),
        ("aliens, books", None),
    ],
)
def test_rank_in_one_message(text, expected):
    check(RANK, text, expected)


def test_rank_one_per_turn():
    first = parse_answer(RANK, "computers")
    assert not first.ok and first.partial == ["Computers and wifi"]
    second = parse_answer(RANK, "books", first.partial)
    assert not second.ok and second.partial == ["Computers and wifi", "Borrowing books"]
    third = parse_answer(RANK, "4", second.partial)  # the last one is implied
    assert third.ok and third.value == [
        "Computers and wifi",
        "Borrowing books",
        "Warm and quiet space to study",
        "Children's activities",
    ]
    again = parse_answer(RANK, "computers", first.partial)
    assert not again.ok and "already" in again.hint


@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes", "Yes"),
        ("Y", "Yes"),
        ("yeah", "Yes"),
        ("yep definitely", "Yes"),
        ("of course", "Yes"),
        ("1", "Yes"),
        ("no", "No"),
        ("nope", "No"),
        ("nah", "No"),
        ("not really", "No"),
        ("2", "No"),
        ("No, never", "No"),
        ("maybe", None),
        ("what?", None),
        ("", None),
    ],
)
def test_yesno(text, expected):
    check(YESNO, text, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12", 12),
        ("about 12", 12),
        ("twelve", 12),
        ("12 trips", 12),
        ("none", 0),
        ("zero", 0),
        ("0", 0),
        ("100", 100),
        ("2.5", 2.5),
        ("twenty", 20),
        ("around 10 to 12", None),
        ("101", None),
        ("-1", None),
        ("lots", None),
        ("10 or 12", None),
        ("", None),
    ],
)
def test_number_within_range(text, expected):
    check(NUMBER, text, expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Great idea", "Great idea"),
        ("  spaces around  ", "spaces around"),
        ("emoji 🚲 fine", "emoji 🚲 fine"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("'; DROP TABLE responses; --", "'; DROP TABLE responses; --"),
        ("مرحبا بالعالم", "مرحبا بالعالم"),
        ("line one\nline two", "line one\nline two"),
        ("bell\x07 and null\x00 removed", "bell and null removed"),
        ("x" * 200, "x" * 200),
        ("x" * 201, None),
        ("", None),
        ("\x00\x01", None),
    ],
)
def test_text(text, expected):
    check(TEXT, text, expected)


def test_too_long_text_is_not_truncated_and_the_resident_is_told():
    result = parse_answer(TEXT, "y" * 5000)
    assert not result.ok and "5,000 characters" in result.hint and "haven't cut anything off" in result.hint


def test_skips():
    assert all(is_explicit_skip(text) for text in ["skip", "Skip.", "pass", "no comment", "prefer not to say"])
    assert is_skip("none") and is_skip("nothing to add") and not is_explicit_skip("none")
    assert not is_skip("I agree")


def test_clean_text_keeps_plain_text_plain():
    assert clean_text("a\u202eb") == "ab"  # bidi override is a control character
    assert clean_text("caf\u0065\u0301") == "café"
