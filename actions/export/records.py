"""Stream submitted responses with their answers, in constant memory.

Rows are read in batches of response ids and grouped into one record per
response, so exporting 100,000 responses never holds more than one batch.
Only submitted responses are included: withdrawn and in-progress ones never.

In a record, ``answers`` holds the questions the resident was asked: a value, or
None when they skipped it. A question of the consultation missing from
``answers`` was **not asked** (skip logic, or added after they answered; see
``ResponseRecord.asked``). "Don't know" is a value like any other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from ..content.model import Consultation
from ..store.models import AnswerRow, ConsultationRow, QuestionRow, ResponseRow
from ..store.repository import Store
from ..store.themes import ThemeRule, theme_rule
from .filtering import answer_conditions, theme_condition

BATCH_SIZE = 2000


@dataclass(frozen=True)
class ExportFilter:
    consultation: str
    ward: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    channel: str | None = None
    # (question id, label) pairs: labels for one question are alternatives, different questions must all hold.
    answers: tuple[tuple[str, str], ...] = ()
    theme: str | None = None  # comments carrying this theme (filtering.theme_condition)
    # What carrying ``theme`` means now, looked up by ``with_theme_rule``: officers' merges and decisions.
    theme_rule: ThemeRule | None = None

    def conditions(self, consultation_id: int) -> list:
        where = [ResponseRow.consultation_id == consultation_id, ResponseRow.status == "submitted"]
        if self.ward:
            where.append(ResponseRow.ward_slug == self.ward)
        if self.since:
            where.append(ResponseRow.submitted_at >= dt.datetime.combine(self.since, dt.time()))
        if self.until:
            where.append(ResponseRow.submitted_at < dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time()))
        if self.channel:
            where.append(ResponseRow.channel == self.channel)
        if self.answers:
            where += answer_conditions(consultation_id, self.answers)
        if self.theme:
            where.append(theme_condition(consultation_id, self.theme, self.theme_rule))
        return where


# A filter on answers or themes is a subquery the database works out again in every query of a page
# (counts, each question, who responded, themes). ``resolved`` works it out once and, when it keeps
# at most this many responses, the page's queries name them instead (well under SQLite's 32,766
# bound parameters). A wider filter keeps its subqueries: those pages read the answers' index anyway.
RESOLVE_AT_MOST = 20_000


@dataclass(frozen=True)
class ResolvedFilter(ExportFilter):
    """The same filter, with the responses it selects already worked out (see :func:`resolved`)."""

    response_ids: tuple[int, ...] = ()

    def conditions(self, consultation_id: int) -> list:
        return [
            ResponseRow.consultation_id == consultation_id,
            ResponseRow.status == "submitted",
            ResponseRow.id.in_(self.response_ids),
        ]


def resolved(store: Store, export_filter: ExportFilter) -> ExportFilter:
    """``export_filter``, with the responses it selects named, when it filters on answers or themes and
    selects few enough; otherwise ``export_filter`` itself. Only for the length of one page: a response
    submitted afterwards is not in it."""
    if isinstance(export_filter, ResolvedFilter) or not (export_filter.answers or export_filter.theme):
        return export_filter
    cid = consultation_id(store, export_filter.consultation)
    with store.session() as session:
        ids = session.scalars(
            select(ResponseRow.id).where(*export_filter.conditions(cid)).order_by(ResponseRow.id).limit(RESOLVE_AT_MOST + 1)
        ).all()
    if len(ids) > RESOLVE_AT_MOST:
        return export_filter
    fields = {name: getattr(export_filter, name) for name in ExportFilter.__dataclass_fields__}
    return ResolvedFilter(**fields, response_ids=tuple(ids))


def with_theme_rule(store: Store, export_filter: ExportFilter) -> ExportFilter:
    """``export_filter`` with its theme looked up in the consultation's themes as officers left them."""
    if not export_filter.theme or export_filter.theme_rule is not None:
        return export_filter
    try:
        rule = theme_rule(store, export_filter.consultation, export_filter.theme)
    except LookupError:  # no such consultation: the export says so itself
        return export_filter
    return dataclasses.replace(export_filter, theme_rule=rule)


@dataclass
class ResponseRecord:
    response_id: int
    reference: str
    submitted_at: dt.datetime
    channel: str
    ward: str | None
    age_band: str | None
    consent_quote: bool | None
    notify_outcome: bool | None
    sender_hash: str
    is_demo: bool
    answers: dict[str, Any] = field(default_factory=dict)  # asked questions only; None = skipped
    themes: dict[str, list[str]] = field(default_factory=dict)
    other: dict[str, str] = field(default_factory=dict)  # "other, please specify" texts, redacted
    received_on: dt.date | None = None  # keyed in by staff (paper, phone, in person): the date received

    def asked(self, question_id: str) -> bool:
        """False when the question was not asked (no answer row at all), as opposed to skipped (None)."""
        return question_id in self.answers


def consultation_id(store: Store, slug: str) -> int:
    with store.session() as session:
        found = session.scalar(select(ConsultationRow.id).where(ConsultationRow.slug == slug))
    if found is None:
        raise LookupError(f"no consultation with slug {slug!r}")
    return found


def count_responses(store: Store, export_filter: ExportFilter) -> int:
    cid = consultation_id(store, export_filter.consultation)
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(ResponseRow).where(*export_filter.conditions(cid))) or 0


def iter_records(store: Store, export_filter: ExportFilter, batch_size: int = BATCH_SIZE) -> Iterator[ResponseRecord]:
    """Submitted responses matching the filter, oldest first, each with all its answers."""
    cid = consultation_id(store, export_filter.consultation)
    last_id = 0
    while True:
        with store.session() as session:
            responses = session.execute(
                select(
                    ResponseRow.id,
                    ResponseRow.reference,
                    ResponseRow.submitted_at,
                    ResponseRow.channel,
                    ResponseRow.ward_slug,
                    ResponseRow.age_band,
                    ResponseRow.consent_quote,
                    ResponseRow.notify_outcome,
                    ResponseRow.sender_hash,
                    ResponseRow.is_demo,
                    ResponseRow.received_on,
                )
                .where(*export_filter.conditions(cid), ResponseRow.id > last_id)
                .order_by(ResponseRow.id)
                .limit(batch_size)
            ).all()
            if not responses:
                return
            records = {
                row.id: ResponseRecord(
                    row.id,
                    row.reference,
                    row.submitted_at,
                    row.channel,
                    row.ward_slug,
                    row.age_band,
                    row.consent_quote,
                    row.notify_outcome,
                    row.sender_hash,
                    row.is_demo,
                    received_on=row.received_on,
                )
                for row in responses
            }
            answers = session.execute(
                select(AnswerRow.response_id, QuestionRow.key, AnswerRow.value, AnswerRow.themes, AnswerRow.other_text)
                .join(QuestionRow, QuestionRow.id == AnswerRow.question_id)
                .where(AnswerRow.response_id.in_(list(records)))
            )
            for response_id, key, value, themes, other in answers:
                record = records[response_id]
                record.answers[key] = value
                if themes:
                    record.themes[key] = themes
                if other is not None:
                    record.other[key] = other
        yield from records.values()
        last_id = responses[-1].id


def load_consultation(store: Store, slug: str) -> Consultation:
    consultation = store.consultation(slug)
    if consultation is None:
        raise LookupError(f"no consultation with slug {slug!r}")
    return consultation
