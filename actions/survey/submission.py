"""Checks made on the server before a response is saved, whatever the survey state says.

The in-progress response travels in the conversation's ``survey`` slot. The
engine only ever puts valid answers there, but the slot is data that came back
to us, so before anything is stored we check it again against the
consultation itself: it is open, every answer belongs to one of its questions
and fits that question's type and options, required questions are answered,
and the ward and age band are ones we offer. Comments are redacted again.

Skip logic: a question whose ``ask_if`` is false (on the answers given) was not
asked, so it must have no answer, and it is not required. Every question that
was asked has an entry (None: skipped). "Other, please specify" text belongs
only to an answer that chose that option.

``consultation`` is the version the resident answered (``state["version"]``);
whether it is still open is read from ``current``, the consultation as it is now.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from typing import Any

from ..content.model import Consultation, Question
from ..text.redaction import redact
from .engine import AGE_BANDS, OTHER_MAX_LENGTH, OUTSIDE_DISTRICT, PREFER_NOT
from .parsing import options_for

DEFAULT_TEXT_LIMIT = 2000
REDACTION_MARGIN = 500


def submission_problems(
    consultation: Consultation,
    state: dict[str, Any],
    known_wards: set[str],
    today: dt.date,
    current: Consultation | None = None,
    left_blank: Collection[str] = (),
) -> list[str]:
    """One line per reason this state must not be saved; empty when it may be. ``left_blank``: required
    questions staff say the resident left blank on a paper form, kept as not answered (never in the chat)."""
    problems: list[str] = []
    if state.get("slug") != consultation.slug:
        problems.append("the response is for a different consultation")
    if (current or consultation).effective_status(today) != "open":
        problems.append(f"{consultation.slug} is not open")
    answers = state.get("answers")
    if not isinstance(answers, dict):
        return [*problems, "answers are missing"]
    questions = {question.id: question for question in consultation.questions}
    for question_id in sorted(set(answers) - set(questions)):
        problems.append(f"{question_id!r} is not a question of {consultation.slug}")
    for question in consultation.questions:
        if not question.is_asked(answers):
            if question.id in answers:
                problems.append(f"{question.id} was not asked (its ask_if is false), so it can't have an answer")
            continue
        if question.id not in answers:
            problems.append(f"{question.id} was asked but has no answer")
            continue
        value = answers[question.id]
        if value is None:
            if question.required and question.id not in left_blank:
                problems.append(f"{question.id} is required")
            continue
        problem = answer_problem(question, value)
        if problem:
            problems.append(f"{question.id}: {problem}")
    problems += other_text_problems(questions, answers, state.get("other"))
    ward = state.get("ward")
    if ward not in (None, PREFER_NOT, OUTSIDE_DISTRICT) and ward not in known_wards:
        problems.append("unknown ward")
    if state.get("age_band") not in (None, PREFER_NOT, *AGE_BANDS):
        problems.append("unknown age band")
    return problems


def answer_problem(question: Question, value: Any) -> str | None:
    """Why ``value`` can't be an answer to ``question``, or None."""
    kind = question.type
    if kind in ("scale", "choice", "yesno"):
        return None if isinstance(value, str) and value in options_for(question) else "not one of the options"
    if kind == "multi":
        if not isinstance(value, list) or not value or not all(item in question.options for item in value):
            return "not a list of the options"
        if len(set(value)) != len(value):
            return "an option is repeated"
        if question.max_choices and len(value) > question.max_choices:
            return f"more than {question.max_choices} options"
        return None
    if kind == "rank":
        if not isinstance(value, list) or not value or len(set(value)) != len(value):
            return "not an order of the options"
        return None if all(item in question.options for item in value) else "not an order of the options"
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "not a number"
        if question.min is not None and value < question.min or question.max is not None and value > question.max:
            return "out of range"
        return None
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            return "not text"
        # Redaction may lengthen a comment a little ("[address removed]"), hence the margin.
        return None if len(value) <= (question.max_length or DEFAULT_TEXT_LIMIT) + REDACTION_MARGIN else "too long"
    return f"unknown question type {kind}"


def other_text_problems(questions: dict[str, Question], answers: dict[str, Any], other: Any) -> list[str]:
    """Each "other, please specify" text must go with an answer that chose that option."""
    if other is None:
        return []
    if not isinstance(other, dict):
        return ["other texts are not a mapping"]
    problems = []
    for question_id, text in other.items():
        question = questions.get(question_id)
        if question is None or not question.chose_other(answers.get(question_id)):
            problems.append(
                f"{question_id}: an 'other' text, but the answer doesn't choose {question.other if question else 'it'!r}"
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"{question_id}: the 'other' text is not text")
        elif len(text) > OTHER_MAX_LENGTH + REDACTION_MARGIN:
            problems.append(f"{question_id}: the 'other' text is too long")
    return problems


def redacted_other_texts(other: dict[str, str] | None, keep: tuple[str, ...]) -> dict[str, str]:
    """The "other, please specify" texts redacted again (redaction is idempotent)."""
    return {key: redact(text, keep=keep) for key, text in (other or {}).items() if isinstance(text, str)}


def redacted_answers(consultation: Consultation, answers: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
    """The answers with every comment redacted again (redaction is idempotent)."""
    kinds = {question.id: question.type for question in consultation.questions}
    return {
        key: redact(value, keep=keep) if kinds.get(key) == "text" and isinstance(value, str) else value
        for key, value in answers.items()
    }
