"""Which responses a view or an export covers, beyond ward, channel and dates: answers and themes.

``ExportFilter.conditions`` (records.py) adds these to its WHERE clause, so one filter drives the
results page, the reading pages and every export from them. Each is a subquery on ``answers``, so the
database does the work and nothing is read into Python.

A theme filter follows the themes as officers left them (``store/themes.py``): the tagger's suggestions
through officers' merges and rejections, plus the themes they assigned, less those they removed.
"""

from __future__ import annotations

import json

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from ..store.models import AnswerRow, QuestionRow, ResponseRow
from ..store.themes import ThemeRule, carries_rule

LIKE_ESCAPE = "/"


def like_escape(text: str) -> str:
    """Make ``text`` match itself literally inside a LIKE pattern that uses ``ESCAPE '/'``."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def json_text(value: object) -> str:
    """An answer as the database keeps it in the JSON column: SQLAlchemy's ``json.dumps``."""
    return json.dumps(value)


def _question_id(consultation_id: int, key: str):
    return select(QuestionRow.id).where(QuestionRow.consultation_id == consultation_id, QuestionRow.key == key).scalar_subquery()


def answer_matches(label: str) -> ColumnElement:
    """The answer is ``label``, or is a list (multi) that includes it."""
    stored = cast(AnswerRow.value, Text)
    encoded = json_text(label)
    return or_(stored == encoded, stored.like(f"[%{like_escape(encoded)}%", escape=LIKE_ESCAPE))


def answer_conditions(consultation_id: int, answers: tuple[tuple[str, str], ...]) -> list[ColumnElement]:
    """Responses whose answer to each question is one of the labels chosen for it.

    Labels for the same question are alternatives ("Agree" or "Strongly agree"); different questions must
    all hold ("disagreed with Q1 and chose Option B in Q2").
    """
    by_question: dict[str, list[str]] = {}
    for key, label in answers:
        by_question.setdefault(key, []).append(label)
    conditions = []
    for key, labels in by_question.items():
        matching = select(AnswerRow.response_id).where(
            AnswerRow.question_id == _question_id(consultation_id, key), or_(*(answer_matches(label) for label in labels))
        )
        conditions.append(ResponseRow.id.in_(matching))
    return conditions


def commented_questions(consultation_id: int) -> Select:
    """Questions whose answers can carry themes: comments, and choices with "other, please specify"."""
    return select(QuestionRow.id).where(
        QuestionRow.consultation_id == consultation_id,
        or_(QuestionRow.type == "text", cast(QuestionRow.spec, Text).like('%"other"%')),
    )


def not_by_index(session: Session, column):
    """``column + 0`` on SQLite, which then reads the other side of a condition from its index instead of
    this column's; the column itself on PostgreSQL, whose planner needs the plain column to join well."""
    return column + 0 if session.get_bind().dialect.name == "sqlite" else column


def theme_condition(consultation_id: int, theme: str, rule: ThemeRule | None = None) -> ColumnElement:
    """Responses with a comment (or an "other, please specify" text) that carries ``theme`` as officers left
    it: ``rule`` from :func:`store.themes.theme_rule` follows their merges, rejections, assignments and
    removals. Without one (a filter nobody looked the theme up for), the tagger's suggestion as stored."""
    rule = rule or ThemeRule(theme, (theme,))
    return ResponseRow.id.in_(
        select(AnswerRow.response_id).where(AnswerRow.question_id.in_(commented_questions(consultation_id)), carries_rule(rule))
    )
