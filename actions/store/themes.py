"""Themes that officers own, following the UK government's Consult tool.

The theme tagger's tags on each comment (``answers.themes``) are **suggestions**. Per consultation, an
officer confirms, rejects, renames or merges a suggested theme, and adds themes of their own
(``consultation_themes``). Per comment (``comment_review.py``) they assign or remove themes
(``comment_themes``), mark it reviewed, tag it, flag it and leave private notes. Every decision records
who made it and when, and ``theme_activity`` keeps the history.

A comment's themes (:meth:`ThemeBook.comment_themes`) are its suggestions, followed through merges, without
rejected themes, plus the themes an officer assigned, minus those an officer removed. Only **confirmed**
themes reach the published report. A comment is **quotable** in the report when the resident agreed to be
quoted, it carries no flag that excludes quoting, it is not the moderation tag ``needs_review`` unless an
officer has reviewed it since, and it still has words of its own.

Comments are the answers to a consultation's text questions in submitted responses. Functions take the
consultation's slug and check that an answer belongs to it, so a form cannot reach another's comments.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Text, and_, cast, exists, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from ..text.moderation import REVIEW_TAG
from .models import (
    AnswerRow,
    CommentFlagRow,
    CommentReviewRow,
    CommentTagRow,
    CommentThemeRow,
    ConsultationRow,
    ConsultationThemeRow,
    QuestionRow,
    ResponseRow,
    ThemeActivityRow,
    utcnow,
)
from .repository import Store

SUGGESTED, CONFIRMED, REJECTED, MERGED = "suggested", "confirmed", "rejected", "merged"
AUTOMATIC, OFFICER = "automatic", "officer"

# Flags an officer can set, in the order shown, and whether each keeps the comment out of the report's quotes.
FLAGS: dict[str, tuple[str, bool]] = {
    "needs_reply": ("Needs a reply", False),
    "abusive": ("Abusive or offensive", True),
    "personal_data": ("Contains personal data", True),
    "do_not_quote": ("Don't quote in the report", True),
}
REDACTED = "redacted"  # set by a redaction, with who and when; not an officer's choice
EXCLUDING_FLAGS = frozenset(flag for flag, (_label, excludes) in FLAGS.items() if excludes)
REMOVED_BY_OFFICER = "[comment removed by an officer: it contained personal data]"
NO_WORDS_LEFT = frozenset({REMOVED_BY_OFFICER, "[removed after the retention period]"})
NAME_LIMIT = 80


class ThemeError(ValueError):
    """A request that can't be carried out, with a sentence for the officer."""


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    origin: str
    status: str
    merged_into: str | None = None  # key
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    id: int | None = None  # None: suggested by the tagger, no officer decision yet


@dataclass
class ThemeCount:
    theme: Theme
    comments: int = 0  # comments with this theme now
    reviewed: int = 0  # ... of which an officer has reviewed
    suggested: int = 0  # comments the tagger suggested this very theme for (not those of themes merged into it)


def humanise(key: str) -> str:
    """ "older_people" -> "Older people"."""
    words = re.sub(r"[_\-]+", " ", key).strip()
    return words[:1].upper() + words[1:]


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:NAME_LIMIT]


def quotable(consent_quote: bool | None, flags: Iterable[str], suggested: Iterable[str], reviewed: bool, text: str) -> bool:
    return (
        consent_quote is True
        and not (EXCLUDING_FLAGS & set(flags))
        and (reviewed or REVIEW_TAG not in set(suggested))
        and bool(text.strip())
        and text not in NO_WORDS_LEFT
    )


# --- the themes of a consultation ------------------------------------------------------------------


class ThemeBook:
    """A consultation's themes: the rows officers have decided on, plus suggestions with no row yet."""

    def __init__(self, rows: list[ConsultationThemeRow]):
        by_id = {row.id: row for row in rows}
        self.themes: dict[str, Theme] = {}
        for row in rows:
            target = by_id.get(row.merged_into_id) if row.merged_into_id else None
            self.themes[row.key] = Theme(
                key=row.key,
                name=row.name,
                origin=row.origin,
                status=row.status,
                merged_into=target.key if target else None,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
                id=row.id,
            )
        self.keys_by_id = {row.id: row.key for row in rows}

    def get(self, key: str) -> Theme:
        return self.themes.get(key) or Theme(key=key, name=humanise(key), origin=AUTOMATIC, status=SUGGESTED)

    def resolve(self, key: str) -> str:
        """Follow merges to the theme a key now counts as."""
        seen = set()
        theme = self.get(key)
        while theme.status == MERGED and theme.merged_into and theme.key not in seen:
            seen.add(theme.key)
            theme = self.get(theme.merged_into)
        return theme.key

    def counts(self, key: str) -> bool:
        """Whether a (resolved) theme can be on comments: not rejected."""
        return self.get(key).status != REJECTED

    def comment_themes(self, suggested: Iterable[str], decisions: dict[str, bool]) -> set[str]:
        """A comment's themes: its suggestions and assignments (resolved, not rejected) less officers' removals."""
        added = {self.resolve(key) for key in suggested if key != REVIEW_TAG}
        assigned = {self.resolve(key) for key, on in decisions.items() if on}
        removed = {self.resolve(key) for key, on in decisions.items() if not on} - assigned
        return {key for key in (added | assigned) - removed if self.counts(key)}


def consultation_id_of(session: Session, slug: str) -> int:
    found = session.scalar(select(ConsultationRow.id).where(ConsultationRow.slug == slug))
    if found is None:
        raise LookupError(f"no consultation with slug {slug!r}")
    return found


def theme_book(session: Session, consultation_id: int) -> ThemeBook:
    rows = list(session.scalars(select(ConsultationThemeRow).where(ConsultationThemeRow.consultation_id == consultation_id)))
    return ThemeBook(rows)


def comment_rows(session: Session, consultation_id: int, answer_ids: Iterable[int] | None = None):
    """(answer id, question key, suggested themes, response submitted at) of every comment, oldest first."""
    query = (
        select(AnswerRow.id, QuestionRow.key, AnswerRow.themes, ResponseRow.submitted_at)
        .join(ResponseRow, ResponseRow.id == AnswerRow.response_id)
        .join(QuestionRow, QuestionRow.id == AnswerRow.question_id)
        .where(
            ResponseRow.consultation_id == consultation_id,
            ResponseRow.status == "submitted",
            QuestionRow.type == "text",
            cast(AnswerRow.value, Text) != "null",
            AnswerRow.value.is_not(None),
        )
        .order_by(AnswerRow.id)
    )
    if answer_ids is not None:
        query = query.where(AnswerRow.id.in_(list(answer_ids)))
    return session.execute(query).all()


def decisions_of(session: Session, consultation_id: int, book: ThemeBook, answer_ids: list[int] | None = None):
    """{answer id: {theme key: (assigned, who, when)}}."""
    query = (
        select(CommentThemeRow.answer_id, CommentThemeRow.theme_id, CommentThemeRow.assigned, CommentThemeRow.decided_by)
        .add_columns(CommentThemeRow.decided_at)
        .join(ConsultationThemeRow, ConsultationThemeRow.id == CommentThemeRow.theme_id)
        .where(ConsultationThemeRow.consultation_id == consultation_id)
    )
    if answer_ids is not None:
        query = query.where(CommentThemeRow.answer_id.in_(answer_ids))
    found: dict[int, dict[str, tuple[bool, str, dt.datetime]]] = {}
    for answer_id, theme_id, assigned, who, when in session.execute(query):
        found.setdefault(answer_id, {})[book.keys_by_id[theme_id]] = (assigned, who, when)
    return found


def comments_select(session: Session, consultation_id: int, *columns) -> Select:
    """SELECT ``columns`` over the consultation's comments: answers to its text questions in submitted responses.

    Read through the text questions' answers (the answers' question index), never every answer of every
    response: SQLite gets a join whose responses side it is told not to start from ("+ 0"); PostgreSQL
    plans the same as two semi-joins better (measured on 100,000 responses: under a second each)."""
    text_questions = select(QuestionRow.id).where(QuestionRow.consultation_id == consultation_id, QuestionRow.type == "text")
    query = select(*columns).select_from(AnswerRow).where(AnswerRow.question_id.in_(text_questions))
    if session.get_bind().dialect.name == "sqlite":
        query = query.join(ResponseRow, ResponseRow.id == AnswerRow.response_id).where(
            (ResponseRow.consultation_id + 0) == consultation_id, ResponseRow.status == "submitted"
        )
    else:
        submitted = select(ResponseRow.id).where(
            ResponseRow.consultation_id == consultation_id, ResponseRow.status == "submitted"
        )
        query = query.where(AnswerRow.response_id.in_(submitted))
    return query.where(AnswerRow.value.is_not(None), cast(AnswerRow.value, Text) != "null")


def _json_like(key: str) -> str:
    """A LIKE pattern (ESCAPE '/') finding ``key`` as an element of a stored JSON list of themes."""
    literal = json.dumps(key).replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{literal}%"


def reviewed_condition() -> ColumnElement:
    return exists().where(CommentReviewRow.answer_id == AnswerRow.id)


@dataclass(frozen=True)
class ThemeRule:
    """What "a comment carries theme ``key``" means right now, read off a consultation's ThemeBook, so that a
    filter can say it in SQL without the book: the suggested keys that count as ``key`` (itself and themes
    merged into it), the ids of their rows (officers' assignments and removals), and whether ``key`` can be on
    comments at all (not rejected, not merged away)."""

    key: str
    suggested_keys: tuple[str, ...]
    theme_ids: tuple[int, ...] = ()
    counts: bool = True

    @classmethod
    def of(cls, book: ThemeBook, key: str) -> ThemeRule:
        if book.resolve(key) != key or not book.counts(key):
            return cls(key, (), (), False)
        keys = tuple(sorted({key} | {other for other in book.themes if book.resolve(other) == key}))
        return cls(key, keys, tuple(book.themes[other].id for other in keys if other in book.themes))


def carries(book: ThemeBook, key: str) -> ColumnElement:
    """SQL: the comment (an ``answers`` row) has theme ``key`` now, by the same rule as
    :meth:`ThemeBook.comment_themes`: suggested as ``key`` or as a theme merged into it and not removed by an
    officer, or added by an officer. No comment has a rejected or merged theme."""
    return carries_rule(ThemeRule.of(book, key))


def carries_rule(rule: ThemeRule) -> ColumnElement:
    """:func:`carries`, from a rule worked out earlier."""
    if not rule.counts:
        return false()
    text = cast(AnswerRow.themes, Text)
    suggested = or_(*(text.like(_json_like(other), escape="/") for other in rule.suggested_keys))
    if not rule.theme_ids:
        return suggested

    def decided(assigned: bool) -> ColumnElement:
        return exists().where(
            CommentThemeRow.answer_id == AnswerRow.id,
            CommentThemeRow.theme_id.in_(rule.theme_ids),
            CommentThemeRow.assigned.is_(assigned),
        )

    return or_(and_(suggested, ~decided(False)), decided(True))


def theme_rule(store: Store, slug: str, key: str) -> ThemeRule:
    with store.session() as session:
        return ThemeRule.of(theme_book(session, consultation_id_of(session, slug)), key)


def filterable_themes(store: Store, slug: str, council_themes: Iterable[str]) -> list[tuple[str, str]]:
    """(key, current name) of the themes a view can be filtered by: the council's themes and those officers
    added, as officers left them (renamed; not rejected, not merged away), by name."""
    book = themes_of(store, slug)
    keys = {book.resolve(key) for key in council_themes} | set(book.themes)
    return sorted(
        ((key, book.get(key).name) for key in keys if book.resolve(key) == key and book.counts(key)),
        key=lambda pair: pair[1].lower(),
    )


def themes_among(session: Session, consultation_id: int, *where: ColumnElement) -> Counter:
    """Comments per theme, as officers left them (:meth:`ThemeBook.comment_themes`), among the answers ``where``
    selects: a comment counts once for each of its themes. Comments nobody decided anything on are counted by
    their list of suggestions (a handful of distinct lists however many comments)."""
    book = theme_book(session, consultation_id)
    decided = exists().where(CommentThemeRow.answer_id == AnswerRow.id)
    stored = cast(AnswerRow.themes, Text)
    counts: Counter = Counter()
    groups = session.execute(
        select(stored, func.count()).where(*where, ~decided, stored != "[]", stored != "null").group_by(stored)
    ).all()
    for raw, number in groups:
        for key in book.comment_themes(json.loads(raw) or [], {}):
            counts[key] += number
    one_by_one = session.execute(select(AnswerRow.id, AnswerRow.themes).where(*where, decided)).all()
    named = [answer_id for answer_id, _themes in one_by_one]  # all decisions when too many to name (bound parameters)
    decisions = decisions_of(session, consultation_id, book, named if len(named) <= 5000 else None)
    for answer_id, suggested in one_by_one:
        chosen = {key: on for key, (on, _who, _when) in decisions.get(answer_id, {}).items()}
        counts.update(book.comment_themes(suggested or [], chosen))
    return counts


def themes_of_comments(session: Session, consultation_id: int, comments: list[tuple[int, list[str] | None]]) -> list[list[str]]:
    """The current themes of each (answer id, suggested themes) pair, in order, for a page of comments."""
    book = theme_book(session, consultation_id)
    decisions = decisions_of(session, consultation_id, book, [answer_id for answer_id, _themes in comments])
    found = []
    for answer_id, suggested in comments:
        chosen = {key: on for key, (on, _who, _when) in decisions.get(answer_id, {}).items()}
        found.append(sorted(book.comment_themes(suggested or [], chosen)))
    return found


def log_activity(session: Session, consultation_id: int, actor: str, action: str, answer_id: int | None = None, **detail) -> None:
    session.add(
        ThemeActivityRow(
            consultation_id=consultation_id, answer_id=answer_id, at=utcnow(), actor=actor[:320], action=action, detail=detail
        )
    )


def theme_row(session: Session, consultation_id: int, key: str, book: ThemeBook) -> ConsultationThemeRow:
    """The theme's row, made when a suggested theme gets its first decision."""
    row = session.scalar(
        select(ConsultationThemeRow).where(
            ConsultationThemeRow.consultation_id == consultation_id, ConsultationThemeRow.key == key
        )
    )
    if row is None:
        theme = book.get(key)
        row = ConsultationThemeRow(
            consultation_id=consultation_id, key=key, name=theme.name, origin=AUTOMATIC, status=SUGGESTED, created_at=utcnow()
        )
        session.add(row)
        session.flush()
    return row


# --- reading the themes ---------------------------------------------------------------------------------------


@dataclass
class ThemeOverview:
    themes: list[ThemeCount]  # confirmed, then suggested, then rejected, then merged; by name
    comments: int
    reviewed: int
    flagged: Counter  # flag: comments
    tags: Counter  # tag: comments
    pairs: list[tuple[set[str], set[str]]]  # per reviewed comment: (suggested, resolved; themes now)


STATUS_ORDER = {CONFIRMED: 0, SUGGESTED: 1, REJECTED: 2, MERGED: 3}


def _tally(session: Session, consultation_id: int, book: ThemeBook) -> ThemeOverview:
    """Counts per theme. Comments no officer has decided anything on are counted by their list of suggestions
    (a GROUP BY: a handful of distinct lists however many comments); the few with decisions one by one."""
    counts: dict[str, ThemeCount] = {key: ThemeCount(theme) for key, theme in book.themes.items()}
    summary = ThemeOverview([], 0, 0, Counter(), Counter(), [])

    def add(suggested: list[str], current: set[str], comments: int, reviewed: int) -> None:
        summary.comments += comments
        summary.reviewed += reviewed
        for key in suggested:
            counts.setdefault(key, ThemeCount(book.get(key))).suggested += comments
        for key in current:
            count = counts.setdefault(key, ThemeCount(book.get(key)))
            count.comments += comments
            count.reviewed += reviewed
        if reviewed:
            summary.pairs.extend([({book.resolve(key) for key in suggested}, current)] * reviewed)

    decided = exists().where(CommentThemeRow.answer_id == AnswerRow.id)
    stored = cast(AnswerRow.themes, Text)
    groups = session.execute(
        comments_select(session, consultation_id, stored, func.count(), func.count(CommentReviewRow.answer_id))
        .outerjoin(CommentReviewRow, CommentReviewRow.answer_id == AnswerRow.id)
        .where(~decided)
        .group_by(stored)
    ).all()
    for raw, number, reviewed in groups:
        suggested = [key for key in (json.loads(raw) if raw not in (None, "null") else None) or [] if key != REVIEW_TAG]
        add(suggested, book.comment_themes(suggested, {}), number, reviewed)
    decisions = decisions_of(session, consultation_id, book)
    one_by_one = session.execute(
        comments_select(session, consultation_id, AnswerRow.id, AnswerRow.themes, CommentReviewRow.answer_id)
        .outerjoin(CommentReviewRow, CommentReviewRow.answer_id == AnswerRow.id)
        .where(decided)
    ).all()
    for answer_id, suggested, reviewed in one_by_one:
        suggested = [key for key in suggested or [] if key != REVIEW_TAG]
        chosen = {key: on for key, (on, _who, _when) in decisions.get(answer_id, {}).items()}
        add(suggested, book.comment_themes(suggested, chosen), 1, int(reviewed is not None))
    comments = comments_select(session, consultation_id, AnswerRow.id)
    for model, column, counter in (
        (CommentFlagRow, CommentFlagRow.flag, summary.flagged),
        (CommentTagRow, CommentTagRow.tag, summary.tags),
    ):
        grouped = session.execute(select(column, func.count()).where(model.answer_id.in_(comments)).group_by(column))
        counter.update(dict(grouped.all()))
    summary.themes = sorted(counts.values(), key=lambda c: (STATUS_ORDER.get(c.theme.status, 9), c.theme.name.lower()))
    return summary


def overview(store: Store, slug: str) -> ThemeOverview:
    """Every theme of the consultation with its counts, and the review's progress."""
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        return _tally(session, cid, theme_book(session, cid))


def recent_activity(store: Store, slug: str, limit: int = 20) -> list[dict]:
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        rows = session.execute(
            select(ThemeActivityRow.at, ThemeActivityRow.actor, ThemeActivityRow.action, ThemeActivityRow.detail)
            .add_columns(ThemeActivityRow.answer_id)
            .where(ThemeActivityRow.consultation_id == cid)
            .order_by(ThemeActivityRow.id.desc())
            .limit(limit)
        ).all()
    return [
        {"at": at, "actor": actor, "action": action, "detail": detail, "answer_id": answer}
        for at, actor, action, detail, answer in rows
    ]


def themes_of(store: Store, slug: str) -> ThemeBook:
    with store.session() as session:
        return theme_book(session, consultation_id_of(session, slug))


# --- officers' decisions on themes -------------------------------------------------------------------


def _check_name(session: Session, consultation_id: int, book: ThemeBook, name: str, except_key: str | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ThemeError("Give the theme a name.")
    if len(name) > NAME_LIMIT:
        raise ThemeError(f"A theme's name can be at most {NAME_LIMIT} characters.")
    for key, theme in book.themes.items():
        if key != except_key and theme.status != MERGED and theme.name.lower() == name.lower():
            raise ThemeError(f"There is already a theme called “{theme.name}”.")
    return name


def set_status(store: Store, slug: str, key: str, status: str, actor: str) -> Theme:
    """Confirm, reject, or return a theme to suggested."""
    if status not in (CONFIRMED, REJECTED, SUGGESTED):
        raise ThemeError("Choose confirm, reject or reconsider.")
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        book = theme_book(session, cid)
        if book.get(key).status == MERGED:
            raise ThemeError("That theme has been merged into another.")
        row = theme_row(session, cid, key, book)
        row.status, row.decided_by, row.decided_at = status, actor, utcnow()
        log_activity(
            session, cid, actor, {CONFIRMED: "confirm", REJECTED: "reject", SUGGESTED: "reconsider"}[status], theme=row.name
        )
        return theme_book(session, cid).get(key)


def rename(store: Store, slug: str, key: str, name: str, actor: str) -> Theme:
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        book = theme_book(session, cid)
        name = _check_name(session, cid, book, name, except_key=key)
        row = theme_row(session, cid, key, book)
        old = row.name
        row.name, row.decided_by, row.decided_at = name, actor, utcnow()
        log_activity(session, cid, actor, "rename", theme=old, to=name)
        return theme_book(session, cid).get(key)


def add_theme(store: Store, slug: str, name: str, actor: str, confirmed: bool = True) -> Theme:
    """An officer's own theme, confirmed unless said otherwise."""
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        book = theme_book(session, cid)
        name = _check_name(session, cid, book, name)
        key = slugify(name) or "theme"
        base, number = key, 2
        while key in book.themes:
            key, number = f"{base}_{number}", number + 1
        now = utcnow()
        session.add(
            ConsultationThemeRow(
                consultation_id=cid,
                key=key,
                name=name,
                origin=OFFICER,
                status=CONFIRMED if confirmed else SUGGESTED,
                decided_by=actor,
                decided_at=now,
                created_at=now,
            )
        )
        log_activity(session, cid, actor, "add", theme=name)
        session.flush()
        return theme_book(session, cid).get(key)


def merge(store: Store, slug: str, key: str, into: str, actor: str) -> Theme:
    """Merge theme ``key`` into ``into``: its comments (suggested and assigned) count as ``into`` from now on.

    An officer's decision on a comment moves with it unless the comment already has one for ``into``.
    """
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        book = theme_book(session, cid)
        into = book.resolve(into)
        if key == into:
            raise ThemeError("Choose a different theme to merge into.")
        if book.get(key).status == MERGED:
            raise ThemeError("That theme has already been merged.")
        if book.get(into).status == REJECTED:
            raise ThemeError("A theme can't be merged into a rejected one.")
        source = theme_row(session, cid, key, book)
        target = theme_row(session, cid, into, book)
        taken = set(session.scalars(select(CommentThemeRow.answer_id).where(CommentThemeRow.theme_id == target.id)))
        for decision in list(session.scalars(select(CommentThemeRow).where(CommentThemeRow.theme_id == source.id))):
            if decision.answer_id not in taken:
                session.add(
                    CommentThemeRow(
                        answer_id=decision.answer_id,
                        theme_id=target.id,
                        assigned=decision.assigned,
                        decided_by=decision.decided_by,
                        decided_at=decision.decided_at,
                    )
                )
            session.delete(decision)
        for earlier in session.scalars(select(ConsultationThemeRow).where(ConsultationThemeRow.merged_into_id == source.id)):
            earlier.merged_into_id = target.id
        source.status, source.merged_into_id = MERGED, target.id
        source.decided_by, source.decided_at = actor, utcnow()
        log_activity(session, cid, actor, "merge", theme=source.name, into=target.name)
        session.flush()
        return theme_book(session, cid).get(into)


# --- for the published report ------------------------------------------------------------------------


@dataclass
class ReportTheme:
    key: str
    name: str
    comments: int  # comments with this theme
    reviewed: int  # ... of which reviewed by an officer
    quotes: list[str]  # residents who agreed to be quoted; none flagged out


@dataclass
class ReportThemes:
    themes: list[ReportTheme]  # confirmed themes, most comments first
    comments: int  # all comments
    reviewed: int


def report_themes(store: Store, slug: str, quotes_per_theme: int = 3, quote_length: tuple[int, int] = (15, 400)) -> ReportThemes:
    """The confirmed themes with their counts and up to ``quotes_per_theme`` quotable comments each (reviewed
    comments first, then the oldest; a comment, or the same words, quoted once at most, and only whole)."""
    shortest, longest = quote_length
    with store.session() as session:
        cid = consultation_id_of(session, slug)
        book = theme_book(session, cid)
        summary = _tally(session, cid, book)
        confirmed = [count for count in summary.themes if count.theme.status == CONFIRMED]
        confirmed.sort(key=lambda count: (-count.comments, count.theme.name.lower()))
        reviewed = reviewed_condition()
        flagged_out = exists().where(CommentFlagRow.answer_id == AnswerRow.id, CommentFlagRow.flag.in_(sorted(EXCLUDING_FLAGS)))
        may_quote = select(ResponseRow.id).where(ResponseRow.consultation_id == cid, ResponseRow.consent_quote.is_(True))
        used: set[int] = set()
        quoted: set[str] = set()  # the same words from two residents are quoted once
        result = []
        for count in confirmed:
            candidates = (
                comments_select(session, cid, AnswerRow.id, AnswerRow.value, AnswerRow.themes, reviewed.label("reviewed"))
                .where(carries(book, count.theme.key), AnswerRow.response_id.in_(may_quote), ~flagged_out)
                .order_by(reviewed.desc(), AnswerRow.id)
            )
            quotes: list[str] = []
            for answer_id, value, suggested, was_reviewed in session.execute(candidates.execution_options(yield_per=200)):
                text = str(value)
                if answer_id in used or text in quoted or not shortest <= len(text) <= longest:
                    continue
                if quotable(True, (), suggested or [], bool(was_reviewed), text):
                    quotes.append(text)
                    used.add(answer_id)
                    quoted.add(text)
                    if len(quotes) == quotes_per_theme:
                        break
            result.append(ReportTheme(count.theme.key, count.theme.name, count.comments, count.reviewed, quotes))
    return ReportThemes(result, summary.comments, summary.reviewed)
