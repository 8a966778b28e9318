"""Validated, typed consultation and council content.

These dataclasses are what the YAML files mean once checked. The store keeps
them; the dialogue and the portal read them back. See
``docs/consultation-format.md`` for the field-by-field contract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

QUESTION_TYPES = ("scale", "choice", "multi", "rank", "text", "yesno", "number")
STATUSES = ("draft", "open", "closed")

# Built-in answer scales. "Don't know" is always accepted as well.
SCALES: dict[str, tuple[str, ...]] = {
    "agree5": ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"),
    "satisfied5": ("Very satisfied", "Satisfied", "Neither satisfied nor dissatisfied", "Dissatisfied", "Very dissatisfied"),
    "likely5": ("Very likely", "Likely", "Neither likely nor unlikely", "Unlikely", "Very unlikely"),
    "support5": ("Strongly support", "Support", "Neither support nor oppose", "Oppose", "Strongly oppose"),
}
CUSTOM_SCALE = "custom"  # labels written in the YAML (`scale: [..]`), kept in Question.options
DONT_KNOW = "Don't know"


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
        keys = ("scale", "options", "max_choices", "max_length", "min", "max", "help")
        values: dict = {key: getattr(self, key) for key in keys}
        known = dict(self.aliases)
        values["options"] = [
            {"label": option, "aliases": list(known[option])} if option in known else option for option in self.options
        ]
        if self.scale == CUSTOM_SCALE:
            values["scale"], values["options"] = list(self.options), []
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

    def effective_status(self, today: dt.date) -> str:
        return effective_status(self.status, self.opens, self.closes, today)


def effective_status(status: str, opens: dt.date, closes: dt.date, today: dt.date) -> str:
    """An open consultation past its closing date counts as closed; before its opening date it is not shown."""
    if status == "open" and today > closes:
        return "closed"
    if status == "open" and today < opens:
        return "draft"
    return status
