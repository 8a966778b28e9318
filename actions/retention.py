"""`haveyoursay purge`: apply the retention policy. Safe to run from cron (idempotent).

Conversations and channel data:

* Conversations (Rasa tracker events) idle for TRACKER_RETENTION_DAYS are
  deleted whole, never partly, so an active conversation is never corrupted.
  In-progress answers live in the conversation, so abandoned responses go too.
* Officers' preview conversations (``preview:`` keys, store/previews.py) are
  deleted an hour after their last event.
* Remembered reply buttons older than a day, and platform message ids older
  than a week, are deleted.

Responses, RESPONSE_RETENTION_MONTHS (12) after their consultation's decision.
The privacy statement residents agree to (``Survey.privacy_statement``) quotes
the same setting, so the promise and what happens cannot drift apart.

* The decision date is the ``published`` date of the consultation's
  ``outcome``. A consultation with no outcome has no decision yet, so none of
  its responses are touched; those closed for longer than the retention period
  are reported, so an officer can record the decision.
* From the decision's anniversary (``published`` plus the months) on, every
  submitted response is **anonymised**, not deleted, so the council's published
  counts can still be reproduced: comments are replaced by
  :data:`REMOVED_COMMENT` (their theme tags and officers' theme decisions
  stay, as counts; officers' private notes, flags and tags on them are
  deleted), and the reference, salted sender hash, ward, age band, consent and contact choices,
  sealed outcome address, postcode hash (the withdrawal proof), submission key
  and exact times go (the submission day stays). Its outcome
  notification records are deleted. Answers to choice, scale, rank, yes/no and
  number questions stay and still count.
* Withdrawn responses of such a consultation (already without answers) are
  deleted, and so is its unanswered-questions log: free text like comments,
  linked to no one, and needed for no count.

See docs/data-protection.md for why.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from dataclasses import dataclass, field

from sqlalchemy import Text, bindparam, cast, delete, func, select, update
from sqlalchemy.orm import Session

from .content.model import Consultation
from .settings import get_settings
from .settings import today as council_today
from .store.comment_review import delete_review_data
from .store.conversations import _events_table, delete_conversations
from .store.db import engine_for
from .store.models import (
    AnswerRow,
    ConsultationRow,
    NotificationRow,
    OfferedPayloadsRow,
    ProcessedMessageRow,
    QuestionRow,
    ReplyMenuRow,
    ResponseRow,
    UnansweredRow,
    utcnow,
)
from .store.previews import idle_preview_conversations
from .store.repository import Store

# Where the salted hash was: not a hex digest, so no resident's hash can ever match it again.
ANONYMISED_SENDER = "anonymised"
# An anonymised response's reference: nobody was given it, and it is not shaped like a reference.
ANONYMISED_REFERENCE = "ANON-{id}"
REMOVED_COMMENT = "[removed after the retention period]"
BATCH_SIZE = 1000


@dataclass
class PurgeReport:
    dry_run: bool = False
    conversations: int = 0
    events: int = 0
    reply_menus: int = 0
    message_ids: int = 0
    retention_months: int = 12
    anonymised: dict[str, int] = field(default_factory=dict)  # consultation slug: responses anonymised in this run
    comments: int = 0
    withdrawn: int = 0
    unanswered: int = 0
    awaiting_decision: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        deleted = "Would delete" if self.dry_run else "Deleted"
        anonymised = "Would anonymise" if self.dry_run else "Anonymised"
        months = f"{self.retention_months} month(s)"
        slugs = f" ({', '.join(sorted(self.anonymised))})" if self.anonymised else ""
        lines = [
            f"{deleted} {self.conversations} conversation(s) idle past the retention period ({self.events} event(s)).",
            f"{deleted} {self.reply_menus} remembered reply menu(s) and {self.message_ids} processed message id(s).",
            f"{anonymised} {sum(self.anonymised.values())} submitted response(s) of consultations decided {months} ago or more"
            f"{slugs}, removing {self.comments} comment(s); their other answers still count.",
            f"{deleted} {self.withdrawn} withdrawn response(s) and {self.unanswered} unanswered question(s) of those consultations.",
        ]
        if self.awaiting_decision:
            lines.append(
                f"Kept: responses to {len(self.awaiting_decision)} consultation(s) closed {months} ago or more with no "
                f"decision recorded, so their retention period has not started: {', '.join(self.awaiting_decision)}. "
                "Add `outcome:` with its `published` date to the YAML and load it."
            )
        return lines


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day if it is shorter: 31 Jan + 1 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_ends(consultation: Consultation, months: int) -> dt.date | None:
    """The first day a consultation's responses are no longer kept as given, or None before any decision."""
    if consultation.outcome is None:
        return None
    return add_months(consultation.outcome.published, months)


def idle_conversations(tracker_url: str, older_than_days: int, now: float | None = None) -> list[str]:
    events = _events_table(tracker_url)
    if events is None:
        return []
    cutoff = (now or time.time()) - older_than_days * 86400
    with engine_for(tracker_url).connect() as connection:
        return list(
            connection.execute(
                select(events.c.sender_id).group_by(events.c.sender_id).having(func.max(events.c.timestamp) < cutoff)
            ).scalars()
        )


def _count_events(tracker_url: str, senders: list[str]) -> int:
    events = _events_table(tracker_url)
    if events is None or not senders:
        return 0
    total = 0
    with engine_for(tracker_url).connect() as connection:
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            total += connection.execute(select(func.count()).where(events.c.sender_id.in_(chunk))).scalar() or 0
    return total


def purge(
    store: Store,
    tracker_url: str,
    tracker_days: int,
    dry_run: bool = False,
    now: float | None = None,
    *,
    response_months: int | None = None,
    today: dt.date | None = None,
) -> PurgeReport:
    """Apply the whole retention policy; with ``dry_run``, count what would go and change nothing.

    ``now`` (a Unix time) is the clock for conversations and channel data; ``today`` (default: the
    council's today, ``HYS_TODAY``) for responses; ``response_months`` defaults to RESPONSE_RETENTION_MONTHS.
    """
    months = response_months if response_months is not None else get_settings().response_retention_months
    report = PurgeReport(dry_run=dry_run, retention_months=months)
    senders = idle_conversations(tracker_url, tracker_days, now)
    already = set(senders)
    senders += [key for key in idle_preview_conversations(tracker_url, now=now) if key not in already]
    report.conversations = len(senders)
    if dry_run:
        report.events = _count_events(tracker_url, senders)
    else:
        for start in range(0, len(senders), 500):
            report.events += delete_conversations(tracker_url, senders[start : start + 500])
    _purge_channel_data(store, report, dt.datetime.utcfromtimestamp(now) if now else utcnow())
    _purge_responses(store, report, months, today or council_today())
    return report


def _purge_channel_data(store: Store, report: PurgeReport, current: dt.datetime) -> None:
    old_menus = ReplyMenuRow.updated_at < current - dt.timedelta(days=1)
    old_offers = OfferedPayloadsRow.updated_at < current - dt.timedelta(days=1)
    old_messages = ProcessedMessageRow.created_at < current - dt.timedelta(days=7)
    with store.session() as session:
        if report.dry_run:
            report.reply_menus = _count(session, ReplyMenuRow, old_menus) + _count(session, OfferedPayloadsRow, old_offers)
            report.message_ids = _count(session, ProcessedMessageRow, old_messages)
            return
        report.reply_menus = session.execute(delete(ReplyMenuRow).where(old_menus)).rowcount or 0
        report.reply_menus += session.execute(delete(OfferedPayloadsRow).where(old_offers)).rowcount or 0
        report.message_ids = session.execute(delete(ProcessedMessageRow).where(old_messages)).rowcount or 0
        # An address sealed for an outcome notice that has been sent has done its job (a failed one is retried).
        done = select(NotificationRow.response_id).where(NotificationRow.status.in_(("sent", "delivered")))
        session.execute(
            update(ResponseRow)
            .where(ResponseRow.contact_sealed.is_not(None), ResponseRow.id.in_(done))
            .values(contact_sealed=None)
            .execution_options(synchronize_session=False)
        )


def _count(session: Session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def _purge_responses(store: Store, report: PurgeReport, months: int, today: dt.date) -> None:
    with store.session() as session:
        ids = dict(session.execute(select(ConsultationRow.slug, ConsultationRow.id)).all())
    for consultation in store.consultations():
        ends = retention_ends(consultation, months)
        if ends is None:
            # Closed, or archived (hidden, its responses kept), long enough ago with no decision: say so.
            closed = consultation.effective_status(today) in ("closed", "archived")
            if closed and add_months(consultation.closes, months) <= today:
                report.awaiting_decision.append(consultation.slug)
            continue
        if today < ends:
            continue
        comment_questions = [question.id for question in consultation.questions if question.type == "text"]
        anonymised = _anonymise_responses(store, report, ids[consultation.slug], comment_questions)
        if anonymised:
            report.anonymised[consultation.slug] = anonymised
        _delete_withdrawn_and_unanswered(store, report, ids[consultation.slug])


def _anonymise_responses(store: Store, report: PurgeReport, consultation_id: int, comment_keys: list[str]) -> int:
    """Anonymise the consultation's submitted responses that still hold personal data; returns how many."""
    still_personal = (
        ResponseRow.consultation_id == consultation_id,
        ResponseRow.status == "submitted",
        ResponseRow.sender_hash != ANONYMISED_SENDER,
    )
    with store.session() as session:
        response_ids = list(session.scalars(select(ResponseRow.id).where(*still_personal).order_by(ResponseRow.id)))
        comment_ids = list(
            session.scalars(
                select(QuestionRow.id).where(QuestionRow.consultation_id == consultation_id, QuestionRow.key.in_(comment_keys))
            )
        )
    for start in range(0, len(response_ids), BATCH_SIZE):
        chunk = response_ids[start : start + BATCH_SIZE]
        with store.session() as session:  # one transaction per batch: a response is anonymised whole or not at all
            comments = (
                AnswerRow.response_id.in_(chunk),
                AnswerRow.question_id.in_(comment_ids),
                cast(AnswerRow.value, Text) != "null",  # a skipped comment stays skipped
            )
            if report.dry_run:
                report.comments += _count(session, AnswerRow, *comments)
                continue
            report.comments += (
                session.execute(
                    update(AnswerRow).where(*comments).values(value=REMOVED_COMMENT).execution_options(synchronize_session=False)
                ).rowcount
                or 0
            )
            session.execute(delete(NotificationRow).where(NotificationRow.response_id.in_(chunk)))
            # Officers' private notes, flags and tags on the comments go with their text; theme decisions stay.
            delete_review_data(session, list(session.scalars(select(AnswerRow.id).where(AnswerRow.response_id.in_(chunk)))))
            submitted = session.execute(select(ResponseRow.id, ResponseRow.submitted_at).where(ResponseRow.id.in_(chunk))).all()
            table = ResponseRow.__table__
            session.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(
                    reference=bindparam("anonymous_reference"),
                    submitted_at=bindparam("day"),
                    started_at=bindparam("day"),
                    sender_hash=ANONYMISED_SENDER,
                    ward_slug=None,
                    age_band=None,
                    consent_privacy_at=None,
                    consent_quote=None,
                    consent_quote_at=None,
                    notify_outcome=None,
                    notify_outcome_at=None,
                    amended_at=None,
                    submission_key=None,
                    contact_sealed=None,
                    postcode_hash=None,
                ),
                [
                    {
                        "row_id": row_id,
                        "anonymous_reference": ANONYMISED_REFERENCE.format(id=row_id),
                        "day": dt.datetime.combine((submitted_at or utcnow()).date(), dt.time()),
                    }
                    for row_id, submitted_at in submitted
                ],
            )
    return len(response_ids)


def _delete_withdrawn_and_unanswered(store: Store, report: PurgeReport, consultation_id: int) -> None:
    with store.session() as session:
        withdrawn = list(
            session.scalars(
                select(ResponseRow.id).where(ResponseRow.consultation_id == consultation_id, ResponseRow.status != "submitted")
            )
        )
        unanswered = UnansweredRow.consultation_id == consultation_id
        report.withdrawn += len(withdrawn)
        if report.dry_run:
            report.unanswered += _count(session, UnansweredRow, unanswered)
            return
        for start in range(0, len(withdrawn), BATCH_SIZE):
            chunk = withdrawn[start : start + BATCH_SIZE]
            session.execute(delete(AnswerRow).where(AnswerRow.response_id.in_(chunk)))
            session.execute(delete(NotificationRow).where(NotificationRow.response_id.in_(chunk)))
            session.execute(delete(ResponseRow).where(ResponseRow.id.in_(chunk)))
        report.unanswered += session.execute(delete(UnansweredRow).where(unanswered)).rowcount or 0
