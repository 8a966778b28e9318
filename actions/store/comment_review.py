"""Reviewing comments one by one: an officer assigns or removes themes, marks a comment reviewed, flags it,
tags it, leaves private notes, and removes personal data that redaction missed. Every change records who
and when (``theme_activity``). The themes themselves are in ``themes.py``.

A comment is one answer to a text question in a submitted response; every function takes the
consultation's slug and refuses an answer that is not one of its comments.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from .models import (
    AnswerRow,
    CommentFlagRow,
    CommentNoteRow,
    CommentReviewRow,
    CommentTagRow,
    CommentThemeRow,
    QuestionRow,
    ResponseRow,
    ThemeActivityRow,
    utcnow,
)
from .repository import Store
from .themes import (
    FLAGS,
    REDACTED,
    REMOVED_BY_OFFICER,
    ThemeBook,
    ThemeError,
    carries,
    comment_rows,
    comments_select,
    consultation_id_of,
    decisions_of,
    log_activity,
    quotable,
    reviewed_condition,
    theme_book,
    theme_row,
)

REMOVED_WORDS = "[removed]"
TAG_LIMIT, NOTE_LIMIT = 60, 2000


@dataclass
class Comment:
    answer_id: int
    question: str  # the question's YAML id
    text: str
    reference: str
    submitted_at: dt.datetime | None
    consent_quote: bool | None
    suggested: list[str]  # the tagger's theme keys, as stored
    themes: list[str]  # keys, resolved
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    flags: dict[str, tuple[str, dt.datetime]] = field(default_factory=dict)  # flag: (who, when)
    tags: list[str] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    decisions: dict[str, tuple[bool, str, dt.datetime]] = field(default_factory=dict)  # key: (assigned, who, when)

    @property
    def reviewed(self) -> bool:
        return self.reviewed_by is not None

    @property
    def quotable(self) -> bool:
        return quotable(self.consent_quote, self.flags, self.suggested, self.reviewed, self.text)


@dataclass
class CommentPage:
    comments: list[Comment]
    total: int  # matching the filter
    page: int
    pages: int


def comment_page(
    store: Store,
    slug: str,
    *,
    status: str = "all",
    theme: str | None = None,
    flag: str | None = None,
    tag: str | None = None,
    question: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> CommentPage:
    """Comments for review, oldest first, filtered by review status (all, reviewed, unreviewed), a theme
    (its comments now), a flag, a tag or a question; filtered and paged in the database."""
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        book = theme_book(session, cid)
        query = comments_select(session, cid, AnswerRow.id)
        if question:
            chosen = select(QuestionRow.id).where(QuestionRow.consultation_id == cid, QuestionRow.key == question)
            query = query.where(AnswerRow.question_id == chosen.scalar_subquery())
        if status == "reviewed":
            query = query.where(reviewed_condition())
        elif status == "unreviewed":
            query = query.where(~reviewed_condition())
        if flag:
            query = query.where(exists().where(CommentFlagRow.answer_id == AnswerRow.id, CommentFlagRow.flag == flag))
        if tag:
            query = query.where(exists().where(CommentTagRow.answer_id == AnswerRow.id, CommentTagRow.tag == tag))
        if theme:
            query = query.where(carries(book, theme))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        chosen_ids = list(session.scalars(query.order_by(AnswerRow.id).offset((page - 1) * per_page).limit(per_page)))
        comments = _comments(session, cid, book, chosen_ids)
    return CommentPage(comments, total, page, pages)


def _comments(session: Session, consultation_id: int, book: ThemeBook, answer_ids: list[int]) -> list[Comment]:
    if not answer_ids:
        return []
    rows = session.execute(
        select(
            AnswerRow.id,
            QuestionRow.key,
            AnswerRow.value,
            AnswerRow.themes,
            ResponseRow.reference,
            ResponseRow.submitted_at,
            ResponseRow.consent_quote,
        )
        .join(ResponseRow, ResponseRow.id == AnswerRow.response_id)
        .join(QuestionRow, QuestionRow.id == AnswerRow.question_id)
        .where(
            AnswerRow.id.in_(answer_ids),
            ResponseRow.consultation_id == consultation_id,
            ResponseRow.status == "submitted",
            QuestionRow.type == "text",
        )
    ).all()
    decisions = decisions_of(session, consultation_id, book, answer_ids)
    reviews = dict(
        (answer_id, (who, when))
        for answer_id, who, when in session.execute(
            select(CommentReviewRow.answer_id, CommentReviewRow.reviewed_by, CommentReviewRow.reviewed_at).where(
                CommentReviewRow.answer_id.in_(answer_ids)
            )
        )
    )
    flags: dict[int, dict] = {}
    for answer_id, flag, who, when in session.execute(
        select(CommentFlagRow.answer_id, CommentFlagRow.flag, CommentFlagRow.flagged_by, CommentFlagRow.flagged_at).where(
            CommentFlagRow.answer_id.in_(answer_ids)
        )
    ):
        flags.setdefault(answer_id, {})[flag] = (who, when)
    tags: dict[int, list[str]] = {}
    for answer_id, tag in session.execute(
        select(CommentTagRow.answer_id, CommentTagRow.tag)
        .where(CommentTagRow.answer_id.in_(answer_ids))
        .order_by(CommentTagRow.tag)
    ):
        tags.setdefault(answer_id, []).append(tag)
    notes: dict[int, list[dict]] = {}
    for note in session.scalars(
        select(CommentNoteRow).where(CommentNoteRow.answer_id.in_(answer_ids)).order_by(CommentNoteRow.id)
    ):
        notes.setdefault(note.answer_id, []).append(
            {"id": note.id, "text": note.text, "author": note.author, "created_at": note.created_at}
        )
    by_id = {}
    for answer_id, question, value, suggested, reference, submitted_at, consent_quote in rows:
        chosen = decisions.get(answer_id, {})
        current = book.comment_themes(suggested or [], {key: on for key, (on, _who, _when) in chosen.items()})
        reviewed = reviews.get(answer_id)
        by_id[answer_id] = Comment(
            answer_id=answer_id,
            question=question,
            text=str(value),
            reference=reference,
            submitted_at=submitted_at,
            consent_quote=consent_quote,
            suggested=list(suggested or []),
            themes=sorted(current, key=lambda key: book.get(key).name.lower()),
            reviewed_by=reviewed[0] if reviewed else None,
            reviewed_at=reviewed[1] if reviewed else None,
            flags=flags.get(answer_id, {}),
            tags=tags.get(answer_id, []),
            notes=notes.get(answer_id, []),
            decisions=chosen,
        )
    return [by_id[answer_id] for answer_id in answer_ids if answer_id in by_id]


def comment(store: Store, slug: str, answer_id: int) -> Comment | None:
    """One comment of the consultation, or None (not a comment of this consultation's submitted responses)."""
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        found = _comments(session, cid, theme_book(session, cid), [answer_id])
    return found[0] if found else None


def next_unreviewed(store: Store, slug: str, after: int = 0) -> int | None:
    """The first comment not yet reviewed after ``after`` (then from the start)."""
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        first = comments_select(session, cid, func.min(AnswerRow.id)).where(~reviewed_condition())
        return session.scalar(first.where(AnswerRow.id > after)) or session.scalar(first)


# --- officers' decisions on one comment -------------------------------------------------------------


def _answer(session: Session, slug: str, answer_id: int) -> tuple[int, list[str]]:
    """The consultation id, and the comment's suggestions; LookupError if it is not one of its comments."""
    cid = consultation_id_of(session, slug)
    found = comment_rows(session, cid, [answer_id])
    if not found:
        raise LookupError("no such comment")
    return cid, list(found[0][2] or [])


def set_comment_themes(store: Store, slug: str, answer_id: int, keys: Iterable[str], actor: str, review: bool = True) -> None:
    """Make the comment's themes exactly ``keys`` (each kept as an officer's decision where it differs from the
    suggestion), and mark it reviewed unless ``review`` is false."""
    wanted = set(keys)
    with store.session() as session:
        cid, suggested = _answer(session, slug, answer_id)
        book = theme_book(session, cid)
        unknown = {key for key in wanted if book.resolve(key) != key or not book.counts(key)}
        if unknown:
            raise ThemeError("Some of those themes have been merged or rejected. Reload the page and try again.")
        existing = {
            book.keys_by_id[row.theme_id]: row
            for row in session.scalars(select(CommentThemeRow).where(CommentThemeRow.answer_id == answer_id))
        }
        current = book.comment_themes(suggested, {key: row.assigned for key, row in existing.items()})
        now = utcnow()
        for key in sorted(current | wanted):
            if (key in current) == (key in wanted):
                continue
            row = existing.get(key) or CommentThemeRow(answer_id=answer_id, theme_id=theme_row(session, cid, key, book).id)
            row.assigned, row.decided_by, row.decided_at = key in wanted, actor, now
            session.add(row)
            log_activity(session, cid, actor, "assign" if key in wanted else "remove", answer_id, theme=book.get(key).name)
        if review:
            _mark_reviewed(session, cid, answer_id, True, actor)


def _mark_reviewed(session: Session, consultation_id: int, answer_id: int, reviewed: bool, actor: str) -> None:
    row = session.get(CommentReviewRow, answer_id)
    if reviewed and row is None:
        session.add(CommentReviewRow(answer_id=answer_id, reviewed_by=actor, reviewed_at=utcnow()))
        log_activity(session, consultation_id, actor, "reviewed", answer_id)
    elif not reviewed and row is not None:
        session.delete(row)
        log_activity(session, consultation_id, actor, "not_reviewed", answer_id)


def set_reviewed(store: Store, slug: str, answer_id: int, reviewed: bool, actor: str) -> None:
    with store.session() as session:
        cid, _suggested = _answer(session, slug, answer_id)
        _mark_reviewed(session, cid, answer_id, reviewed, actor)


def set_flags(store: Store, slug: str, answer_id: int, flags: Iterable[str], actor: str) -> None:
    """Make the comment's officer-set flags exactly ``flags`` (the "redacted" record is kept as it is)."""
    wanted = set(flags)
    if wanted - set(FLAGS):
        raise ThemeError("Unknown flag.")
    with store.session() as session:
        cid, _suggested = _answer(session, slug, answer_id)
        existing = {row.flag: row for row in session.scalars(select(CommentFlagRow).where(CommentFlagRow.answer_id == answer_id))}
        for flag in FLAGS:
            if flag in wanted and flag not in existing:
                session.add(CommentFlagRow(answer_id=answer_id, flag=flag, flagged_by=actor, flagged_at=utcnow()))
                log_activity(session, cid, actor, "flag", answer_id, flag=flag)
            elif flag not in wanted and flag in existing:
                session.delete(existing[flag])
                log_activity(session, cid, actor, "unflag", answer_id, flag=flag)


def add_tag(store: Store, slug: str, answer_id: int, tag: str, actor: str) -> str:
    tag = " ".join(tag.split()).lower()
    if not tag:
        raise ThemeError("Type a tag.")
    if len(tag) > TAG_LIMIT:
        raise ThemeError(f"A tag can be at most {TAG_LIMIT} characters.")
    with store.session() as session:
        cid, _suggested = _answer(session, slug, answer_id)
        if session.get(CommentTagRow, (answer_id, tag)) is None:
            session.add(CommentTagRow(answer_id=answer_id, tag=tag, tagged_by=actor, tagged_at=utcnow()))
            log_activity(session, cid, actor, "tag", answer_id, tag=tag)
    return tag


def remove_tag(store: Store, slug: str, answer_id: int, tag: str, actor: str) -> None:
    with store.session() as session:
        cid, _suggested = _answer(session, slug, answer_id)
        row = session.get(CommentTagRow, (answer_id, tag))
        if row is not None:
            session.delete(row)
            log_activity(session, cid, actor, "untag", answer_id, tag=tag)


def add_note(store: Store, slug: str, answer_id: int, text: str, actor: str) -> None:
    text = text.strip()
    if not text:
        raise ThemeError("Type a note.")
    if len(text) > NOTE_LIMIT:
        raise ThemeError(f"A note can be at most {NOTE_LIMIT:,} characters.")
    with store.session() as session:
        cid, _suggested = _answer(session, slug, answer_id)
        session.add(CommentNoteRow(answer_id=answer_id, text=text, author=actor, created_at=utcnow()))
        log_activity(session, cid, actor, "note", answer_id)  # never the note's text


def delete_note(store: Store, slug: str, answer_id: int, note_id: int, actor: str, may_delete_any: bool) -> None:
    """Delete a note: its author may, and so may an admin."""
    with store.session() as session:
        cid, _suggested = _answer(session, slug, answer_id)
        note = session.get(CommentNoteRow, note_id)
        if note is None or note.answer_id != answer_id:
            raise LookupError("no such note")
        if note.author != actor and not may_delete_any:
            raise ThemeError("Only the note's author or an administrator can delete it.")
        session.delete(note)
        log_activity(session, cid, actor, "delete_note", answer_id)


def redact_comment(store: Store, slug: str, answer_id: int, words: str, actor: str) -> str:
    """Remove personal data an officer found in a comment; returns the new text.

    ``words``: the words or phrases to remove, one per line or separated by commas, each replaced by
    "[removed]" wherever it appears (any case). Empty: the whole comment is replaced. The original text is not
    kept anywhere. The comment is flagged "contains personal data" (so it is not quoted until an officer
    clears the flag) and the redaction is recorded with who and when.
    """
    phrases = sorted({" ".join(part.split()) for part in re.split(r"[,\n]", words or "") if part.strip()}, key=len, reverse=True)
    with store.session() as session:
        cid, _suggested = _answer(session, slug, answer_id)
        answer = session.get(AnswerRow, answer_id)
        text = str(answer.value)
        if phrases:
            pattern = re.compile("|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases), re.IGNORECASE)
            new_text, removed = pattern.subn(REMOVED_WORDS, text)
            if not removed:
                raise ThemeError("None of those words are in the comment, so nothing was removed.")
        else:
            new_text, removed = REMOVED_BY_OFFICER, 1
        answer.value = new_text
        now = utcnow()
        for flag in ("personal_data", REDACTED):
            row = session.get(CommentFlagRow, (answer_id, flag)) or CommentFlagRow(answer_id=answer_id, flag=flag)
            row.flagged_by, row.flagged_at = actor, now
            session.add(row)
        log_activity(session, cid, actor, "redact", answer_id, removed=removed, whole=not phrases)  # never the words
        return new_text


def delete_review_data(session: Session, answer_ids: list[int]) -> int:
    """Delete the notes, flags, tags and activity records of these comments (retention), returning how many
    notes went. Their theme decisions and review marks stay, so the counts per theme still add up."""
    notes = session.execute(delete(CommentNoteRow).where(CommentNoteRow.answer_id.in_(answer_ids))).rowcount or 0
    for model in (CommentFlagRow, CommentTagRow, ThemeActivityRow):
        session.execute(delete(model).where(model.answer_id.in_(answer_ids)))
    return notes
