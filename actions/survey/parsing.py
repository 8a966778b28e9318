"""Turn what a resident types into a canonical answer for one question.

The understanding itself lives in :mod:`actions.understanding` (shared with
the review, consent and explaining steps). This module adapts it to the
survey: a :class:`Parsed` result that is stored (``ok``), offered back for
confirmation (``confirm``), kept as a partial rank, or re-asked with a hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..content.model import DONT_KNOW, Consultation, Question
from ..understanding import CONFIRM, STORE, is_explicit_skip, is_skip, understand_answer
from ..understanding.words import clean as clean_text
from ..understanding.words import normalise

__all__ = [
    "Parsed",
    "accepted",
    "clean_text",
    "is_explicit_skip",
    "is_skip",
    "normalise",
    "numbered",
    "options_for",
    "parse_answer",
    "rejected",
]


@dataclass(frozen=True)
class Parsed:
    """``ok`` with a canonical ``value``; or ``confirm`` with a value to offer back; or a ``hint`` for the re-ask."""

    ok: bool
    value: Any = None
    hint: str = ""
    skipped: bool = False
    partial: list = field(default_factory=list)  # rank answered one item at a time
    confirm: bool = False


def accepted(value: Any) -> Parsed:
    return Parsed(True, value)


def rejected(hint: str) -> Parsed:
    return Parsed(False, hint=hint)


def options_for(question: Question) -> tuple[str, ...]:
    if question.type == "scale":
        return (*question.scale_labels, DONT_KNOW)
    if question.type == "yesno":
        return ("Yes", "No")
    return question.options


def numbered(options: tuple[str, ...]) -> str:
    return "\n".join(f"{index}. {option}" for index, option in enumerate(options, start=1))


def parse_answer(question: Question, text: str, partial: list | None = None, consultation: Consultation | None = None) -> Parsed:
    """Parse ``text`` as an answer to ``question``. Skips are handled by the caller (see :func:`is_skip`)."""
    cleaned = clean_text(text)
    if not cleaned:
        return rejected("I didn't get an answer there.")
    if question.type == "text":
        limit = question.max_length or 2000
        if len(cleaned) > limit:
            return rejected(
                f"That's {len(cleaned):,} characters, and the limit for this answer is {limit:,}. "
                "Please shorten it and send it again: I haven't cut anything off."
            )
        return accepted(cleaned)
    understood = understand_answer(question, cleaned, partial, consultation)
    if understood.decision == STORE:
        return accepted(understood.value)
    if understood.decision == CONFIRM:
        return Parsed(False, understood.value, hint=understood.hint, confirm=True)
    if understood.partial:
        return Parsed(False, partial=understood.partial)
    return rejected(understood.hint or "Sorry, I didn't understand that answer.")
