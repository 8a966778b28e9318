"""Which responses a view or an export covers, beyond ward, channel and dates: answers and themes.

``ExportFilter.conditions`` (records.py) adds these to its WHERE clause, so one filter drives the
results page, the reading pages and every export from them. Each is a subquery on ``answers``, so the
database does the work and nothing is read into Python.

Themes come from a *theme source*. Today that is the automatic tags kept on each comment
(``answers.themes``); when officers confirm themes, a source reading their tables can be put in its
place with :func:`use_theme_source`, and every view and export follows it.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Protocol

from sqlalchemy import Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from ..store.models import AnswerRow, QuestionRow, ResponseRow

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


class ThemeSource(Protocol):
    """Where the themes of comments come from: the automatic suggestions, or (later) officers' confirmed themes."""

    name: str

    def responses_with(self, consultation_id: int, theme: str) -> Select:
        """A SELECT of response ids whose comments carry ``theme``."""

    def counts(self, session: Session, consultation_id: int, response_ids: Select) -> Counter:
        """Comments per theme among the given responses (a comment counts once for each of its themes)."""

    def themes_of_answer(self, value_themes: list[str] | None) -> list[str]:
        """The themes shown beside one comment, given its stored automatic tags."""


class AutomaticThemes:
    """The tags ``text.themes`` suggests for each comment, kept in ``answers.themes`` (a JSON list)."""

    name = "automatic"

    def responses_with(self, consultation_id: int, theme: str) -> Select:
        pattern = f"%{like_escape(json_text(theme))}%"
        return select(AnswerRow.response_id).where(
            AnswerRow.question_id.in_(commented_questions(consultation_id)),
            cast(AnswerRow.themes, Text).like(pattern, escape=LIKE_ESCAPE),
        )

    def counts(self, session: Session, consultation_id: int, response_ids: Select) -> Counter:
        # Grouped by the whole tag list: a handful of distinct lists, however many comments.
        rows = session.execute(
            select(cast(AnswerRow.themes, Text), func.count())
            .where(
                AnswerRow.question_id.in_(commented_questions(consultation_id)),
                not_by_index(session, AnswerRow.response_id).in_(response_ids),
                and_(cast(AnswerRow.themes, Text) != "[]", cast(AnswerRow.themes, Text) != "null"),
            )
            .group_by(cast(AnswerRow.themes, Text))
        ).all()
        counts: Counter = Counter()
        for raw, count in rows:
            for theme in json.loads(raw) or []:
                counts[theme] += count
        return counts

    def themes_of_answer(self, value_themes: list[str] | None) -> list[str]:
        return list(value_themes or [])


_source: list[ThemeSource] = [AutomaticThemes()]


def theme_source() -> ThemeSource:
    return _source[0]


def use_theme_source(source: ThemeSource) -> None:
    """Put officers' confirmed themes (or any other source) behind the theme filter, counts and tags."""
    _source[0] = source


def theme_condition(consultation_id: int, theme: str) -> ColumnElement:
    return ResponseRow.id.in_(theme_source().responses_with(consultation_id, theme))
