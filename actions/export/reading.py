"""Reading what residents said: pages of responses and of comments, search, and previous / next.

Everything is newest first (submitted time, then id), filtered by the same ``ExportFilter`` as the
results and the exports, and paged in the database. Search is deliberately simple and portable: every
word must appear (case-insensitive) in one of the response's comments, or the word is its reference.
Comments are kept redacted, so search only ever reads redacted text. See docs/portal.md for what it
costs on 100,000 responses.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Text, and_, cast, func, or_, select
from sqlalchemy.sql import ColumnElement

from ..store.models import AnswerRow, QuestionRow, ResponseRow
from ..store.repository import Store
from ..store.themes import themes_of_comments
from .filtering import LIKE_ESCAPE, commented_questions, like_escape
from .records import ExportFilter, consultation_id

PAGE_SIZE = 50
MAX_TERMS = 8
NEWEST_FIRST = (ResponseRow.submitted_at.desc(), ResponseRow.id.desc())


def search_terms(text: str | None) -> list[str]:
    """Words to look for: split on spaces, at most eight, each at most 100 characters."""
    return [word[:100] for word in (text or "").split()][:MAX_TERMS]


def _contains(column, term: str) -> ColumnElement:
    # Comments are stored as JSON text, so a term is matched in its JSON spelling (quotes and accents escaped).
    encoded = json.dumps(term)[1:-1]
    return cast(column, Text).ilike(f"%{like_escape(encoded)}%", escape=LIKE_ESCAPE)


def _contains_plain(column, term: str) -> ColumnElement:
    """For plain text columns ("other, please specify" texts)."""
    return column.ilike(f"%{like_escape(term)}%", escape=LIKE_ESCAPE)


def response_search(cid: int, terms: list[str]) -> list[ColumnElement]:
    """Each word is in one of the response's comments or "other" texts, or is its reference."""
    conditions = []
    for term in terms:
        in_comments = select(AnswerRow.response_id).where(
            AnswerRow.question_id.in_(commented_questions(cid)),
            or_(_contains(AnswerRow.value, term), _contains_plain(AnswerRow.other_text, term)),
        )
        conditions.append(or_(ResponseRow.id.in_(in_comments), ResponseRow.reference == term.upper()))
    return conditions


@dataclass
class ResponseLine:
    reference: str
    submitted_at: dt.datetime
    ward: str | None
    age_band: str | None
    channel: str
    comment: str | None  # the first comment, for a glimpse


@dataclass
class CommentLine:
    reference: str
    submitted_at: dt.datetime
    ward: str | None
    channel: str
    text: str
    themes: list[str]


def _comment_text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def responses_page(
    store: Store, export_filter: ExportFilter, terms: list[str], page: int, page_size: int = PAGE_SIZE
) -> tuple[list[ResponseLine], int]:
    """One page of responses matching the filter and search, and how many match in all."""
    cid = consultation_id(store, export_filter.consultation)
    where = [*export_filter.conditions(cid), *response_search(cid, terms)]
    with store.session() as session:
        total = session.scalar(select(func.count()).select_from(ResponseRow).where(*where)) or 0
        rows = session.execute(
            select(
                ResponseRow.id,
                ResponseRow.reference,
                ResponseRow.submitted_at,
                ResponseRow.ward_slug,
                ResponseRow.age_band,
                ResponseRow.channel,
            )
            .where(*where)
            .order_by(*NEWEST_FIRST)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        comments: dict[int, str] = {}
        if rows:
            for response_id, value in session.execute(
                select(AnswerRow.response_id, AnswerRow.value)
                .join(QuestionRow, QuestionRow.id == AnswerRow.question_id)
                .where(AnswerRow.response_id.in_([row.id for row in rows]), QuestionRow.type == "text")
                .order_by(QuestionRow.position)
            ):
                if _comment_text(value):
                    comments.setdefault(response_id, value)
    lines = [
        ResponseLine(row.reference, row.submitted_at, row.ward_slug, row.age_band, row.channel, comments.get(row.id))
        for row in rows
    ]
    return lines, total


def comments_page(
    store: Store,
    export_filter: ExportFilter,
    question_id: str,
    terms: list[str],
    page: int,
    page_size: int = PAGE_SIZE,
    other: bool = False,
) -> tuple[list[CommentLine], int]:
    """One page of a question's comments (not skipped ones) matching the filter and search, and the total.
    ``other``: a choice question's "other, please specify" texts instead."""
    cid = consultation_id(store, export_filter.consultation)
    question = select(QuestionRow.id).where(QuestionRow.consultation_id == cid, QuestionRow.key == question_id)
    if other:
        written = [AnswerRow.other_text.is_not(None), AnswerRow.other_text != ""]
        written += [_contains_plain(AnswerRow.other_text, term) for term in terms]
    else:
        written = [AnswerRow.value.is_not(None), cast(AnswerRow.value, Text) != "null"]
        written += [_contains(AnswerRow.value, term) for term in terms]
    where = [*export_filter.conditions(cid), AnswerRow.question_id == question.scalar_subquery(), *written]
    with store.session() as session:
        joined = select().select_from(ResponseRow).join(AnswerRow, AnswerRow.response_id == ResponseRow.id)
        total = session.scalar(joined.add_columns(func.count()).where(*where)) or 0
        rows = session.execute(
            joined.add_columns(
                ResponseRow.reference,
                ResponseRow.submitted_at,
                ResponseRow.ward_slug,
                ResponseRow.channel,
                (AnswerRow.other_text if other else AnswerRow.value).label("text"),
                AnswerRow.id,
                AnswerRow.themes,
            )
            .where(*where)
            .order_by(*NEWEST_FIRST)
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        themes = themes_of_comments(session, cid, [(row.id, row.themes) for row in rows])
    lines = [
        CommentLine(row.reference, row.submitted_at, row.ward_slug, row.channel, str(row.text), found)
        for row, found in zip(rows, themes, strict=True)
    ]
    return lines, total


@dataclass
class Neighbours:
    position: int | None  # 1-based place in the filtered list, None when the response is not in it
    total: int
    previous: str | None  # newer
    next: str | None  # older


def neighbours(store: Store, export_filter: ExportFilter, terms: list[str], reference: str) -> Neighbours:
    """Where a response sits in the filtered, newest-first list, and the references either side of it."""
    cid = consultation_id(store, export_filter.consultation)
    where = [*export_filter.conditions(cid), *response_search(cid, terms)]
    with store.session() as session:
        total = session.scalar(select(func.count()).select_from(ResponseRow).where(*where)) or 0
        here = session.execute(
            select(ResponseRow.id, ResponseRow.submitted_at).where(*where, ResponseRow.reference == reference)
        ).first()
        if here is None:
            return Neighbours(None, total, None, None)
        newer = or_(
            ResponseRow.submitted_at > here.submitted_at,
            and_(ResponseRow.submitted_at == here.submitted_at, ResponseRow.id > here.id),
        )
        older = or_(
            ResponseRow.submitted_at < here.submitted_at,
            and_(ResponseRow.submitted_at == here.submitted_at, ResponseRow.id < here.id),
        )
        before = session.scalar(select(func.count()).select_from(ResponseRow).where(*where, newer)) or 0
        previous = session.scalar(
            select(ResponseRow.reference)
            .where(*where, newer)
            .order_by(ResponseRow.submitted_at.asc(), ResponseRow.id.asc())
            .limit(1)
        )
        following = session.scalar(select(ResponseRow.reference).where(*where, older).order_by(*NEWEST_FIRST).limit(1))
    return Neighbours(before + 1, total, previous, following)
