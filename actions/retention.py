"""`haveyoursay purge`: apply the retention policy. Safe to run from cron (idempotent, quiet on success).

* Conversations (Rasa tracker events) idle for TRACKER_RETENTION_DAYS are
  deleted whole, never partly, so an active conversation is never corrupted.
  In-progress answers live in the conversation, so abandoned responses go too.
* Remembered reply buttons older than a day, and platform message ids older
  than a week, are deleted.
* Submitted responses are kept: their comments were redacted before storage
  and they hold no contact details (see docs/data-protection.md).
* The unanswered-questions log (table ``unanswered``) is kept like submitted
  responses, for the consultation's reporting period: its wordings were
  redacted before storage and it holds no sender id or hash, so there is no
  per-sender erasure to apply. Its rows go with their consultation.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from .store.conversations import _events_table, delete_conversations
from .store.db import engine_for
from .store.models import ProcessedMessageRow, ReplyMenuRow, utcnow
from .store.repository import Store


@dataclass
class PurgeReport:
    conversations: int = 0
    events: int = 0
    reply_menus: int = 0
    message_ids: int = 0

    def lines(self) -> list[str]:
        return [
            f"Deleted {self.conversations} conversation(s) idle past the retention period ({self.events} event(s)).",
            f"Deleted {self.reply_menus} remembered reply menu(s) and {self.message_ids} processed message id(s).",
        ]


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


def purge(store: Store, tracker_url: str, tracker_days: int, dry_run: bool = False, now: float | None = None) -> PurgeReport:
    report = PurgeReport()
    senders = idle_conversations(tracker_url, tracker_days, now)
    report.conversations = len(senders)
    current = dt.datetime.utcfromtimestamp(now) if now else utcnow()
    if dry_run:
        return report
    for start in range(0, len(senders), 500):
        report.events += delete_conversations(tracker_url, senders[start : start + 500])
    with store.session() as session:
        report.reply_menus = (
            session.execute(delete(ReplyMenuRow).where(ReplyMenuRow.updated_at < current - dt.timedelta(days=1))).rowcount or 0
        )
        report.message_ids = (
            session.execute(
                delete(ProcessedMessageRow).where(ProcessedMessageRow.created_at < current - dt.timedelta(days=7))
            ).rowcount
            or 0
        )
    return report
