"""Validated, typed consultation and council content.

These dataclasses are what the YAML files mean once checked. The store keeps
them; the dialogue and the portal read them back. See
``docs/consultation-format.md`` for the field-by-field contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

QUESTION_TYPES = ("scale", "choice", "multi", "rank", "text", "yesno", "number")
# "archived": hidden from residents (like a draft) and from the portal's default list; data and responses kept.
STATUSES = ("draft", "open", "closed", "archived")

# Built-in answer scales. "Don't know" is always accepted as well.
SCALES: dict[str, tuple[str, ...]] = {
    "agree5": ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"),
    "satisfied5": ("Very satisfied", "Satisfied", "Neither satisfied nor dissatisfied", "Dissatisfied", "Very dissatisfied"),
    "likely5": ("Very likely", "Likely", "Neither likely nor unlikely", "Unlikely", "Very unlikely"),
    "support5": ("Strongly support", "Support", "Neither support nor oppose", "Oppose", "Strongly oppose"),
}
CUSTOM_SCALE = "custom"  # labels written in the YAML (`scale: [..]`), kept in Question.options
DONT_KNOW = "Don't know"
# "Other, please specify" (`other: true` on a choice or multi question), unless the YAML names the option.
DEFAULT_OTHER_LABEL = "Other (please specify)"
# Skip logic (`ask_if`): the tests on one earlier answer, and the groups of conditions.
CONDITION_TESTS = ("includes", "one_of", "at_least", "at_most", "is", "is_not")
CONDITION_GROUPS = ("all", "any")


@dataclass(frozen=True)
class Councillor:
    name: str
    party: str
    email: str


@dataclass(frozen=True)
class Ward:
    slug: str
    name: str
    postcode_sectors: tuple[str, ...]
    councillors: tuple[Councillor, ...]
    population: int | None = None


@dataclass(frozen=True)
class Council:
    name: str
    code: str
    website: str
    privacy_notice_url: str
    contact_phone: str
    contact_email: str
    contact_web: str
    contact_hours: str
    themes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Optional "about you" questions asked after a consultation's own questions.
    demographics: tuple[str, ...] = ("postcode", "age_band")


DEMOGRAPHIC_QUESTIONS = ("postcode", "age_band")


@dataclass(frozen=True)
class CouncilFile:
    council: Council
    wards: tuple[Ward, ...]


@dataclass(frozen=True)
class Condition:
    """An ``ask_if`` condition: one test on an earlier question's answer, or ``all`` / ``any`` of other conditions.

    A test on a question with no answer (the resident skipped it, or it was not asked) is false,
    whatever the test, ``is_not`` included. See docs/consultation-format.md ("Skip logic").
    """

    test: str  # one of CONDITION_TESTS or CONDITION_GROUPS
    question: str = ""  # the earlier question's id (tests only)
    value: Any = None  # a label; a tuple of labels (one_of); a number (at_least, at_most, and is / is_not on numbers)
    parts: tuple[Condition, ...] = ()  # all / any only

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """True when the answers so far (question id -> stored answer) meet this condition."""
        if self.test == "all":
            return all(part.holds(answers) for part in self.parts)
        if self.test == "any":
            return any(part.holds(answers) for part in self.parts)
        answer = answers.get(self.question)
        if answer is None:
            return False
        if self.test == "includes":
            return isinstance(answer, list) and self.value in answer
        if self.test == "one_of":
            return answer in self.value
        if self.test == "is":
            return answer == self.value
        if self.test == "is_not":
            return answer != self.value
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            return False
        return answer >= self.value if self.test == "at_least" else answer <= self.value

    def questions(self) -> tuple[str, ...]:
        """The ids of the questions this condition reads, in the order written, each once."""
        if self.test in CONDITION_GROUPS:
            return tuple(dict.fromkeys(question for part in self.parts for question in part.questions()))
        return (self.question,)

    def tests(self) -> tuple[Condition, ...]:
        """Every single test in this condition (the leaves of all / any)."""
        if self.test in CONDITION_GROUPS:
            return tuple(test for part in self.parts for test in part.tests())
        return (self,)

    def document(self) -> dict:
        """The YAML shape: ``{question: travel, includes: Car}`` or ``{all: [...]}``."""
        if self.test in CONDITION_GROUPS:
            return {self.test: [part.document() for part in self.parts]}
        return {"question": self.question, self.test: list(self.value) if self.test == "one_of" else self.value}


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    required: bool = True
    scale: str | None = None
    options: tuple[str, ...] = ()
    max_choices: int | None = None
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    help: str | None = None
    # Officers' own words for options: ((label, (alias, ...)), ...), only for labels that have any.
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Skip logic: ask this question only when the condition holds on earlier answers (None: always asked).
    ask_if: Condition | None = None
    # "Other, please specify" (choice and multi): this label is also the last of ``options``; choosing it
    # asks a follow-up in the resident's own words, kept redacted beside the choice (AnswerRow.other_text).
    other: str | None = None

    def is_asked(self, answers: Mapping[str, Any]) -> bool:
        """Whether a resident with these earlier answers is asked this question (its ``ask_if`` holds)."""
        return self.ask_if is None or self.ask_if.holds(answers)

    def chose_other(self, answer: Any) -> bool:
        """Whether ``answer`` picks this question's "other, please specify" option."""
        if self.other is None or answer is None:
            return False
        return self.other in answer if isinstance(answer, list) else answer == self.other

    @property
    def scale_labels(self) -> tuple[str, ...]:
        """A scale's labels, most positive first as written (without "Don't know")."""
        if self.scale == CUSTOM_SCALE:
            return self.options
        return SCALES[self.scale or "agree5"]

    def aliases_for(self, label: str) -> tuple[str, ...]:
        return dict(self.aliases).get(label, ())

    def spec(self) -> dict:
        """Type-specific settings, as stored in the ``questions.spec`` column (the YAML's own shape)."""
        keys = ("scale", "options", "max_choices", "max_length", "min", "max", "help", "other")
        values: dict = {key: getattr(self, key) for key in keys}
        known = dict(self.aliases)
        values["options"] = [
            {"label": option, "aliases": list(known[option])} if option in known else option
            for option in self.options
            if option != self.other  # added back from `other` when read
        ]
        if self.scale == CUSTOM_SCALE:
            values["scale"], values["options"] = list(self.options), []
        if self.ask_if is not None:
            values["ask_if"] = self.ask_if.document()
        return {key: value for key, value in values.items() if value not in (None, [])}


@dataclass(frozen=True)
class Proposal:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Document:
    title: str
    url: str


@dataclass(frozen=True)
class Event:
    title: str
    when: dt.datetime
    where: str


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str


@dataclass(frozen=True)
class Outcome:
    published: dt.date
    you_said: str
    we_did: str


@dataclass(frozen=True)
class Consultation:
    slug: str
    title: str
    status: str
    opens: dt.date
    closes: dt.date
    wards: tuple[str, ...]
    topics: tuple[str, ...]
    keywords: tuple[str, ...]
    summary: str
    background: str
    proposals: tuple[Proposal, ...]
    documents: tuple[Document, ...]
    events: tuple[Event, ...]
    faqs: tuple[Faq, ...]
    questions: tuple[Question, ...]
    next_steps: str = ""
    decision_expected: dt.date | None = None
    outcome: Outcome | None = None
    # The stored version this content is (1, 2, ... one per change loaded); None when not read from the store.
    # Not part of the YAML. A response in progress keeps the version it started on (survey state "version").
    version: int | None = field(default=None, compare=False)

    def question(self, question_id: str | None) -> Question | None:
        return next((question for question in self.questions if question.id == question_id), None)

    def has_skip_logic(self) -> bool:
        return any(question.ask_if is not None for question in self.questions)

    def effective_status(self, today: dt.date) -> str:
        return effective_status(self.status, self.opens, self.closes, today)


def effective_status(status: str, opens: dt.date, closes: dt.date, today: dt.date) -> str:
    """An open consultation past its closing date counts as closed; before its opening date it is not shown."""
    if status == "open" and today > closes:
        return "closed"
    if status == "open" and today < opens:
        return "draft"
    return status
