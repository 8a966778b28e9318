"""Understanding residents' own words, for every question type and every confirmation step.

One layer, pure and fast, used by the survey engine (answers, consent, quote,
outcome, review) and by the explaining actions (retrieval over a
consultation's content). For a message in context it returns an
:class:`Understanding`: a value, a confidence, and whether to store it,
confirm it with the resident, or ask again. Nothing here is trained per
consultation: a new consultation's labels, options and FAQs work as loaded.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..content.model import DONT_KNOW, Consultation, Proposal, Question
from .numbers import understand_number
from .options import OptionSet, understand_choice, understand_multi
from .ranks import understand_rank
from .replies import understand_review, understand_yes_no
from .result import CONFIRM, NOT_UNDERSTOOD, STORE, Understanding, sure, unclear
from .retrieval import find_proposal
from .scales import understand_scale
from .skips import is_explicit_skip, is_skip
from .words import content_words, is_question

__all__ = [
    "CONFIRM",
    "NOT_UNDERSTOOD",
    "STORE",
    "Understanding",
    "is_explicit_skip",
    "is_skip",
    "option_set",
    "understand_answer",
    "understand_review",
    "understand_yes_no",
    "warm_up",
]


# "agree, no actually strongly agree", "b no wait a", "car, scratch that, I walk": the last word stands.
CORRECTION = re.compile(
    r"\b(?:no,? (?:wait|actually|sorry|hang on|scratch that)|no wait|scratch that|actually,? no|sorry,? i meant|i meant|"
    r"correction|make that|or rather|on second thoughts?|wait,? no)\b[\s,.:;!-]*",
    re.IGNORECASE,
)


def latest_correction(text: str) -> str:
    """What comes after the last self-correction, when something does."""
    parts = CORRECTION.split(text)
    tail = parts[-1].strip(" ,.;:!-") if len(parts) > 1 else ""
    return tail if tail else text


def warm_up() -> None:
    """Train the stance classifier and load the sentence encoder now, not on a resident's first message."""
    from .embeddings import encode
    from .scales import stance

    stance("agree")
    encode(["warm up"])
    understand_number("twelve")


def option_set(question: Question, consultation: Consultation | None = None) -> OptionSet:
    return OptionSet(question.options, dict(question.aliases), described_options(question, consultation), question.other)


@lru_cache(maxsize=256)
def described_options(question: Question, consultation: Consultation | None) -> dict[str, str]:
    """Each option's matching proposal (by letter, id or title words), whose words describe the option."""
    if consultation is None or not consultation.proposals or question.type not in ("choice", "multi", "rank"):
        return {}
    found: dict[str, str] = {}
    for label in question.options:
        proposal = find_proposal(consultation, label) or _by_title_words(label, consultation.proposals)
        if proposal is not None and proposal not in found.values():
            found[label] = proposal
    return {label: f"{p.id} {p.title}. {p.description}" for label, p in found.items()}


def _by_title_words(label: str, proposals) -> Proposal | None:
    words = set(content_words(label))
    scored = sorted(((len(words & set(content_words(f"{p.id} {p.title}"))), p.id, p) for p in proposals), reverse=True)
    if scored and scored[0][0] >= 1 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][2]
    return None


def understand_answer(
    question: Question, text: str, partial: list | None = None, consultation: Consultation | None = None
) -> Understanding:
    """What ``text`` answers to ``question``. Skips are the caller's (see :func:`is_skip`).

    A question back ("what's option b?") is never stored as an answer: the dialogue answers it instead."""
    text = latest_correction(text)
    understood = _understand(question, text, partial, consultation)
    if question.type != "text" and understood.decision != NOT_UNDERSTOOD and is_question(text):
        return unclear(understood.hint, understood.confidence)
    return understood


def _understand(question: Question, text: str, partial: list | None, consultation: Consultation | None) -> Understanding:
    if question.type == "scale":
        return understand_scale(question.scale_labels, DONT_KNOW, text)
    if question.type == "choice":
        return understand_choice(option_set(question, consultation), text)
    if question.type == "multi":
        return understand_multi(option_set(question, consultation), text, question.max_choices)
    if question.type == "rank":
        return understand_rank(option_set(question, consultation), text, list(partial or []))
    if question.type == "yesno":
        understood = understand_yes_no(text, "yesno", question.text)
        if understood.value is None:
            return understood
        return Understanding(understood.decision, understood.value.capitalize(), understood.confidence)
    if question.type == "number":
        return understand_number(text, question.text, question.min, question.max)
    return sure(text)  # text answers are checked for length and redacted by the engine
