"""Skip logic (`ask_if`) and "other, please specify" in the YAML format: what is accepted, how it reads
back from the store, and one clear line for each way it can be wrong."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from actions.content.documents import consultation_document, consultation_from_document
from actions.content.model import Condition
from actions.content.validate import ContentError, consultation_problems, validate_consultation

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
WARDS = {"harbourside", "old-town", "riverside"}
# The cycle lane's questions: 0 support (scale), 1 design (choice), 2 concerns (multi, up to 3),
# 3 trips (number 0-100), 4 cycle_more (yesno), 5 comments (text).


def cycle_lane() -> dict:
    return yaml.safe_load((SEEDS / "harbour-road-cycle-lane.yml").read_text())


def changed(**questions) -> dict:
    """The cycle lane with fields added to questions by index: changed(q3={"ask_if": ...})."""
    document = copy.deepcopy(cycle_lane())
    for key, fields in questions.items():
        document["questions"][int(key[1:])].update(fields)
    return document


def problems_for(document) -> list[str]:
    with pytest.raises(ContentError) as caught:
        validate_consultation(document, "x.yml", known_wards=WARDS)
    return [str(problem) for problem in caught.value.problems]


def test_every_condition_of_the_contract_is_accepted_and_labels_are_written_as_in_the_options():
    document = changed(
        q2={"other": "Something else (please tell us)"},
        q3={"ask_if": {"question": "concerns", "includes": "cost"}},
        q4={
            "ask_if": {
                "any": [
                    {"question": "support", "one_of": ["disagree", "Strongly disagree"]},
                    {"all": [{"question": "trips", "at_least": 3}, {"question": "trips", "at_most": 50}]},
                    {"question": "design", "is_not": "None of them"},
                ]
            }
        },
        q5={"ask_if": {"question": "cycle_more", "is": True}},  # YAML reads an unquoted yes as true
    )
    questions = validate_consultation(document, "x.yml", known_wards=WARDS).questions
    assert questions[3].ask_if == Condition("includes", "concerns", "Cost")
    assert questions[4].ask_if.parts[0] == Condition("one_of", "support", ("Disagree", "Strongly disagree"))
    assert questions[4].ask_if.parts[1].parts == (Condition("at_least", "trips", 3), Condition("at_most", "trips", 50))
    assert questions[5].ask_if == Condition("is", "cycle_more", "Yes")
    assert questions[2].options[-1] == "Something else (please tell us)" and questions[2].other == questions[2].options[-1]


def test_other_true_adds_the_default_option_last_and_multi_may_choose_it_too():
    questions = validate_consultation(
        changed(q1={"other": True}, q2={"other": True, "max_choices": None}), "x.yml", known_wards=WARDS
    ).questions
    assert questions[1].options == (
        "Option A - kerb-separated lane",
        "Option B - painted lane with wands",
        "Option C - shared path",
        "None of them",
        "Other (please specify)",
    )
    assert questions[1].other == "Other (please specify)"
    assert questions[2].max_choices == 8  # every option, the added one included


def test_conditions_and_other_survive_the_store_document_round_trip():
    document = changed(
        q1={"other": True},
        q2={"other": True, "max_choices": None},  # residents may choose every option, the added one too
        q3={"ask_if": {"question": "design", "one_of": ["Other (please specify)", "None of them"]}},
        q4={"ask_if": {"all": [{"question": "trips", "at_least": 2}, {"question": "support", "is_not": "Agree"}]}},
    )
    consultation = validate_consultation(document, "x.yml", known_wards=WARDS)
    stored = consultation_document(consultation)
    assert stored["questions"][1]["other"] == "Other (please specify)"
    assert "Other (please specify)" not in stored["questions"][1]["options"]  # written once, as `other`
    assert consultation_from_document(stored) == consultation


BROKEN = [
    (
        "a cycle of two questions",
        changed(q1={"ask_if": {"question": "trips", "at_least": 1}}, q3={"ask_if": {"question": "design", "is": "None of them"}}),
        "x.yml: questions[1].ask_if: the conditions go round in a circle (design → trips → design); "
        "a condition can only use answers to earlier questions",
    ),
    (
        "a question that depends on itself",
        changed(q4={"ask_if": {"question": "cycle_more", "is": "Yes"}}),
        "x.yml: questions[4].ask_if: 'cycle_more' depends on its own answer; a condition can only use answers to earlier questions",
    ),
    (
        "a later question",
        changed(q1={"ask_if": {"question": "cycle_more", "is": "Yes"}}),
        "x.yml: questions[1].ask_if.question: 'cycle_more' comes later (question 5); "
        "a condition can only use answers to earlier questions",
    ),
    (
        "a later question inside all",
        changed(q1={"ask_if": {"all": [{"question": "support", "is": "Agree"}, {"question": "trips", "at_least": 2}]}}),
        "x.yml: questions[1].ask_if.all[1].question: 'trips' comes later (question 4); "
        "a condition can only use answers to earlier questions",
    ),
    (
        "an unknown question",
        changed(q3={"ask_if": {"question": "drives", "is": "Yes"}}),
        "x.yml: questions[3].ask_if.question: 'drives' is not a question of this consultation",
    ),
    (
        "an option the question doesn't have",
        changed(q3={"ask_if": {"question": "concerns", "includes": "Bus"}}),
        "x.yml: questions[3].ask_if.includes: 'Bus' is not an answer to 'concerns' (Loss of parking, Safety at junctions, "
        "Cost, Disruption during works, Deliveries to shops, Pedestrian safety, None), so this can never be true",
    ),
    (
        "a scale point that isn't on the scale",
        changed(q3={"ask_if": {"question": "support", "one_of": ["Agree", "Very much"]}}),
        "x.yml: questions[3].ask_if.one_of[1]: 'Very much' is not an answer to 'support' (Strongly agree, Agree, "
        "Neither agree nor disagree, Disagree, Strongly disagree, Don't know), so this can never be true",
    ),
    (
        "a yes/no answer that is neither",
        changed(q5={"ask_if": {"question": "cycle_more", "is": "Maybe"}}),
        "x.yml: questions[5].ask_if.is: 'Maybe' is not an answer to 'cycle_more' (Yes, No), so this can never be true",
    ),
    (
        "more than the number question allows",
        changed(q4={"ask_if": {"question": "trips", "at_least": 150}}),
        "x.yml: questions[4].ask_if.at_least: 150 is more than 'trips' allows (100), so this can never be true",
    ),
    (
        "less than the number question allows",
        changed(q4={"ask_if": {"question": "trips", "at_most": -1}}),
        "x.yml: questions[4].ask_if.at_most: -1 is less than 'trips' allows (0), so this can never be true",
    ),
    (
        "tests that contradict each other",
        changed(q4={"ask_if": {"all": [{"question": "trips", "at_least": 50}, {"question": "trips", "at_most": 10}]}}),
        "x.yml: questions[4].ask_if: can never be true, whatever the answers to 'trips' "
        "(check the tests against each other, and when those questions are asked)",
    ),
    (
        "two answers to a choice question at once",
        changed(
            q3={
                "ask_if": {
                    "all": [{"question": "design", "is": "None of them"}, {"question": "design", "is": "Option C - shared path"}]
                }
            }
        ),
        "x.yml: questions[3].ask_if: can never be true, whatever the answers to 'design' "
        "(check the tests against each other, and when those questions are asked)",
    ),
    (
        "more options than the multi question lets residents choose",
        changed(
            q2={"max_choices": 1},
            q3={"ask_if": {"all": [{"question": "concerns", "includes": "Cost"}, {"question": "concerns", "includes": "None"}]}},
        ),
        "x.yml: questions[3].ask_if: can never be true, whatever the answers to 'concerns' "
        "(check the tests against each other, and when those questions are asked)",
    ),
    (
        "a question that is only asked when the condition can't hold",
        changed(
            q3={"ask_if": {"question": "support", "is": "Agree"}},
            q4={"ask_if": {"all": [{"question": "trips", "at_least": 1}, {"question": "support", "is": "Disagree"}]}},
        ),
        "x.yml: questions[4].ask_if: can never be true, whatever the answers to 'support', 'trips' "
        "(check the tests against each other, and when those questions are asked)",
    ),
    (
        "includes on a choice question",
        changed(q3={"ask_if": {"question": "design", "includes": "None of them"}}),
        "x.yml: questions[3].ask_if.includes: can't be used with 'design', a choice question; use is, is_not or one_of",
    ),
    (
        "is on a multi question",
        changed(q3={"ask_if": {"question": "concerns", "is": "Cost"}}),
        "x.yml: questions[3].ask_if.is: can't be used with 'concerns', a multi question; use includes",
    ),
    (
        "at_least on a scale",
        changed(q3={"ask_if": {"question": "support", "at_least": 3}}),
        "x.yml: questions[3].ask_if.at_least: can't be used with 'support', a scale question; use is, is_not or one_of",
    ),
    (
        "a number test that is not a number",
        changed(q4={"ask_if": {"question": "trips", "at_least": "three"}}),
        "x.yml: questions[4].ask_if.at_least: must be a number, got 'three'",
    ),
    (
        "two tests in one condition",
        changed(q4={"ask_if": {"question": "trips", "at_least": 3, "at_most": 9}}),
        "x.yml: questions[4].ask_if: needs exactly one of includes, one_of, at_least, at_most, is, is_not "
        "(found at_least, at_most); combine tests with all: [...]",
    ),
    (
        "a misspelt test",
        changed(q4={"ask_if": {"question": "concerns", "inclues": "Cost"}}),
        "x.yml: questions[4].ask_if.inclues: unknown field (a condition has question and one of: "
        "includes, one_of, at_least, at_most, is, is_not)",
    ),
    (
        "an empty any",
        changed(q4={"ask_if": {"any": []}}),
        "x.yml: questions[4].ask_if.any: must be a list of at least one condition",
    ),
    (
        "other on a yes/no question",
        changed(q4={"other": True}),
        'x.yml: questions[4].other: "other, please specify" is only for choice and multi questions; this is a yesno question',
    ),
    (
        "other on a scale",
        changed(q0={"other": "Something else"}),
        'x.yml: questions[0].other: "other, please specify" is only for choice and multi questions; this is a scale question',
    ),
    (
        "other on a rank question",
        {
            **cycle_lane(),
            "questions": [{"id": "order", "type": "rank", "text": "Rank these", "options": ["A", "B"], "other": True}],
        },
        'x.yml: questions[0].other: "other, please specify" is only for choice and multi questions; this is a rank question',
    ),
    (
        "other when the options already have Other",
        changed(q2={"options": ["Cost", "Parking", "Other"], "other": True}),
        "x.yml: questions[2].other: the options already have 'Other'; remove it from options when you use other",
    ),
    (
        "other that is not a label",
        changed(q1={"other": 3}),
        "x.yml: questions[1].other: must be true, or the option's label as text, got 3",
    ),
]


@pytest.mark.parametrize("document, expected", [(d, e) for _, d, e in BROKEN], ids=[name for name, _, _ in BROKEN])
def test_broken_skip_logic_and_other_are_refused_with_one_line_naming_the_field(document, expected):
    problems = problems_for(document)
    assert expected in problems, problems
    assert all("\n" not in problem for problem in problems)


def test_a_cycle_is_reported_once_not_also_as_a_later_reference():
    problems = problems_for(
        changed(q1={"ask_if": {"question": "trips", "at_least": 1}}, q3={"ask_if": {"question": "design", "is": "None of them"}})
    )
    assert len(problems) == 1, problems


def test_a_web_form_gets_every_problem_of_one_document_with_its_field_path():
    document = changed(q1={"ask_if": {"question": "cycle_more", "is": "Yes"}}, q4={"other": True})
    document["title"] = ""
    found = {(problem.path, problem.message) for problem in consultation_problems(document, known_wards=WARDS)}
    assert ("title", "must not be empty") in found
    assert ("questions[1].ask_if.question", next(m for p, m in found if p == "questions[1].ask_if.question")) in found
    assert {path for path, _ in found} == {"title", "questions[1].ask_if.question", "questions[4].other"}
    assert consultation_problems(cycle_lane(), known_wards=WARDS) == []


CONDITIONS = [
    # (condition, answers so far, asked?)
    (Condition("includes", "travel", "Car"), {"travel": ["Bus", "Car"]}, True),
    (Condition("includes", "travel", "Car"), {"travel": ["Bus"]}, False),
    (Condition("one_of", "support", ("Disagree", "Strongly disagree")), {"support": "Disagree"}, True),
    (Condition("one_of", "support", ("Disagree", "Strongly disagree")), {"support": "Don't know"}, False),
    (Condition("at_least", "trips", 3), {"trips": 3}, True),
    (Condition("at_least", "trips", 3), {"trips": 2.5}, False),
    (Condition("at_most", "trips", 3), {"trips": 3}, True),
    (Condition("at_most", "trips", 3), {"trips": 4}, False),
    (Condition("is", "ferry", "Yes"), {"ferry": "Yes"}, True),
    (Condition("is_not", "ferry", "Yes"), {"ferry": "No"}, True),
    (Condition("is_not", "ferry", "Yes"), {"ferry": "Yes"}, False),
    # A test on a skipped or not-asked question is false, is_not included.
    (Condition("is_not", "ferry", "Yes"), {"ferry": None}, False),
    (Condition("is_not", "ferry", "Yes"), {}, False),
    (Condition("at_most", "trips", 3), {"trips": None}, False),
    (
        Condition("all", parts=(Condition("is", "ferry", "Yes"), Condition("at_least", "trips", 3))),
        {"ferry": "Yes", "trips": 1},
        False,
    ),
    (
        Condition("any", parts=(Condition("is", "ferry", "Yes"), Condition("at_least", "trips", 3))),
        {"ferry": "No", "trips": 4},
        True,
    ),
]


@pytest.mark.parametrize("condition, answers, asked", CONDITIONS)
def test_what_each_condition_means(condition, answers, asked):
    assert condition.holds(answers) is asked
