"""Understanding residents' own words, for every question type and every confirmation step.

One layer, pure and fast, used by the survey engine (answers, consent, quote,
outcome, review) and by the explaining actions (retrieval over a
consultation's content). For a message in context it returns an
:class:`Understanding`: a value, a confidence, and whether to store it,
confirm it with the resident, or ask again. Nothing here is trained per
consultation: a new consultation's labels, options and FAQs work as loaded.
"""

from __future__ import annotations

from ..content.model import DONT_KNOW, Question
from .numbers import understand_number
from .options import OptionSet, understand_choice, understand_multi, understand_rank
from .replies import understand_review, understand_yes_no
from .result import CONFIRM, NOT_UNDERSTOOD, STORE, Understanding, sure, unclear
from .scales import understand_scale
from .skips import is_explicit_skip, is_skip
from .words import is_question

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
]


def option_set(question: Question) -> OptionSet:
    return OptionSet(question.options, dict(question.aliases))


def understand_answer(question: Question, text: str, partial: list | None = None) -> Understanding:
    """What ``text`` answers to ``question``. Skips are the caller's (see :func:`is_skip`).

    A question back ("what's option b?") is never stored as an answer: the dialogue answers it instead."""
    understood = _understand(question, text, partial)
    if question.type != "text" and understood.decision != NOT_UNDERSTOOD and is_question(text):
        return unclear(understood.hint, understood.confidence)
    return understood


def _understand(question: Question, text: str, partial: list | None) -> Understanding:
    if question.type == "scale":
        return understand_scale(question.scale_labels, DONT_KNOW, text)
    if question.type == "choice":
        return understand_choice(option_set(question), text)
    if question.type == "multi":
        return understand_multi(option_set(question), text, question.max_choices)
    if question.type == "rank":
        return understand_rank(option_set(question), text, list(partial or []))
    if question.type == "yesno":
        understood = understand_yes_no(text)
        if understood.value is None:
            return understood
        return Understanding(understood.decision, understood.value.capitalize(), understood.confidence)
    if question.type == "number":
        return understand_number(text, question.text, question.min, question.max)
    return sure(text)  # text answers are checked for length and redacted by the engine
